/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* count.c - the licensed user count, through NSS groups or a roster file
 * (bmsub-check refresh only: never in the login path). */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "internal.h"

#define ROSTER_MAX (256u * 1024 * 1024)
#define LOGIN_MAX 255

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
		if ((r = bm_group_lookup(cfg->user_groups.v[i], &gr, &b, &found,
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
		errno = 0;
		e = bm_nss_errno(getpwent_r(&pw, b.p, b.size, &res));
		if (e == ERANGE) {
			/* glibc keeps the entry for the retry */
			if ((r = bm_nssbuf_grow(&b)) != 0) {
				r = bm_nss_fail(err, r, "passwd", "database", e);
				goto out;
			}
			continue;
		}
		if (res == NULL) {
			if (e == 0 || e == ENOENT)
				break;
			r = bm_nss_fail(err, BMSUB_E_NSS, "passwd", "database", e);
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
