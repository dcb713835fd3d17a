// Reading files that hold secrets (the key ring, the bearer-token hashes):
// the file must be readable by its owner only, so a file another local user
// (or a group) can read is refused before its content is used.
#ifndef IOB_LIBS_CRYPTO_SECRET_FILE_H_
#define IOB_LIBS_CRYPTO_SECRET_FILE_H_

#include <string>

#include "absl/status/statusor.h"

namespace iob::crypto {

// Returns the content of the regular file at `path` (symlinks followed; the
// mode is checked on the opened file, so it cannot be swapped in between).
// `what` names the file in errors ("key ring file").
//
// Allowed: a file owned by this process's user with no permission bits for
// group or others (0600, 0400); a file owned by root that its group may read
// but not write (0640, 0440: a Kubernetes Secret volume with fsGroup, the
// rule PostgreSQL applies to its ssl_key_file).
// Errors: NOT_FOUND "<what> <path> cannot be opened"; FAILED_PRECONDITION
// "<what> <path> has mode 0644 ..." naming the file and its mode (or its
// owner) when the rule above is broken, or when it is not a regular file;
// INTERNAL when reading fails. The caller owns (and should wipe) the result.
// Thread-safe.
absl::StatusOr<std::string> ReadSecretFile(const std::string& path, const std::string& what);

// ReadSecretFile without the trailing line ends an editor or `echo` leaves
// (a password, a token). Same errors.
absl::StatusOr<std::string> ReadSecretLine(const std::string& path, const std::string& what);

}  // namespace iob::crypto

#endif  // IOB_LIBS_CRYPTO_SECRET_FILE_H_
