/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* admin.c - the administrator role through NSS (thread-safe *_r calls),
 * and the NSS helpers the user count shares (ops/count.c). */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "internal.h"

/* A group of 100,000 members needs about 2 MiB; beyond 64 MiB something
 * is wrong with the directory, not with our buffer. */
#define NSS_BUF_START 16384
#define NSS_BUF_MAX (64u * 1024 * 1024)

/* The getgrnam_r(3) family returns the error number; nss_wrapper (the
 * test harness, maybe other shims) returns -1 with errno set instead. */
int
bm_nss_errno(int e)
{
	return e == -1 && errno != 0 ? errno : e;
}

/* The getpwnam_r(3) family reports "no such entry" in several ways. */
int
bm_nss_not_found(int e)
{
	return e == 0 || e == ENOENT || e == ESRCH || e == EBADF || e == EPERM;
}

int
bm_nssbuf_grow(struct nssbuf *b)
{
	size_t n = b->size == 0 ? NSS_BUF_START : b->size * 2;
	char *p;

	if (n > NSS_BUF_MAX)
		return BMSUB_E_NSS;
	if ((p = realloc(b->p, n)) == NULL)
		return BMSUB_E_NOMEM;
	b->p = p;
	b->size = n;
	return BMSUB_OK;
}

int
bm_nss_fail(struct bmsub_error *err, int code, const char *what,
    const char *name, int e)
{
	char eb[128];

	if (code == BMSUB_E_NOMEM)
		return bm_err(err, code, 0, "%s %.64s: out of memory", what,
		    name);
	if (e == ERANGE)
		return bm_err(err, code, 0, "%s %.64s: entry larger than %u "
		    "bytes", what, name, NSS_BUF_MAX);
	return bm_err(err, code, 0, "%s %.64s: lookup failed: %s", what, name,
	    strerror_r(e, eb, sizeof(eb)));
}

/* getgrnam_r with a buffer grown on ERANGE; *found = 0: no such group. */
int
bm_group_lookup(const char *name, struct group *gr, struct nssbuf *b,
    int *found, struct bmsub_error *err)
{
	struct group *res;
	int e, r;

	*found = 0;
	if (b->p == NULL && (r = bm_nssbuf_grow(b)) != 0)
		return bm_nss_fail(err, r, "group", name, 0);
	for (;;) {
		res = NULL;
		errno = 0;
		e = bm_nss_errno(getgrnam_r(name, gr, b->p, b->size, &res));
		if (e == ERANGE) {
			if ((r = bm_nssbuf_grow(b)) != 0)
				return bm_nss_fail(err, r, "group", name, e);
			continue;
		}
		if (res != NULL) {
			*found = 1;
			return BMSUB_OK;
		}
		if (bm_nss_not_found(e))
			return BMSUB_OK;
		return bm_nss_fail(err, BMSUB_E_NSS, "group", name, e);
	}
}

/* The primary gid of user; *found = 0: no such user. */
static int
user_gid(const char *name, gid_t *gid, int *found, struct bmsub_error *err)
{
	struct nssbuf b = { NULL, 0 };
	struct passwd pw, *res;
	int e, r = BMSUB_E_INTERNAL;

	*found = 0;
	if ((r = bm_nssbuf_grow(&b)) != 0) {
		r = bm_nss_fail(err, r, "user", name, 0);
		goto out;
	}
	for (;;) {
		res = NULL;
		errno = 0;
		e = bm_nss_errno(getpwnam_r(name, &pw, b.p, b.size, &res));
		if (e == ERANGE) {
			if ((r = bm_nssbuf_grow(&b)) != 0) {
				r = bm_nss_fail(err, r, "user", name, e);
				goto out;
			}
			continue;
		}
		break;
	}
	if (res != NULL) {
		*gid = res->pw_gid;
		*found = 1;
	} else if (!bm_nss_not_found(e)) {
		r = bm_nss_fail(err, BMSUB_E_NSS, "user", name, e);
		goto out;
	}
	r = 0; /* success */
 out:
	free(b.p);
	return r;
}

int
bmsub_is_admin(const struct bmsub_config *cfg, const char *user,
    int *is_admin, struct bmsub_error *err)
{
	struct nssbuf b = { NULL, 0 };
	struct group gr;
	char **m;
	gid_t gid = 0;
	size_t i;
	int r = BMSUB_E_INTERNAL, have_gid = 0, found, admin = 0;

	*is_admin = 0;
	bm_err_clear(err);
	if (cfg == NULL || user == NULL || *user == '\0')
		return bm_err(err, BMSUB_E_INVALID, 0, "no user name");
	for (i = 0; i < cfg->admin_users.n; i++) {
		if (strcmp(cfg->admin_users.v[i], user) == 0) {
			*is_admin = 1;
			return BMSUB_OK;
		}
	}
	if (cfg->admin_groups.n == 0)
		return BMSUB_OK;
	if ((r = user_gid(user, &gid, &have_gid, err)) != 0)
		goto out;
	for (i = 0; i < cfg->admin_groups.n && !admin; i++) {
		if ((r = bm_group_lookup(cfg->admin_groups.v[i], &gr, &b, &found,
		    err)) != 0)
			goto out;
		if (!found)
			continue;	/* a missing group has no members */
		if (have_gid && gr.gr_gid == gid)
			admin = 1;
		for (m = gr.gr_mem; !admin && m != NULL && *m != NULL; m++) {
			if (strcmp(*m, user) == 0)
				admin = 1;
		}
	}
	*is_admin = admin;
	r = 0; /* success */
 out:
	free(b.p);
	return r;
}
