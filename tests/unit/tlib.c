/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tlib.c - helpers linked into every unit test. */
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>

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
