#!/usr/bin/env bash
# Usage: prepare-crcmod-tree.sh
#
# Prepares python-crcmod (Debian bookworm's source package: a small third-party C extension,
# single-phase init) with a real compile_commands.json, recorded by bear from the project's
# own `setup.py build_ext` run by the system Python 3 (the GIL baseline):
#
#   <cache>/crcmod-tree/                        the upstream source, built in place
#   <cache>/crcmod-tree/compile_commands.json   as recorded
#
# Idempotent: a finished tree carries a stamp file and is reused. The last line of stdout is
# the tree's path.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

for tool in bear gcc; do
  command -v "${tool}" >/dev/null 2>&1 || die "${tool} is required (apt-get install ${tool})"
done
python=/usr/bin/python3
"${python}" -c 'import setuptools' 2>/dev/null || die "python3-setuptools is required"

cache=$(gilport_cache_dir)
tree="${cache}/crcmod-tree"
stamp="${tree}/.gilport-prepared"
mkdir -p "${cache}"
exec 8>"${cache}/.crcmod-tree.lock"
flock 8

if [[ -f ${stamp} && -s ${tree}/compile_commands.json ]]; then
  log "crcmod tree already prepared"
  printf '%s\n' "${tree}"
  exit 0
fi

src=$("$(dirname "${BASH_SOURCE[0]}")/fetch-debian-source.sh" python-crcmod bookworm "${cache}/src" | tail -n 1)
[[ -f ${src}/setup.py && -f ${src}/python3/src/_crcfunext.c ]] || die "${src} does not look like crcmod's source"

rm -rf "${tree}"
cp -a "${src}" "${tree}"
cd "${tree}"
log "building crcmod's extension with bear -- python3 setup.py build_ext"
bear --output compile_commands.json.partial -- "${python}" setup.py build_ext --inplace >build.gilport.log 2>&1 \
  || { tail -n 20 build.gilport.log >&2; die "setup.py build_ext failed; see ${tree}/build.gilport.log"; }
grep -q '_crcfunext.c' compile_commands.json.partial || die "bear recorded no command for _crcfunext.c"
echo "source=${src}" >"${stamp}.tmp"
mv "${stamp}.tmp" "${stamp}"
mv compile_commands.json.partial compile_commands.json
log "crcmod tree ready"
printf '%s\n' "${tree}"
