#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine:
#   Debian's chromium (browser tests; never a browser download), bubblewrap (the grading sandbox),
#   postgresql (the gradebook-on-a-server test), fonts-nanum (Hangul glyphs for the Korean pages; the smallest
#   Debian Korean font, 33 MB against fonts-noto-cjk's 91 MB), then the pinned Python requirements and, with npm,
#   axe-core.
# Run from anywhere: `bash tests/setup.sh`. Needs root (or sudo) for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(chromium bubblewrap postgresql fonts-nanum)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -r requirements.txt

# axe-core for the accessibility tests (npm, pinned by tests/accessibility/package-lock.json; injected into Chromium)
if command -v npm >/dev/null 2>&1; then
  npm ci --prefix tests/accessibility --no-audit --no-fund --loglevel=error >/dev/null
else
  echo "setup: npm not found: the accessibility tests will fail in CI (Debian: apt-get install npm)"
fi
