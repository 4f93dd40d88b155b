#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# lxc-dbus quick start, as root on Debian 12:
#   - installs the packages (contrib/install-deps.sh),
#   - builds lxc-dbus (_build/quickstart),
#   - creates a busybox container "demo" (network type "empty") in the
#     served lxcpath (liblxc's lxc.lxcpath, usually /var/lib/lxc),
#   - runs the service:
#       * on the running system bus when there is one: installs it
#         (meson install: daemon, bus policy, polkit actions, activation
#         file, systemd unit, config) and starts it;
#       * otherwise on a private system bus with the real polkitd
#         (tests/devstack), printing the DBUS_SYSTEM_BUS_ADDRESS to use.
#
#   contrib/quickstart.sh          set up and start
#   contrib/quickstart.sh --stop   stop what it started
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
state_dir=/run/lxc-dbus-quickstart
build=_build/quickstart

if [ "$(id -u)" != 0 ]; then
    echo "quickstart.sh: run as root" >&2
    exit 1
fi

system_bus_running() {
    [ -S /run/dbus/system_bus_socket ] &&
        timeout 5 dbus-send --system --print-reply --dest=org.freedesktop.DBus \
            /org/freedesktop/DBus org.freedesktop.DBus.GetId >/dev/null 2>&1
}

if [ "${1:-}" = --stop ]; then
    if [ -f "$state_dir/devstack.json" ]; then
        tests/devstack --stop --state-dir "$state_dir"
    elif [ -f "$state_dir/lxc-dbus.pid" ]; then
        kill "$(cat "$state_dir/lxc-dbus.pid")" 2>/dev/null || true
        rm -f "$state_dir/lxc-dbus.pid"
    elif [ -d /run/systemd/system ]; then
        systemctl stop lxc-dbus.service
    fi
    echo "quickstart.sh: stopped (containers keep running)"
    exit 0
fi

contrib/install-deps.sh

if [ -f "$build/build.ninja" ]; then
    meson setup --reconfigure "$build" --prefix=/usr --sysconfdir=/etc >/dev/null
else
    meson setup "$build" --prefix=/usr --sysconfdir=/etc >/dev/null
fi
ninja -C "$build"

lxcpath=$(lxc-config lxc.lxcpath)
mkdir -p "$lxcpath"
if [ ! -f "$lxcpath/demo/config" ]; then
    echo "quickstart.sh: creating busybox container 'demo' in $lxcpath"
    lxc-create -P "$lxcpath" -t busybox -n demo >/dev/null
    sed -i '/^lxc\.net\.0\./d' "$lxcpath/demo/config"
    echo 'lxc.net.0.type = empty' >> "$lxcpath/demo/config"
fi

mkdir -p "$state_dir"
if system_bus_running; then
    echo "quickstart.sh: installing lxc-dbus for the running system bus"
    meson install -C "$build" --no-rebuild >/dev/null
    # Let the bus read the new policy file.
    dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.ReloadConfig >/dev/null
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload
        systemctl restart lxc-dbus.service
    else
        nohup /usr/libexec/lxc-dbus --replace >>/var/log/lxc-dbus.log 2>&1 &
        echo $! > "$state_dir/lxc-dbus.pid"
        for _ in $(seq 50); do
            busctl --system status org.linuxcontainers.LXC1 >/dev/null 2>&1 && break
            sleep 0.1
        done
    fi
    address_line=""
else
    echo "quickstart.sh: no system bus here; starting a private one with polkitd"
    tests/devstack --stop --state-dir "$state_dir" >/dev/null 2>&1 || true
    address_line=$(tests/devstack --daemon "$top/$build/src/lxc-dbus" --lxcpath "$lxcpath" \
                                  --state-dir "$state_dir")
    eval "$address_line"
    export DBUS_SYSTEM_BUS_ADDRESS
fi

busctl --system call org.linuxcontainers.LXC1 /org/linuxcontainers/LXC1/Manager \
    org.linuxcontainers.LXC1.Manager ListContainers 'sa{sv}' all 0 >/dev/null

cat <<EOT

lxc-dbus is running and serves $lxcpath (container "demo").
${address_line:+
First, in your shell (a private system bus; stop it with: contrib/quickstart.sh --stop):

    $address_line
}
Try:

    busctl --system tree org.linuxcontainers.LXC1
    busctl --system call org.linuxcontainers.LXC1 /org/linuxcontainers/LXC1/containers/demo \\
        org.linuxcontainers.LXC1.Container Start 'a{sv}' 0
    busctl --system get-property org.linuxcontainers.LXC1 /org/linuxcontainers/LXC1/containers/demo \\
        org.linuxcontainers.LXC1.Container State
    gdbus monitor --system -d org.linuxcontainers.LXC1

EOT
