#!/usr/bin/env bash
# Installs the Debian packages gilport needs: LLVM/Clang 19 for the tool, lit/FileCheck for
# the tests, and CPython's build dependencies for the reference runtime.
# Idempotent: packages are checked with dpkg-query first, so a second run calls no apt-get.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

packages=(
  # the tool and its tests
  clang-19 libclang-19-dev llvm-19-dev llvm-19-tools clang-tools-19 libyaml-cpp-dev
  cmake ninja-build build-essential dpkg-dev pkg-config python3 libgtest-dev patch
  # git diffs for --changed-lines, and the pre-commit hook's test
  git pre-commit
  # Python 3.11 headers for the GIL-build baseline; ThreadSanitizer runtime for --tsan builds
  python3-dev libclang-rt-19-dev
  # CPython builds (the reference 3.13t runtime, the 3.11 tree) and compile_commands.json
  libssl-dev libffi-dev zlib1g-dev libbz2-dev liblzma-dev libsqlite3-dev libreadline-dev
  libgdbm-dev libgdbm-compat-dev uuid-dev libexpat1-dev libnsl-dev tk-dev bear
  # a real meson build's compile database (test/cli/meson-database.test)
  meson
  # the measurement rig (bench/run): plots, crcmod's setup.py, checking the HTML report renders
  python3-matplotlib python3-setuptools chromium
  # `gilport pytest` runs Debian's pytest under 3.13t (test/pytest)
  python3-pytest
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "${p}" 2>/dev/null || true)
  [[ ${status} == installed ]] || missing+=("${p}")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  log "all ${#packages[@]} packages already installed"
  exit 0
fi

log "installing: ${missing[*]}"
# env: sudo would drop an exported DEBIAN_FRONTEND.
as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q || die "apt-get update failed"
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" \
  || die "apt-get install failed for: ${missing[*]}"
