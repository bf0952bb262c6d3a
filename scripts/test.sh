#!/usr/bin/env bash
# The test command (`npm test`): type-check, build the relay as `npm start` runs it, run every
# AVA test, and end with the summary line CI reads: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail_early() { echo "$1"; echo "0 passed, 1 failed"; exit 1; }

npx --no-install tsc --noEmit -p . || fail_early "type check failed"
npx --no-install tsx scripts/build.ts || fail_early "build failed"

npx --no-install ava "$@" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}

# AVA prints "12 tests passed", "1 test failed", "2 known failures" …; CI wants one plain line.
count() { grep -Eo "[0-9]+ $1" "$out" | tail -1 | grep -Eo '^[0-9]+' || echo 0; }
passed=$(count 'tests? passed')
failed=$(count 'tests? failed')
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
exit "$rc"
