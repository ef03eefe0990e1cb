#!/usr/bin/env bash
# Runs every test of the solution on a fresh machine: installs what the tests need, builds, tests, and prints the
# counts from the TRX results as the last line: "N passed, N failed, N skipped". Exits non-zero if any test failed.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

bash "$root/tests/prerequisites.sh" || { echo "0 passed, 1 failed"; exit 1; }

results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
dotnet build Research.sln -c Release --nologo -v q || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
dotnet test Research.sln -c Release --no-build --nologo --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "$@"
status=$?

passed=0; failed=0; skipped=0; files=0
count() { local v; v=$(echo "$1" | sed -n "s/.* $2=\"\([0-9]*\)\".*/\1/p"); echo "${v:-0}"; }
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  files=$((files + 1))
  c=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  passed=$((passed + $(count "$c" passed)))
  failed=$((failed + $(count "$c" failed) + $(count "$c" error) + $(count "$c" timeout) + $(count "$c" aborted)))
  skipped=$((skipped + $(count "$c" notExecuted)))
done
if [ "$files" = 0 ]; then
  echo "no test results were written"
  failed=$((failed + 1))
fi
if [ "$status" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
