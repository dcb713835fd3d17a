// Owner-only secret files: open, fstat, check the mode, read.
#include "libs/crypto/secret_file.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace iob::crypto {
namespace {

// Closes a file descriptor at scope exit.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

std::string Octal(mode_t mode) { return absl::StrFormat("%04o", mode & 07777); }

}  // namespace

absl::StatusOr<std::string> ReadSecretFile(const std::string& path, const std::string& what) {
  Fd file{open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0) return absl::NotFoundError(absl::StrCat(what, " ", path, " cannot be opened"));
  struct stat st;
  if (fstat(file.fd, &st) != 0) {
    return absl::InternalError(absl::StrCat(what, " ", path, " cannot be read"));
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(what, " ", path, " is not a regular file"));
  }
  const mode_t perms = st.st_mode & 07777;
  if (st.st_uid == geteuid()) {
    if ((perms & 077) != 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          what, " ", path, " has mode ", Octal(perms),
          ": it must not be readable or writable by group or others (chmod 600 ", path, ")"));
    }
  } else if (st.st_uid == 0) {
    if ((perms & 037) != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat(what, " ", path, " has mode ", Octal(perms),
                       ": a root-owned file may be read by its group only (0640 or 0440)"));
    }
  } else {
    return absl::FailedPreconditionError(absl::StrCat(
        what, " ", path, " is owned by uid ", st.st_uid, ", neither this process's user nor root"));
  }
  // Sized up front so the secret is not copied around by reallocation.
  std::string content;
  content.reserve(static_cast<size_t>(st.st_size) + 1);
  char buf[4096];
  bool ok = true;
  for (;;) {
    const ssize_t n = read(file.fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      ok = false;
      break;
    }
    content.append(buf, static_cast<size_t>(n));
  }
  OPENSSL_cleanse(buf, sizeof buf);
  if (!ok) {
    OPENSSL_cleanse(content.data(), content.size());
    return absl::InternalError(absl::StrCat(what, " ", path, " cannot be read"));
  }
  return content;
}

absl::StatusOr<std::string> ReadSecretLine(const std::string& path, const std::string& what) {
  absl::StatusOr<std::string> s = ReadSecretFile(path, what);
  if (!s.ok()) return s;
  while (!s->empty() && (s->back() == '\n' || s->back() == '\r')) s->pop_back();
  return s;
}

}  // namespace iob::crypto
