/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: one D-Bus method call from validation to its reply */
#pragma once

#include <gio/gio.h>
#include <gio/gunixfdlist.h>
#include <sys/types.h>

#include "lxcd-methods.h"
#include "lxcd-types.h"

G_BEGIN_DECLS


/* Where an operation is; see the diagram at the top of lxcd-operation.c. */
typedef enum {
  LXCD_OPERATION_NEW,         /* validated by its handler, nothing asked yet */
  LXCD_OPERATION_AUTHORIZING, /* polkit is being asked */
  LXCD_OPERATION_RUNNING,     /* authorized; its limit token, slot and job are held */
  LXCD_OPERATION_RETURNED,    /* replied; everything it held is released (a kept
                               * token: with the last reference) */
} LxcdOperationState;

/* main thread */
typedef void (*LxcdOperationFunc) (LxcdOperation *op);
/* main thread: the step ended; @error is NULL on success */
typedef void (*LxcdOperationDone) (LxcdOperation *op, const GError *error);
/* a worker thread */
typedef gboolean (*LxcdOperationWork) (LxcdOperation *op, GCancellable *cancellable,
                                       GError **error);
/* main thread: what lxc-dbus-helper printed (NULL and @error if it failed) */
typedef void (*LxcdOperationOutput) (LxcdOperation *op, const char *output, const GError *error);

LxcdOperation *lxcd_operation_new   (GDBusMethodInvocation *invocation, LxcdDaemon *daemon,
                                     LxcdContainer *container);
LxcdOperation *lxcd_operation_ref   (LxcdOperation *op);
void           lxcd_operation_unref (LxcdOperation *op);

void     lxcd_operation_set_data (LxcdOperation *op, gpointer data, GDestroyNotify destroy);
gpointer lxcd_operation_get_data (LxcdOperation *op);

GDBusMethodInvocation *lxcd_operation_get_invocation  (LxcdOperation *op);
LxcdDaemon            *lxcd_operation_get_daemon      (LxcdOperation *op);
LxcdContainer         *lxcd_operation_get_container   (LxcdOperation *op);
const LxcdMethod      *lxcd_operation_get_method      (LxcdOperation *op);
LxcdOperationState     lxcd_operation_get_state       (LxcdOperation *op);
uid_t                  lxcd_operation_get_uid         (LxcdOperation *op);
GCancellable          *lxcd_operation_get_cancellable (LxcdOperation *op);
LxcdJob               *lxcd_operation_get_job         (LxcdOperation *op);

/* What polkit is asked (before lxcd_operation_authorize()) */
void lxcd_operation_set_action  (LxcdOperation *op, const char *action_id);
void lxcd_operation_set_subject (LxcdOperation *op, const char *container, const char *lxcpath);
void lxcd_operation_add_detail  (LxcdOperation *op, const char *name, const char *value);
void lxcd_operation_require     (LxcdOperation *op, const char *action_id);
void lxcd_operation_set_denial  (LxcdOperation *op, const GError *error);

void lxcd_operation_authorize (LxcdOperation *op, LxcdOperationFunc run);

/* Steps, once running */
gboolean lxcd_operation_reserve_name (LxcdOperation *op, const char *name, GError **error);
LxcdJob *lxcd_operation_start_job    (LxcdOperation *op, const char *operation);
void     lxcd_operation_release_slot (LxcdOperation *op);
void     lxcd_operation_run_in_worker (LxcdOperation *op, LxcdOperationWork work,
                                       LxcdOperationDone done);
void     lxcd_operation_run_helper    (LxcdOperation *op, const char *const *args,
                                       const char *stdin_text, LxcdOperationOutput done);
void     lxcd_operation_reread        (LxcdOperation *op, const char *lxcpath, const char *name,
                                       LxcdOperationDone done);

/* The one reply */
void lxcd_operation_return           (LxcdOperation *op, GVariant *value);
void lxcd_operation_return_error     (LxcdOperation *op, const GError *error);
void lxcd_operation_return_new_error (LxcdOperation *op, gint code, const char *format, ...)
  G_GNUC_PRINTF (3, 4);

/* Operations that outlive their reply */
void lxcd_operation_return_with_fds (LxcdOperation *op, GVariant *value, GUnixFDList *fd_list);
void lxcd_operation_keep_token      (LxcdOperation *op);
void lxcd_operation_on_abandoned    (LxcdOperation *op, LxcdOperationFunc stop);

/* A Job that names more than its container from its first appearance */
LxcdJob *lxcd_operation_prepare_job (LxcdOperation *op, const char *operation);
void     lxcd_operation_export_job  (LxcdOperation *op);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LxcdOperation, lxcd_operation_unref)

G_END_DECLS
