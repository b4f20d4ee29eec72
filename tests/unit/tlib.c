/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tlib.c - helpers linked into every unit test. */
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bmsub.h"
#include "tlib.h"

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	/* a test may have left a folder read-only on purpose */
	if (flag == FTW_DP || flag == FTW_D || flag == FTW_DNR)
		chmod(path, 0700);
	if (remove(path) != 0)
		fprintf(stderr, "cannot remove %s\n", path);
	return 0;
}

void
tlib_rmrf(const char *dir)
{
	if (dir != NULL && *dir != '\0')
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
tlib_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf;
}

int64_t
ts(const char *s)
{
	int64_t t;

	ck_assert_msg(bmsub_time_parse(s, 0, &t) == 0, "bad time %s", s);
	return t;
}

struct bmsub_license
tlib_license(enum bmsub_kind kind, uint32_t grace, const char *issued,
    const char *starts, const char *expires)
{
	struct bmsub_license l;

	memset(&l, 0, sizeof(l));
	snprintf(l.id, sizeof(l.id), "BM-TEST");
	snprintf(l.customer, sizeof(l.customer), "Example SA");
	l.kind = kind;
	l.issued = ts(issued != NULL ? issued : "2026-11-01");
	l.starts = starts != NULL ? ts(starts) : BMSUB_TIME_NONE;
	if (expires == NULL)
		expires = "2027-11-01";
	ck_assert_msg(bmsub_time_parse(expires, 1, &l.expires) == 0,
	    "bad time %s", expires);
	l.users = 250;
	l.grace_days = grace;
	l.allowance_percent = 10;
	return l;
}

struct bmsub_state
tlib_state(int have_count, uint64_t count, int64_t over_since,
    int64_t high_water)
{
	struct bmsub_state st;

	/* by hand: a test of the policy does not depend on state.c */
	memset(&st, 0, sizeof(st));
	st.have_count = have_count;
	st.count = count;
	st.over_since = over_since;
	st.high_water = high_water;
	st.last_refresh = st.last_notify = BMSUB_TIME_NONE;
	return st;
}

char *
tlib_tmpdir(char *buf, size_t size, const char *name)
{
	ck_assert_int_lt(snprintf(buf, size, "/tmp/%s.XXXXXX", name),
	    (int)size);
	ck_assert_msg(mkdtemp(buf) != NULL, "mkdtemp %s", buf);
	return buf;
}

char *
tlib_put(const char *dir, const char *name, const void *data, size_t len,
    mode_t mode)
{
	char *p;
	int fd;

	if (dir != NULL)
		ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
	else
		ck_assert_ptr_nonnull(p = strdup(name));
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_msg(fd >= 0, "cannot create %s", p);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	ck_assert_int_eq(close(fd), 0);
	return p;
}

char *
tlib_slurp(const char *rel, size_t *len)
{
	const char *top = getenv("TOP");
	char *path, *buf;
	FILE *f;
	long n;

	ck_assert_int_ge(asprintf(&path, "%s/%s", top != NULL ? top : ".",
	    rel), 0);
	ck_assert_msg((f = fopen(path, "rb")) != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	ck_assert_int_ge(n = ftell(f), 0);
	rewind(f);
	ck_assert_ptr_nonnull(buf = malloc((size_t)n + 1));
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	free(path);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

char *
tlib_data(const char *rel, size_t *len)
{
	char *path, *buf;

	ck_assert_int_ge(asprintf(&path, "tests/data/%s", rel), 0);
	buf = tlib_slurp(path, len);
	free(path);
	return buf;
}

int
tlib_has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static int
need(int ok, const char *who, const char *fmt, va_list ap)
{
	if (!ok) {
		printf("not run (needs %s): ", who);
		vprintf(fmt, ap);
		printf("\n");
		fflush(stdout);	/* Check's forked child may not flush */
	}
	return ok;
}

int
tlib_need_root(const char *fmt, ...)
{
	va_list ap;
	int ok;

	va_start(ap, fmt);
	ok = need(geteuid() == 0, "root", fmt, ap);
	va_end(ap);
	return ok;
}

int
tlib_need_user(const char *fmt, ...)
{
	va_list ap;
	int ok;

	va_start(ap, fmt);
	ok = need(geteuid() != 0, "an unprivileged user", fmt, ap);
	va_end(ap);
	return ok;
}
