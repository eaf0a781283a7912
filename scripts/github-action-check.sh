#!/usr/bin/env bash
# The `gilport check` step of the GitHub Action (action.yml). The action's
# inputs arrive in the environment, never pasted into a script, so a path
# with a quote or `$(...)` in it stays a path:
#   GILPORT_BIN       the gilport binary (default: gilport)
#   GILPORT_PATHS     files and directories, separated by spaces (default: .)
#   GILPORT_BASELINE  a baseline file, or empty
#   GILPORT_ARGS      more arguments, separated by spaces
#   GILPORT_SARIF     where the SARIF report goes (default: gilport.sarif)
# It writes gilport's exit status as `exit-code=N` to $GITHUB_OUTPUT and
# exits 0: the annotations and the upload come first, the verdict last.
set -u
read -r -a paths <<< "${GILPORT_PATHS:-.}"
read -r -a extra <<< "${GILPORT_ARGS:-}"
baseline=()
if [[ -n "${GILPORT_BASELINE:-}" ]]; then
  baseline=("--baseline=${GILPORT_BASELINE}")
fi
status=0
"${GILPORT_BIN:-gilport}" check "${paths[@]}" "${baseline[@]}" "${extra[@]}" \
  --format=sarif -o "${GILPORT_SARIF:-gilport.sarif}" || status=$?
echo "exit-code=${status}" >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT must name a file}"
