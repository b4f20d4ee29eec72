/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_fileio.c - bmsub_file_read, bm_safe_path and the atomic writer:
 * file types, sizes, owners and modes of a file and the folders above it,
 * never blocking; temp files swept, failed writes leave the old file. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bmsub.h"
#include "internal.h"
#include "tlib.h"

static char dir[64];

static void
setup(void)
{
	tlib_tmpdir(dir, sizeof(dir), "test_fileio");
}

static void
teardown(void)
{
	tlib_rmrf(dir);
}

/* path of name in the test dir (static buffer, one at a time) */
static const char *
at(const char *name)
{
	static char p[2][128];
	static int k;

	k ^= 1;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

static void
mkfile(const char *name, size_t size, mode_t mode)
{
	int fd = open(at(name), O_WRONLY | O_CREAT | O_EXCL, 0600);
	size_t i;

	ck_assert_int_ge(fd, 0);
	for (i = 0; i < size; i++)
		ck_assert_int_eq(write(fd, "abcdefghij" + i % 10, 1), 1);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

/* Kinds of file and the answer for max = 100. */
static const struct {
	const char *name;
	size_t size;
	mode_t mode;
	int code;
} files[] = {
	{ "empty", 0, 0644, 0 },
	{ "small", 10, 0644, 0 },
	{ "at-max", 100, 0600, 0 },
	{ "over-max", 101, 0644, BMSUB_E_TOO_LARGE },
	{ "readonly", 10, 0444, 0 },
	{ "private", 10, 0400, 0 },
	{ "exec", 10, 0755, 0 },
	{ "group-w", 10, 0664, BMSUB_E_PERMISSIONS },
	{ "other-w", 10, 0646, BMSUB_E_PERMISSIONS },
	{ "all-w", 10, 0666, BMSUB_E_PERMISSIONS },
	{ "group-w-only", 10, 0620, BMSUB_E_PERMISSIONS },
	{ "sticky-ok", 10, 01644, 0 },
};

START_TEST(test_regular)
{
	struct bmsub_error e;
	char *buf = (char *)1;
	size_t len = 99;
	int r;

	mkfile(files[_i].name, files[_i].size, files[_i].mode);
	r = bmsub_file_read(at(files[_i].name), 100, &buf, &len, &e);
	ck_assert_msg(r == files[_i].code, "%s: %s (%s)", files[_i].name,
	    bmsub_err_token(r), e.msg);
	ck_assert_int_eq(e.code, r);
	/* a file already too large is refused on its size, before any read */
	if (r == BMSUB_E_TOO_LARGE)
		ck_assert_msg(strstr(e.msg, "bytes, at most 100 allowed") != NULL,
		    "%s: %s", files[_i].name, e.msg);
	if (r == 0) {
		ck_assert_uint_eq(len, files[_i].size);
		ck_assert_int_eq(buf[len], '\0');
		if (len > 0)
			ck_assert_int_eq(buf[len - 1], "abcdefghij"[(len - 1) % 10]);
		free(buf);
	} else {
		ck_assert_ptr_null(buf);
		ck_assert_uint_eq(len, 0);
		ck_assert_ptr_nonnull(strstr(e.msg, dir));	/* names the path */
	}
}
END_TEST

START_TEST(test_fifo_does_not_block)
{
	struct bmsub_error e;
	char *buf;
	size_t len;

	ck_assert_int_eq(mkfifo(at("fifo"), 0644), 0);
	alarm(5);	/* a hang fails the test instead of the run */
	ck_assert_int_eq(bmsub_file_read(at("fifo"), 100, &buf, &len, &e),
	    BMSUB_E_NOT_REGULAR);
	alarm(0);
	ck_assert_ptr_nonnull(strstr(e.msg, "fifo"));
}
END_TEST

START_TEST(test_not_regular)
{
	struct bmsub_error e;
	char *buf;
	size_t len;

	ck_assert_int_eq(bmsub_file_read(dir, 100, &buf, &len, &e),
	    BMSUB_E_NOT_REGULAR);
	ck_assert_int_eq(bmsub_file_read("/dev/null", 100, &buf, &len, &e),
	    BMSUB_E_NOT_REGULAR);
	ck_assert_ptr_nonnull(strstr(e.msg, "/dev/null"));
	ck_assert_int_eq(bmsub_file_read("/", 100, &buf, &len, &e),
	    BMSUB_E_NOT_REGULAR);
}
END_TEST

START_TEST(test_symlinks)
{
	struct bmsub_error e;
	char *buf;
	size_t len;

	mkfile("target", 5, 0644);
	/* an operator's symlink is followed; the target's rules apply */
	ck_assert_int_eq(symlink(at("target"), at("link")), 0);
	ck_assert_int_eq(bmsub_file_read(at("link"), 100, &buf, &len, &e), 0);
	ck_assert_uint_eq(len, 5);
	free(buf);
	mkfile("loose", 5, 0666);
	ck_assert_int_eq(symlink(at("loose"), at("link-loose")), 0);
	ck_assert_int_eq(bmsub_file_read(at("link-loose"), 100, &buf, &len, &e),
	    BMSUB_E_PERMISSIONS);
	ck_assert_int_eq(mkfifo(at("fifo"), 0644), 0);
	ck_assert_int_eq(symlink(at("fifo"), at("link-fifo")), 0);
	alarm(5);
	ck_assert_int_eq(bmsub_file_read(at("link-fifo"), 100, &buf, &len, &e),
	    BMSUB_E_NOT_REGULAR);
	alarm(0);
	ck_assert_int_eq(symlink(at("nowhere"), at("dangling")), 0);
	ck_assert_int_eq(bmsub_file_read(at("dangling"), 100, &buf, &len, &e),
	    BMSUB_E_NOT_FOUND);
	ck_assert_int_eq(symlink(at("loop"), at("loop")), 0);
	ck_assert_int_eq(bmsub_file_read(at("loop"), 100, &buf, &len, &e),
	    BMSUB_E_IO);
}
END_TEST

START_TEST(test_missing)
{
	struct bmsub_error e;
	char *buf;
	size_t len;

	ck_assert_int_eq(bmsub_file_read(at("none"), 100, &buf, &len, &e),
	    BMSUB_E_NOT_FOUND);
	ck_assert_ptr_nonnull(strstr(e.msg, "none"));
	mkfile("file", 1, 0644);
	ck_assert_int_eq(bmsub_file_read(at("file/below"), 100, &buf, &len,
	    &e), BMSUB_E_NOT_FOUND);
	ck_assert_int_eq(bmsub_file_read(at("none"), 100, &buf, &len, NULL),
	    BMSUB_E_NOT_FOUND);
}
END_TEST

START_TEST(test_owner)
{
	struct bmsub_error e;
	char *buf;
	size_t len;

	if (!tlib_need_root("test_owner: a file owned by another user"))
		return;	/* only root can give a file away */
	mkfile("nobody", 5, 0644);
	ck_assert_int_eq(chown(at("nobody"), 65534, 65534), 0);
	ck_assert_int_eq(bmsub_file_read(at("nobody"), 100, &buf, &len, &e),
	    BMSUB_E_PERMISSIONS);
	ck_assert_ptr_nonnull(strstr(e.msg, "65534"));
	/* group ownership alone does not matter */
	mkfile("group", 5, 0644);
	ck_assert_int_eq(chown(at("group"), 0, 65534), 0);
	ck_assert_int_eq(bmsub_file_read(at("group"), 100, &buf, &len, &e), 0);
	free(buf);
}
END_TEST

/* st_size says 0 but the content is there: a file "growing while read"
 * is refused beyond max rather than truncated. */
START_TEST(test_growing)
{
	struct bmsub_error e;
	char *buf;
	size_t len;
	struct stat st;

	ck_assert_int_eq(stat("/proc/self/status", &st), 0);
	ck_assert_int_eq(st.st_size, 0);
	ck_assert_int_eq(bmsub_file_read("/proc/self/status", 16, &buf, &len,
	    &e), BMSUB_E_TOO_LARGE);
	ck_assert_int_eq(bmsub_file_read("/proc/self/status", 65536, &buf,
	    &len, &e), 0);
	ck_assert_uint_gt(len, 16);
	ck_assert_uint_eq(strlen(buf), len);
	ck_assert(strncmp(buf, "Name:", 5) == 0);
	free(buf);
}
END_TEST

START_TEST(test_large_max)
{
	struct bmsub_error e;
	char *buf;
	size_t len;

	mkfile("f", 3, 0644);
	ck_assert_int_eq(bmsub_file_read(at("f"), SIZE_MAX, &buf, &len, &e), 0);
	ck_assert_uint_eq(len, 3);
	free(buf);
	ck_assert_int_eq(bmsub_file_read(at("f"), 0, &buf, &len, &e),
	    BMSUB_E_TOO_LARGE);
}
END_TEST


/* ------------------------------------------------------------------ */
/* The folders above a file (bm_safe_path through bmsub_file_read). */

/* One step of building a row's tree under dir: D folder (mkdir, then
 * chmod to mode, umask-proof), F file "x" of mode, L symlink to target
 * (absolute when it starts with '@': under dir), O owner uid, G group,
 * P FIFO. */
struct step {
	char op;
	const char *path;
	unsigned mode;		/* D, F, P: mode; O, G: id */
	const char *target;	/* L */
};

static const struct tree {
	const char *name;
	struct step steps[6];
	const char *cwd;	/* chdir here (under dir) first, or NULL */
	const char *read;	/* under dir; relative to cwd when cwd set */
	int code;
	const char *msg;	/* in the message: "@x" is dir/x */
	int root;		/* needs root (chown) */
} trees[] = {
	/* positive rows */
	{ "safe parent", { { 'D', "a", 0755, NULL }, { 'F', "a/f", 0644, NULL } },
	    NULL, "a/f", 0, NULL, 0 },
	{ "private chain", { { 'D', "a", 0700, NULL }, { 'D', "a/b", 0750, NULL },
	    { 'F', "a/b/f", 0600, NULL } }, NULL, "a/b/f", 0, NULL, 0 },
	{ "sticky world-writable parent", { { 'D', "a", 01777, NULL },
	    { 'F', "a/f", 0644, NULL } }, NULL, "a/f", 0, NULL, 0 },
	{ "sticky group-writable parent", { { 'D', "a", 01775, NULL },
	    { 'F', "a/f", 0644, NULL } }, NULL, "a/f", 0, NULL, 0 },
	{ "parent of another group only", { { 'D', "a", 0755, NULL },
	    { 'G', "a", 65534, NULL }, { 'F', "a/f", 0644, NULL } },
	    NULL, "a/f", 0, NULL, 1 },
	{ "own symlink in a sticky folder", { { 'F', "f", 0644, NULL },
	    { 'D', "tmp", 01777, NULL }, { 'L', "tmp/l", 0, "@f" } },
	    NULL, "tmp/l", 0, NULL, 0 },
	{ "symlinked parent, safe", { { 'D', "real", 0755, NULL },
	    { 'F', "real/f", 0644, NULL }, { 'L', "link", 0, "real" } },
	    NULL, "link/f", 0, NULL, 0 },
	{ "relative path", { { 'D', "a", 0755, NULL }, { 'F', "a/f", 0644, NULL } },
	    "a", "f", 0, NULL, 0 },
	{ "relative path up and down", { { 'D', "a", 0755, NULL },
	    { 'D', "b", 0755, NULL }, { 'F', "b/f", 0644, NULL } },
	    "a", "../b/./f", 0, NULL, 0 },
	{ "dots and double slashes", { { 'D', "a", 0755, NULL },
	    { 'F', "a/f", 0644, NULL } }, NULL, "./a//./f", 0, NULL, 0 },
	/* negative rows */
	{ "group-writable parent", { { 'D', "a", 0775, NULL },
	    { 'F', "a/f", 0644, NULL } }, NULL, "a/f", BMSUB_E_PERMISSIONS,
	    "@a: folder writable by group (mode 0775)", 0 },
	{ "other-writable parent", { { 'D', "a", 0757, NULL },
	    { 'F', "a/f", 0644, NULL } }, NULL, "a/f", BMSUB_E_PERMISSIONS,
	    "@a: folder writable by others (mode 0757)", 0 },
	{ "world-writable parent", { { 'D', "a", 0777, NULL },
	    { 'F', "a/f", 0644, NULL } }, NULL, "a/f", BMSUB_E_PERMISSIONS,
	    "@a: folder writable by group and others (mode 0777)", 0 },
	{ "group-write bit alone", { { 'D', "a", 0730, NULL },
	    { 'F', "a/f", 0644, NULL } }, NULL, "a/f", BMSUB_E_PERMISSIONS,
	    "@a: folder writable by group", 0 },
	{ "writable grandparent", { { 'D', "a", 0777, NULL },
	    { 'D', "a/b", 0755, NULL }, { 'F', "a/b/f", 0644, NULL } },
	    NULL, "a/b/f", BMSUB_E_PERMISSIONS, "@a: folder writable", 0 },
	{ "sticky parent, writable grandparent", { { 'D', "a", 0777, NULL },
	    { 'D', "a/b", 01777, NULL }, { 'F', "a/b/f", 0644, NULL } },
	    NULL, "a/b/f", BMSUB_E_PERMISSIONS, "@a: folder writable", 0 },
	{ "parent owned by another user", { { 'D', "a", 0755, NULL },
	    { 'F', "a/f", 0644, NULL }, { 'O', "a", 65534, NULL } },
	    NULL, "a/f", BMSUB_E_PERMISSIONS,
	    "@a: folder owned by uid 65534", 1 },
	{ "sticky parent owned by another user", { { 'D', "a", 01777, NULL },
	    { 'F', "a/f", 0644, NULL }, { 'O', "a", 65534, NULL } },
	    NULL, "a/f", BMSUB_E_PERMISSIONS,
	    "@a: folder owned by uid 65534", 1 },
	{ "symlinked parent, unsafe target", { { 'D', "bad", 0777, NULL },
	    { 'F', "bad/f", 0644, NULL }, { 'L', "link", 0, "bad" } },
	    NULL, "link/f", BMSUB_E_PERMISSIONS, "@bad: folder writable", 0 },
	{ "symlinked parent in an unsafe folder", { { 'D', "real", 0755, NULL },
	    { 'F', "real/f", 0644, NULL }, { 'D', "loose", 0777, NULL },
	    { 'L', "loose/link", 0, "../real" } },
	    NULL, "loose/link/f", BMSUB_E_PERMISSIONS,
	    "@loose: folder writable", 0 },
	{ "file link in an unsafe folder", { { 'F', "f", 0644, NULL },
	    { 'D', "loose", 0757, NULL }, { 'L', "loose/l", 0, "@f" } },
	    NULL, "loose/l", BMSUB_E_PERMISSIONS, "@loose: folder writable", 0 },
	{ "file link into an unsafe folder", { { 'D', "bad", 0775, NULL },
	    { 'F', "bad/f", 0644, NULL }, { 'L', "l", 0, "@bad/f" } },
	    NULL, "l", BMSUB_E_PERMISSIONS, "@bad: folder writable", 0 },
	{ "symlink of another user in a sticky folder", { { 'F', "f", 0644, NULL },
	    { 'D', "tmp", 01777, NULL }, { 'L', "tmp/l", 0, "@f" },
	    { 'O', "tmp/l", 65534, NULL } }, NULL, "tmp/l",
	    BMSUB_E_PERMISSIONS, "@tmp/l: symlink owned by uid 65534", 1 },
	{ "relative path, unsafe cwd", { { 'D', "a", 0777, NULL },
	    { 'F', "a/f", 0644, NULL } }, "a", "f", BMSUB_E_PERMISSIONS,
	    "@a: folder writable", 0 },
	{ "relative path into an unsafe folder", { { 'D', "a", 0755, NULL },
	    { 'D', "a/w", 0707, NULL }, { 'F', "a/w/f", 0644, NULL } },
	    "a", "w/f", BMSUB_E_PERMISSIONS, "@a/w: folder writable", 0 },
	{ "missing parent", { { 'D', "a", 0755, NULL } },
	    NULL, "a/none/f", BMSUB_E_NOT_FOUND, "@a/none/f", 0 },
	{ "parent is a file", { { 'F', "a", 0644, NULL } },
	    NULL, "a/f", BMSUB_E_NOT_FOUND, "@a/f", 0 },
	{ "parent link loop", { { 'L', "loop", 0, "loop" } },
	    NULL, "loop/f", BMSUB_E_IO, "@loop/f", 0 },
	{ "FIFO under a safe parent", { { 'D', "a", 0755, NULL },
	    { 'P', "a/fifo", 0644, NULL } }, NULL, "a/fifo",
	    BMSUB_E_NOT_REGULAR, "@a/fifo", 0 },
	{ "device", { { 0, NULL, 0, NULL } }, NULL, "/dev/null",
	    BMSUB_E_NOT_REGULAR, "/dev/null", 0 },
	{ "folder as the file", { { 'D', "a", 0755, NULL } }, NULL, "a",
	    BMSUB_E_NOT_REGULAR, "@a", 0 },
};

/* "@x" is dir/x; anything else as is */
static const char *
expand(const char *s)
{
	return s[0] == '@' ? at(s + 1) : s;
}

static void
build(const struct step *st, size_t n)
{
	size_t i;
	int fd;

	for (i = 0; i < n && st[i].op != 0; i++) {
		const char *p = at(st[i].path);

		switch (st[i].op) {
		case 'D':
			ck_assert_int_eq(mkdir(p, 0700), 0);
			ck_assert_int_eq(chmod(p, st[i].mode), 0);
			break;
		case 'F':
			ck_assert_int_ge(fd = open(p, O_WRONLY | O_CREAT |
			    O_EXCL, 0600), 0);
			ck_assert_int_eq(write(fd, "x", 1), 1);
			ck_assert_int_eq(fchmod(fd, st[i].mode), 0);
			close(fd);
			break;
		case 'L':
			ck_assert_int_eq(symlink(expand(st[i].target), p), 0);
			break;
		case 'O':
			ck_assert_int_eq(lchown(p, st[i].mode, (gid_t)-1), 0);
			break;
		case 'G':
			ck_assert_int_eq(lchown(p, (uid_t)-1, st[i].mode), 0);
			break;
		case 'P':
			ck_assert_int_eq(mkfifo(p, st[i].mode), 0);
			break;
		default:
			ck_abort_msg("bad step %c", st[i].op);
		}
	}
}

START_TEST(test_tree)
{
	const struct tree *t = &trees[_i];
	struct bmsub_error e;
	char *buf = (char *)1, path[256];
	size_t len = 99;
	int r;

	/* giving a folder away takes root: this row only */
	if (t->root && !tlib_need_root("test_tree: %s", t->name))
		return;
	build(t->steps, sizeof(t->steps) / sizeof(t->steps[0]));
	if (t->cwd != NULL) {
		ck_assert_int_eq(chdir(at(t->cwd)), 0);
		snprintf(path, sizeof(path), "%s", t->read);
	} else {
		snprintf(path, sizeof(path), "%s", t->read[0] == '/' ?
		    t->read : at(t->read));
	}
	alarm(5);	/* a FIFO must not hang the run */
	r = bmsub_file_read(path, 100, &buf, &len, &e);
	alarm(0);
	if (t->cwd != NULL)
		ck_assert_int_eq(chdir("/"), 0);
	ck_assert_msg(r == t->code, "%s: %s, want %s (%s)", t->name,
	    bmsub_err_token(r), bmsub_err_token(t->code), e.msg);
	ck_assert_int_eq(e.code, r);
	if (r == 0) {
		ck_assert_uint_eq(len, 1);
		ck_assert_str_eq(buf, "x");
		free(buf);
		return;
	}
	ck_assert_ptr_null(buf);
	ck_assert_uint_eq(len, 0);
	ck_assert_msg(strstr(e.msg, expand(t->msg)) != NULL,
	    "%s: \"%s\" lacks \"%s\"", t->name, e.msg, expand(t->msg));
}
END_TEST

/* bm_safe_path on a folder itself (the keys folder, state_dir, the
 * atomic writer's folder): sticky excuses nothing unless BM_SAFE_STICKY. */
static const struct {
	unsigned mode;
	int flags;
	int code;
} folders[] = {
	{ 0755, 0, 0 },
	{ 0700, 0, 0 },
	{ 0755, BM_SAFE_STICKY, 0 },
	{ 01777, BM_SAFE_STICKY, 0 },
	{ 01770, BM_SAFE_STICKY, 0 },
	{ 01777, 0, BMSUB_E_PERMISSIONS },
	{ 01775, 0, BMSUB_E_PERMISSIONS },
	{ 0777, 0, BMSUB_E_PERMISSIONS },
	{ 0777, BM_SAFE_STICKY, BMSUB_E_PERMISSIONS },
	{ 0775, BM_SAFE_STICKY, BMSUB_E_PERMISSIONS },
	{ 0757, BM_SAFE_STICKY, BMSUB_E_PERMISSIONS },
	{ 0757, 0, BMSUB_E_PERMISSIONS },
};

START_TEST(test_folder_itself)
{
	struct bmsub_error e;
	int r, fd = 99;

	ck_assert_int_eq(mkdir(at("d"), 0700), 0);
	ck_assert_int_eq(chmod(at("d"), folders[_i].mode), 0);
	r = bm_safe_path(at("d"), NULL, folders[_i].flags, &e);
	ck_assert_msg(r == folders[_i].code, "mode %04o flags %d: %s (%s)",
	    folders[_i].mode, folders[_i].flags, bmsub_err_token(r), e.msg);
	r = bm_folder_open(at("d"), folders[_i].flags, &fd, &e);
	ck_assert_int_eq(r, folders[_i].code);
	if (r == 0) {
		ck_assert_int_ge(fd, 0);
		close(fd);
	} else {
		ck_assert_int_eq(fd, -1);
		ck_assert_ptr_nonnull(strstr(e.msg, at("d")));
	}
}
END_TEST

START_TEST(test_safe_path_args)
{
	struct bmsub_error e;
	int fd;

	ck_assert_int_eq(bm_safe_path("", NULL, 0, &e), BMSUB_E_INVALID);
	ck_assert_int_eq(bm_safe_path(NULL, NULL, 0, &e), BMSUB_E_INVALID);
	ck_assert_int_eq(bm_safe_path(at("none"), NULL, 0, &e),
	    BMSUB_E_NOT_FOUND);
	ck_assert_int_eq(bm_safe_path("/", NULL, 0, &e), 0);
	ck_assert_int_eq(bm_safe_path(dir, NULL, 0, &e), 0);
	ck_assert_int_eq(bm_folder_open(at("none"), 0, &fd, &e),
	    BMSUB_E_NOT_FOUND);
	mkfile("file", 1, 0644);
	ck_assert_int_eq(bm_folder_open(at("file"), 0, &fd, &e),
	    BMSUB_E_NOT_REGULAR);
	ck_assert_int_eq(fd, -1);
	ck_assert_int_eq(mkfifo(at("fifo"), 0644), 0);
	alarm(5);
	ck_assert_int_eq(bm_folder_open(at("fifo"), 0, &fd, &e),
	    BMSUB_E_NOT_REGULAR);
	alarm(0);
}
END_TEST

/* Every reader of a trusted file refuses one under a writable folder,
 * and reads it once the folder is fixed. */
START_TEST(test_readers_refuse)
{
	static const char state[] = "bmsub-state 1\ncount 7\nend\n";
	struct bmsub_license lic;
	struct bmsub_config *cfg = NULL;
	struct bmsub_keyring *kr = NULL;
	struct bmsub_state st;
	struct bmsub_strlist rc = { NULL, 0 };
	struct bmsub_error e;
	FILE *f;

	ck_assert_int_eq(mkdir(at("w"), 0700), 0);
	ck_assert_int_eq(mkdir(at("w/keys.d"), 0755), 0);
	ck_assert_ptr_nonnull(f = fopen(at("w/state"), "w"));
	fputs(state, f);
	fclose(f);
	mkfile("w/license", 10, 0644);
	mkfile("w/recipients", 0, 0644);
	ck_assert_ptr_nonnull(f = fopen(at("w/bmsub.conf"), "w"));
	fputs("state_dir = \"/var/lib/bmsub\";\n", f);
	fclose(f);
	ck_assert_int_eq(chmod(at("w"), 0757), 0);

	ck_assert_int_eq(bmsub_license_load(at("w/license"), NULL, &lic, &e),
	    BMSUB_E_PERMISSIONS);
	ck_assert_ptr_nonnull(strstr(e.msg, at("w")));
	ck_assert_int_eq(bmsub_state_load(at("w"), &st, &e),
	    BMSUB_E_PERMISSIONS);
	ck_assert_ptr_nonnull(strstr(e.msg, "writable by others"));
	ck_assert_int_eq(bmsub_config_load(at("w/bmsub.conf"), &cfg, &e),
	    BMSUB_E_PERMISSIONS);
	ck_assert_ptr_null(cfg);
	ck_assert_int_eq(bmsub_keyring_load(at("w/keys.d"), NULL, &kr, &e),
	    BMSUB_E_PERMISSIONS);
	ck_assert_ptr_null(kr);
	ck_assert_int_eq(bmsub_recipients_load(at("w"), &rc, &e),
	    BMSUB_E_PERMISSIONS);
	ck_assert_int_eq(bmsub_state_save(at("w"), &st, &e),
	    BMSUB_E_PERMISSIONS);

	ck_assert_int_eq(chmod(at("w"), 0755), 0);
	ck_assert_msg(bmsub_state_load(at("w"), &st, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(st.count, 7);
	bmsub_state_clear(&st);
	ck_assert_msg(bmsub_config_load(at("w/bmsub.conf"), &cfg, &e) == 0,
	    "%s", e.msg);
	bmsub_config_free(cfg);
	ck_assert_int_eq(bmsub_keyring_load(at("w/keys.d"), NULL, &kr, &e), 0);
	bmsub_keyring_free(kr);
	/* past the folders, the license reader reaches its own checks */
	ck_assert_int_eq(bmsub_license_load(at("w/license"), NULL, &lic, &e),
	    BMSUB_E_SYNTAX);
	bmsub_strlist_free(&rc);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The atomic writer. */

static void
put(const char *name, const char *text, time_t age)
{
	struct timespec ts[2];
	FILE *f;

	ck_assert_ptr_nonnull(f = fopen(at(name), "w"));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(at(name), 0644), 0);
	if (age > 0) {
		clock_gettime(CLOCK_REALTIME, &ts[0]);
		ts[0].tv_sec -= age;
		ts[1] = ts[0];
		ck_assert_int_eq(utimensat(AT_FDCWD, at(name), ts,
		    AT_SYMLINK_NOFOLLOW), 0);
	}
}

static int
exists(const char *name)
{
	struct stat st;

	return lstat(at(name), &st) == 0;
}

/* names in folder (dir when NULL) starting with prefix */
static int
count_in(const char *folder, const char *prefix)
{
	struct dirent *d;
	DIR *dp;
	int n = 0;

	ck_assert_ptr_nonnull(dp = opendir(folder == NULL ? dir : folder));
	while ((d = readdir(dp)) != NULL)
		n += strncmp(d->d_name, prefix, strlen(prefix)) == 0;
	closedir(dp);
	return n;
}

static char *
text_of(const char *name)
{
	struct bmsub_error e;
	char *buf;
	size_t len;

	ck_assert_msg(bmsub_file_read(at(name), 1 << 20, &buf, &len, &e) == 0,
	    "%s", e.msg);
	return buf;
}

/* What the sweep removes (1) and leaves (0) next to "state", when the
 * writer holds no lock (locked: what a writer under the state lock does). */
static const struct {
	const char *name;
	time_t age;
	int gone, gone_locked;
} planted[] = {
	{ ".state.bmsub-tmp.AbC123", 3600, 1, 1 },
	{ ".state.bmsub-tmp.zz9900", 601, 1, 1 },
	{ ".state.bmsub-tmp.XXXXXX", 86400 * 400, 1, 1 },
	{ ".state.bmsub-tmp.young1", 0, 0, 1 },	/* a live writer's, maybe */
	{ ".state.bmsub-tmp.nine59", 540, 0, 1 },
	{ ".state.AbC123", 3600, 0, 0 },	/* an operator's own file */
	{ ".state.backup", 3600, 0, 0 },	/* six letters, not ours */
	{ ".state.bmsub-tmp.AbC12", 3600, 0, 0 },	/* five letters */
	{ ".state.bmsub-tmp.AbC1234", 3600, 0, 0 },	/* seven */
	{ ".state.bmsub-tmp.AbC-23", 3600, 0, 0 },	/* not mkostemp's */
	{ ".state.bmsub-tmp.AbC123.swp", 3600, 0, 0 },
	{ ".state.bmsub-tmpAbC123", 3600, 0, 0 },
	{ ".states.bmsub-tmp.AbC123", 3600, 0, 0 },
	{ ".stat.bmsub-tmp.AbC123", 3600, 0, 0 },
	{ ".other.bmsub-tmp.AbC123", 3600, 0, 0 },
	{ "state.bmsub-tmp.AbC123", 3600, 0, 0 },
	{ "_state.bmsub-tmp.AbC123", 3600, 0, 0 },	/* no leading dot */
	{ ".state.bmsub-tmp.AbC~23", 3600, 0, 0 },
	{ ".state", 3600, 0, 0 },
	{ ".recipients.bmsub-tmp.AbC123", 3600, 0, 0 },
};

START_TEST(test_atomic_sweep)
{
	struct bmsub_error e;
	struct timespec ts[2];
	size_t i;
	char *t;

	put("state", "old\n", 0);
	for (i = 0; i < sizeof(planted) / sizeof(planted[0]); i++)
		put(planted[i].name, "stale\n", planted[i].age);
	/* an old folder and an old link of the pattern are not files */
	ck_assert_int_eq(mkdir(at(".state.bmsub-tmp.DIRdir"), 0755), 0);
	ck_assert_int_eq(symlink(at("state"), at(".state.bmsub-tmp.LNKlnk")), 0);
	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec -= 3600;
	ts[1] = ts[0];
	ck_assert_int_eq(utimensat(AT_FDCWD, at(".state.bmsub-tmp.DIRdir"), ts,
	    0), 0);
	ck_assert_int_eq(utimensat(AT_FDCWD, at(".state.bmsub-tmp.LNKlnk"), ts,
	    AT_SYMLINK_NOFOLLOW), 0);

	ck_assert_msg(bmsub_file_write_atomic(at("state"), "new\n", 4, 0644,
	    &e) == 0, "%s", e.msg);
	ck_assert_str_eq(t = text_of("state"), "new\n");
	free(t);
	for (i = 0; i < sizeof(planted) / sizeof(planted[0]); i++)
		ck_assert_msg(exists(planted[i].name) == !planted[i].gone,
		    "%s: %s", planted[i].name, planted[i].gone ?
		    "left behind" : "removed");
	ck_assert(exists(".state.bmsub-tmp.DIRdir"));
	ck_assert(exists(".state.bmsub-tmp.LNKlnk"));
	ck_assert_str_eq(t = text_of(".state.bmsub-tmp.young1"), "stale\n");
	free(t);

	/* under the state lock every dead writer's temp file goes */
	ck_assert_msg(bm_write_atomic(at("state"), "new2\n", 5, 0644,
	    BM_WRITE_LOCKED, &e) == 0, "%s", e.msg);
	for (i = 0; i < sizeof(planted) / sizeof(planted[0]); i++)
		ck_assert_msg(exists(planted[i].name) ==
		    !(planted[i].gone || planted[i].gone_locked),
		    "locked: %s: %s", planted[i].name, planted[i].gone_locked ?
		    "left behind" : "removed");
	ck_assert(exists(".state.bmsub-tmp.DIRdir"));
}
END_TEST

/* Another user's temp file of the pattern is never ours to remove (a
 * sticky folder holds everyone's); needs root to make one. */
START_TEST(test_atomic_sweep_foreign)
{
	struct bmsub_error e;
	struct timespec ts[2];

	if (geteuid() != 0) {
		fprintf(stderr, "test_atomic_sweep_foreign skipped: needs root\n");
		return;
	}
	put("state", "old\n", 0);
	put(".state.bmsub-tmp.Foreig", "theirs\n", 3600);
	ck_assert_int_eq(chown(at(".state.bmsub-tmp.Foreig"), 65534, 65534), 0);
	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec -= 3600;
	ts[1] = ts[0];
	ck_assert_int_eq(utimensat(AT_FDCWD, at(".state.bmsub-tmp.Foreig"), ts,
	    AT_SYMLINK_NOFOLLOW), 0);
	ck_assert_msg(bm_write_atomic(at("state"), "new\n", 4, 0644,
	    BM_WRITE_LOCKED, &e) == 0, "%s", e.msg);
	ck_assert(exists(".state.bmsub-tmp.Foreig"));
}
END_TEST

/*
 * kill -9 of a writer at random moments (a child rewriting "f" with
 * 256 KiB of 'a' then of 'b' for ever), 200 times: "f" is always the
 * whole of one version, the kills left temp files (else they missed the
 * writes), and the next writer under the lock leaves none; a temp file of
 * ours in a subfolder and another name's temp file are not touched.
 */
#define KILL_SIZE (256 * 1024)
START_TEST(test_atomic_killed)
{
	static char buf[2][KILL_SIZE];
	struct bmsub_error e;
	unsigned seed = (unsigned)time(NULL);
	int i, st, left = 0, kills = 0;
	size_t len, k;
	pid_t pid;
	char *t;

	memset(buf[0], 'a', KILL_SIZE);
	memset(buf[1], 'b', KILL_SIZE);
	ck_assert_int_eq(bm_write_atomic(at("f"), buf[0], KILL_SIZE, 0644,
	    BM_WRITE_LOCKED, &e), 0);
	ck_assert_int_eq(mkdir(at("sub"), 0755), 0);
	put("sub/.f.bmsub-tmp.AbC123", "not this folder\n", 3600);
	put(".g.bmsub-tmp.AbC123", "not this name\n", 3600);
	for (i = 0; i < 200; i++) {
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			for (k = 0;; k ^= 1)
				(void)bm_write_atomic(at("f"), buf[k], KILL_SIZE,
				    0644, BM_WRITE_LOCKED, &e);
		}
		usleep((useconds_t)(rand_r(&seed) % 3000));
		ck_assert_int_eq(kill(pid, SIGKILL), 0);
		ck_assert_int_eq(waitpid(pid, &st, 0), pid);
		kills += WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
		t = text_of("f");
		len = strlen(t);
		ck_assert_msg(len == KILL_SIZE && (memcmp(t, buf[0], len) == 0 ||
		    memcmp(t, buf[1], len) == 0), "kill %d: f is neither "
		    "version (%zu bytes)", i, len);
		free(t);
		left += count_in(NULL, ".f.bmsub-tmp.");
		/* the next writer, under the lock, sweeps what the kill left */
		ck_assert_int_eq(bm_write_atomic(at("f"), buf[i & 1], KILL_SIZE,
		    0644, BM_WRITE_LOCKED, &e), 0);
		ck_assert_int_eq(count_in(NULL, ".f.bmsub-tmp."), 0);
	}
	fprintf(stderr, "test_atomic_killed: %d kills, %d temp files left by "
	    "them, 0 after the next writer\n", kills, left);
	ck_assert_int_eq(kills, 200);
	ck_assert_int_gt(left, 0);
	ck_assert(exists("sub/.f.bmsub-tmp.AbC123"));
	ck_assert(exists(".g.bmsub-tmp.AbC123"));
}
END_TEST

/* A write that fails halfway (RLIMIT_FSIZE, SIGXFSZ ignored: write(2)
 * says EFBIG) leaves the old file byte for byte and no temp file. */
START_TEST(test_atomic_fails_halfway)
{
	static char big[65536];
	struct rlimit rl = { 100, 100 };
	pid_t pid;
	int st;
	char *t;

	memset(big, 'n', sizeof(big));
	put("f", "the old file\n", 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct bmsub_error e;
		int r;

		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(10);
		r = bmsub_file_write_atomic(at("f"), big, sizeof(big), 0644,
		    &e);
		_exit(r == BMSUB_E_IO && e.code == r &&
		    strstr(e.msg, "write failed") != NULL ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d", st);
	ck_assert_str_eq(t = text_of("f"), "the old file\n");
	free(t);
	ck_assert_int_eq(count_in(NULL, ".f."), 0);
	ck_assert_int_eq(count_in(NULL, "."), 2);	/* "." and ".." */
}
END_TEST

/* The writer's folder: the readers' rule for the folders above a file. */
static const struct {
	const char *name;
	const char *path;	/* under dir */
	unsigned mode;		/* of folder "d" */
	uid_t owner;		/* of folder "d", 0: as made */
	int code;
} writes[] = {
	{ "safe folder", "d/f", 0755, 0, 0 },
	{ "private folder", "d/f", 0700, 0, 0 },
	{ "sticky folder such as /tmp", "d/f", 01777, 0, 0 },
	{ "group-writable folder", "d/f", 0775, 0, BMSUB_E_PERMISSIONS },
	{ "other-writable folder", "d/f", 0757, 0, BMSUB_E_PERMISSIONS },
	{ "world-writable folder", "d/f", 0777, 0, BMSUB_E_PERMISSIONS },
	{ "folder of another user", "d/f", 0755, 65534, BMSUB_E_PERMISSIONS },
	{ "sticky folder of another user", "d/f", 01777, 65534,
	    BMSUB_E_PERMISSIONS },
	{ "under a writable folder", "d/sub/f", 0777, 0, BMSUB_E_PERMISSIONS },
	{ "missing folder", "d/none/f", 0755, 0, BMSUB_E_IO },
	{ "a file as the folder", "d/file/f", 0755, 0, BMSUB_E_IO },
	{ "no file name", "d/", 0755, 0, BMSUB_E_INVALID },
	{ "dot", "d/.", 0755, 0, BMSUB_E_INVALID },
	{ "dot dot", "d/..", 0755, 0, BMSUB_E_INVALID },
};

START_TEST(test_atomic_folder)
{
	struct bmsub_error e;
	struct stat st;
	int r;

	if (writes[_i].owner != 0 &&
	    !tlib_need_root("test_atomic_folder: %s", writes[_i].name))
		return;
	ck_assert_int_eq(mkdir(at("d"), 0700), 0);
	ck_assert_int_eq(mkdir(at("d/sub"), 0755), 0);
	mkfile("d/file", 1, 0644);
	ck_assert_int_eq(chmod(at("d"), writes[_i].mode), 0);
	if (writes[_i].owner != 0)
		ck_assert_int_eq(chown(at("d"), writes[_i].owner, (gid_t)-1), 0);
	r = bmsub_file_write_atomic(at(writes[_i].path), "data\n", 5, 0640,
	    &e);
	ck_assert_msg(r == writes[_i].code, "%s: %s (%s)", writes[_i].name,
	    bmsub_err_token(r), e.msg);
	ck_assert_int_eq(e.code, r);
	if (r == 0) {
		ck_assert_int_eq(stat(at(writes[_i].path), &st), 0);
		ck_assert_uint_eq(st.st_mode & 07777, 0640);
		ck_assert_int_eq(st.st_size, 5);
	} else if (r != BMSUB_E_INVALID) {	/* "d/." and such exist */
		ck_assert_int_eq(stat(at(writes[_i].path), &st), -1);
		ck_assert_ptr_nonnull(strstr(e.msg, dir));
	}
	chmod(at("d"), 0755);
	ck_assert_int_eq(count_in(at("d"), ".") - 2, 0);
}
END_TEST

/* Any folder and any mode (bmsub-sign writes where the vendor says):
 * a bare name in the cwd, modes kept exactly, a file replaced. */
START_TEST(test_atomic_any)
{
	static const unsigned modes[] = { 0600, 0644, 0400, 0444, 0755 };
	struct bmsub_error e;
	struct stat st;
	size_t i;
	char *t;

	ck_assert_int_eq(chdir(dir), 0);
	ck_assert_msg(bmsub_file_write_atomic("bare.lic", "one\n", 4, 0644,
	    &e) == 0, "%s", e.msg);
	ck_assert_int_eq(chdir("/"), 0);
	ck_assert_str_eq(t = text_of("bare.lic"), "one\n");
	free(t);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		ck_assert_int_eq(bmsub_file_write_atomic(at("m"), "x", 1,
		    modes[i], &e), 0);
		ck_assert_int_eq(stat(at("m"), &st), 0);
		ck_assert_uint_eq(st.st_mode & 07777, modes[i]);
	}
	/* empty data, and a replaced file */
	ck_assert_int_eq(bmsub_file_write_atomic(at("bare.lic"), "", 0, 0644,
	    &e), 0);
	ck_assert_int_eq(stat(at("bare.lic"), &st), 0);
	ck_assert_int_eq(st.st_size, 0);
	ck_assert_int_eq(count_in(NULL, "."), 2);
	/* a folder where the file should be: the rename fails, the temp
	 * file goes, the folder stays */
	ck_assert_int_eq(mkdir(at("adir"), 0755), 0);
	ck_assert_int_eq(bmsub_file_write_atomic(at("adir"), "x", 1, 0644, &e),
	    BMSUB_E_IO);
	ck_assert_ptr_nonnull(strstr(e.msg, "rename failed"));
	ck_assert_int_eq(count_in(NULL, ".adir."), 0);
	ck_assert_int_eq(rmdir(at("adir")), 0);
	ck_assert_int_eq(bmsub_file_write_atomic(NULL, "", 0, 0644, &e),
	    BMSUB_E_INVALID);
	ck_assert_int_eq(bmsub_file_write_atomic("", "", 0, 0644, &e),
	    BMSUB_E_INVALID);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("fileio");
	TCase *tc = tcase_create("read");
	int nf;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_regular, 0,
	    (int)(sizeof(files) / sizeof(files[0])));
	tcase_add_test(tc, test_fifo_does_not_block);
	tcase_add_test(tc, test_not_regular);
	tcase_add_test(tc, test_symlinks);
	tcase_add_test(tc, test_missing);
	tcase_add_test(tc, test_owner);
	tcase_add_test(tc, test_growing);
	tcase_add_test(tc, test_large_max);
	suite_add_tcase(s, tc);
	tc = tcase_create("safe_path");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_tree, 0,
	    (int)(sizeof(trees) / sizeof(trees[0])));
	tcase_add_loop_test(tc, test_folder_itself, 0,
	    (int)(sizeof(folders) / sizeof(folders[0])));
	tcase_add_test(tc, test_safe_path_args);
	tcase_add_test(tc, test_readers_refuse);
	suite_add_tcase(s, tc);
	tc = tcase_create("atomic");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_atomic_sweep);
	tcase_add_test(tc, test_atomic_sweep_foreign);
	tcase_add_test(tc, test_atomic_fails_halfway);
	tcase_add_test(tc, test_atomic_killed);
	tcase_add_loop_test(tc, test_atomic_folder, 0,
	    (int)(sizeof(writes) / sizeof(writes[0])));
	tcase_add_test(tc, test_atomic_any);
	suite_add_tcase(s, tc);
	nf = tlib_run(s);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
