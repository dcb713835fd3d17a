// MaildirSource: plain POSIX directory listing, reading and rename(2), which
// is atomic within the Maildir's file system (the folders live inside it).
#include "services/invoice-intake/maildir_source.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/common/invalid_field.h"
#include "libs/common/logging.h"
#include "libs/common/status_macros.h"

namespace iob::invoice {
namespace {

constexpr char kInfoSeparator[] = ":2,";  // "<unique name>:2,<flags>" in cur/

// "<what> <path>: <strerror(errno)>" as UNAVAILABLE.
absl::Status Unavailable(absl::string_view what, const std::string& path) {
  return absl::UnavailableError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

absl::Status MakeDir(const std::string& path) {
  if (mkdir(path.c_str(), 0700) == 0 || errno == EEXIST) return absl::OkStatus();
  return Unavailable("cannot create directory", path);
}

// <dir>/{cur,new,tmp}, and for a Maildir++ folder its "maildirfolder" marker.
absl::Status MakeMaildir(const std::string& dir, bool folder) {
  IOB_RETURN_IF_ERROR(MakeDir(dir));
  for (const char* sub : {"cur", "new", "tmp"}) IOB_RETURN_IF_ERROR(MakeDir(dir + "/" + sub));
  if (!folder) return absl::OkStatus();
  const std::string marker = dir + "/maildirfolder";
  const int fd = open(marker.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Unavailable("cannot create", marker);
  close(fd);
  return absl::OkStatus();
}

absl::Status CheckFolder(const std::string& name, absl::string_view field) {
  if (name.size() < 2 || name[0] != '.' || name == ".." || absl::StrContains(name, "/")) {
    return common::InvalidField(field, "must be a Maildir++ folder name: \".Name\" without '/'");
  }
  return common::CheckText(name, field, 200, true);
}

// A message file: its unique name and its flags ("" in new/).
struct Entry {
  std::string dir;   // "new" or "cur"
  std::string file;  // the file name
  std::string unique;
  std::string flags;
  int64_t mtime_ns = 0;
};

Entry Split(std::string dir, std::string file) {
  Entry e;
  e.dir = std::move(dir);
  e.file = std::move(file);
  const size_t info = e.file.find(kInfoSeparator);
  e.unique = e.file.substr(0, info);
  if (info != std::string::npos) e.flags = e.file.substr(info + sizeof(kInfoSeparator) - 1);
  return e;
}

// The regular files of <maildir>/<sub> (dot files, links and directories
// skipped). UNAVAILABLE when the directory cannot be read.
absl::StatusOr<std::vector<Entry>> List(const std::string& maildir, const std::string& sub) {
  const std::string path = maildir + "/" + sub;
  DIR* d = opendir(path.c_str());
  if (d == nullptr) return Unavailable("cannot list", path);
  std::vector<Entry> out;
  while (const dirent* ent = readdir(d)) {
    if (ent->d_name[0] == '.') continue;
    struct stat st;
    if (fstatat(dirfd(d), ent->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) {
      continue;  // gone meanwhile, or not a plain file
    }
    Entry e = Split(sub, ent->d_name);
    e.mtime_ns = int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
    out.push_back(std::move(e));
  }
  closedir(d);
  return out;
}

// A valid key names one file: no '/', no info part, not "." or "..".
absl::Status CheckKey(const std::string& key) {
  if (key.empty() || key == "." || key == ".." || key[0] == '.' ||
      key.find_first_of(std::string("/:\0", 3)) != std::string::npos) {
    return common::InvalidField("key", "is not a Maildir unique name");
  }
  return absl::OkStatus();
}

class MaildirSource final : public MailSource {
 public:
  explicit MaildirSource(MaildirOptions options) : options_(std::move(options)) {}

  std::string Name() const override { return "maildir:" + options_.path; }

  absl::StatusOr<std::vector<FetchedMessage>> Fetch(int max) override {
    std::vector<FetchedMessage> out;
    if (max <= 0) return out;
    IOB_ASSIGN_OR_RETURN(std::vector<Entry> entries, List(options_.path, "new"));
    IOB_ASSIGN_OR_RETURN(std::vector<Entry> cur, List(options_.path, "cur"));
    for (Entry& e : cur) {
      // S: a person (or we) read it; T: marked for deletion.
      if (!absl::StrContains(e.flags, 'S') && !absl::StrContains(e.flags, 'T')) {
        entries.push_back(std::move(e));
      }
    }
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
      return std::tie(a.mtime_ns, a.unique) < std::tie(b.mtime_ns, b.unique);
    });
    for (const Entry& e : entries) {
      if (static_cast<int>(out.size()) >= max) break;
      std::optional<std::string> raw = Read(e);
      if (raw.has_value()) out.push_back({e.unique, *std::move(raw)});
    }
    return out;
  }

  absl::Status MarkProcessed(const std::string& key) override {
    return MoveTo(key, options_.processed_folder, /*seen=*/true);
  }

  absl::Status Quarantine(const std::string& key) override {
    return MoveTo(key, options_.quarantine_folder, /*seen=*/false);
  }

 private:
  // The message's bytes; nullopt when it is gone (moved by someone else
  // since it was listed), too large (then quarantined) or unreadable (a
  // warning is logged and the next Fetch tries again): one bad file never
  // stops the others.
  std::optional<std::string> Read(const Entry& e) {
    const std::string path = absl::StrCat(options_.path, "/", e.dir, "/", e.file);
    const int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (errno != ENOENT) LogReadError(Unavailable("cannot open", path));
      return std::nullopt;
    }
    std::optional<std::string> raw = ReadAll(fd, path, e.unique);
    close(fd);
    return raw;
  }

  std::optional<std::string> ReadAll(int fd, const std::string& path, const std::string& key) {
    struct stat st;
    if (fstat(fd, &st) != 0) {
      LogReadError(Unavailable("cannot stat", path));
      return std::nullopt;
    }
    if (static_cast<uint64_t>(st.st_size) > options_.max_message_bytes) {
      LogUnreadableMessage(*this, key,
                           absl::StrCat("larger than ", options_.max_message_bytes, " bytes"),
                           Quarantine(key));
      return std::nullopt;
    }
    std::string raw(static_cast<size_t>(st.st_size), '\0');
    size_t done = 0;
    while (done < raw.size()) {
      const ssize_t n = read(fd, raw.data() + done, raw.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        LogReadError(Unavailable("cannot read", path));
        return std::nullopt;
      }
      if (n == 0) break;  // shorter than it was a moment ago
      done += static_cast<size_t>(n);
    }
    raw.resize(done);
    return raw;
  }

  void LogReadError(const absl::Status& error) const {
    common::LogWarn("mail source cannot read a message file",
                    {{"mailbox", Name()}, {"error", error.ToString()}});
  }

  // Finds `key` in the inbox (new/, then cur/); nullopt when it is in neither.
  absl::StatusOr<std::optional<Entry>> Find(const std::string& maildir, const std::string& key) {
    IOB_ASSIGN_OR_RETURN(std::vector<Entry> fresh, List(maildir, "new"));
    IOB_ASSIGN_OR_RETURN(std::vector<Entry> cur, List(maildir, "cur"));
    for (std::vector<Entry>* list : {&fresh, &cur}) {
      for (Entry& e : *list) {
        if (e.unique == key) return std::move(e);
      }
    }
    return std::nullopt;
  }

  absl::Status MoveTo(const std::string& key, const std::string& folder, bool seen) {
    IOB_RETURN_IF_ERROR(CheckKey(key));
    const std::string target = options_.path + "/" + folder;
    IOB_ASSIGN_OR_RETURN(std::optional<Entry> found, Find(options_.path, key));
    if (!found.has_value()) {
      IOB_ASSIGN_OR_RETURN(std::optional<Entry> moved, Find(target, key));
      if (moved.has_value()) return absl::OkStatus();  // acknowledged before
      return absl::NotFoundError(absl::StrCat("message ", key, " is not in ", Name()));
    }
    // Maildir flags are single letters kept in ASCII order.
    std::string flags = found->flags;
    if (seen && !absl::StrContains(flags, 'S')) flags.push_back('S');
    std::sort(flags.begin(), flags.end());
    const std::string from = absl::StrCat(options_.path, "/", found->dir, "/", found->file);
    const std::string to = absl::StrCat(target, "/cur/", key, kInfoSeparator, flags);
    if (rename(from.c_str(), to.c_str()) != 0) return Unavailable("cannot move", from);
    return absl::OkStatus();
  }

  const MaildirOptions options_;
};

}  // namespace

absl::Status MaildirOptions::Check() const {
  IOB_RETURN_IF_ERROR(common::CheckText(path, "maildir.path", 4096, true));
  IOB_RETURN_IF_ERROR(CheckFolder(processed_folder, "maildir.processed_folder"));
  IOB_RETURN_IF_ERROR(CheckFolder(quarantine_folder, "maildir.quarantine_folder"));
  if (processed_folder == quarantine_folder) {
    return common::InvalidField("maildir.quarantine_folder",
                                "must differ from maildir.processed_folder");
  }
  if (max_message_bytes == 0) {
    return common::InvalidField("maildir.max_message_bytes", "must be positive");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<MailSource>> OpenMaildir(const MaildirOptions& options) {
  IOB_RETURN_IF_ERROR(options.Check());
  IOB_RETURN_IF_ERROR(MakeMaildir(options.path, /*folder=*/false));
  IOB_RETURN_IF_ERROR(MakeMaildir(options.path + "/" + options.processed_folder, true));
  IOB_RETURN_IF_ERROR(MakeMaildir(options.path + "/" + options.quarantine_folder, true));
  return std::make_unique<MaildirSource>(options);
}

}  // namespace iob::invoice
