#!/usr/bin/env bash
# The test command (`npm test`): make sure Chromium and nginx are there, type-check, build the relay and the
# widget as `npm start` runs them, run every AVA test, and end with the summary line CI reads: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail_early() { echo "$1"; echo "0 passed, 1 failed"; exit 1; }

# The browser tests drive Debian's Chromium, never a downloaded build; the proxy test runs Debian's
# nginx with the rules of docs/OPERATIONS.md. Install them when we can.
ensure_package() { # <binary> <Debian package>
  [ -x "$1" ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "$1 is missing: installing Debian's $2 package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq "$2" >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "$2" >/dev/null 2>&1; }
  fi
  [ -x "$1" ] || fail_early "$1 is missing; install it with: sudo apt-get update && sudo apt-get install -y $2"
}
ensure_package /usr/bin/chromium chromium
ensure_package /usr/sbin/nginx nginx-light

npx --no-install tsc --noEmit -p . || fail_early "type check failed"
npx --no-install tsx scripts/build.ts || fail_early "build failed"

npx --no-install ava "$@" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}

# AVA prints "12 tests passed", "1 test failed", "2 known failures" …; CI wants one plain line.
count() { grep -Eo "[0-9]+ $1" "$out" | tail -1 | grep -Eo '^[0-9]+' || echo 0; }
passed=$(count 'tests? passed')
# With failures AVA leaves the "passed" line out: count the passed tests it listed.
if [ "$passed" -eq 0 ]; then passed=$(grep -c '^ *✔' "$out" || true); fi
failed=$(count 'tests? failed')
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
exit "$rc"
