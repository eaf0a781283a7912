#!/usr/bin/env bash
# Usage: fetch-debian-source.sh PACKAGE SUITE DESTDIR
# Downloads the Debian source package PACKAGE from SUITE and extracts the upstream source
# (no Debian patches) into DESTDIR. The last line of stdout is the extracted directory.
#
# apt runs with a private configuration (its own sources list, lists and cache under the
# cache root), so the system's apt state is never touched. The deb-src URI is taken from the
# machine's own Debian source: no mirror host name lives in this repository.
# GILPORT_DEBIAN_URI overrides the URI.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -eq 3 ]] || die "usage: $0 PACKAGE SUITE DESTDIR"
command -v dpkg-source >/dev/null 2>&1 || die "dpkg-source is missing: run scripts/install-deps.sh (package dpkg-dev)"
package=$1 suite=$2
mkdir -p "$3"
destdir=$(cd "$3" && pwd)

# Already extracted: reuse without touching the network.
stamp="${destdir}/.gilport-${package}-${suite}.path"
if [[ -f ${stamp} ]] && [[ -d $(cat "${stamp}") ]]; then
  log "${package} (${suite}) already extracted"
  cat "${stamp}"
  exit 0
fi

# One private apt tree per suite, so parallel fetches from different suites do not race.
cache=$(gilport_cache_dir)
aptdir="${cache}/apt/${suite}"
mkdir -p "${aptdir}/lists/partial" "${aptdir}/cache/archives/partial" "${aptdir}/downloads"
exec 9>"${aptdir}/lock"
flock 9

if [[ -n ${GILPORT_DEBIAN_URI:-} ]]; then
  uri=${GILPORT_DEBIAN_URI} key=''
else
  read -r uri key < <(debian_archive_uri; echo) || true
fi
[[ -n ${uri} ]] || die "no Debian source found in /etc/apt/sources.list or /etc/apt/sources.list.d/*.sources (set GILPORT_DEBIAN_URI)"

opts=${key:+[signed-by=${key}] }
printf 'deb-src %s%s %s main\n' "${opts}" "${uri}" "${suite}" >"${aptdir}/sources.list"

apt_opts=(
  -o "Dir::Etc::SourceList=${aptdir}/sources.list"
  -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=${aptdir}/lists"
  -o "Dir::Cache=${aptdir}/cache"
  -o "APT::Sandbox::User=$(id -un)"   # as root: avoids the _apt permission warning
  -o APT::Get::Only-Source=true       # PACKAGE is a source package name
)

log "apt-get update for deb-src ${uri} ${suite}"
apt-get "${apt_opts[@]}" -q update >&2 || die "apt-get update failed for deb-src ${uri} ${suite}"

mapfile -t versions < <(apt-cache "${apt_opts[@]}" showsrc "${package}" 2>/dev/null \
  | awk '/^Package: / { p = $2 } /^Version: / && p == "'"${package}"'" { print $2 }' \
  | sort -Vru)
[[ ${#versions[@]} -gt 0 ]] || die "source package ${package} not found in ${suite} (${uri})"

# The upstream tarball of VERSION when apt fetched it and the .dsc, whose SHA-256 it matches,
# even though another file of the package (the Debian packaging) could not be fetched. We use
# the upstream source only, so the packaging is not needed. Prints the tarball's path.
verified_orig_tarball() {
  local v=${1#*:} dsc orig sum size
  dsc="${aptdir}/downloads/${package}_${v}.dsc"
  [[ -f ${dsc} ]] || return 1
  read -r sum size orig < <(awk '/^Checksums-Sha256:/ { on = 1; next } /^[^ ]/ { on = 0 }
      on && $3 ~ /\.orig\.tar\./ { print $1, $2, $3; exit }' "${dsc}")
  [[ -n ${orig:-} && -f ${aptdir}/downloads/${orig} ]] || return 1
  [[ $(sha256sum "${aptdir}/downloads/${orig}" | cut -d' ' -f1) == "${sum}" ]] || return 1
  printf '%s\n' "${aptdir}/downloads/${orig}"
}

# Newest first; some files on the mirror may be missing (404), so fall back to older versions.
cd "${aptdir}/downloads"
version='' orig_only=''
for v in "${versions[@]}"; do
  log "downloading ${package}=${v} (${suite})"
  start=$(now)
  if apt-get "${apt_opts[@]}" -q source --download-only "${package}=${v}" >&2; then
    log "downloaded ${package}=${v} in $(($(now) - start))s"
    version=${v}
    break
  fi
  if orig_only=$(verified_orig_tarball "${v}"); then
    log "the Debian packaging of ${package}=${v} is missing, but the upstream tarball and .dsc" \
      "were fetched and its SHA-256 matches the .dsc: using the upstream source"
    version=${v}
    break
  fi
  log "could not download ${package}=${v}"
done
[[ -n ${version} ]] || die "could not download source package ${package} from ${suite}; versions tried: ${versions[*]}"

dsc="${aptdir}/downloads/${package}_${version#*:}.dsc"
[[ -f ${dsc} ]] || die "expected ${dsc} after download"

# Extract next to the destination, then move into place, so a half-extracted tree never
# looks finished.
upstream=${version#*:}
target="${destdir}/${package}-${upstream%-*}"
if [[ ! -d ${target} ]]; then
  tmp=$(mktemp -d "${destdir}/.extract.XXXXXX")
  trap 'rm -rf "${tmp}"' EXIT
  if [[ -n ${orig_only} ]]; then
    log "extracting ${orig_only##*/} (upstream source)"
    mkdir "${tmp}/unpack"
    tar -xf "${orig_only}" -C "${tmp}/unpack" || die "tar failed on ${orig_only}"
    # An upstream tarball holds one top-level directory (dpkg-source requires the same).
    mapfile -t top < <(find "${tmp}/unpack" -mindepth 1 -maxdepth 1)
    [[ ${#top[@]} -eq 1 && -d ${top[0]} ]] || die "${orig_only} does not hold one top-level directory"
    mv "${top[0]}" "${tmp}/src"
  else
    log "extracting ${dsc##*/} (upstream source, no Debian patches)"
    dpkg-source -x --skip-patches "${dsc}" "${tmp}/src" >&2 || die "dpkg-source failed on ${dsc}"
  fi
  mv "${tmp}/src" "${target}"
fi
printf '%s\n' "${target}" >"${stamp}"
log "${package} ${version} extracted"
printf '%s\n' "${target}"
