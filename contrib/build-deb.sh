#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Build the Debian package from this tree and check it with lintian.
#
#   contrib/build-deb.sh [OUTDIR]     (default OUTDIR: _build/deb)
#
# The tree's files (tracked, plus untracked ones git does not ignore) are
# copied to a scratch directory, so build products never land in the
# source tree; `dpkg-buildpackage -us -uc -b` builds there, lintian checks
# the result, and the .deb, .buildinfo, .changes and lintian's report
# (lintian.txt) are copied to OUTDIR. Exits non-zero when the build fails
# or lintian reports an error. Needs debhelper, dpkg-dev and lintian
# (contrib/install-deps.sh installs them).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/_build/deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)
scratch=$(mktemp -d /tmp/lxc-dbus-deb.XXXXXX)
trap 'rm -rf "$scratch"' EXIT

mkdir "$scratch/lxc-dbus"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
    git -C "$top" ls-files -z --cached --others --exclude-standard |
        (cd "$top" && tar --null -T - -cf -) | tar -xf - -C "$scratch/lxc-dbus"
else
    tar -C "$top" --exclude=./_build -cf - . | tar -xf - -C "$scratch/lxc-dbus"
fi

start=$(date +%s)
(cd "$scratch/lxc-dbus" && dpkg-buildpackage -us -uc -b) > "$out/build.log" 2>&1 || {
    tail -50 "$out/build.log" >&2
    echo "build-deb.sh: dpkg-buildpackage failed (log: $out/build.log)" >&2
    exit 1
}
echo "build-deb.sh: built in $(( $(date +%s) - start )) s"

rm -f "$out"/*.deb "$out"/*.buildinfo "$out"/*.changes
cp "$scratch"/*.deb "$scratch"/*.buildinfo "$scratch"/*.changes "$out"/
changes=$(ls "$out"/*.changes)
# --fail-on error: warnings are reported (and explained in the README's
# packaging notes), errors fail.
status=0
lintian --info --display-info --fail-on error "$changes" > "$out/lintian.txt" 2>&1 || status=$?
cat "$out/lintian.txt"
if [ "$status" -ne 0 ]; then
    echo "build-deb.sh: lintian reported errors" >&2
    exit 1
fi
ls "$out"/*.deb
