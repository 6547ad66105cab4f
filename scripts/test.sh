#!/usr/bin/env bash
# Runs every test of the solution: installs missing prerequisites first (idempotent),
# builds once, runs the test projects one after another (they start clusters and S3
# servers; two at once would fight over 2 cores), and ends with one summary line.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

bash scripts/prereqs.sh

results="$repo/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

dotnet build DataMover.sln -c Release -nologo -clp:ErrorsOnly -warnaserror

status=0
for project in tests/*/*.csproj; do
  name="$(basename "$project" .csproj)"
  echo "== $name"
  if ! dotnet test "$project" -c Release --no-build -nologo \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
      --results-directory "$results" --blame-hang-timeout 5m; then
    status=1
  fi
done

# One plain closing line for whoever reads the log: totals across every project.
python3 - "$results" <<'PY'
import glob, re, sys
passed = failed = skipped = 0
for f in glob.glob(sys.argv[1] + "/*.trx"):
    text = open(f, encoding="utf-8").read()
    m = re.search(r'<Counters [^>]*total="(\d+)"[^>]*passed="(\d+)"[^>]*failed="(\d+)"', text)
    if m:
        total, p, fl = map(int, m.groups())
        passed += p
        failed += fl
    n = re.search(r'<Counters [^>]*notExecuted="(\d+)"', text)
    if n:
        skipped += int(n.group(1))
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY

exit $status
