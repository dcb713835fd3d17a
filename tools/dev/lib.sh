# Functions behind ./iob. Sourced, never run directly.
# Expects ROOT, BUILD, STATE, PGBIN from ./iob.

APT_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto
  libabsl-dev libpugixml-dev libssl-dev libpqxx-dev libpq-dev postgresql
  prometheus-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev libcurl4-openssl-dev
  libgmime-3.0-dev libcpp-httplib-dev libpoppler-cpp-dev nlohmann-json3-dev
  libxml2-utils prometheus clang-14 libclang-rt-14-dev chromium nodejs npm openssl
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
    cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
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
  log "Postgres for tests on 127.0.0.1:$port"
  (cd "$BUILD" && ctest --output-on-failure -j"$(nproc)" --timeout 600 "$@") || rc=$?
  if [ "$rc" -eq 0 ] && [ $# -eq 0 ]; then iob_fuzz_smoke || rc=$?; fi
  return "$rc"
}

# Short libFuzzer runs with ASan/UBSan (clang-14); ./iob fuzz runs longer.
iob_fuzz_smoke() { iob_fuzz 20; }

iob_fuzz() {
  local secs=${1:-300} fb=$ROOT/build-fuzz
  [ -d "$ROOT/tests/fuzz" ] && ls "$ROOT"/tests/fuzz/*.cc >/dev/null 2>&1 || return 0
  if [ ! -f "$fb/build.ninja" ]; then
    CC=clang-14 CXX=clang++-14 cmake -S "$ROOT" -B "$fb" -G Ninja -DIOB_FUZZ=ON \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  cmake --build "$fb" --target fuzz_targets -- -j"$(nproc)"
  local t
  for t in "$fb"/tests/fuzz/*_fuzz; do
    log "fuzzing $(basename "$t") for ${secs}s"
    "$t" -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 \
      "$ROOT/tests/data/fuzz/$(basename "$t")" 2>&1 | tail -3 || return 1
  done
}
