# shellcheck shell=bash
# Shared helpers for gilport's scripts. Source it; do not run it.
# Everything that logs goes to stderr so scripts can print results on stdout.

# Root of the gilport source tree (the parent of scripts/).
repo_root() {
  (cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
}

# Downloads and builds live outside the work tree, in a cache shared by the tool and the tests.
gilport_cache_dir() {
  printf '%s\n' "${GILPORT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gilport}"
}

log() {
  printf 'gilport: %s\n' "$*" >&2
}

die() {
  printf 'gilport: error: %s\n' "$*" >&2
  exit 1
}

# Run a command with root privileges (directly when already root).
as_root() {
  if [[ ${EUID} -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root for: $* (run as root or install sudo)"
  fi
}

# Seconds since the epoch, for timing messages.
now() { date +%s; }
