// Low-level control over the TCP connection an httplib request arrived on,
// which cpp-httplib does not expose to handlers: the socket is found by its
// addresses (local port and peer address/port from the Request) among this
// process's descriptors. Used only by fault injection, to reset a
// connection without answering and to notice when a client gives up.
// Linux only (/proc/self/fd). The descriptor stays owned by httplib: we never
// close it.
#ifndef IOB_TOOLS_SUPPLIER_SIM_CONNECTION_CONTROL_H_
#define IOB_TOOLS_SUPPLIER_SIM_CONNECTION_CONTROL_H_

#include <httplib.h>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace iob::sim {

// Returns the server-side socket descriptor of `req`'s connection, or -1.
// Thread-safe.
int FindRequestSocket(const httplib::Request& req);

// Aborts `req`'s connection with a TCP reset (SO_LINGER 0 and a disconnect),
// so the client sees "connection reset" and no HTTP response; whatever
// httplib writes afterwards fails (SIGPIPE must be ignored in the process).
// Returns false when the socket was not found. Thread-safe.
bool ResetConnection(const httplib::Request& req);

// Blocks until the client closes (or resets) `req`'s connection, `stop` is
// notified (may be null), or `max` passes. Returns true when the client went
// away. Thread-safe.
bool WaitForClientClose(const httplib::Request& req, absl::Duration max,
                        const absl::Notification* stop);

}  // namespace iob::sim

#endif  // IOB_TOOLS_SUPPLIER_SIM_CONNECTION_CONTROL_H_
