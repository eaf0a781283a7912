#!/usr/bin/env bash
# Usage: dev.sh setup | check-examples | test
#   setup           install the Debian packages, build gilport (build/), build the reference
#                   free-threaded runtime (<cache>/python3.13t)
#   check-examples  setup, then run `gilport check examples/`
#   test            setup, build the ThreadSanitizer runtime (<cache>/python3.13t-tsan, for
#                   `gilport stress --tsan`), prepare the CPython 3.11 and 3.13 trees and
#                   crcmod, fetch the 3.14 and 3.15 headers, run the whole lit suite; the
#                   last line is "N passed, N failed"
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

root=$(repo_root)
scripts="${root}/scripts"
lit=/usr/lib/llvm-19/build/utils/lit/lit.py

setup() {
  bash "${scripts}/install-deps.sh"
  if [[ ! -f ${root}/build/build.ninja ]]; then
    log "configuring gilport in ${root}/build"
    cmake -S "${root}" -B "${root}/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DLLVM_EXTERNAL_LIT="${lit}" >&2 || die "cmake configure failed"
  fi
  log "building gilport"
  ninja -C "${root}/build" >&2 || die "building gilport failed"
  bash "${scripts}/build-python-ft.sh" >&2
}

check_examples() {
  setup
  local rc=0
  "${root}/build/bin/gilport" check "${root}/examples/" || rc=$?
  # 1 means "findings": the examples are written for the GIL, so that is expected.
  if [[ ${rc} -gt 1 ]]; then
    die "gilport check examples/ failed with exit status ${rc}"
  fi
  log "gilport check examples/: exit status ${rc} ($([[ ${rc} -eq 1 ]] && echo findings || echo clean))"
}

run_tests() {
  # Keep the promised last line even when the set-up fails before lit runs.
  trap 'echo "0 passed, 0 failed"' EXIT
  setup
  # Only the tests need it: a second CPython build (cached; about 30 min on 2 cores).
  bash "${scripts}/build-python-ft.sh" --tsan >&2
  if [[ -f ${scripts}/prepare-cpython-tree.sh ]]; then
    bash "${scripts}/prepare-cpython-tree.sh" >&2
    # The measurement rig's corpora (bench/run, test/bench): CPython 3.13 as ported by its
    # developers, and a third-party extension. Both are cached like the 3.11 tree.
    bash "${scripts}/prepare-cpython-tree.sh" python3.13 trixie >&2
    bash "${scripts}/prepare-crcmod-tree.sh" >&2
  fi
  # The 3.14 and 3.15 headers of --target-python (Debian's binary packages; a few MB).
  bash "${scripts}/fetch-python-headers.sh" 3.14 3.15 >&2
  trap - EXIT

  # Missing runtimes or trees are configuration errors here, never silent skips.
  export GILPORT_REQUIRE_ALL=1
  local log_file="${root}/build/lit.log" results="${root}/build/lit-results.json"
  rm -f "${results}"
  local rc=0
  # pipefail: rc is lit's status.
  python3 "${lit}" -sv -o "${results}" "${root}/build/test" 2>&1 </dev/null | tee "${log_file}" || rc=$?

  # Count from lit's JSON report rather than its human-readable summary.
  local counts
  counts=$(python3 - "${results}" <<'EOF'
import json, sys
try:
    tests = json.load(open(sys.argv[1]))["tests"]
except (OSError, ValueError, KeyError):
    tests = []
codes = [t["code"] for t in tests]
passed = sum(codes.count(c) for c in ("PASS", "FLAKYPASS", "XFAIL"))
failed = sum(codes.count(c) for c in ("FAIL", "UNRESOLVED", "XPASS", "TIMEOUT"))
print(passed, failed)
EOF
  )
  local passed failed
  read -r passed failed <<<"${counts}"
  log "lit log: ${log_file}"
  if [[ ${rc} -ne 0 ]]; then log "lit exited with status ${rc}"; fi
  if [[ $((passed + failed)) -eq 0 ]]; then log "no tests ran"; fi
  echo "${passed} passed, ${failed} failed"
  [[ ${rc} -eq 0 && ${failed} -eq 0 && $((passed + failed)) -gt 0 ]]
}

case "${1:-}" in
  setup) setup ;;
  check-examples) check_examples ;;
  test) run_tests ;;
  *) die "usage: $0 setup | check-examples | test" ;;
esac
