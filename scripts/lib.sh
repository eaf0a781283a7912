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

# Prints "URI SIGNED-BY" for the first configured Debian archive source (deb822 files, then
# one-line files). A source counts when one of its suites is a plain Debian codename, which
# skips -security, -updates and third-party repositories.
debian_archive_uri() {
  local codenames='^(buster|bullseye|bookworm|trixie|forky|duke|sid|stable|testing|unstable|oldstable)$'
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f ${f} ]] || continue
    awk -v re="${codenames}" 'BEGIN { RS = ""; FS = "\n" }
      {
        types = ""; uris = ""; suites = ""; key = ""; enabled = "yes"
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^#/) continue
          split($i, kv, ":"); k = tolower(kv[1]); v = substr($i, length(kv[1]) + 2)
          gsub(/^[ \t]+|[ \t]+$/, "", v)
          if (k == "types") types = v; else if (k == "uris") uris = v
          else if (k == "suites") suites = v; else if (k == "signed-by") key = v
          else if (k == "enabled") enabled = tolower(v)
        }
        if (enabled == "no" || types !~ /(^| )deb(-src)?( |$)/) next
        n = split(suites, s, /[ \t]+/)
        for (j = 1; j <= n; j++) if (s[j] ~ re) {
          split(uris, u, /[ \t]+/)
          if (key !~ /^\//) key = ""   # inline keys cannot be reused on a one-line entry
          print u[1], key; exit
        }
      }' "${f}"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f ${f} ]] || continue
    awk -v re="${codenames}" '$1 == "deb" || $1 == "deb-src" {
        i = 2; key = ""
        if ($2 ~ /^\[/) {
          for (; i <= NF; i++) {
            if ($i ~ /^\[?signed-by=/) { key = $i; sub(/^\[?signed-by=/, "", key); sub(/\]$/, "", key) }
            if ($i ~ /\]$/) { i++; break }
          }
        }
        if ($(i + 1) ~ re) { print $i, key; exit }
      }' "${f}"
  done
}
