# Functions behind ./iob. Sourced, never run directly.
# Expects ROOT, BUILD, STATE, PGBIN from ./iob.

APT_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto
  libabsl-dev libpugixml-dev libssl-dev libpqxx-dev libpq-dev postgresql
  prometheus-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev libcurl4-openssl-dev
  libgmime-3.0-dev libcpp-httplib-dev libmicrohttpd-dev libpoppler-cpp-dev nlohmann-json3-dev
  libcairo2-dev libpango1.0-dev fonts-dejavu-core fonts-droid-fallback python3-aiosmtpd
  dovecot-imapd libre2-dev
  libc-ares-dev
  libxml2-utils prometheus clang-14 libclang-rt-14-dev clang-format chromium nodejs npm openssl curl jq $(command -v kubectl >/dev/null || echo kubernetes-client)
)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
log() { printf '\033[1m[iob]\033[0m %s\n' "$*" >&2; }

iob_missing_packages() {
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  echo "${missing[@]:-}"
}

iob_setup() {
  local missing
  missing=$(iob_missing_packages)
  # node/npm may come from elsewhere (nodesource, nvm): accept a working pair.
  if command -v node >/dev/null && command -v npm >/dev/null; then
    missing=$(echo " $missing " | sed 's/ nodejs / /; s/ npm / /' | xargs echo)
  fi
  if [ -n "$missing" ]; then
    log "installing Debian packages: $missing"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    # shellcheck disable=SC2086
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
  fi
  if [ ! -d "$ROOT/tests/node/node_modules" ] || \
     [ "$ROOT/tests/node/package-lock.json" -nt "$ROOT/tests/node/node_modules/.package-lock.json" ]; then
    log "installing npm test tools (tests/node)"
    (cd "$ROOT/tests/node" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

iob_setup_quiet() {
  [ -n "$(iob_missing_packages)" ] && iob_setup || true
}

iob_build() {
  if [ ! -f "$BUILD/build.ninja" ]; then
    cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIOB_TEST_DIRS='.*' >/dev/null
  fi
  cmake --build "$BUILD" -- -j"$(nproc)"
}

# pg_start DIR PORT: a throwaway Postgres cluster in DIR (about 1 s).
pg_start() {
  local dir=$1 port=$2 run=()
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"; run=(runuser -u postgres --); fi
  "${run[@]}" "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1
  "${run[@]}" "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w start \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 -c fsync=off" >/dev/null
}

pg_stop() {
  local dir=$1 run=()
  [ -d "$dir/data" ] || return 0
  [ "$(id -u)" -eq 0 ] && run=(runuser -u postgres --)
  "${run[@]}" "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

free_port() {
  python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

iob_test() {
  local tmp port rc=0
  tmp=$(mktemp -d /tmp/iobtest.XXXXXX)
  chmod 755 "$tmp"
  port=$(free_port)
  pg_start "$tmp/pg" "$port"
  trap 'pg_stop "'"$tmp"'/pg"; rm -rf "'"$tmp"'"' EXIT
  export IOB_TEST_PG_URL="postgresql://postgres@127.0.0.1:$port/postgres"
  export IOB_SHARED_DIR=${IOB_SHARED_DIR:-$ROOT/../shared}
  # The cXML DTDs: CI names them (.ci/run); a clone with ../shared finds them
  # there; without either the DTD cases skip, and only those may.
  local dtd_default=$IOB_SHARED_DIR/cxml/dtd/1.2.071
  if [ -z "${IOB_CXML_DTD_DIR:-}" ] && [ -f "$dtd_default/cXML.dtd" ]; then
    export IOB_CXML_DTD_DIR=$dtd_default
  fi
  [ -n "${IOB_CXML_DTD_DIR:-}" ] ||
    log "IOB_CXML_DTD_DIR unset and no $dtd_default/cXML.dtd: the cXML DTD cases will skip"
  # cmake/run_gtest.sh appends every skipped case here, with its reason.
  export IOB_SKIP_LOG=$tmp/skipped
  : >"$IOB_SKIP_LOG"
  # Fuzz first (short, bounded) so ctest's summary is the last thing printed.
  if [ $# -eq 0 ]; then iob_fuzz_smoke || rc=$?; fi
  log "Postgres for tests on 127.0.0.1:$port"
  (cd "$BUILD" && ctest --output-on-failure -j"$(nproc)" --timeout 600 "$@") || rc=$?
  iob_judge_skips "$IOB_SKIP_LOG" || rc=1
  [ "$rc" -eq 0 ] || log "FAILED (see above)"
  return "$rc"
}

# iob_judge_skips LOG: lists each skipped case with its reason; returns 1 when
# any case skipped, except cXML DTD cases while IOB_CXML_DTD_DIR is unset.
iob_judge_skips() {
  local line bad=0
  [ -s "$1" ] || return 0
  log "skipped cases:"
  while IFS= read -r line; do
    if [ -z "${IOB_CXML_DTD_DIR:-}" ] && [[ $line == *"cXML DTD"* ]]; then
      log "  (allowed, no DTDs) $line"
    else
      log "  SKIPPED $line"
      bad=1
    fi
  done <"$1"
  [ "$bad" -eq 0 ] || log "a skipped case is not a pass: make it run (see the reasons above)"
  return "$bad"
}

# Short libFuzzer runs with ASan/UBSan (clang-14); ./iob fuzz runs longer.
iob_fuzz_smoke() { iob_fuzz 20; }

# iob_fuzz [SECONDS]: builds fuzz_targets in build-fuzz with clang-14 and runs
# each build-fuzz/tests/fuzz/*_fuzz for SECONDS. Seeds come from
# tests/data/fuzz/<target>/ (read only); new inputs go to a temp corpus and
# crash artifacts to a temp dir that is kept (and printed) on failure.
iob_fuzz() {
  local secs=${1:-300} fb=$ROOT/build-fuzz
  [ -d "$ROOT/tests/fuzz" ] && ls "$ROOT"/tests/fuzz/*.cc >/dev/null 2>&1 || return 0
  if ! command -v clang-14 >/dev/null || ! command -v clang++-14 >/dev/null; then
    log "clang-14 not installed: skipping libFuzzer runs (apt-get install clang-14 libclang-rt-14-dev)"
    return 0
  fi
  if [ ! -f "$fb/build.ninja" ]; then
    CC=clang-14 CXX=clang++-14 cmake -S "$ROOT" -B "$fb" -G Ninja -DIOB_FUZZ=ON \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || return 1
  fi
  cmake --build "$fb" --target fuzz_targets -- -j"$(nproc)" || return 1
  local t name work seeds rc
  for t in "$fb"/tests/fuzz/*_fuzz; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    work=$(mktemp -d "/tmp/iobfuzz.$name.XXXXXX")
    mkdir -p "$work/corpus" "$work/artifacts"
    seeds=$ROOT/tests/data/fuzz/$name
    [ -d "$seeds" ] || seeds=
    log "fuzzing $name for ${secs}s"
    "$t" -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 -max_len=65536 \
      -artifact_prefix="$work/artifacts/" "$work/corpus" ${seeds:+"$seeds"} >"$work/log" 2>&1
    rc=$?
    tail -3 "$work/log"
    if [ "$rc" -ne 0 ]; then
      log "$name failed (exit $rc); log and crash inputs kept in $work"
      return 1
    fi
    rm -rf "$work"
  done
}

# ---- ./iob up / down / status: the suite on a throwaway Postgres in .iob/ ----
IOB_PG_PORT=${IOB_PG_PORT:-54329}
# service name, gRPC port, metrics port, HTTP edge port ("-" = none)
IOB_SERVICES=("credentials 7101 9101 -" "punchout 7102 9102 8102" "dispatch 7103 9103 8103"
  "invoice-intake 7104 9104 -")

# principal:scopes, one bearer token each (every tenant). The same tokens file
# serves every service: dispatch presents its token to credentials and to
# punchout.
IOB_PRINCIPALS=(
  "admin:integrations.read,integrations.write,audit.read,punchout.read,punchout.start,orders.read,orders.write,rules.write,invoices.read,invoices.write,messages.ingest"
  "platform:punchout.read,punchout.start,orders.read,orders.write,invoices.read,invoices.write"
  "punchout:integrations.read,secrets.resolve"
  "dispatch:integrations.read,secrets.resolve,suppliers.verify,punchout.read"
  "invoice-intake:integrations.read,suppliers.verify,orders.read"
)

iob_random() { openssl rand -hex "${1:-24}"; }

# Writes the key ring (once), and the tokens file with one token per principal
# (again when IOB_PRINCIPALS changed since, e.g. after a pull).
iob_make_secrets() {
  local s=$STATE/secrets
  mkdir -p "$s" && chmod 700 "$s"
  [ -f "$s/keyring.json" ] ||
    printf '{"primary":"k1","keys":[{"id":"k1","key":"%s","state":"active"}],"fingerprint_key":"%s"}\n' \
      "$(openssl rand -base64 32)" "$(openssl rand -base64 32)" >"$s/keyring.json"
  [ -f "$s/tokens.json" ] && [ "$(cat "$s/principals" 2>/dev/null)" = "${IOB_PRINCIPALS[*]}" ] &&
    return 0
  [ -f "$s/tokens.json" ] &&
    log "principals changed: new tokens in $STATE/secrets (restart a running suite: ./iob down && ./iob up)"
  local entries=() name scopes tok spec
  for spec in "${IOB_PRINCIPALS[@]}"; do
    name=${spec%%:*}; scopes=${spec#*:}
    tok=$(iob_random 32)
    printf '%s\n' "$tok" >"$s/$name.token"
    entries+=("{\"principal\":\"$name\",\"sha256\":\"$(printf '%s' "$tok" | sha256sum | cut -d' ' -f1)\",\"scopes\":[\"${scopes//,/\",\"}\"],\"tenants\":[\"*\"]}")
  done
  (IFS=,; printf '{"tokens":[%s]}\n' "${entries[*]}") >"$s/tokens.json"
  printf '%s' "${IOB_PRINCIPALS[*]}" >"$s/principals"
  chmod 600 "$s"/*
}

# A throwaway local CA for ./iob up (once): a server certificate per service
# (SAN 127.0.0.1, localhost) and client certificates for punchout (calling
# credentials), dispatch (calling credentials and punchout) and iobctl (the
# operator and the demo); a certificate missing from an older .iob/tls is
# added. Every gRPC port then serves mTLS only.
iob_make_tls() {
  local t=$STATE/tls name ext
  mkdir -p "$t" && chmod 700 "$t"
  local key=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  [ -f "$t/ca.crt" ] ||
    openssl req -x509 "${key[@]}" -keyout "$t/ca.key" -out "$t/ca.crt" -days 30 \
      -subj "/CN=iob local CA $(iob_random 4)" -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  for name in credentials-server punchout-server dispatch-server invoice-intake-server punchout \
      dispatch invoice-intake iobctl; do
    [ -f "$t/$name.crt" ] && continue
    case $name in
      *-server) ext="subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth" ;;
      *) ext="extendedKeyUsage=clientAuth" ;;
    esac
    printf '%s\n' "$ext" >"$t/$name.ext"
    openssl req "${key[@]}" -keyout "$t/$name.key" -out "$t/$name.csr" -subj "/CN=$name" 2>/dev/null
    openssl x509 -req -in "$t/$name.csr" -CA "$t/ca.crt" -CAkey "$t/ca.key" -CAcreateserial \
      -out "$t/$name.crt" -days 30 -extfile "$t/$name.ext" 2>/dev/null
    rm -f "$t/$name.csr" "$t/$name.ext"
  done
  chmod 600 "$t"/*
}

# iobctl against ./iob up's suite: its CA and client certificate, through the
# environment (IOB_TLS_*), when the local CA exists.
iob_ctl_tls_env() {
  local t=$STATE/tls
  [ -f "$t/iobctl.crt" ] || return 0
  export IOB_TLS_CA_FILE=$t/ca.crt IOB_TLS_CERT_FILE=$t/iobctl.crt IOB_TLS_KEY_FILE=$t/iobctl.key
}

iob_psql() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$IOB_PG_PORT" -U postgres "$@"; }

# One role and one schema per service, in database iob.
iob_provision_db() {
  local svc pw
  iob_psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='iob'" | grep -q 1 ||
    iob_psql -d postgres -c "CREATE DATABASE iob"
  for entry in "${IOB_SERVICES[@]}"; do
    svc=${entry%% *}
    [ -f "$STATE/secrets/db-$svc.pw" ] || iob_random 16 >"$STATE/secrets/db-$svc.pw"
    pw=$(cat "$STATE/secrets/db-$svc.pw")
    iob_psql -d iob <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'iob_${svc//-/_}') THEN
    CREATE ROLE iob_${svc//-/_} LOGIN PASSWORD '$pw';
  END IF;
END \$\$;
CREATE SCHEMA IF NOT EXISTS ${svc//-/_} AUTHORIZATION iob_${svc//-/_};
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL
  done
}

iob_db_url() {
  local svc=$1
  echo "postgresql://iob_${svc//-/_}:$(cat "$STATE/secrets/db-$svc.pw")@127.0.0.1:$IOB_PG_PORT/iob"
}

# Waits until a service's log says it is SERVING (or it died).
iob_wait_serving() {
  local svc=$1 pid=$2 i
  for i in $(seq 1 100); do
    grep -q '"health SERVING"' "$STATE/logs/$svc.log" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { log "$svc exited; see $STATE/logs/$svc.log"; tail -5 "$STATE/logs/$svc.log" >&2; return 1; }
    sleep 0.1
  done
  log "$svc did not become SERVING; see $STATE/logs/$svc.log"; return 1
}

iob_start_service() {
  local svc=$1 grpc=$2 metrics=$3; shift 3
  local pidf=$STATE/run/$svc.pid
  if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then return 0; fi
  mkdir -p "$STATE/run" "$STATE/logs"
  : >"$STATE/logs/$svc.log"
  IOB_DB_URL=$(iob_db_url "$svc") nohup "$@" --grpc-listen "127.0.0.1:$grpc" \
    --metrics-listen "127.0.0.1:$metrics" --tokens-file "$STATE/secrets/tokens.json" \
    >>"$STATE/logs/$svc.log" 2>&1 &
  echo $! >"$pidf"
  iob_wait_serving "$svc" "$!"
}

iob_up() {
  mkdir -p "$STATE"
  iob_make_secrets
  iob_make_tls
  if ! iob_psql -d postgres -tAc 'SELECT 1' >/dev/null 2>&1; then
    log "starting Postgres on 127.0.0.1:$IOB_PG_PORT (data in $STATE/pg)"
    chmod 755 "$STATE"
    if [ -d "$STATE/pg/data" ]; then
      local run=(); [ "$(id -u)" -eq 0 ] && run=(runuser -u postgres --)
      "${run[@]}" "$PGBIN/pg_ctl" -D "$STATE/pg/data" -l "$STATE/pg/log" -w start \
        -o "-c listen_addresses=127.0.0.1 -p $IOB_PG_PORT -k $STATE/pg" >/dev/null
    else
      pg_start "$STATE/pg" "$IOB_PG_PORT"
    fi
  fi
  iob_provision_db
  # Every gRPC port serves mTLS from the local CA (iob_make_tls).
  local t=$STATE/tls
  iob_start_service credentials 7101 9101 "$BUILD/services/credentials/iob-credentials" \
    --key-ring-file "$STATE/secrets/keyring.json" --test-mode-hosts "127.0.0.1,localhost" \
    --tls-cert-file "$t/credentials-server.crt" --tls-key-file "$t/credentials-server.key" \
    --tls-client-ca-file "$t/ca.crt"
  iob_start_service punchout 7102 9102 "$BUILD/services/punchout/iob-punchout" \
    --credentials-addr 127.0.0.1:7101 --credentials-token-file "$STATE/secrets/punchout.token" \
    --credentials-ca-file "$t/ca.crt" --credentials-cert-file "$t/punchout.crt" \
    --credentials-key-file "$t/punchout.key" \
    --http-listen 127.0.0.1:8102 --plain-http-hosts "127.0.0.1,localhost" \
    --tls-cert-file "$t/punchout-server.crt" --tls-key-file "$t/punchout-server.key" \
    --tls-client-ca-file "$t/ca.crt"
  # Dispatch calls credentials (secrets, supplier verification) and punchout
  # (checked-out carts) with its own token and client certificate; suppliers
  # post confirmations and ship notices to its HTTP edge.
  iob_start_service dispatch 7103 9103 "$BUILD/services/dispatch/iob-dispatch" \
    --credentials-addr 127.0.0.1:7101 --credentials-token-file "$STATE/secrets/dispatch.token" \
    --credentials-ca-file "$t/ca.crt" --credentials-cert-file "$t/dispatch.crt" \
    --credentials-key-file "$t/dispatch.key" \
    --punchout-addr 127.0.0.1:7102 --punchout-token-file "$STATE/secrets/dispatch.token" \
    --punchout-ca-file "$t/ca.crt" --punchout-cert-file "$t/dispatch.crt" \
    --punchout-key-file "$t/dispatch.key" \
    --http-listen 127.0.0.1:8103 --public-url http://127.0.0.1:8103 \
    --plain-http-hosts "127.0.0.1,localhost" \
    --tls-cert-file "$t/dispatch-server.crt" --tls-key-file "$t/dispatch-server.key" \
    --tls-client-ca-file "$t/ca.crt"
  # Invoice intake reads a local Maildir (drop a supplier's mail into
  # .iob/maildir/new) and matches invoices against dispatch's orders.
  mkdir -p "$STATE/maildir/new" "$STATE/maildir/cur" "$STATE/maildir/tmp"
  iob_start_service invoice-intake 7104 9104 "$BUILD/services/invoice-intake/iob-invoice-intake" \
    --credentials-addr 127.0.0.1:7101 \
    --credentials-token-file "$STATE/secrets/invoice-intake.token" \
    --credentials-ca-file "$t/ca.crt" --credentials-cert-file "$t/invoice-intake.crt" \
    --credentials-key-file "$t/invoice-intake.key" \
    --dispatch-addr 127.0.0.1:7103 --dispatch-token-file "$STATE/secrets/invoice-intake.token" \
    --dispatch-ca-file "$t/ca.crt" --dispatch-cert-file "$t/invoice-intake.crt" \
    --dispatch-key-file "$t/invoice-intake.key" \
    --maildir "$STATE/maildir" --mail-domain invoices.iob.localhost --poll-interval 2s \
    --trusted-authserv-id mx.iob.localhost \
    --tls-cert-file "$t/invoice-intake-server.crt" --tls-key-file "$t/invoice-intake-server.key" \
    --tls-client-ca-file "$t/ca.crt"
  iob_status
}

iob_down() {
  local f
  for f in "$STATE"/run/*.pid; do
    [ -f "$f" ] || continue
    kill -TERM "$(cat "$f")" 2>/dev/null || true
    rm -f "$f"
  done
  sleep 0.5
  pg_stop "$STATE/pg"
  log "stopped (state kept in $STATE; rm -rf .iob to start afresh)"
}

iob_status() {
  local entry svc grpc metrics http state
  printf '%-14s %-8s %-17s %-34s %-22s %s\n' SERVICE STATE GRPC METRICS "HTTP EDGE" LOG
  for entry in "${IOB_SERVICES[@]}"; do
    read -r svc grpc metrics http <<<"$entry"
    state=down
    [ -f "$STATE/run/$svc.pid" ] && kill -0 "$(cat "$STATE/run/$svc.pid")" 2>/dev/null && state=up
    [ "$http" = - ] || http=http://127.0.0.1:$http
    printf '%-14s %-8s %-17s %-34s %-22s %s\n' "$svc" "$state" "127.0.0.1:$grpc" \
      "http://127.0.0.1:$metrics/metrics" "$http" ".iob/logs/$svc.log"
  done
  if iob_psql -d postgres -tAc 'SELECT 1' >/dev/null 2>&1; then
    echo "postgres       up       127.0.0.1:$IOB_PG_PORT (database iob)"
  else
    echo "postgres       down"
  fi
  echo "iobctl: ./iob ctl integrations list --tenant acme   (token: .iob/secrets/admin.token)"
  echo "        ./iob ctl orders list --tenant acme           (dispatch, 127.0.0.1:7103)"
  echo "        ./iob ctl invoices address --tenant acme      (invoice intake, 127.0.0.1:7104)"
  echo "gRPC is mTLS from the local CA in .iob/tls (./iob ctl sets IOB_TLS_*; elsewhere pass"
  echo "  --tls-ca-file .iob/tls/ca.crt --tls-cert-file .iob/tls/iobctl.crt --tls-key-file .iob/tls/iobctl.key)"
}

# ---- ./iob bench: each figure beside its baseline, measured in the same run ----
iob_rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

iob_bench() {
  local tmp; tmp=$(mktemp -d /tmp/iobbench.XXXXXX); chmod 755 "$tmp"
  (
    set -e
    STATE=$tmp/state IOB_PG_PORT=$(free_port)
    trap 'iob_down >/dev/null 2>&1; rm -rf "'"$tmp"'"' EXIT
    mkdir -p "$STATE/logs"
    iob_make_secrets
    pg_start "$STATE/pg" "$IOB_PG_PORT"
    iob_provision_db
    local cred_port po_port sim_port duration=${IOB_BENCH_DURATION:-10s} clients=16
    # pgbench -T takes whole seconds.
    [[ $duration =~ ^[1-9][0-9]*s$ ]] || { log "IOB_BENCH_DURATION: whole seconds, e.g. 10s"; exit 2; }
    # rss_line NAME PID WHEN: a service's RSS beside the 32 MiB limit, and
    # how much of it is the heap and stacks (anon) or mapped files (mostly
    # shared libraries).
    rss_line() {
      local kib; kib=$(iob_rss_kib "$2")
      echo "== $1: $3 RSS $kib KiB (limit 32768 KiB: $([ "$kib" -lt 32768 ] && echo ok || echo OVER);" \
        "$(awk '/^RssAnon/ {a=$2} /^RssFile/ {f=$2} END {printf "anon %s, files %s", a, f}' \
          "/proc/$2/status"))"
    }
    # rss_curve PID SECONDS OUT: RSS every SECONDS into OUT until stopped.
    rss_curve() {
      local t=0
      while kill -0 "$1" 2>/dev/null; do
        echo "${t}s $(iob_rss_kib "$1")" >>"$3"; sleep "$2"; t=$((t + $2))
      done
    }

    # The floors, on this same Postgres (database pgbench) at the same client
    # count as the loads below: pgbench -S (a single-row select by key) for
    # the vault's reads, TPC-B-like for writes (and dispatch's goal).
    local pgb=("$PGBIN/pgbench" -h 127.0.0.1 -p "$IOB_PG_PORT" -U postgres) out select_tps tps
    iob_psql -d postgres -c "CREATE DATABASE pgbench"
    "${pgb[@]}" -i -s 16 -q pgbench >"$STATE/logs/pgbench-init.log" 2>&1
    out=$("${pgb[@]}" -S -c "$clients" -j 2 -T "${duration%s}" -n pgbench 2>&1)
    select_tps=$(awk '/^tps = / {print $3; exit}' <<<"$out")
    [ -n "$select_tps" ] || { log "pgbench -S printed no tps:"; echo "$out" >&2; exit 1; }
    echo "== floor: pgbench -S (single-row select), scale 16, $clients clients, ${duration}:" \
      "tps $select_tps, $(grep -m1 '^latency average' <<<"$out")"
    out=$("${pgb[@]}" -c "$clients" -j 2 -T "${duration%s}" -n pgbench 2>&1)
    tps=$(awk '/^tps = / {print $3; exit}' <<<"$out")
    [ -n "$tps" ] || { log "pgbench printed no tps:"; echo "$out" >&2; exit 1; }
    echo "== floor: pgbench TPC-B-like, scale 16, $clients clients, ${duration}:" \
      "tps $tps, $(grep -m1 '^latency average' <<<"$out")"

    # Credentials: GetIntegration and ResolveIntegrationSecret over 16
    # integrations, taking turns with the gRPC health check of the same
    # server (credentials_load prints each figure beside its floors).
    cred_port=$(free_port); po_port=$(free_port); sim_port=$(free_port)
    iob_start_service credentials "$cred_port" "$(free_port)" \
      "$BUILD/services/credentials/iob-credentials" \
      --key-ring-file "$STATE/secrets/keyring.json" --test-mode-hosts 127.0.0.1
    local pid; pid=$(cat "$STATE/run/credentials.pid")
    sleep 1
    rss_line credentials "$pid" idle
    printf 'bench-secret-%s' "$(iob_random 8)" >"$tmp/secret"
    local ctl=("$BUILD/tools/iobctl/iobctl" integrations create --addr "127.0.0.1:$cred_port"
               --token-file "$STATE/secrets/admin.token" --tenant acme --supplier amazon-business
               --from-identity BENCH1 --shared-secret-file "$tmp/secret")
    local i names=()
    for i in $(seq 1 16); do
      "${ctl[@]}" --id "amazon-$i" --mode production \
        --punchout-url https://abintegrations.amazon.com/punchout \
        --order-url https://abintegrations.amazon.com/order >/dev/null
      names+=("tenants/acme/integrations/amazon-$i")
    done
    # Autovacuum first analyzes a table after 50 changed rows: without this
    # the 16-row table would be planned without statistics, unlike any real
    # one (custom plans, planned on every call).
    iob_psql -d iob -c "ANALYZE credentials.integrations"
    # Ten RSS samples over the three loads.
    rss_curve "$pid" $(( ${duration%s} * 3 / 10 > 0 ? ${duration%s} * 3 / 10 : 1 )) \
      "$tmp/rss-credentials" &
    local sampler=$!
    "$BUILD/bench/credentials_load" --addr "127.0.0.1:$cred_port" \
      --token-file "$STATE/secrets/punchout.token" --integration "$(IFS=,; echo "${names[*]}")" \
      --concurrency "$clients" --duration "$duration" \
      --select-tps "$select_tps" --tpcb-tps "$tps"
    kill "$sampler" 2>/dev/null || true
    rss_line credentials "$pid" "after load"
    echo "== credentials: RSS during the loads (time KiB): $(paste -sd, "$tmp/rss-credentials")"

    "$BUILD/tools/supplier-sim/iob-supplier-sim" --listen "127.0.0.1:$sim_port" \
      --seed-group "BENCH1:$(cat "$tmp/secret")" >"$STATE/logs/supplier-sim.log" 2>&1 &
    echo $! >"$STATE/run/supplier-sim.pid"
    iob_start_service punchout "$po_port" "$(free_port)" "$BUILD/services/punchout/iob-punchout" \
      --credentials-addr "127.0.0.1:$cred_port" \
      --credentials-token-file "$STATE/secrets/punchout.token" \
      --http-listen "127.0.0.1:$(free_port)" --plain-http-hosts 127.0.0.1
    rss_line punchout "$(cat "$STATE/run/punchout.pid")" idle
    "${ctl[@]}" --id sim --mode test --punchout-url "http://127.0.0.1:$sim_port/punchout" \
      --order-url "http://127.0.0.1:$sim_port/order" >/dev/null
    "$BUILD/bench/punchout_load" --punchout-addr "127.0.0.1:$po_port" \
      --token-file "$STATE/secrets/platform.token" --integration tenants/acme/integrations/sim \
      --sim-url "http://127.0.0.1:$sim_port" --identity BENCH1 --secret-file "$tmp/secret" \
      --concurrency "$clients" --duration "$duration"

    # Dispatch: delivered orders/s (submit -> simulator ack) beside the
    # TPC-B-like TPS measured above (the goal is >= 1.0x), with the
    # simulator answering at once and after 20 ms.
    # 32 workers, one order a claim: at 20 ms supplier latency 16 workers cap
    # delivery near 16 / 40 ms = 400/s; larger claim batches were no faster
    # (and raised p99).
    local dis_port; dis_port=$(free_port)
    iob_start_service dispatch "$dis_port" "$(free_port)" "$BUILD/services/dispatch/iob-dispatch" \
      --credentials-addr "127.0.0.1:$cred_port" \
      --credentials-token-file "$STATE/secrets/dispatch.token" \
      --punchout-addr "127.0.0.1:$po_port" --punchout-token-file "$STATE/secrets/dispatch.token" \
      --http-listen "127.0.0.1:$(free_port)" --plain-http-hosts 127.0.0.1 \
      --workers 32 --claim-batch 1
    pid=$(cat "$STATE/run/dispatch.pid")
    sleep 1
    rss_line dispatch "$pid" idle
    local latency
    for latency in 0 20; do
      curl -fsS -o /dev/null -d "{\"order\":{\"latency_ms\":$latency}}" \
        "http://127.0.0.1:$sim_port/admin/faults"
      "$BUILD/bench/dispatch_load" --addr "127.0.0.1:$dis_port" \
        --token-file "$STATE/secrets/platform.token" --integration tenants/acme/integrations/sim \
        --concurrency "$clients" --duration "$duration" --baseline-tps "$tps" --name "sim ${latency} ms"
    done
    rss_line dispatch "$pid" "after load"
    rss_line punchout "$(cat "$STATE/run/punchout.pid")" "after load"
    rss_line credentials "$(cat "$STATE/run/credentials.pid")" "after every load"

    # Invoice intake: supplier mails (a cXML, then a PDF invoice attached)
    # through IngestMessage from 8 clients -- each stored, routed, its sender
    # verified (the Authentication-Results of the trusted mx below), its
    # invoice read, recorded and matched against dispatch's orders (none has
    # these POs: "no order" exceptions) -- beside a bare GMime (+ poppler
    # text) read of the same mails on 8 threads; the goal is >= 0.3x. Then
    # the peak RSS (VmHWM) of the service over them.
    local in_port n_mails=${IOB_BENCH_INTAKE_MESSAGES:-10000}
    local n_pdf=${IOB_BENCH_INTAKE_PDF_MESSAGES:-$(( n_mails / 10 > 50 ? n_mails / 10 : 50 ))}
    in_port=$(free_port)
    iob_start_service invoice-intake "$in_port" "$(free_port)" \
      "$BUILD/services/invoice-intake/iob-invoice-intake" \
      --credentials-addr "127.0.0.1:$cred_port" \
      --credentials-token-file "$STATE/secrets/invoice-intake.token" \
      --dispatch-addr "127.0.0.1:$dis_port" \
      --dispatch-token-file "$STATE/secrets/invoice-intake.token" \
      --http-listen "127.0.0.1:$(free_port)" \
      --mail-domain invoices.iob.localhost --trusted-authserv-id mx.iob.localhost
    pid=$(cat "$STATE/run/invoice-intake.pid")
    sleep 1
    rss_line invoice-intake "$pid" idle
    local intake=("$BUILD/bench/intake_load" --addr "127.0.0.1:$in_port"
                  --token-file "$STATE/secrets/admin.token" --authserv-id mx.iob.localhost
                  --concurrency 8 --tpcb-tps "$tps")
    local hwm='/^VmHWM/ {print $2}'
    "${intake[@]}" --format cxml --messages "$n_mails"
    rss_line invoice-intake "$pid" "after $n_mails cXML mails"
    echo "== invoice-intake: peak RSS (VmHWM) over $n_mails cXML mails: $(awk "$hwm" "/proc/$pid/status") KiB"
    "${intake[@]}" --format pdf --messages "$n_pdf"
    rss_line invoice-intake "$pid" "after $n_pdf PDF mails more"
    echo "== invoice-intake: peak RSS (VmHWM) over both: $(awk "$hwm" "/proc/$pid/status") KiB"

    # Mail: purchase orders sent through SmtpClient to a local SMTP sink
    # (tests/support/smtp_sink.py, aiosmtpd) beside a bare libcurl send.
    echo "== mail_load: SmtpClient beside a bare libcurl SMTP send of the same mail (ratio)"
    "$BUILD/bench/mail_load" 200

    local b
    for b in "$BUILD"/bench/*_bench; do
      [ -x "$b" ] || continue
      echo "== $(basename "$b")"
      # Repetitions in random order so the floor and our code share the
      # machine's noise; medians are the figures.
      "$b" --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true \
        --benchmark_report_aggregates_only=true --benchmark_min_time=0.5 "$@"
    done
  )
}
