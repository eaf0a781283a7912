#!/usr/bin/env bash
# Usage: bench/profile-check.sh [TU ...]   (default: Modules/_pickle.c of the 3.11 tree)
# Profiles `gilport check` on CPython 3.11 translation units with callgrind and prints the total
# instruction count (Ir: stable under load, unlike times) and the functions with the most
# inclusive and exclusive instructions. GILPORT=path profiles another binary (say, the previous
# commit's, for a before/after); OUT=prefix changes the output prefix (default
# /tmp/gilport-callgrind). See bench/results/callgrind.md.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib.sh
source "${root}/scripts/lib.sh"   # the cache-directory rule, kept in one place
cache=$(gilport_cache_dir)
tree="${cache}/cpython3.11-tree"
gilport=${GILPORT:-${root}/build/bin/gilport}
prefix=${OUT:-/tmp/gilport-callgrind}
[[ $# -gt 0 ]] || set -- "${tree}/Modules/_pickle.c"
out="${prefix}.out"
# Threads, not worker processes: the analysis then runs in the profiled process (a forked
# worker would write its own profile over this one's).
GILPORT_PARALLEL=threads valgrind --tool=callgrind --callgrind-out-file="${out}" \
  "${gilport}" check "$@" -p "${tree}" -j1 --quiet --format=json -o "${prefix}.json" \
  2>"${prefix}.log" || [[ $? -eq 1 ]]
echo "== total"
callgrind_annotate "${out}" 2>/dev/null | grep -m1 "PROGRAM TOTALS"
echo "== inclusive"
callgrind_annotate --inclusive=yes "${out}" 2>/dev/null | sed -n '1,/^$/d;p' | head -40 | cut -c1-200
echo "== exclusive"
callgrind_annotate "${out}" 2>/dev/null | sed -n '1,/^$/d;p' | head -30 | cut -c1-200
