/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: a long operation on the bus (org.linuxcontainers.LXC1.Job) */
#pragma once

#include <sys/types.h>

#include "lxcd-dbus-generated.h"
#include "lxcd-types.h"

G_BEGIN_DECLS

#define LXCD_TYPE_JOB (lxcd_job_get_type ())
G_DECLARE_FINAL_TYPE (LxcdJob, lxcd_job, LXCD, JOB, LxcdDBusJobSkeleton)

LxcdJob      *lxcd_job_new (const char *operation, uid_t started_by, gboolean cancelable,
                            const char *container, const char *lxcpath);
void          lxcd_job_add_object (LxcdJob *self, const char *object_path);
void          lxcd_job_add_target (LxcdJob *self, const char *container, const char *lxcpath);
GCancellable *lxcd_job_get_cancellable (LxcdJob *self);
void          lxcd_job_set_progress (LxcdJob *self, double progress);
const char   *lxcd_job_get_object_path (LxcdJob *self);
void          lxcd_job_set_object (LxcdJob *self, LxcdDBusObjectSkeleton *object);
LxcdDBusObjectSkeleton *lxcd_job_get_object (LxcdJob *self);
void          lxcd_job_complete (LxcdJob *self, const GError *error);
void          lxcd_job_track_copy (LxcdJob *self, const char *source_dir, const char *target_dir);

G_END_DECLS
