#!/usr/bin/env bash
# Usage: prepare-thirdparty-corpus.sh [--ported] [NAME...]
#
# Copies the sources of the third-party C extensions pinned in bench/thirdparty/projects.json
# (each at its `unported` commit) out of the local snapshots into the cache:
#
#   <cache>/thirdparty/<name>-<shortcommit>/   the `archive` paths of that commit, as git
#                                              archive writes them; nothing is built
#
# With --ported, the `ported` commit of each project that has one, into
# <cache>/thirdparty-ported/ instead (bench/ported-findings.py reads them).
#
# The snapshots are bare git repositories under ${GILPORT_MIRROR_DIR:-/work/.mirror}/<owner+name>/
# repo, filled by the session's fetch tool, not by this script (it never touches the network).
# A project whose snapshot is absent is skipped with a one-line message.
#
# Idempotent: a finished copy carries a stamp file (repo, commit and archive list) and is
# reused while the stamp matches; a changed archive list copies the tree again. With NAMEs,
# only those projects. The last line of stdout is the corpus root, <cache>/thirdparty.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

python=/usr/bin/python3
projects="$(repo_root)/bench/thirdparty/projects.json"
mirror=${GILPORT_MIRROR_DIR:-/work/.mirror}
cache=$(gilport_cache_dir)
which=unported
root="${cache}/thirdparty"
if [[ ${1:-} == --ported ]]; then
  which=ported
  root="${cache}/thirdparty-ported"
  shift
fi
mkdir -p "${root}"
exec 8>"${cache}/.thirdparty.lock"
flock 8

# One tab-separated line per project: name, mirror dir, commit, archive paths (space-separated).
# Python reads the JSON because bash cannot; names given on the command line filter.
"${python}" - "${projects}" "${which}" "$@" >"${root}/.projects.tsv" <<'EOF'
import json, sys
which, wanted = sys.argv[2], set(sys.argv[3:])
for p in json.load(open(sys.argv[1]))["projects"]:
    if (not wanted or p["name"] in wanted) and p.get(which):
        print("\t".join([p["name"], p["mirror"], p[which], " ".join(p["archive"])]))
EOF

while IFS=$'\t' read -r name dir commit paths; do
  gitdir="${mirror}/${dir}/repo"
  [[ -d ${gitdir}/.git ]] && gitdir="${gitdir}/.git"
  if ! git --git-dir="${gitdir}" cat-file -e "${commit}^{commit}" 2>/dev/null; then
    log "skipping ${name}: no snapshot of ${dir} with commit ${commit:0:10} under ${mirror} (snapshots come from the session's fetch tool, not from this script)"
    continue
  fi
  tree="${root}/${name}-${commit:0:10}"
  stamp="${tree}/.gilport-prepared"
  # The stamp records what was copied: a copy made from another archive list is made anew.
  want=$(printf 'repo=%s\ncommit=%s\narchive=%s\n' "${dir}" "${commit}" "${paths}")
  if [[ -f ${stamp} && $(<"${stamp}") == "${want}" ]]; then
    log "${name} already prepared"
    continue
  fi
  [[ -f ${stamp} ]] && log "${name}: its archive list changed; copying it again"
  rm -rf "${tree}" "${tree}.part"
  mkdir -p "${tree}.part"
  # Some snapshots lack blobs that are not asked for; git archive names them on stderr
  # and still writes the requested paths, which are checked below. When a requested path
  # holds a missing blob, git archive fails: then the files are copied one by one, and those
  # whose blob is missing are left out with a message.
  read -r -a path_list <<<"${paths}"
  if ! git --git-dir="${gitdir}" archive --format=tar "${commit}" -- "${path_list[@]}" 2>"${tree}.part.log" \
      | tar -x -C "${tree}.part" 2>>"${tree}.part.log"; then
    log "${name}: git archive failed ($(grep -m1 -i error "${tree}.part.log" || true)); copying file by file"
    rm -rf "${tree}.part"
    mkdir -p "${tree}.part"
    while IFS=$'\t' read -r -d '' meta file; do
      read -r mode type hash <<<"${meta}"
      [[ ${type} == blob ]] || continue
      out="${tree}.part/${file}"
      mkdir -p "$(dirname "${out}")"
      if ! git --git-dir="${gitdir}" cat-file blob "${hash}" >"${out}" 2>/dev/null; then
        rm -f "${out}"
        log "${name}: ${file} is missing from the snapshot; left out"
        continue
      fi
      if [[ ${mode} == 120000 ]]; then
        target=$(<"${out}")
        rm -f "${out}"
        ln -s "${target}" "${out}"
      elif [[ ${mode} == 100755 ]]; then
        chmod +x "${out}"
      fi
    done < <(git --git-dir="${gitdir}" ls-tree -r -z "${commit}" -- "${path_list[@]}")
  fi
  for p in "${path_list[@]}"; do
    [[ -e ${tree}.part/${p} ]] || die "${name}: ${p} is missing from ${commit:0:10}"
  done
  rm -f "${tree}.part.log"
  printf '%s\n' "${want}" >"${tree}.part/.gilport-prepared"
  mv "${tree}.part" "${tree}"
  log "${name} ready"
done <"${root}/.projects.tsv"
rm -f "${root}/.projects.tsv"
printf '%s\n' "${root}"
