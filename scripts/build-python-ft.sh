#!/usr/bin/env bash
# Usage: build-python-ft.sh [--tsan]
# Builds the reference free-threaded runtime: CPython 3.13 from Debian's python3.13 source
# package (trixie, upstream source without Debian patches), `./configure --disable-gil`,
# release build, static libpython (the default; see docs on LD_PRELOAD), into
#   <cache>/python3.13t        (or <cache>/python3.13t-tsan with --tsan, built with clang's
#                               ThreadSanitizer; about 5-15x slower at run time)
# Idempotent: does nothing if the stamped install exists and runs. Prints the interpreter path.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

name=python3.13t
configure_args=(--disable-gil)
case "${1:-}" in
  '') ;;
  --tsan)
    name=python3.13t-tsan
    configure_args+=(--with-thread-sanitizer CC=clang-19 CXX=clang++-19) ;;
  *) die "usage: $0 [--tsan]" ;;
esac

cache=$(gilport_cache_dir)
prefix="${cache}/${name}"
python="${prefix}/bin/python3.13t"
stamp="${prefix}/.gilport-built"

# The stamp is written only after the checks below pass, so a missing stamp means "not built".
verify() {
  "${python}" -c 'import sys; assert not sys._is_gil_enabled(), "GIL is enabled"' \
    && [[ -f ${prefix}/include/python3.13t/Python.h ]]
}
if [[ -f ${stamp} ]] && verify 2>/dev/null; then
  log "${name} already built: ${python}"
  printf '%s\n' "${python}"
  exit 0
fi

bash "$(dirname "${BASH_SOURCE[0]}")/install-deps.sh"

start=$(now)
src=$(bash "$(dirname "${BASH_SOURCE[0]}")/fetch-debian-source.sh" python3.13 trixie "${cache}/src" | tail -n 1)
[[ -x ${src}/configure ]] || die "no configure script in ${src}"
log "source ready in $(($(now) - start))s: ${src}"

# Out-of-tree build: the extracted source stays pristine and can be shared.
build="${cache}/build/${name}"
stage="${cache}/build/${name}.stage"
mkdir -p "${build}"
cd "${build}"

args_text="--prefix=${prefix} ${configure_args[*]}"
if [[ ! -f Makefile || $(cat .gilport-configure 2>/dev/null) != "${args_text}" ]]; then
  log "configuring ${name} (${args_text})"
  "${src}/configure" --prefix="${prefix}" "${configure_args[@]}" >configure.log 2>&1 \
    || die "configure failed, see ${build}/configure.log and config.log"
  printf '%s\n' "${args_text}" >.gilport-configure
fi

start=$(now)
log "building ${name} with $(nproc) jobs (log: ${build}/make.log)"
make -j"$(nproc)" >make.log 2>&1 || { tail -n 30 make.log >&2; die "make failed, see ${build}/make.log"; }
log "built in $(($(now) - start))s"

# Install into a staging DESTDIR, then move into place, so the prefix is never half-written.
start=$(now)
rm -rf "${stage}" "${prefix}"
make install DESTDIR="${stage}" >install.log 2>&1 \
  || { tail -n 30 install.log >&2; die "make install failed, see ${build}/install.log"; }
mkdir -p "$(dirname "${prefix}")"
mv "${stage}${prefix}" "${prefix}"
rm -rf "${stage}"
log "installed in $(($(now) - start))s"

verify || die "${python} does not run with the GIL disabled, or Python.h is missing"
: >"${stamp}"
log "${name} ready: $("${python}" -VV | head -n 1)"
printf '%s\n' "${python}"
