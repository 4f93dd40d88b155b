/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: input validation and small helpers (pure logic, any thread) */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* liblxc's lxc_state_t values, in order. */
typedef enum {
  LXCD_STATE_STOPPED,
  LXCD_STATE_STARTING,
  LXCD_STATE_RUNNING,
  LXCD_STATE_STOPPING,
  LXCD_STATE_ABORTING,
  LXCD_STATE_FREEZING,
  LXCD_STATE_FROZEN,
  LXCD_STATE_THAWED,
  LXCD_STATE_N_STATES
} LxcdState;

/* Longest name of a container the service creates (a host name's limit). */
#define LXCD_MAX_NEW_NAME_LEN 63

/* Longest timeout a caller may ask for, in seconds (one day). */
#define LXCD_MAX_TIMEOUT 86400
/* Most elements accepted in a string array argument. */
#define LXCD_MAX_ARGV 1024
/* Longest single string argument element accepted, in bytes. */
#define LXCD_MAX_ARG_LEN 65536
/* Longest path accepted (the kernel's PATH_MAX). */
#define LXCD_MAX_PATH_LEN 4096
/* Longest configuration value accepted, in bytes. */
#define LXCD_MAX_CONFIG_VALUE_LEN 4096
/* Longest snapshot comment written or read, in bytes. */
#define LXCD_MAX_COMMENT_LEN 65536
/* Longest network interface name (the kernel's IFNAMSIZ - 1). */
#define LXCD_MAX_IFNAME_LEN 15

const char *lxcd_state_to_string (LxcdState state);
gboolean    lxcd_state_from_string (const char *str, LxcdState *out_state);

gboolean lxcd_validate_container_name (const char *name, GError **error);
gboolean lxcd_validate_new_container_name (const char *name, GError **error);
gboolean lxcd_validate_timeout (gint timeout, GError **error);
gboolean lxcd_validate_argv (const char *const *argv, GError **error);
gboolean lxcd_validate_ifname (const char *name, GError **error);
gboolean lxcd_ifname_is_valid (const char *name);
gboolean lxcd_validate_container_path (const char *what, const char *path, GError **error);

typedef struct {
  const char *key;
  const char *type; /* GVariant type string */
} LxcdOptionSpec;

gboolean lxcd_options_validate (GVariant *options, const LxcdOptionSpec *specs, GError **error);
gboolean lxcd_options_get_boolean (GVariant *options, const char *key, gboolean default_value);

char *lxcd_canonicalize_lxcpath (const char *path, GError **error);

G_END_DECLS
