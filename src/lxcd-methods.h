/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: the method table -- what each D-Bus method needs (pure data) */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  LXCD_METHOD_AUDITED    = 1 << 0, /* one audit line per call (lxcd-audit.c) */
  LXCD_METHOD_SLOT       = 1 << 1, /* never interleaves with another on the container (Busy) */
  LXCD_METHOD_LIMITED    = 1 << 2, /* counts against the caller's operation limit */
  LXCD_METHOD_JOB        = 1 << 3, /* a Job object exists while it runs (if long) */
  LXCD_METHOD_CANCELABLE = 1 << 4, /* ... and Job.Cancel stops it */
  LXCD_METHOD_PRIVILEGED = 1 << 5, /* its check carries the detail "privileged" */
  LXCD_METHOD_JOINS      = 1 << 6, /* a call while the same method runs on the container joins
                                    * it (shares its reply) instead of Busy */
} LxcdMethodFlags;

typedef struct {
  const char *interface; /* "Container", "Manager", "Job" */
  const char *method;
  const char *action;    /* polkit action (without the prefix); NULL: no check */
  LxcdMethodFlags flags;
  const char *also;      /* what needs a further action, for people; NULL if nothing */
} LxcdMethod;

const LxcdMethod *lxcd_methods_lookup (const char *interface, const char *method);
const LxcdMethod *lxcd_methods_table (guint *n_methods);
char             *lxcd_methods_action_id (const LxcdMethod *method);
void              lxcd_methods_guard (gpointer skeleton);

G_END_DECLS
