#!/usr/bin/env bash
# Usage: bench/profile-check.sh [TU ...]   (default: Modules/_pickle.c of the 3.11 tree)
# Profiles `gilport check` on CPython 3.11 translation units with callgrind and prints the
# functions with the most inclusive and exclusive instructions. Output: /tmp/gilport-callgrind.*
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${GILPORT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gilport}
tree="${cache}/cpython3.11-tree"
[[ $# -gt 0 ]] || set -- "${tree}/Modules/_pickle.c"
out=/tmp/gilport-callgrind.out
valgrind --tool=callgrind --callgrind-out-file="${out}" \
  "${root}/build/bin/gilport" check "$@" -p "${tree}" -j1 --quiet --format=json -o /tmp/gilport-callgrind.json \
  2>/tmp/gilport-callgrind.log || [[ $? -eq 1 ]]
echo "== inclusive"
callgrind_annotate --inclusive=yes "${out}" 2>/dev/null | sed -n '1,/^$/d;p' | head -40 | cut -c1-200
echo "== exclusive"
callgrind_annotate "${out}" 2>/dev/null | sed -n '1,/^$/d;p' | head -30 | cut -c1-200
