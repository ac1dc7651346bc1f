#!/usr/bin/env bash
# Install Debian packages the tests or tools need, if they are missing. Usage: tools/setup/apt.sh pkg...
# Runs apt-get as root, or through sudo when sudo needs no password; does nothing when everything is present.
#
# When it cannot install (not root and no sudo, no apt-get, or apt-get fails, e.g. offline), it says so in
# one line, naming the tests that need the missing packages (they call `debianPackage('<pkg>')` from
# @rxrnn/testing, and skip themselves), and succeeds, so that `npm test` runs everything else.
# Under CI=true it fails instead: on CI a missing package is a broken set-up.
set -uo pipefail
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# One line: what is missing, why it cannot be installed, which tests will not run.
cannot() {
  local skipped=() p files
  for p in "${missing[@]}"; do
    local probe="$p"
    case "$p" in sword-text-*) probe=diatheke ;; esac # debianPackage('diatheke') checks diatheke and both Bibles
    files=$(cd "$root" && grep -rlE --include='*.test.ts' --exclude=debian-package.test.ts --exclude-dir=node_modules --exclude-dir=dist "debianPackage\('$probe'\)" packages apps tools 2>/dev/null | sort | paste -sd' ' -)
    [ -n "$files" ] && skipped+=("$files (need $p)")
  done
  local tests="${skipped[*]:-no test needs them}"
  if [ "${CI:-}" = "true" ]; then
    echo "tools/setup/apt.sh: cannot install ${missing[*]} ($1), and CI=true: failing; tests that need them: $tests" >&2
    exit 1
  fi
  echo "tools/setup/apt.sh: cannot install ${missing[*]} ($1); running everything else; not run: $tests"
  exit 0
}

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then SUDO=(sudo -n); else cannot "not root, and no sudo"; fi
fi
command -v apt-get >/dev/null 2>&1 || cannot "no apt-get"
echo "tools/setup/apt.sh: installing ${missing[*]}"
log="$(mktemp)"
if ! { "${SUDO[@]}" apt-get update -qq && "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cannot "apt-get failed, offline? its output: $log"
fi
rm -f "$log"
