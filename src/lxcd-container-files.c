/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lxc-dbus: Container.CopyTo and CopyFrom
 *
 * A file goes into or out of a running container through a descriptor
 * the caller passes (D-Bus unix fd). The daemon never opens the path: it
 * validates the call, asks polkit for exec (the caller acts as root
 * inside), and has lxc-dbus-helper (`copy-to`, `copy-from`,
 * lxcd-helper-files.c) attach to every namespace of the container and do
 * the copy there, with the caller's descriptor as its stdin or stdout; so
 * the path is resolved in the container's own mount namespace and root
 * directory, and no link the container planted leads to a host file. The
 * daemon's copy of the caller's descriptor is closed as soon as the helper
 * is spawned. The helper reports one line on a pipe ("done ..." or
 * "error CODE TEXT", lxcd-helper-proto.h).
 *
 * Each call is an LxcdOperation with a cancelable Job (copy-to,
 * copy-from): cancelling it, or the caller leaving the bus, kills the
 * helper's process group, the attached copy with it. The main loop never
 * waits for the copy: the bytes never pass through the daemon.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixfdlist.h>
#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lxcd-container.h"
#include "lxcd-daemon.h"
#include "lxcd-error.h"
#include "lxcd-operation.h"
#include "lxcd-spawn.h"
#include "lxcd-util.h"

/* The default of the option max_size, in bytes. */
#define FILES_DEFAULT_MAX_SIZE (G_GUINT64_CONSTANT (1) << 30)

/* What CopyTo and CopyFrom keep besides their LxcdOperation. */
typedef struct {
  gboolean to_container;
  int fd; /* the caller's, ours until handed to the helper */
  char *path;
  GPtrArray *args; /* the helper's arguments */
  LxcdHelperProc *helper;
  GDataInputStream *report;
} Files;

static void
files_free (Files *files)
{
  if (files->fd >= 0)
    close (files->fd);
  g_clear_pointer (&files->helper, lxcd_helper_proc_unref);
  g_clear_object (&files->report);
  g_ptr_array_unref (files->args);
  g_free (files->path);
  g_free (files);
}

/* main thread: stops the copy (the helper and the attached process share
 * the helper's process group) */
static void
files_kill (Files *files)
{
  if (files->helper)
    lxcd_helper_proc_kill_tree (files->helper);
}

/* main thread: the caller left the bus, or cancelled the Job */
static void
files_stop (LxcdOperation *op)
{
  files_kill (lxcd_operation_get_data (op));
}

/* The helper's "error CODE TEXT" as an error. */
static GError *
report_error (char *text)
{
  char *end = NULL;
  long code = strtol (text, &end, 10);

  return lxcd_helper_error ((int) code, end ? g_strstrip (end) : NULL, "The copy failed");
}

/* main thread: "done ..." as the reply's value, or NULL */
static GVariant *
parse_done (Files *files, const char *text)
{
  guint mode, uid, gid;
  guint64 size;
  char extra;

  if (files->to_container)
    return sscanf (text, "%" G_GUINT64_FORMAT " %c", &size, &extra) == 1 ? g_variant_new ("()") :
                                                                           NULL;
  if (sscanf (text, "%u %u %u %" G_GUINT64_FORMAT " %c", &mode, &uid, &gid, &size, &extra) != 4)
    return NULL;
  {
    GVariantBuilder b;

    g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sv}"));
    g_variant_builder_add (&b, "{sv}", "mode", g_variant_new_uint32 (mode));
    g_variant_builder_add (&b, "{sv}", "uid", g_variant_new_uint32 (uid));
    g_variant_builder_add (&b, "{sv}", "gid", g_variant_new_uint32 (gid));
    g_variant_builder_add (&b, "{sv}", "size", g_variant_new_uint64 (size));
    return g_variant_new ("(a{sv})", &b);
  }
}

/* main thread: the helper's one line; the read holds a reference, the
 * flow's is there for the return */
static void
report_line_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(LxcdOperation) op = user_data; /* the read's */
  Files *files = lxcd_operation_get_data (op);
  gboolean cancelled = g_cancellable_is_cancelled (lxcd_operation_get_cancellable (op));
  g_autoptr(GError) error = NULL;
  g_autofree char *line =
    g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), res, NULL, &error);
  GVariant *value;

  if (lxcd_operation_get_state (op) == LXCD_OPERATION_RETURNED)
    return;
  if (cancelled)
    lxcd_operation_return_new_error (op, LXCD_ERROR_CANCELLED, "Cancelled: the copy was stopped");
  else if (line == NULL && error)
    lxcd_operation_return_error (op, error);
  else if (line == NULL)
    lxcd_operation_return_new_error (op, LXCD_ERROR_FAILED,
                                     "The copy helper ended without a report");
  else if (g_str_has_prefix (line, LXCD_RUN_REPORT_ERROR))
    {
      g_autoptr(GError) e = report_error (line + strlen (LXCD_RUN_REPORT_ERROR));
      lxcd_operation_return_error (op, e);
    }
  else if (g_str_has_prefix (line, LXCD_FILES_REPORT_DONE) &&
           (value = parse_done (files, line + strlen (LXCD_FILES_REPORT_DONE))) != NULL)
    lxcd_operation_return (op, value);
  else
    lxcd_operation_return_new_error (op, LXCD_ERROR_FAILED, "The copy helper's report is garbled");
}

/* main thread: the helper has been reaped */
static void
helper_exited (LxcdHelperProc *proc, int wait_status, const GError *error, gpointer user_data)
{
  lxcd_operation_unref (user_data); /* the helper's */
}

/* main thread: authorized, the caller's limit token held */
static void
files_run (LxcdOperation *op)
{
  Files *files = lxcd_operation_get_data (op);
  LxcdContainer *self = lxcd_operation_get_container (op);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) pipe_in = NULL;
  int pipe_fds[2];

  if (!lxcd_container_check_attachable (self, &error) ||
      !g_unix_open_pipe (pipe_fds, FD_CLOEXEC, &error))
    {
      lxcd_operation_return_error (op, error);
      return;
    }

  g_ptr_array_insert (files->args, 0, g_strdup (lxcd_container_get_name (self)));
  g_ptr_array_insert (files->args, 0, g_strdup (lxcd_container_get_lxcpath (self)));
  g_ptr_array_insert (files->args, 0, g_strdup (files->to_container ? "copy-to" : "copy-from"));
  g_ptr_array_add (files->args, NULL);
  /* the caller's descriptor is the helper's stdin (CopyTo) or stdout
   * (CopyFrom); the report pipe its fd 3 */
  files->helper = lxcd_helper_launch (lxcd_daemon_get_helper_path (lxcd_operation_get_daemon (op)),
                                      (const char *const *) files->args->pdata,
                                      files->to_container ? files->fd : -1,
                                      files->to_container ? -1 : files->fd, -1, pipe_fds[1],
                                      helper_exited, op, &error);
  /* the daemon's copies are closed here, whatever happened */
  close (files->fd);
  files->fd = -1;
  close (pipe_fds[1]);
  pipe_in = g_unix_input_stream_new (pipe_fds[0], TRUE);
  files->report = g_data_input_stream_new (pipe_in);
  if (files->helper == NULL)
    {
      lxcd_operation_return_error (op, error);
      return;
    }
  lxcd_operation_ref (op); /* (helper_exited's) */

  lxcd_operation_start_job (op, files->to_container ? "copy-to" : "copy-from");
  lxcd_operation_on_abandoned (op, files_stop);
  /* The flow's reference stays for the return in report_line_cb(). */
  g_data_input_stream_read_line_async (files->report, G_PRIORITY_DEFAULT, NULL, report_line_cb,
                                       lxcd_operation_ref (op));
}

/* main thread: a path inside the container naming a file: absolute, no
 * "..", no control characters, at most LXCD_MAX_PATH_LEN bytes, and a
 * last component that is a name (not "/", "." or a trailing "/") */
static gboolean
check_path (const char *path, GError **error)
{
  const char *base;

  if (!lxcd_validate_container_path ("Path", path, error))
    return FALSE;
  base = strrchr (path, '/') + 1;
  if (*base == '\0' || g_str_equal (base, "."))
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "Path '%s' must name a file, not a directory", path);
      return FALSE;
    }
  return TRUE;
}

/* main thread: the caller's descriptor @handle, open for reading
 * (@for_writing FALSE) or writing, not a directory */
static int
take_fd (GUnixFDList *fd_list, GVariant *handle, gboolean for_writing, GError **error)
{
  gint32 index = g_variant_get_handle (handle);
  struct stat st;
  int fd, flags, mode;

  if (fd_list == NULL || index < 0 || index >= g_unix_fd_list_get_length (fd_list))
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "Handle %d is not a descriptor passed with the call", index);
      return -1;
    }
  fd = g_unix_fd_list_get (fd_list, index, error); /* a dup, CLOEXEC */
  if (fd < 0)
    return -1;
  flags = fcntl (fd, F_GETFL);
  mode = flags & O_ACCMODE;
  if (flags < 0 || (flags & O_PATH) || fstat (fd, &st) < 0 || S_ISDIR (st.st_mode) ||
      (for_writing ? mode == O_RDONLY : mode == O_WRONLY))
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                   "Handle %d is not a descriptor open for %s", index,
                   for_writing ? "writing" : "reading");
      close (fd);
      return -1;
    }
  return fd;
}

/* main thread: a new operation with its Files */
static LxcdOperation *
files_new (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, gboolean to_container,
           const char *path, Files **out_files)
{
  LxcdContainer *self = LXCD_CONTAINER (iface);
  LxcdOperation *op = lxcd_operation_new (invocation, lxcd_container_get_daemon (self), self);
  Files *files = g_new0 (Files, 1);

  files->to_container = to_container;
  files->fd = -1;
  files->path = g_strdup (path);
  files->args = g_ptr_array_new_with_free_func (g_free);
  lxcd_operation_set_data (op, files, (GDestroyNotify) files_free);
  *out_files = files;
  return op;
}

/* main thread: validated; ask polkit for exec */
static gboolean
files_authorize (LxcdOperation *op, const GError *error)
{
  Files *files = lxcd_operation_get_data (op);

  if (error != NULL)
    {
      lxcd_operation_return_error (op, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  lxcd_operation_add_detail (op, "path", files->path);
  lxcd_operation_authorize (op, files_run);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* main thread: max_size, default FILES_DEFAULT_MAX_SIZE */
static guint64
get_max_size (GVariant *options)
{
  guint64 max_size = FILES_DEFAULT_MAX_SIZE;

  (void) g_variant_lookup (options, "max_size", "t", &max_size);
  return max_size;
}

/* main thread: validates CopyTo's input, makes the helper's arguments
 * after LXCPATH NAME: PATH MODE UID GID FLAGS MAXSIZE */
static gboolean
copy_to_parse (Files *files, GUnixFDList *fd_list, GVariant *source, GVariant *options,
               GError **error)
{
  static const LxcdOptionSpec specs[] = {
    { "mode", "u" },
    { "uid", "u" },
    { "gid", "u" },
    { "create_parents", "b" },
    { "replace", "b" },
    { "max_size", "t" },
    { "auth.no_user_interaction", "b" },
    { NULL, NULL },
  };
  guint32 mode = 0644, uid = 0, gid = 0;
  GString *flags = g_string_new (NULL);

  if (!check_path (files->path, error) || !lxcd_options_validate (options, specs, error))
    goto fail;
  (void) g_variant_lookup (options, "mode", "u", &mode);
  (void) g_variant_lookup (options, "uid", "u", &uid);
  (void) g_variant_lookup (options, "gid", "u", &gid);
  if (mode > 07777)
    {
      g_set_error (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT, "mode %#o has bits beyond 07777",
                   mode);
      goto fail;
    }
  /* (uid_t) -1 means "leave as it is" to chown() */
  if (uid == G_MAXUINT32 || gid == G_MAXUINT32)
    {
      g_set_error_literal (error, LXCD_ERROR, LXCD_ERROR_INVALID_ARGUMENT,
                           "uid and gid 4294967295 are not ids");
      goto fail;
    }
  files->fd = take_fd (fd_list, source, FALSE, error);
  if (files->fd < 0)
    goto fail;
  if (lxcd_options_get_boolean (options, "create_parents", FALSE))
    g_string_append_c (flags, 'p');
  if (lxcd_options_get_boolean (options, "replace", TRUE))
    g_string_append_c (flags, 'r');
  if (flags->len == 0)
    g_string_append_c (flags, '-');
  g_ptr_array_add (files->args, g_strdup (files->path));
  g_ptr_array_add (files->args, g_strdup_printf ("%u", mode));
  g_ptr_array_add (files->args, g_strdup_printf ("%u", uid));
  g_ptr_array_add (files->args, g_strdup_printf ("%u", gid));
  g_ptr_array_add (files->args, g_string_free (flags, FALSE));
  g_ptr_array_add (files->args, g_strdup_printf ("%" G_GUINT64_FORMAT, get_max_size (options)));
  return TRUE;

fail:
  g_string_free (flags, TRUE);
  return FALSE;
}

/* main thread */
static gboolean
handle_copy_to (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, GUnixFDList *fd_list,
                GVariant *source, const char *path, GVariant *options)
{
  Files *files;
  LxcdOperation *op = files_new (iface, invocation, TRUE, path, &files);
  g_autoptr(GError) error = NULL;

  (void) copy_to_parse (files, fd_list, source, options, &error);
  return files_authorize (op, error);
}

/* main thread: the helper's arguments after LXCPATH NAME: PATH MAXSIZE */
static gboolean
copy_from_parse (Files *files, GUnixFDList *fd_list, GVariant *target, GVariant *options,
                 GError **error)
{
  static const LxcdOptionSpec specs[] = {
    { "max_size", "t" },
    { "auth.no_user_interaction", "b" },
    { NULL, NULL },
  };

  if (!check_path (files->path, error) || !lxcd_options_validate (options, specs, error))
    return FALSE;
  files->fd = take_fd (fd_list, target, TRUE, error);
  if (files->fd < 0)
    return FALSE;
  g_ptr_array_add (files->args, g_strdup (files->path));
  g_ptr_array_add (files->args, g_strdup_printf ("%" G_GUINT64_FORMAT, get_max_size (options)));
  return TRUE;
}

/* main thread */
static gboolean
handle_copy_from (LxcdDBusContainer *iface, GDBusMethodInvocation *invocation, GUnixFDList *fd_list,
                  const char *path, GVariant *target, GVariant *options)
{
  Files *files;
  LxcdOperation *op = files_new (iface, invocation, FALSE, path, &files);
  g_autoptr(GError) error = NULL;

  (void) copy_from_parse (files, fd_list, target, options, &error);
  return files_authorize (op, error);
}

/**
 * lxcd_container_files_iface_init:
 *
 * Installs the handlers of this file into the Container interface.
 */
void
lxcd_container_files_iface_init (LxcdDBusContainerIface *iface)
{
  iface->handle_copy_to = handle_copy_to;
  iface->handle_copy_from = handle_copy_from;
}
