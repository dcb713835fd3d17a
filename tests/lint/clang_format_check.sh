#!/usr/bin/env bash
# Fails when clang-format (the repository's .clang-format) would change any
# C++ file (*.cc, *.h) under libs, services, tools, tests or bench that git
# tracks or would track (untracked but not ignored); names the files.
# Exit 77 (ctest: skipped) when clang-format or git is missing.
# Usage: clang_format_check.sh SOURCE_DIR
set -u
root=${1:?usage: clang_format_check.sh SOURCE_DIR}
cd "$root" || exit 2
if ! command -v clang-format >/dev/null 2>&1; then
  echo "clang-format not installed (apt-get install clang-format): skipped"
  exit 77
fi
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "$root is not a git work tree: skipped"
  exit 77
fi
mapfile -t files < <(
  git ls-files --cached --others --exclude-standard -- \
      'libs/*.cc' 'libs/*.h' 'services/*.cc' 'services/*.h' 'tools/*.cc' 'tools/*.h' \
      'tests/*.cc' 'tests/*.h' 'bench/*.cc' 'bench/*.h' |
    grep -Ev '(^|/)(node_modules|build[^/]*)/' | sort -u |
    while IFS= read -r f; do [ -f "$f" ] && printf '%s\n' "$f"; done)
echo "$(clang-format --version | head -1): checking ${#files[@]} files"
mapfile -t bad < <(
  printf '%s\0' "${files[@]}" |
    xargs -0 -r -n 8 -P "$(nproc)" sh -c \
      'for f; do clang-format --dry-run -Werror --ferror-limit=1 "$f" >/dev/null 2>&1 || echo "$f"; done' sh |
    sort)
if [ ${#bad[@]} -gt 0 ]; then
  echo "not clang-formatted (run: clang-format -i <file>):"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "all formatted"
