#!/usr/bin/env bash
# Install the Debian packages lockin needs beyond what pip installs: make,
# and the shared libraries WeasyPrint (the PDF renderer of `lockin report`)
# loads at run time on Debian 12, as its install guide lists them: Pango
# with its FreeType backend, HarfBuzz (with its subsetter, which embeds only
# the glyphs a report uses), fontconfig and one font family.
#
# Only what is missing is installed, so a second call costs a few dpkg
# look-ups. On a system without dpkg, or without root, it says what to
# install (docs/operations.md has the commands for other systems).
set -euo pipefail

packages=(make libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 fonts-dejavu-core)

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "lockin: not a Debian system; make sure Pango is installed for the PDF report (docs/operations.md)" >&2
    exit 0
fi

missing=()
for package in "${packages[@]}"; do
    # dpkg -s also succeeds for removed packages whose configuration remains.
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
((${#missing[@]})) || exit 0

if [[ $(id -u) -ne 0 ]]; then
    echo "lockin: missing Debian packages: ${missing[*]}" >&2
    echo "lockin: install them with: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 1
fi
echo "installing Debian packages: ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
