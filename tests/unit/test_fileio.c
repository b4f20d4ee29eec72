/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_fileio.c - bmsub_file_read: file types, sizes, owners and modes, never blocking. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bmsub.h"
#include "tlib.h"

static char dir[64];

static void
setup(void)
{
	strcpy(dir, "/tmp/test_fileio.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
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

	if (geteuid() != 0)
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
	nf = tlib_run(s);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
