/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* liblxc-dbus: the one header applications include */
#pragma once

#define LXC_DBUS_INSIDE
#include <lxc-dbus/lxcdbus-generated.h>
#include <lxc-dbus/lxcdbus-enumtypes.h>
#include <lxc-dbus/lxcdbuserror.h>
#include <lxc-dbus/lxcdbusclient.h>
#undef LXC_DBUS_INSIDE
