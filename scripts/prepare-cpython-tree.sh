#!/usr/bin/env bash
# Usage: prepare-cpython-tree.sh [VERSION_PKG SUITE]     (default: python3.11 bookworm)
#
# Prepares a configured and built CPython tree with a real compile_commands.json, recorded by
# bear from CPython's own `make` (the interpreter, libpython and every extension module the
# Makefile builds). gilport's real-code test and benchmark run against it:
#
#   <cache>/cpython<X.Y>-tree/                        e.g. ~/.cache/gilport/cpython3.11-tree
#   <cache>/cpython<X.Y>-tree/compile_commands.json   as recorded: nothing is filtered by hand
#
# The source comes from Debian's source package (upstream source, no Debian patches), fetched
# by fetch-debian-source.sh into <cache>/src, and is copied to the tree so the extracted
# source stays pristine. The build is a plain GIL build: `./configure` with its defaults.
#
# Idempotent: a finished tree carries a stamp file and is reused as it is. An unfinished one
# (no stamp) is removed and rebuilt. The last line of stdout is the tree's path.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -eq 0 || $# -eq 2 ]] || die "usage: $0 [VERSION_PKG SUITE]   (default: python3.11 bookworm)"
package=${1:-python3.11}
suite=${2:-bookworm}
[[ ${package} =~ ^python([0-9]+\.[0-9]+)$ ]] || die "VERSION_PKG must look like python3.11, not '${package}'"
pyver=${BASH_REMATCH[1]}

for tool in bear make gcc; do
  command -v "${tool}" >/dev/null 2>&1 || die "${tool} is required (apt-get install ${tool})"
done

cache=$(gilport_cache_dir)
tree="${cache}/cpython${pyver}-tree"
stamp="${tree}/.gilport-prepared"
mkdir -p "${cache}"

# Two runs at once would build into the same directory.
exec 8>"${cache}/.cpython${pyver}-tree.lock"
flock 8

if [[ -f ${stamp} && -s ${tree}/compile_commands.json ]]; then
  log "CPython ${pyver} tree already prepared ($(grep '^source=' "${stamp}" | cut -d= -f2-))"
  printf '%s\n' "${tree}"
  exit 0
fi

started=$(now)
src=$("$(dirname "${BASH_SOURCE[0]}")/fetch-debian-source.sh" "${package}" "${suite}" "${cache}/src" | tail -n 1)
[[ -f ${src}/configure && -f ${src}/Modules/Setup.stdlib.in ]] \
  || die "${src} does not look like a CPython source tree with Makefile-built modules (3.11+)"
fetched=$(now)

if [[ -e ${tree} ]]; then
  log "removing unfinished tree ${tree}"
  rm -rf "${tree}"
fi
# The build happens in its final place: compile_commands.json records absolute directories,
# so a tree built elsewhere and moved would point at the wrong place.
log "copying ${src} to ${tree}"
cp -a "${src}" "${tree}"
cd "${tree}"

jobs=${GILPORT_BUILD_JOBS:-$(nproc)}
log "configuring CPython ${pyver} (./configure, defaults: GIL build)"
./configure >configure.gilport.log 2>&1 \
  || { tail -n 30 configure.gilport.log >&2; die "configure failed; see ${tree}/configure.gilport.log"; }
configured=$(now)

# `make` (target all) builds python, libpython and every extension module: those listed in
# Modules/Setup.stdlib and, in 3.11, those setup.py still builds. bear records each compiler
# invocation. The database gets its final name only once everything succeeded: the tests take
# its presence to mean "the tree is ready".
log "building with bear -- make -j${jobs} (output: ${tree}/make.gilport.log)"
bear --output "${tree}/compile_commands.json.partial" -- make -j"${jobs}" >make.gilport.log 2>&1 \
  || { tail -n 30 make.gilport.log >&2; die "make failed; see ${tree}/make.gilport.log"; }
built=$(now)

db=compile_commands.json.partial
[[ -s ${db} ]] || die "bear wrote no compile_commands.json"
# Count the translation units under Modules/ (a sanity check, not a filter).
modules_tus=$(grep -c '"file": "[^"]*/Modules/[^"]*\.c"' "${db}" || true)
all_tus=$(grep -c '"file": ' "${db}" || true)
[[ ${modules_tus} -gt 0 ]] || die "compile_commands.json has no Modules/*.c entries"

version=$(./python -c 'import sys; print(sys.version.split()[0])' 2>/dev/null || echo unknown)
{
  echo "package=${package}"
  echo "suite=${suite}"
  echo "source=${src}"
  echo "python_version=${version}"
  echo "compile_commands_entries=${all_tus}"
  echo "modules_entries=${modules_tus}"
  echo "fetch_seconds=$((fetched - started))"
  echo "configure_seconds=$((configured - fetched))"
  echo "build_seconds=$((built - configured))"
  echo "total_seconds=$((built - started))"
  echo "jobs=${jobs}"
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"${stamp}.tmp"
mv "${stamp}.tmp" "${stamp}"
mv "${db}" compile_commands.json

log "CPython ${version} tree ready in $((built - started))s (fetch $((fetched - started))s," \
  "configure $((configured - fetched))s, build $((built - configured))s):" \
  "${all_tus} compile commands, ${modules_tus} under Modules/"
printf '%s\n' "${tree}"
