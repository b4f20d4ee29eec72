/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* users.c - administrator role and licensed user count, through NSS or a
 * roster file. */
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
#define ROSTER_MAX (256u * 1024 * 1024)
#define LOGIN_MAX 255

struct nssbuf {
	char *p;
	size_t size;
};

/* The getpwnam_r(3) family reports "no such entry" in several ways. */
static int
nss_not_found(int e)
{
	return e == 0 || e == ENOENT || e == ESRCH || e == EBADF || e == EPERM;
}

static int
nssbuf_grow(struct nssbuf *b)
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

static int
nss_fail(struct bmsub_error *err, int code, const char *what,
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
static int
group_lookup(const char *name, struct group *gr, struct nssbuf *b,
    int *found, struct bmsub_error *err)
{
	struct group *res;
	int e, r;

	*found = 0;
	if (b->p == NULL && (r = nssbuf_grow(b)) != 0)
		return nss_fail(err, r, "group", name, 0);
	for (;;) {
		res = NULL;
		e = getgrnam_r(name, gr, b->p, b->size, &res);
		if (e == ERANGE) {
			if ((r = nssbuf_grow(b)) != 0)
				return nss_fail(err, r, "group", name, e);
			continue;
		}
		if (res != NULL) {
			*found = 1;
			return BMSUB_OK;
		}
		if (nss_not_found(e))
			return BMSUB_OK;
		return nss_fail(err, BMSUB_E_NSS, "group", name, e);
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
	if ((r = nssbuf_grow(&b)) != 0) {
		r = nss_fail(err, r, "user", name, 0);
		goto out;
	}
	for (;;) {
		res = NULL;
		e = getpwnam_r(name, &pw, b.p, b.size, &res);
		if (e == ERANGE) {
			if ((r = nssbuf_grow(&b)) != 0) {
				r = nss_fail(err, r, "user", name, e);
				goto out;
			}
			continue;
		}
		break;
	}
	if (res != NULL) {
		*gid = res->pw_gid;
		*found = 1;
	} else if (!nss_not_found(e)) {
		r = nss_fail(err, BMSUB_E_NSS, "user", name, e);
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
		if ((r = group_lookup(cfg->admin_groups.v[i], &gr, &b, &found,
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

/* ------------------------------------------------------------------ */
/* Counting: a set of names built as an array, then sort + unique. */

struct names {
	char **v;
	size_t n, cap;
	int owned;	/* v[i] were strdup'ed */
};

static void
names_free(struct names *s)
{
	size_t i;

	if (s->owned) {
		for (i = 0; i < s->n; i++)
			free(s->v[i]);
	}
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

/* Adds s (copied when the set owns its names). */
static int
names_add(struct names *s, char *name)
{
	char **v;
	size_t cap;

	if (s->n == s->cap) {
		cap = s->cap == 0 ? 256 : s->cap * 2;
		if ((v = realloc(s->v, cap * sizeof(*v))) == NULL)
			return BMSUB_E_NOMEM;
		s->v = v;
		s->cap = cap;
	}
	if (s->owned && (name = strdup(name)) == NULL)
		return BMSUB_E_NOMEM;
	s->v[s->n++] = name;
	return BMSUB_OK;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Distinct names of s that are not in exclude. */
static int
names_count(struct names *s, const struct bmsub_strlist *exclude,
    uint64_t *count)
{
	char **ex = NULL;
	uint64_t c = 0;
	size_t i;

	if (exclude->n > 0) {
		if ((ex = malloc(exclude->n * sizeof(*ex))) == NULL)
			return BMSUB_E_NOMEM;
		memcpy(ex, exclude->v, exclude->n * sizeof(*ex));
		qsort(ex, exclude->n, sizeof(*ex), cmp_str);
	}
	if (s->n > 0)
		qsort(s->v, s->n, sizeof(*s->v), cmp_str);
	for (i = 0; i < s->n; i++) {
		if (i > 0 && strcmp(s->v[i], s->v[i - 1]) == 0)
			continue;
		if (ex != NULL && bsearch(&s->v[i], ex, exclude->n,
		    sizeof(*ex), cmp_str) != NULL)
			continue;
		c++;
	}
	free(ex);
	*count = c;
	return BMSUB_OK;
}

/*
 * Roster: one login a line. Empty lines and lines starting with '#' are
 * skipped; anything else must be a whole login (no blank, no control
 * character, at most 255 bytes): a line that is not is an error naming
 * it, rather than a guess that could under-count.
 */
int
bm_roster_count(const char *buf, size_t len, const char *name,
    const struct bmsub_strlist *exclude, uint64_t *count,
    struct bmsub_error *err)
{
	struct names s = { NULL, 0, 0, 0 };
	char *copy = NULL, *p, *nl, *end, *q;
	unsigned line = 0;
	int r = BMSUB_E_INTERNAL;

	*count = 0;
	if (memchr(buf, '\0', len) != NULL) {
		r = bm_err(err, BMSUB_E_SYNTAX, 0, "%s: NUL byte", name);
		goto out;
	}
	if ((copy = malloc(len + 1)) == NULL) {
		r = bm_err(err, BMSUB_E_NOMEM, 0, "%s: out of memory", name);
		goto out;
	}
	memcpy(copy, buf, len);
	copy[len] = '\0';
	end = copy + len;
	for (p = copy; p < end; p = nl + 1) {
		line++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;	/* last line without LF */
		*nl = '\0';
		if (*p == '\0' || *p == '#')
			continue;
		for (q = p; *q != '\0'; q++) {
			if ((unsigned char)*q <= 0x20 || *q == 0x7f) {
				r = bm_err(err, BMSUB_E_SYNTAX, line,
				    "%s line %u: blank or control character "
				    "in a login", name, line);
				goto out;
			}
		}
		if (q - p > LOGIN_MAX) {
			r = bm_err(err, BMSUB_E_SYNTAX, line,
			    "%s line %u: login longer than %d bytes", name,
			    line, LOGIN_MAX);
			goto out;
		}
		if ((r = names_add(&s, p)) != 0) {
			r = bm_err(err, r, 0, "%s: out of memory", name);
			goto out;
		}
	}
	if ((r = names_count(&s, exclude, count)) != 0) {
		r = bm_err(err, r, 0, "%s: out of memory", name);
		goto out;
	}
	r = 0; /* success */
 out:
	names_free(&s);
	free(copy);
	return r;
}

/*
 * Groups: secondary members from getgrnam_r, primary members by walking
 * the whole passwd database with getpwent_r. That walk shares the
 * process-wide enumeration position (not thread-safe) and is slow on big
 * directories; counting runs only in bmsub-check, never in the module.
 * A directory that does not enumerate (sssd with enumerate = false) gives
 * no primary members: put users in their groups as secondary members.
 */
static int
count_groups(const struct bmsub_config *cfg, const struct bmsub_log *log,
    uint64_t *count, struct bmsub_error *err)
{
	struct names s = { NULL, 0, 0, 1 };
	struct nssbuf b = { NULL, 0 };
	struct passwd pw, *res;
	struct group gr;
	gid_t *gids = NULL;
	size_t i, j, n_gids = 0, n_secondary = 0, n_primary = 0;
	char **m;
	int r = BMSUB_E_INTERNAL, found, e, enumerating = 0;

	if ((gids = calloc(cfg->user_groups.n, sizeof(*gids))) == NULL) {
		r = bm_err(err, BMSUB_E_NOMEM, 0, "out of memory");
		goto out;
	}
	for (i = 0; i < cfg->user_groups.n; i++) {
		if ((r = group_lookup(cfg->user_groups.v[i], &gr, &b, &found,
		    err)) != 0)
			goto out;
		if (!found) {
			/* Counting nobody would under-count silently. */
			r = bm_err(err, BMSUB_E_CONFIG, 0,
			    "users.groups: no such group \"%.64s\"",
			    cfg->user_groups.v[i]);
			goto out;
		}
		gids[n_gids++] = gr.gr_gid;
		for (m = gr.gr_mem; m != NULL && *m != NULL; m++) {
			if ((r = names_add(&s, *m)) != 0)
				goto nomem;
			n_secondary++;
		}
	}
	setpwent();
	enumerating = 1;
	for (;;) {
		res = NULL;
		e = getpwent_r(&pw, b.p, b.size, &res);
		if (e == ERANGE) {
			/* glibc keeps the entry for the retry */
			if ((r = nssbuf_grow(&b)) != 0) {
				r = nss_fail(err, r, "passwd", "database", e);
				goto out;
			}
			continue;
		}
		if (res == NULL) {
			if (e == 0 || e == ENOENT)
				break;
			r = nss_fail(err, BMSUB_E_NSS, "passwd", "database", e);
			goto out;
		}
		for (j = 0; j < n_gids; j++) {
			if (res->pw_gid != gids[j])
				continue;
			if ((r = names_add(&s, res->pw_name)) != 0)
				goto nomem;
			n_primary++;
			break;
		}
	}
	if ((r = names_count(&s, &cfg->user_exclude, count)) != 0)
		goto nomem;
	bm_log(log, LOG_DEBUG, "users.groups: %zu secondary and %zu primary "
	    "memberships, %llu distinct users counted", n_secondary, n_primary,
	    (unsigned long long)*count);
	r = 0; /* success */
	goto out;
 nomem:
	r = bm_err(err, BMSUB_E_NOMEM, 0, "users.groups: out of memory");
 out:
	if (enumerating)
		endpwent();
	names_free(&s);
	free(b.p);
	free(gids);
	return r;
}

int
bmsub_count_users(const struct bmsub_config *cfg, const struct bmsub_log *log,
    uint64_t *count, struct bmsub_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	int r = BMSUB_E_INTERNAL;

	*count = 0;
	bm_err_clear(err);
	if (cfg == NULL)
		return bm_err(err, BMSUB_E_INVALID, 0, "no configuration");
	if (cfg->user_roster != NULL && cfg->user_groups.n > 0)
		return bm_err(err, BMSUB_E_CONFIG, 0,
		    "users.groups and users.roster are exclusive: set one");
	if (cfg->user_roster != NULL) {
		if ((r = bmsub_file_read(cfg->user_roster, ROSTER_MAX, &buf,
		    &len, err)) != 0)
			goto out;
		r = bm_roster_count(buf, len, cfg->user_roster,
		    &cfg->user_exclude, count, err);
		goto out;
	}
	if (cfg->user_groups.n > 0) {
		r = count_groups(cfg, log, count, err);
		goto out;
	}
	r = bm_err(err, BMSUB_E_CONFIG, 0, "no user source: set users.groups "
	    "or users.roster, or pass --users N");
 out:
	free(buf);
	return r;
}
