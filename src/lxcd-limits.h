/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: per-caller limits on concurrent operations */
#pragma once

#include <gio/gio.h>
#include <sys/types.h>

G_BEGIN_DECLS

typedef struct _LxcdLimits LxcdLimits;
typedef struct _LxcdLimitToken LxcdLimitToken;

/* Default of [Limits] OperationsPerUser= */
#define LXCD_DEFAULT_OPERATIONS_PER_USER 16

LxcdLimits     *lxcd_limits_new          (guint max_per_uid);
LxcdLimits     *lxcd_limits_ref          (LxcdLimits *limits);
void            lxcd_limits_unref        (LxcdLimits *limits);
guint           lxcd_limits_get_count    (LxcdLimits *limits, uid_t uid);
LxcdLimitToken *lxcd_limits_acquire      (LxcdLimits *limits, uid_t uid, GError **error);
void            lxcd_limit_token_release (LxcdLimitToken *token);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LxcdLimits, lxcd_limits_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LxcdLimitToken, lxcd_limit_token_release)

G_END_DECLS
