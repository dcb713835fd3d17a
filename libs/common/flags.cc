#include "libs/common/flags.h"

#include <cstdlib>
#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace iob::common {

Flags::Flags(std::string program, std::string summary)
    : program_(std::move(program)), summary_(std::move(summary)) {}

void Flags::Add(const std::string& name, std::string* target, const std::string& help) {
  flags_[name] = Flag{help, *target, false, [target](const std::string& v) {
                        *target = v;
                        return true;
                      }};
}

void Flags::Add(const std::string& name, int* target, const std::string& help) {
  flags_[name] = Flag{help, std::to_string(*target), false,
                      [target](const std::string& v) { return absl::SimpleAtoi(v, target); }};
}

void Flags::Add(const std::string& name, bool* target, const std::string& help) {
  flags_[name] = Flag{help, *target ? "true" : "false", true,
                      [target](const std::string& v) { return absl::SimpleAtob(v, target); }};
}

void Flags::Add(const std::string& name, absl::Duration* target, const std::string& help) {
  flags_[name] = Flag{help, absl::FormatDuration(*target), false,
                      [target](const std::string& v) { return absl::ParseDuration(v, target); }};
}

std::string Flags::EnvName(const std::string& flag) {
  return "IOB_" + absl::AsciiStrToUpper(absl::StrReplaceAll(flag, {{"-", "_"}}));
}

std::string Flags::Usage() const {
  std::string out = absl::StrCat("usage: ", program_, " [--flag=value ...]\n", summary_,
                                 "\n\nflags (environment variable, default):\n");
  for (const auto& [name, flag] : flags_) {
    absl::StrAppend(&out, "  --", name, "  (", EnvName(name), ", default \"", flag.default_text,
                    "\")\n      ", flag.help, "\n");
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> Flags::Parse(int argc, const char* const* argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto result = Parse(args, [](const std::string& n) { return std::getenv(n.c_str()); });
  if (!result.ok() && result.status().code() == absl::StatusCode::kCancelled) std::cout << Usage();
  return result;
}

absl::StatusOr<std::vector<std::string>> Flags::Parse(
    const std::vector<std::string>& args,
    const std::function<const char*(const std::string&)>& getenv) {
  for (auto& [name, flag] : flags_) {
    const char* env = getenv(EnvName(name));
    if (env == nullptr) continue;
    if (!flag.set(env)) {
      return absl::InvalidArgumentError(
          absl::StrCat("environment variable ", EnvName(name), ": invalid value for --", name));
    }
    given_.insert(name);
  }
  std::vector<std::string> positional;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") return absl::CancelledError("help requested");
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      positional.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2), value;
    bool has_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
      has_value = true;
    }
    auto it = flags_.find(name);
    if (it == flags_.end() && name.rfind("no-", 0) == 0) {
      auto neg = flags_.find(name.substr(3));
      if (neg != flags_.end() && neg->second.is_bool && !has_value) {
        neg->second.set("false");
        given_.insert(neg->first);
        continue;
      }
    }
    if (it == flags_.end())
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    if (!has_value) {
      if (it->second.is_bool) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return absl::InvalidArgumentError(absl::StrCat("flag --", name, " needs a value"));
      }
    }
    if (!it->second.set(value)) {
      return absl::InvalidArgumentError(absl::StrCat("flag --", name, ": invalid value"));
    }
    given_.insert(name);
  }
  return positional;
}

}  // namespace iob::common
