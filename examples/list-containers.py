#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Example of liblxc-dbus-1 through GObject Introspection: list the
containers, then print their state changes until interrupted."""
import gi
gi.require_version('LxcDBus', '1.0')
from gi.repository import GLib, LxcDBus

client = LxcDBus.Client.new_sync(None)
for c in client.get_containers():
    print('%-20s %-10s %d' % (c.props.name, c.props.state, c.props.init_pid))


def on_state(container, new_state, old_state):
    print('%s: %s -> %s' % (container.props.name, old_state, new_state))


for c in client.get_containers():
    c.connect('state-changed', on_state)
client.connect('container-added', lambda client, c: c.connect('state-changed', on_state))
GLib.MainLoop().run()
