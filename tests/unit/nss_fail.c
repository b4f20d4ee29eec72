/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nss_fail.c - LD_PRELOAD shim for tests/sh/pam_nss.sh: makes NSS fail
 * the way a directory that is down does. getgrnam_r of the group named
 * by BMSUB_NSS_FAIL_GROUP and getpwnam_r of the user named by
 * BMSUB_NSS_FAIL_USER return EIO (read at each call, so a test may set
 * them as it goes); every other call goes to the next definition (libc,
 * or nss_wrapper when it is preloaded after this). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

typedef int grnam_fn(const char *, struct group *, char *, size_t,
    struct group **);
typedef int pwnam_fn(const char *, struct passwd *, char *, size_t,
    struct passwd **);

static int
fails(const char *var, const char *name)
{
	const char *v = getenv(var);

	return v != NULL && name != NULL && strcmp(v, name) == 0;
}

int
getgrnam_r(const char *name, struct group *gr, char *buf, size_t size,
    struct group **res)
{
	grnam_fn *next;

	if (fails("BMSUB_NSS_FAIL_GROUP", name)) {
		*res = NULL;
		return EIO;
	}
	if ((next = (grnam_fn *)dlsym(RTLD_NEXT, "getgrnam_r")) == NULL) {
		*res = NULL;
		return ENOSYS;
	}
	return next(name, gr, buf, size, res);
}

int
getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t size,
    struct passwd **res)
{
	pwnam_fn *next;

	if (fails("BMSUB_NSS_FAIL_USER", name)) {
		*res = NULL;
		return EIO;
	}
	if ((next = (pwnam_fn *)dlsym(RTLD_NEXT, "getpwnam_r")) == NULL) {
		*res = NULL;
		return ENOSYS;
	}
	return next(name, pw, buf, size, res);
}
