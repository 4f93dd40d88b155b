/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: per-caller limits on concurrent operations
 *
 * Every operation that holds a helper process, a job or a session open for
 * a while (create, clone, snapshots, destroy, lifecycle calls, RunCommand,
 * Attach, OpenShell, OpenConsole) takes a token for its caller's uid once
 * it is authorized and gives it back when it ends. A uid holding as many
 * tokens as the limit gets LimitsExceeded until one ends, so that one user
 * whom polkit trusts with some containers cannot exhaust the service's
 * processes, threads or descriptors. Root is not limited. Main thread.
 */
#include "config.h"

#include "lxcd-error.h"
#include "lxcd-limits.h"

struct _LxcdLimits {
  gint ref_count;
  guint max_per_uid;   /* 0: no limit */
  GHashTable *counts;  /* uid -> number of tokens held */
};

struct _LxcdLimitToken {
  LxcdLimits *limits;
  uid_t uid;
};

/**
 * lxcd_limits_new:
 * @max_per_uid: how many operations one uid may run at once; 0 for no limit
 */
LxcdLimits *
lxcd_limits_new (guint max_per_uid)
{
  LxcdLimits *limits = g_new0 (LxcdLimits, 1);

  limits->ref_count = 1;
  limits->max_per_uid = max_per_uid;
  limits->counts = g_hash_table_new (g_direct_hash, g_direct_equal);
  return limits;
}

LxcdLimits *
lxcd_limits_ref (LxcdLimits *limits)
{
  limits->ref_count++;
  return limits;
}

void
lxcd_limits_unref (LxcdLimits *limits)
{
  if (--limits->ref_count > 0)
    return;
  g_hash_table_unref (limits->counts);
  g_free (limits);
}

/**
 * lxcd_limits_get_count:
 *
 * How many operations @uid runs now.
 */
guint
lxcd_limits_get_count (LxcdLimits *limits, uid_t uid)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (limits->counts, GUINT_TO_POINTER (uid)));
}

/**
 * lxcd_limits_acquire:
 *
 * Returns: (transfer full): a token to release when the operation ends, or
 * %NULL with %LXCD_ERROR_LIMITS_EXCEEDED.
 */
LxcdLimitToken *
lxcd_limits_acquire (LxcdLimits *limits, uid_t uid, GError **error)
{
  LxcdLimitToken *token;
  guint count = lxcd_limits_get_count (limits, uid);

  if (uid != 0 && limits->max_per_uid > 0 && count >= limits->max_per_uid)
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_LIMITS_EXCEEDED,
                   "User %u already runs %u operations, the most one user may run at once; "
                   "try again when one has ended", (unsigned) uid, count);
      return NULL;
    }
  g_hash_table_insert (limits->counts, GUINT_TO_POINTER (uid), GUINT_TO_POINTER (count + 1));
  token = g_new0 (LxcdLimitToken, 1);
  token->limits = lxcd_limits_ref (limits);
  token->uid = uid;
  return token;
}

void
lxcd_limit_token_release (LxcdLimitToken *token)
{
  guint count;

  if (token == NULL)
    return;
  count = lxcd_limits_get_count (token->limits, token->uid);
  g_assert (count > 0);
  if (count == 1)
    g_hash_table_remove (token->limits->counts, GUINT_TO_POINTER (token->uid));
  else
    g_hash_table_insert (token->limits->counts, GUINT_TO_POINTER (token->uid),
                         GUINT_TO_POINTER (count - 1));
  lxcd_limits_unref (token->limits);
  g_free (token);
}
