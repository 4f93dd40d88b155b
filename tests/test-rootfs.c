/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of lxcd-rootfs.c: writing etc/hostname without following
 * anything a container controls, on a scratch directory. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lxcd-rootfs.h"

typedef struct {
  char *tmp;      /* scratch directory */
  char *rootfs;   /* tmp/rootfs */
  char *outside;  /* tmp/outside: a canary file outside the root file system */
} Fixture;

static const char canary_text[] = "canary, must not change\n";

static void
fixture_set_up (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *etc = NULL;

  fx->tmp = g_dir_make_tmp ("lxcd-rootfs-XXXXXX", &error);
  g_assert_no_error (error);
  fx->rootfs = g_build_filename (fx->tmp, "rootfs", NULL);
  fx->outside = g_build_filename (fx->tmp, "outside", NULL);
  etc = g_build_filename (fx->rootfs, "etc", NULL);
  g_assert_cmpint (g_mkdir_with_parents (etc, 0755), ==, 0);
  g_assert_true (g_file_set_contents (fx->outside, canary_text, -1, NULL));
}

static void
fixture_tear_down (Fixture *fx, gconstpointer data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", fx->tmp);

  g_assert_cmpint (system (cmd), ==, 0);
  g_free (fx->tmp);
  g_free (fx->rootfs);
  g_free (fx->outside);
}

static char *
path_in (Fixture *fx, const char *rel)
{
  return g_build_filename (fx->rootfs, rel, NULL);
}

static void
assert_canary (Fixture *fx)
{
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (fx->outside, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, canary_text);
}

static LxcdRootfsResult
write_at (Fixture *fx, char *why, size_t size)
{
  int fd = open (fx->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  LxcdRootfsResult r;

  g_assert_cmpint (fd, >=, 0);
  r = lxcd_rootfs_write_hostname_at (fd, "newname", why, size);
  close (fd);
  return r;
}

static void
test_regular (Fixture *fx, gconstpointer data)
{
  g_autofree char *hostname = path_in (fx, "etc/hostname");
  g_autofree char *text = NULL;
  g_autofree char *dirpath = g_strconcat ("dir:", fx->rootfs, NULL);
  char why[256] = "";
  struct stat st;

  g_assert_true (g_file_set_contents (hostname, "oldname\nmore\n", -1, NULL));
  g_assert_cmpint (chmod (hostname, 0640), ==, 0);
  g_assert_cmpint (write_at (fx, why, sizeof why), ==, LXCD_ROOTFS_WRITTEN);
  g_assert_true (g_file_get_contents (hostname, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "newname");
  g_assert_cmpint (stat (hostname, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0640);
  /* lxc.rootfs.path forms: "dir:PATH" and a bare directory */
  g_clear_pointer (&text, g_free);
  g_assert_cmpint (lxcd_rootfs_write_hostname (dirpath, "second", why, sizeof why), ==,
                   LXCD_ROOTFS_WRITTEN);
  g_assert_true (g_file_get_contents (hostname, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "second");
  g_clear_pointer (&text, g_free);
  g_assert_cmpint (lxcd_rootfs_write_hostname (fx->rootfs, "third", why, sizeof why), ==,
                   LXCD_ROOTFS_WRITTEN);
  g_assert_true (g_file_get_contents (hostname, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "third");
}

static void
test_missing (Fixture *fx, gconstpointer data)
{
  g_autofree char *hostname = path_in (fx, "etc/hostname");
  g_autofree char *etc = path_in (fx, "etc");
  char why[256] = "";

  g_assert_cmpint (write_at (fx, why, sizeof why), ==, LXCD_ROOTFS_SKIPPED);
  g_assert_nonnull (strstr (why, "does not exist"));
  g_assert_false (g_file_test (hostname, G_FILE_TEST_EXISTS));
  /* no etc at all */
  g_assert_cmpint (rmdir (etc), ==, 0);
  g_assert_cmpint (write_at (fx, why, sizeof why), ==, LXCD_ROOTFS_SKIPPED);
  g_assert_false (g_file_test (etc, G_FILE_TEST_EXISTS));
}

/* A symbolic link as etc/hostname (absolute and relative), as etc, and as
 * the root file system itself: never followed. */
static void
test_symlinks (Fixture *fx, gconstpointer data)
{
  g_autofree char *hostname = path_in (fx, "etc/hostname");
  g_autofree char *etc = path_in (fx, "etc");
  g_autofree char *outdir = g_build_filename (fx->tmp, "outdir", NULL);
  g_autofree char *outdir_hostname = g_build_filename (outdir, "hostname", NULL);
  g_autofree char *linkroot = g_build_filename (fx->tmp, "linkroot", NULL);
  g_autofree char *text = NULL;
  const char *targets[] = { fx->outside, "../../outside", "../../../../../../../outside", NULL };
  char why[256] = "";

  for (int i = 0; targets[i]; i++)
    {
      g_assert_cmpint (symlink (targets[i], hostname), ==, 0);
      g_assert_cmpint (write_at (fx, why, sizeof why), ==, LXCD_ROOTFS_SKIPPED);
      g_assert_nonnull (strstr (why, "symbolic link"));
      assert_canary (fx);
      g_assert_cmpint (unlink (hostname), ==, 0);
    }

  /* etc -> a host directory holding a hostname file */
  g_assert_cmpint (g_mkdir (outdir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (outdir_hostname, canary_text, -1, NULL));
  g_assert_cmpint (rmdir (etc), ==, 0);
  g_assert_cmpint (symlink (outdir, etc), ==, 0);
  g_assert_cmpint (write_at (fx, why, sizeof why), ==, LXCD_ROOTFS_SKIPPED);
  g_assert_true (g_file_get_contents (outdir_hostname, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, canary_text);
  g_assert_cmpint (unlink (etc), ==, 0);
  g_assert_cmpint (symlink ("../outdir", etc), ==, 0);
  g_assert_cmpint (write_at (fx, why, sizeof why), ==, LXCD_ROOTFS_SKIPPED);
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (outdir_hostname, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, canary_text);

  /* the root file system's own path a link (lxc.rootfs.path is the
   * service's, but its last component is not followed either) */
  g_assert_cmpint (symlink (outdir, linkroot), ==, 0);
  g_assert_cmpint (lxcd_rootfs_write_hostname (linkroot, "x", why, sizeof why), ==,
                   LXCD_ROOTFS_SKIPPED);
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (outdir_hostname, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, canary_text);
}

/* A FIFO as etc/hostname: skipped at once, not waited on. */
static void
test_fifo (Fixture *fx, gconstpointer data)
{
  g_autofree char *hostname = path_in (fx, "etc/hostname");
  char why[256] = "";
  gint64 t0;

  g_assert_cmpint (mkfifo (hostname, 0644), ==, 0);
  t0 = g_get_monotonic_time ();
  g_assert_cmpint (write_at (fx, why, sizeof why), ==, LXCD_ROOTFS_SKIPPED);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 2 * G_USEC_PER_SEC);
  g_assert_nonnull (strstr (why, "not a regular file"));
  g_assert_cmpint (unlink (hostname), ==, 0);
  /* a directory, a socket-like special file: not regular either */
  g_assert_cmpint (g_mkdir (hostname, 0755), ==, 0);
  g_assert_cmpint (write_at (fx, why, sizeof why), ==, LXCD_ROOTFS_SKIPPED);
  g_assert_true (g_file_test (hostname, G_FILE_TEST_IS_DIR));
}

/* Overlay: the upper layer gets the name if the merged view has a regular
 * etc/hostname reached without links in either layer. */
static void
test_overlay (Fixture *fx, gconstpointer data)
{
  g_autofree char *lower = g_build_filename (fx->tmp, "lower", NULL);
  g_autofree char *lower_etc = g_build_filename (lower, "etc", NULL);
  g_autofree char *lower_hostname = g_build_filename (lower_etc, "hostname", NULL);
  g_autofree char *upper = g_build_filename (fx->tmp, "upper", NULL);
  g_autofree char *upper_etc = g_build_filename (upper, "etc", NULL);
  g_autofree char *upper_hostname = g_build_filename (upper_etc, "hostname", NULL);
  g_autofree char *spec = g_strdup_printf ("overlay:%s:%s", lower, upper);
  g_autofree char *tmp_hostname = g_build_filename (fx->tmp, "hostname", NULL);
  g_autofree char *text = NULL;
  char why[256] = "";
  struct stat st;

  g_assert_cmpint (g_mkdir_with_parents (lower_etc, 0751), ==, 0);
  g_assert_cmpint (chmod (lower_etc, 0751), ==, 0);
  g_assert_cmpint (g_mkdir (upper, 0755), ==, 0);
  g_assert_true (g_file_set_contents (lower_hostname, "old", -1, NULL));
  g_assert_cmpint (chmod (lower_hostname, 0604), ==, 0);
  if (geteuid () == 0)
    g_assert_cmpint (lchown (lower_hostname, 12345, 23456), ==, 0);

  /* copied up, etc made as the lower one */
  g_assert_cmpstr (lxcd_rootfs_backend (spec), ==, "overlay");
  g_assert_cmpint (lxcd_rootfs_write_hostname (spec, "ovname", why, sizeof why), ==,
                   LXCD_ROOTFS_WRITTEN);
  g_assert_true (g_file_get_contents (upper_hostname, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "ovname");
  g_assert_cmpint (stat (upper_hostname, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0604);
  if (geteuid () == 0)
    {
      g_assert_cmpint (st.st_uid, ==, 12345);
      g_assert_cmpint (st.st_gid, ==, 23456);
    }
  g_assert_cmpint (stat (upper_etc, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0751);
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (lower_hostname, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "old");

  /* the upper layer's own file is rewritten */
  g_assert_cmpint (lxcd_rootfs_write_hostname_overlay (lower, upper, "again", why, sizeof why),
                   ==, LXCD_ROOTFS_WRITTEN);
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (upper_hostname, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "again");

  /* a link in the upper layer */
  g_assert_cmpint (unlink (upper_hostname), ==, 0);
  g_assert_cmpint (symlink (fx->outside, upper_hostname), ==, 0);
  g_assert_cmpint (lxcd_rootfs_write_hostname_overlay (lower, upper, "x", why, sizeof why), ==,
                   LXCD_ROOTFS_SKIPPED);
  assert_canary (fx);
  g_assert_cmpint (unlink (upper_hostname), ==, 0);

  /* a link in the lower layer (nothing in the upper one) */
  g_assert_cmpint (unlink (lower_hostname), ==, 0);
  g_assert_cmpint (symlink (fx->outside, lower_hostname), ==, 0);
  g_assert_cmpint (lxcd_rootfs_write_hostname_overlay (lower, upper, "x", why, sizeof why), ==,
                   LXCD_ROOTFS_SKIPPED);
  assert_canary (fx);
  g_assert_false (g_file_test (upper_hostname, G_FILE_TEST_EXISTS));
  g_assert_cmpint (unlink (lower_hostname), ==, 0);

  /* missing in both: left missing */
  g_assert_cmpint (lxcd_rootfs_write_hostname_overlay (lower, upper, "x", why, sizeof why), ==,
                   LXCD_ROOTFS_SKIPPED);
  g_assert_false (g_file_test (upper_hostname, G_FILE_TEST_EXISTS));

  /* etc a link in the upper layer */
  g_assert_true (g_file_set_contents (lower_hostname, "old", -1, NULL));
  g_assert_cmpint (rmdir (upper_etc), ==, 0);
  g_assert_cmpint (symlink (fx->tmp, upper_etc), ==, 0);
  g_assert_cmpint (lxcd_rootfs_write_hostname_overlay (lower, upper, "x", why, sizeof why), ==,
                   LXCD_ROOTFS_SKIPPED);
  g_assert_false (g_file_test (tmp_hostname, G_FILE_TEST_EXISTS));

  /* more than one lower directory: skipped */
  g_clear_pointer (&spec, g_free);
  spec = g_strdup_printf ("overlay:%s:%s:%s", lower, lower, upper);
  g_assert_cmpint (lxcd_rootfs_write_hostname (spec, "x", why, sizeof why), ==,
                   LXCD_ROOTFS_SKIPPED);
}

static void
test_backend (void)
{
  char why[256] = "";

  g_assert_cmpstr (lxcd_rootfs_backend ("dir:/nonexistent"), ==, "dir");
  g_assert_cmpstr (lxcd_rootfs_backend ("overlayfs:/a:/b"), ==, "overlayfs");
  g_assert_cmpstr (lxcd_rootfs_backend ("lvm:/dev/vg/lv"), ==, "lvm");
  g_assert_cmpstr (lxcd_rootfs_backend ("zfs:pool/x"), ==, "zfs");
  g_assert_cmpstr (lxcd_rootfs_backend ("/dev/rbd/x/y"), ==, "rbd");
  g_assert_cmpstr (lxcd_rootfs_backend ("/"), ==, "dir");
  g_assert_cmpstr (lxcd_rootfs_backend ("/dev/null"), ==, NULL);
  g_assert_null (lxcd_rootfs_backend ("/nonexistent"));
  /* other backing stores are not written */
  g_assert_cmpint (lxcd_rootfs_write_hostname ("lvm:/dev/vg/lv", "x", why, sizeof why), ==,
                   LXCD_ROOTFS_SKIPPED);
  g_assert_nonnull (strstr (why, "lvm"));
  g_assert_cmpint (lxcd_rootfs_write_hostname ("zfs:pool/x", "x", why, sizeof why), ==,
                   LXCD_ROOTFS_SKIPPED);
}

static void
test_count_config_key (void)
{
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("lxcd-config-XXXXXX", &path, NULL);
  char value[64];

  g_assert_cmpint (fd, >=, 0);
  close (fd);
  g_assert_true (g_file_set_contents (path,
                                      "lxc.uts.name = a\n"
                                      "# lxc.uts.name = b\n"
                                      "  lxc.uts.name=c \t\n"
                                      "lxc.uts.namex = d\n"
                                      "lxc.rootfs.path = overlay:/a/b:/c/d  \n", -1, NULL));
  g_assert_cmpint (lxcd_rootfs_config_key (path, "lxc.uts.name", value, sizeof value), ==, 2);
  g_assert_cmpstr (value, ==, "c");
  g_assert_cmpint (lxcd_rootfs_config_key (path, "lxc.rootfs.path", value, sizeof value), ==, 1);
  g_assert_cmpstr (value, ==, "overlay:/a/b:/c/d");
  g_assert_cmpint (lxcd_rootfs_config_key (path, "lxc.rootfs.path", value, 6), ==, 1);
  g_assert_cmpstr (value, ==, "overl");
  g_assert_cmpint (lxcd_rootfs_config_key (path, "lxc.net.0.type", value, sizeof value), ==, 0);
  g_assert_cmpstr (value, ==, "");
  g_assert_cmpint (lxcd_rootfs_config_key (path, "lxc.uts.name", NULL, 0), ==, 2);
  g_unlink (path);
  g_assert_cmpint (lxcd_rootfs_config_key (path, "lxc.uts.name", value, sizeof value), ==, -1);
}

/* Reading: links followed inside the root only, nothing but regular files
 * of bounded size. */
static int
read_at (Fixture *fx, const char *path, char *buf, size_t size, size_t *len)
{
  int fd = open (fx->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int r;

  g_assert_cmpint (fd, >=, 0);
  r = lxcd_rootfs_read_at (fd, path, buf, size, len);
  close (fd);
  return r;
}

static void
test_read (Fixture *fx, gconstpointer data)
{
  g_autofree char *file = path_in (fx, "etc/os-release");
  g_autofree char *usr = path_in (fx, "usr/lib");
  g_autofree char *usr_file = path_in (fx, "usr/lib/os-release");
  g_autofree char *abs_link = g_strdup (fx->outside);
  g_autofree char *rel_link = g_strconcat ("../../../../../../../..", fx->outside, NULL);
  char buf[64];
  size_t len = 0;

  g_assert_cmpint (read_at (fx, "etc/os-release", buf, sizeof buf, &len), ==, -ENOENT);
  g_assert_true (g_file_set_contents (file, "ID=x\n", -1, NULL));
  g_assert_cmpint (read_at (fx, "etc/os-release", buf, sizeof buf, &len), ==, 0);
  g_assert_cmpmem (buf, len, "ID=x\n", 5);
  /* exactly the size fits, one byte more does not */
  g_assert_cmpint (read_at (fx, "etc/os-release", buf, 5, &len), ==, 0);
  g_assert_cmpint (read_at (fx, "etc/os-release", buf, 4, &len), ==, -EFBIG);
  /* links out of the root resolve inside it */
  g_assert_cmpint (unlink (file), ==, 0);
  g_assert_cmpint (symlink (abs_link, file), ==, 0);
  g_assert_cmpint (read_at (fx, "etc/os-release", buf, sizeof buf, &len), ==, -ENOENT);
  g_assert_cmpint (unlink (file), ==, 0);
  g_assert_cmpint (symlink (rel_link, file), ==, 0);
  g_assert_cmpint (read_at (fx, "etc/os-release", buf, sizeof buf, &len), ==, -ENOENT);
  /* ... and one inside is followed, absolute or relative */
  g_assert_cmpint (g_mkdir_with_parents (usr, 0755), ==, 0);
  g_assert_true (g_file_set_contents (usr_file, "ID=usr\n", -1, NULL));
  g_assert_cmpint (unlink (file), ==, 0);
  g_assert_cmpint (symlink ("/usr/lib/os-release", file), ==, 0);
  g_assert_cmpint (read_at (fx, "etc/os-release", buf, sizeof buf, &len), ==, 0);
  g_assert_cmpmem (buf, len, "ID=usr\n", 7);
  g_assert_cmpint (unlink (file), ==, 0);
  g_assert_cmpint (symlink ("../usr/lib/os-release", file), ==, 0);
  g_assert_cmpint (read_at (fx, "etc/os-release", buf, sizeof buf, &len), ==, 0);
  /* a FIFO and a directory are not read */
  g_assert_cmpint (unlink (file), ==, 0);
  g_assert_cmpint (mkfifo (file, 0644), ==, 0);
  g_assert_cmpint (read_at (fx, "etc/os-release", buf, sizeof buf, &len), ==, -ENXIO);
  g_assert_cmpint (read_at (fx, "etc", buf, sizeof buf, &len), ==, -ENXIO);
  /* os-release: etc's, else usr/lib's; a FIFO in etc is not skipped */
  g_assert_cmpint (lxcd_rootfs_read_os_release (fx->rootfs, buf, sizeof buf, &len), ==, -ENXIO);
  g_assert_cmpint (unlink (file), ==, 0);
  g_assert_cmpint (lxcd_rootfs_read_os_release (fx->rootfs, buf, sizeof buf, &len), ==, 0);
  g_assert_cmpmem (buf, len, "ID=usr\n", 7);
  g_assert_cmpint (lxcd_rootfs_read_os_release ("lvm:/dev/vg/lv", buf, sizeof buf, &len), ==,
                   -EOPNOTSUPP);
  assert_canary (fx);
}

/* An overlay, layer by layer: the upper layer's file, else the lower
 * one's, not when the upper layer has a whiteout there. */
static void
test_read_overlay (Fixture *fx, gconstpointer data)
{
  g_autofree char *lower = g_build_filename (fx->tmp, "lower", NULL);
  g_autofree char *upper = g_build_filename (fx->tmp, "upper", NULL);
  g_autofree char *spec = g_strdup_printf ("overlay:%s:%s", lower, upper);
  g_autofree char *lower_etc = g_build_filename (lower, "etc", NULL);
  g_autofree char *upper_etc = g_build_filename (upper, "etc", NULL);
  g_autofree char *lower_file = g_build_filename (lower_etc, "os-release", NULL);
  g_autofree char *upper_file = g_build_filename (upper_etc, "os-release", NULL);
  g_autofree char *escape = g_strconcat ("../../../../../../..", fx->outside, NULL);
  char buf[64];
  size_t len = 0;

  g_assert_cmpint (g_mkdir_with_parents (lower_etc, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (upper_etc, 0755), ==, 0);
  g_assert_true (g_file_set_contents (lower_file, "ID=lower\n", -1, NULL));
  g_assert_cmpint (lxcd_rootfs_read_os_release (spec, buf, sizeof buf, &len), ==, 0);
  g_assert_cmpmem (buf, len, "ID=lower\n", 9);
  g_assert_true (g_file_set_contents (upper_file, "ID=upper\n", -1, NULL));
  g_assert_cmpint (lxcd_rootfs_read_os_release (spec, buf, sizeof buf, &len), ==, 0);
  g_assert_cmpmem (buf, len, "ID=upper\n", 9);
  /* a link out of the upper layer stays in it */
  g_assert_cmpint (unlink (upper_file), ==, 0);
  g_assert_cmpint (symlink (escape, upper_file), ==, 0);
  g_assert_cmpint (lxcd_rootfs_read_os_release (spec, buf, sizeof buf, &len), ==, -ENOENT);
  /* a whiteout hides the lower layer's file */
  g_assert_cmpint (unlink (upper_file), ==, 0);
  g_assert_cmpint (mknod (upper_file, S_IFCHR | 0600, 0), ==, 0);
  g_assert_cmpint (lxcd_rootfs_read_os_release (spec, buf, sizeof buf, &len), ==, -ENOENT);
  assert_canary (fx);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/rootfs/regular", Fixture, NULL, fixture_set_up, test_regular, fixture_tear_down);
  g_test_add ("/rootfs/missing", Fixture, NULL, fixture_set_up, test_missing, fixture_tear_down);
  g_test_add ("/rootfs/symlinks", Fixture, NULL, fixture_set_up, test_symlinks, fixture_tear_down);
  g_test_add ("/rootfs/fifo", Fixture, NULL, fixture_set_up, test_fifo, fixture_tear_down);
  g_test_add ("/rootfs/overlay", Fixture, NULL, fixture_set_up, test_overlay, fixture_tear_down);
  g_test_add ("/rootfs/read", Fixture, NULL, fixture_set_up, test_read, fixture_tear_down);
  g_test_add ("/rootfs/read-overlay", Fixture, NULL, fixture_set_up, test_read_overlay,
              fixture_tear_down);
  g_test_add_func ("/rootfs/backend", test_backend);
  g_test_add_func ("/rootfs/count-config-key", test_count_config_key);
  return g_test_run ();
}
