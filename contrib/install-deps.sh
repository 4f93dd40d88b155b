#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Install everything needed to build, run and test lxc-dbus on Debian 12
# (bookworm).  Run as root.  Safe to run again: only missing packages are
# installed (apt-get update + install --no-install-recommends); packages
# already installed are neither reinstalled nor upgraded.
#
#   contrib/install-deps.sh          build + run + test dependencies
#   contrib/install-deps.sh --ci     also the CI/debugging tools
#                                    (valgrind, scan-build, codespell, gcovr, gdb,
#                                    python3-lxc for the benchmarks)
#   contrib/install-deps.sh --force  do not insist on Debian 12
#
# Package names are Debian 12's: e.g. the liblxc headers are in lxc-dev
# (there is no liblxc-dev), gdbus-codegen is in libglib2.0-dev-bin.

set -euo pipefail

usage() {
    sed -n '/^#   contrib/s/^#   //p' "$0"
}

ci=0
force=0
for arg in "$@"; do
    case "$arg" in
        --ci) ci=1 ;;
        --force) force=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "install-deps.sh: unknown argument: $arg" >&2; usage >&2; exit 2 ;;
    esac
done

if [[ $EUID -ne 0 ]]; then
    echo "install-deps.sh: must be run as root" >&2
    exit 1
fi

if [[ -r /etc/os-release ]]; then
    # shellcheck source=/dev/null
    . /etc/os-release
fi
if [[ "${ID:-}" != debian || "${VERSION_ID:-}" != 12 ]]; then
    if [[ $force -eq 0 ]]; then
        echo "install-deps.sh: this script is for Debian 12 (found: ${PRETTY_NAME:-unknown});" \
             "package names may differ elsewhere. Use --force to try anyway." >&2
        exit 1
    fi
    echo "install-deps.sh: warning: not Debian 12 (${PRETTY_NAME:-unknown}), continuing (--force)" >&2
fi

packages=(
    # --- build ---
    gcc
    clang
    libc6-dev               # only "Recommended" by gcc: needed for headers
    meson
    ninja-build
    pkg-config
    libglib2.0-dev
    libglib2.0-dev-bin      # gdbus-codegen
    libpolkit-gobject-1-dev
    libpolkit-agent-1-dev   # lxcctl's inline password prompt
    lxc-dev                 # liblxc headers + lxc.pc
    python3-docutils        # rst2man for lxc-dbus(8)
    libxml2-utils           # xmllint: validate the polkit policy / XML
    gobject-introspection   # g-ir-scanner, g-ir-compiler: the client library's GIR and typelib
    libgirepository1.0-dev  # gobject-introspection-1.0.pc, the GIRs of GLib
    valac                   # vapigen: the client library's .vapi
    gi-docgen               # the client library's API reference (-Dclient_docs=true)

    # --- run ---
    lxc                     # liblxc1, lxc-* tools, templates (lxc-busybox)
    busybox-static          # rootfs for the lxc-busybox template
    rsync                   # liblxc copies "dir" root file systems with rsync (clone)
    tmux                    # tests drive lxcctl console/shell in a terminal
    uidmap                  # newuidmap/newgidmap for containers with id maps
    iproute2                # ip: container network interfaces
    polkitd                 # polkit daemon, pkaction/pkcheck/pkttyagent, policy DTD
    dbus                    # the system bus the package depends on (default-dbus-system-bus)
    dbus-daemon
    dbus-bin                # dbus-send, dbus-monitor
    dbus-system-bus-common  # system.conf: the system bus policy the tests mirror

    # --- test ---
    util-linux              # setpriv, unshare, script
    procps                  # ps, pgrep
    libglib2.0-bin          # gdbus
    systemd                 # busctl, systemd-analyze (does not switch init)
    python3-gi              # for /usr/bin/python3 (Gio, GLib)
    gir1.2-glib-2.0
    gir1.2-polkit-1.0       # Polkit typelib for Python tests
    python3-dbus
    python3-dbusmock        # mock polkitd for unit-level tests
    man-db                  # man -l: the man pages render

    # --- Cockpit page (cockpit/, tests/test_cockpit.py) ---
    nodejs                  # node runs cockpit/build.js (npm: see below)
    cockpit-ws              # cockpit-ws --local-session serves the page in the test
    cockpit-bridge          # base1/cockpit.js, the bridge that talks to the bus
    chromium                # the real browser, headless
    chromium-driver         # chromedriver for selenium
    python3-selenium

    # --- package (contrib/build-deb.sh, tests/test_package.py) ---
    dpkg-dev                # dpkg-buildpackage
    debhelper               # dh, dh_installsystemd
    lintian
    pkgconf                 # debian/control builds with pkgconf
)

if [[ $ci -eq 1 ]]; then
    packages+=(
        valgrind
        gdb
        clang-tools         # scan-build
        codespell
        gcovr               # b_coverage reports
        python3-lxc         # bench/: direct liblxc calls beside lxc-dbus
    )
fi

export DEBIAN_FRONTEND=noninteractive

# Only ask apt for what is missing: "apt-get install" of an installed package
# would also upgrade it, and this script should not touch the rest of the
# machine.  Nothing missing: no apt-get at all (works offline).
to_install=()
for p in "${packages[@]}"; do
    if [[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != installed ]]; then
        to_install+=("$p")
    fi
done

if [[ ${#to_install[@]} -eq 0 ]]; then
    echo "install-deps.sh: all ${#packages[@]} packages are already installed"
else
    echo "install-deps.sh: apt-get update"
    apt-get -qq update
    echo "install-deps.sh: installing ${to_install[*]}"
    log=$(mktemp)
    trap 'rm -f "$log"' EXIT
    if ! apt-get -q -y -o Dpkg::Use-Pty=0 install --no-install-recommends "${to_install[@]}" >"$log" 2>&1; then
        cat "$log" >&2
        echo "install-deps.sh: apt-get install failed" >&2
        exit 1
    fi
    # Keep the output short: what got installed, and warnings.
    grep -E '^(Setting up |[0-9]+ upgraded|W: |E: )' "$log" || true
fi

# npm: some builds of nodejs ship it (and conflict with Debian's npm
# package), Debian's own nodejs does not: install the package only then.
if ! command -v npm >/dev/null 2>&1; then
    echo "install-deps.sh: installing npm"
    apt-get -q -y -o Dpkg::Use-Pty=0 install --no-install-recommends npm >/dev/null
fi

# Fail loudly if something the build needs is still missing.
missing=()
for pc in glib-2.0 gio-2.0 gio-unix-2.0 lxc polkit-gobject-1 gobject-introspection-1.0; do
    pkg-config --exists "$pc" || missing+=("pkg-config:$pc")
done
for tool in gcc meson ninja gdbus-codegen g-ir-scanner g-ir-compiler vapigen gi-docgen \
            rst2man xmllint dbus-daemon dbus-send \
            busctl gdbus setpriv unshare lxc-create rsync busybox \
            dpkg-buildpackage dh lintian systemd-analyze node npm chromium chromedriver; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[[ -x /usr/lib/polkit-1/polkitd ]] || missing+=(/usr/lib/polkit-1/polkitd)
[[ -x /usr/lib/cockpit/cockpit-ws ]] || missing+=(/usr/lib/cockpit/cockpit-ws)
/usr/bin/python3 -c 'import gi, dbus; gi.require_version("Gio", "2.0"); from gi.repository import Gio' \
    2>/dev/null || missing+=("python3-gi/python3-dbus for /usr/bin/python3")
if [[ ${#missing[@]} -gt 0 ]]; then
    echo "install-deps.sh: still missing after install: ${missing[*]}" >&2
    exit 1
fi

echo "install-deps.sh: done (glib $(pkg-config --modversion glib-2.0)," \
     "liblxc $(pkg-config --modversion lxc), polkit $(pkg-config --modversion polkit-gobject-1))"
