#!/usr/bin/env bash
# Usage: fetch-python-headers.sh [VERSION...]     (default: 3.14 3.15)
#
# The C headers of a Python gilport cannot build here (3.14, 3.15: Debian serves their binary
# packages, not their sources), for `gilport check --target-python=VERSION`. Downloads Debian's
# libpython<VERSION>-dev from the unstable suite and extracts it to
#
#   <cache>/headers/python<VERSION>/usr/include/python<VERSION>/Python.h ...
#   <cache>/headers/python<VERSION>/usr/include/<multiarch>/python<VERSION>/pyconfig.h
#
# apt runs with a private configuration (its own sources list, lists and cache under the cache
# root), so the system's apt state is never touched; the URI is the machine's own Debian
# archive (GILPORT_DEBIAN_URI overrides it). No mirror host name lives in this repository.
# Idempotent: a finished extraction carries a stamp with the package version and is reused.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -gt 0 ]] || set -- 3.14 3.15
cache=$(gilport_cache_dir)
aptdir="${cache}/apt/unstable-binary"

# The package index of the unstable suite, fetched once.
update_index() {
  [[ -f ${aptdir}/.updated ]] && return
  local uri key
  if [[ -n ${GILPORT_DEBIAN_URI:-} ]]; then
    uri=${GILPORT_DEBIAN_URI} key=''
  else
    read -r uri key < <(debian_archive_uri; echo) || true
  fi
  [[ -n ${uri} ]] || die "no Debian archive found in /etc/apt (set GILPORT_DEBIAN_URI)"
  printf 'deb %s%s unstable main\n' "${key:+[signed-by=${key}] }" "${uri}" >"${aptdir}/sources.list"
  log "apt-get update for deb ${uri} unstable"
  apt-get "${apt_opts[@]}" -q update >&2 || die "apt-get update failed for ${uri} unstable"
  touch "${aptdir}/.updated"
}

fetch_one() {
  local version=$1 package="libpython$1-dev"
  [[ ${version} =~ ^3\.[0-9]+$ ]] || die "not a Python version: ${version} (expected 3.14, say)"
  local dest="${cache}/headers/python${version}"
  if [[ -f ${dest}/.gilport-stamp && -f ${dest}/usr/include/python${version}/Python.h ]]; then
    log "${package} already extracted ($(cat "${dest}/.gilport-stamp"))"
    return
  fi
  mkdir -p "${aptdir}/lists/partial" "${aptdir}/cache/archives/partial" "${aptdir}/downloads"
  update_index
  log "downloading ${package} (unstable)"
  if ! (cd "${aptdir}/downloads" && apt-get "${apt_opts[@]}" -q download "${package}" >&2); then
    # An index of an earlier run may name a version the archive no longer has.
    rm -f "${aptdir}/.updated"
    update_index
    (cd "${aptdir}/downloads" && apt-get "${apt_opts[@]}" -q download "${package}" >&2) \
      || die "could not download ${package} from the unstable suite"
  fi
  local deb
  deb=$(ls -t "${aptdir}/downloads/${package}"_*.deb | head -n 1)
  rm -rf "${dest}.partial"
  mkdir -p "${dest}.partial"
  dpkg-deb -x "${deb}" "${dest}.partial" || die "cannot extract ${deb}"
  [[ -f ${dest}.partial/usr/include/python${version}/Python.h ]] \
    || die "${deb} holds no usr/include/python${version}/Python.h"
  basename "${deb}" >"${dest}.partial/.gilport-stamp"
  rm -rf "${dest}"
  mv "${dest}.partial" "${dest}"
  log "headers of Python ${version} in ${dest}"
}

mkdir -p "${aptdir}"
exec 9>"${aptdir}.lock"
flock 9
apt_opts=(
  -o "Dir::Etc::SourceList=${aptdir}/sources.list"
  -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=${aptdir}/lists"
  -o "Dir::Cache=${aptdir}/cache"
  -o "APT::Sandbox::User=$(id -un)"
)
for version in "$@"; do
  fetch_one "${version}"
done
