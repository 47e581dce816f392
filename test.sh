#!/usr/bin/env bash
# Runs every test of DslNet: builds the solution in Release, runs each test project with a TRX
# logger, and ends with one line of totals taken from the TRX files: "N passed, N failed, N skipped".
# Exits non-zero if the build or any test failed.
set -uo pipefail
cd "$(dirname "$0")"

# Debian packages some tests need (PyTorch and ONNX checkers for interop tests). Installed only if
# missing and only where we may (root with apt); tests that need them say so when they are absent.
need=()
for pkg in $(cat .ci/debian-packages 2>/dev/null); do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages: ${need[*]}"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >/tmp/dslnet-apt.log 2>&1 \
    || echo "warning: apt-get install failed (see /tmp/dslnet-apt.log)"
fi

results="$PWD/TestResults"
rm -rf "$results"
mkdir -p "$results"

failed_runs=0
if ! dotnet build DslNet.sln -c Release -nologo -v quiet; then
  echo "The build failed."
  echo "0 passed, 1 failed"
  exit 1
fi

for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  echo "== $name"
  if ! dotnet test "$project" -c Release --no-build -nologo \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
      --results-directory "$results"; then
    failed_runs=$((failed_runs + 1))
  fi
done

# Totals from the TRX <Counters> elements.
passed=0; failed=0; skipped=0; found=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  found=$((found + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  p=$(get passed); f=$(get failed); t=$(get total); e=$(get executed)
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + t - e))
done

# A test run that failed without recording a failure (a crashed test host) still counts as one.
if [ "$failed_runs" -gt 0 ] && [ "$failed" -eq 0 ]; then failed=$failed_runs; fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$failed_runs" -eq 0 ]
