#!/usr/bin/python3
"""A real SMTP server for tests (aiosmtpd), driven through files in --dir.

Run with Debian's /usr/bin/python3 (python3-aiosmtpd). Files in --dir:

  ready              the port we listen on, written (atomically) once serving
  messages/<n>.eml   each accepted message, raw bytes as received (n from 1)
  refused/<n>.eml    each message answered by a scripted 4xx/5xx reply
  held/<n>.eml       each message held by a scripted "hold"
  script             optional; before answering each DATA, its first line is
                     consumed and decides the reply:
                       "<code> <text>"  replied instead of 250 (421 also
                                        closes the connection afterwards)
                       "hold"           no reply until the file `release`
                                        exists, then 250 and accepted (the
                                        file stays: later holds pass at once)
                       "drop"           the connection is closed, no reply
  release            see "hold"

Options: --port (0 = any free port), --tls none|starttls|implicit with
--cert/--key, --auth USER:PASSWORD (AUTH PLAIN/LOGIN required before MAIL:
530 otherwise, 535 for a wrong password).
"""

import argparse
import asyncio
import logging
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

POLL_SECONDS = 0.02


def write_atomically(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


STORED = {}  # kind -> messages stored so far (counted from disk on first use)


def store(directory, kind, data):
    """Writes `data` as <directory>/<kind>/<n>.eml with the next free n."""
    folder = os.path.join(directory, kind)
    if kind not in STORED:
        os.makedirs(folder, exist_ok=True)
        STORED[kind] = sum(1 for name in os.listdir(folder) if name.endswith(".eml"))
    STORED[kind] += 1
    write_atomically(os.path.join(folder, f"{STORED[kind]}.eml"), data)


def next_script_line(directory):
    """Consumes and returns the first line of <directory>/script (or None)."""
    path = os.path.join(directory, "script")
    try:
        with open(path, "r", encoding="utf-8") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return None
    if not lines:
        return None
    write_atomically(path, "".join(line + "\n" for line in lines[1:]).encode())
    return lines[0].strip()


async def forever():
    await asyncio.get_running_loop().create_future()


class Handler:
    def __init__(self, directory):
        self.directory = directory

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content
        line = next_script_line(self.directory)
        if line == "drop":
            server.transport.close()
            await forever()  # cancelled by connection_lost
        if line == "hold":
            store(self.directory, "held", data)
            release = os.path.join(self.directory, "release")
            while not os.path.exists(release):
                await asyncio.sleep(POLL_SECONDS)
        elif line:
            store(self.directory, "refused", data)
            if line.startswith("421"):
                await server.push(line)
                server.transport.close()
                await forever()
            return line
        store(self.directory, "messages", data)
        return "250 2.0.0 OK queued"


def make_authenticator(user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login == user.encode() and auth_data.password == password.encode())
        return AuthResult(success=ok, handled=False)

    return authenticate


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--tls", choices=["none", "starttls", "implicit"], default="none")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--auth", help="USER:PASSWORD")
    args = parser.parse_args()
    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="%(asctime)s %(name)s %(message)s")

    context = None
    if args.tls != "none":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
    kwargs = {}
    if args.auth:
        user, _, password = args.auth.partition(":")
        kwargs = dict(authenticator=make_authenticator(user, password), auth_required=True,
                      auth_require_tls=args.tls == "starttls")
    handler = Handler(args.dir)

    def factory():
        return SMTP(handler, hostname="sink.localhost",
                    tls_context=context if args.tls == "starttls" else None,
                    require_starttls=args.tls == "starttls", **kwargs)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(
        loop.create_server(factory, "127.0.0.1", args.port,
                           ssl=context if args.tls == "implicit" else None))
    port = server.sockets[0].getsockname()[1]
    write_atomically(os.path.join(args.dir, "ready"), f"{port}\n".encode())
    logging.info("smtp sink serving on 127.0.0.1:%d tls=%s", port, args.tls)
    loop.run_forever()


if __name__ == "__main__":
    main()
