/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* count.c - the licensed user count and the hosted and external sets
 * (SPEC section 10), through NSS groups or roster files (bmsub-check
 * refresh only: never in the login path). */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "internal.h"

#define ROSTER_MAX (256u * 1024 * 1024)
#define LOGIN_MAX BM_LOGIN_MAX

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

/* Sorts s and drops duplicates (freeing them when owned). */
static void
names_unique(struct names *s)
{
	size_t i, j = 0;

	if (s->n == 0)
		return;
	qsort(s->v, s->n, sizeof(*s->v), cmp_str);
	for (i = 0; i < s->n; i++) {
		if (j > 0 && strcmp(s->v[i], s->v[j - 1]) == 0) {
			if (s->owned)
				free(s->v[i]);
			continue;
		}
		s->v[j++] = s->v[i];
	}
	s->n = j;
}

static int
names_has(const struct names *s, const char *name)
{
	return s->n > 0 && bsearch(&name, s->v, s->n, sizeof(*s->v),
	    cmp_str) != NULL;
}

/* Distinct names of s that are not in exclude. */
static int
names_count(struct names *s, const struct bmsub_strlist *exclude,
    uint64_t *count)
{
	struct names ex = { NULL, 0, 0, 0 };
	uint64_t c = 0;
	size_t i;
	int r;

	for (i = 0; i < exclude->n; i++)
		if ((r = names_add(&ex, exclude->v[i])) != 0)
			goto out;
	names_unique(&ex);
	names_unique(s);
	for (i = 0; i < s->n; i++)
		if (!names_has(&ex, s->v[i]))
			c++;
	*count = c;
	r = 0; /* success */
 out:
	names_free(&ex);
	return r;
}

/*
 * Roster: one login a line. Empty lines and lines starting with '#' are
 * skipped; anything else must be a whole login (no blank, no control
 * character, at most 255 bytes): a line that is not is an error naming
 * it, rather than a guess that could under-count. Adds copies to s.
 */
static int
roster_collect(const char *buf, size_t len, const char *name,
    struct names *s, struct bmsub_error *err)
{
	char *copy = NULL, *p, *nl, *end, *q;
	unsigned line = 0;
	int r = BMSUB_E_INTERNAL;

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
		if ((r = names_add(s, p)) != 0) {
			r = bm_err(err, r, 0, "%s: out of memory", name);
			goto out;
		}
	}
	r = 0; /* success */
 out:
	free(copy);
	return r;
}

int
bm_roster_count(const char *buf, size_t len, const char *name,
    const struct bmsub_strlist *exclude, uint64_t *count,
    struct bmsub_error *err)
{
	struct names s = { NULL, 0, 0, 1 };
	int r = BMSUB_E_INTERNAL;

	*count = 0;
	if ((r = roster_collect(buf, len, name, &s, err)) != 0)
		goto out;
	if ((r = names_count(&s, exclude, count)) != 0) {
		r = bm_err(err, r, 0, "%s: out of memory", name);
		goto out;
	}
	r = 0; /* success */
 out:
	names_free(&s);
	return r;
}

static int
roster_file_collect(const char *path, struct names *s,
    struct bmsub_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	if ((r = bmsub_file_read(path, ROSTER_MAX, &buf, &len, err)) != 0)
		return r;
	r = roster_collect(buf, len, path, s, err);
	free(buf);
	return r;
}

/*
 * Groups: secondary members from getgrnam_r, primary members by walking
 * the whole passwd database with getpwent_r. That walk shares the
 * process-wide enumeration position (not thread-safe) and is slow on big
 * directories; counting runs only in bmsub-check, never in the module.
 * A directory that does not enumerate (sssd with enumerate = false) gives
 * no primary members: put users in their groups as secondary members.
 * key names the setting in messages ("users.groups").
 */
static int
groups_collect(const struct bmsub_strlist *groups, const char *key,
    const struct bmsub_log *log, struct names *s, struct bmsub_error *err)
{
	struct nssbuf b = { NULL, 0 };
	struct passwd pw, *res;
	struct group gr;
	gid_t *gids = NULL;
	size_t i, j, n_gids = 0, n_secondary = 0, n_primary = 0;
	char **m;
	int r = BMSUB_E_INTERNAL, found, e, enumerating = 0;

	if ((gids = calloc(groups->n, sizeof(*gids))) == NULL) {
		r = bm_err(err, BMSUB_E_NOMEM, 0, "out of memory");
		goto out;
	}
	for (i = 0; i < groups->n; i++) {
		if ((r = bm_group_lookup(groups->v[i], &gr, &b, &found,
		    err)) != 0)
			goto out;
		if (!found) {
			/* Counting nobody would under-count silently. */
			r = bm_err(err, BMSUB_E_CONFIG, 0,
			    "%s: no such group \"%.64s\"", key, groups->v[i]);
			goto out;
		}
		gids[n_gids++] = gr.gr_gid;
		for (m = gr.gr_mem; m != NULL && *m != NULL; m++) {
			if ((r = names_add(s, *m)) != 0)
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
			if ((r = names_add(s, res->pw_name)) != 0)
				goto nomem;
			n_primary++;
			break;
		}
	}
	bm_log(log, LOG_DEBUG, "%s: %zu secondary and %zu primary "
	    "memberships", key, n_secondary, n_primary);
	r = 0; /* success */
	goto out;
 nomem:
	r = bm_err(err, BMSUB_E_NOMEM, 0, "%s: out of memory", key);
 out:
	if (enumerating)
		endpwent();
	free(b.p);
	free(gids);
	return r;
}

void
bmsub_user_sets_free(struct bmsub_user_sets *s)
{
	if (s == NULL)
		return;
	free(s->text);
	free(s);
}

/* The next name in merge order of three sorted sets, or NULL. */
static const char *
merge_next(struct names *const sets[3], size_t pos[3])
{
	const char *min = NULL;
	int i;

	for (i = 0; i < 3; i++)
		if (pos[i] < sets[i]->n && (min == NULL ||
		    strcmp(sets[i]->v[pos[i]], min) < 0))
			min = sets[i]->v[pos[i]];
	return min;
}

int
bmsub_user_sets_build(const struct bmsub_config *cfg,
    const struct bmsub_log *log, struct bmsub_user_sets **out,
    struct bmsub_error *err)
{
	struct names hosted = { NULL, 0, 0, 1 }, ex = { NULL, 0, 0, 1 },
	    ext = { NULL, 0, 0, 1 };
	struct names *const sets[3] = { &hosted, &ex, &ext };
	size_t pos[3] = { 0, 0, 0 }, i;
	struct bmsub_user_sets *u = NULL;
	struct bm_text t;
	const char *name;
	int r = BMSUB_E_INTERNAL, in[3], admin, cls;

	*out = NULL;
	bm_err_clear(err);
	bm_text_dynamic(&t);
	if (cfg == NULL)
		return bm_err(err, BMSUB_E_INVALID, 0, "no configuration");
	if (cfg->user_roster != NULL && cfg->user_groups.n > 0)
		return bm_err(err, BMSUB_E_CONFIG, 0,
		    "users.groups and users.roster are exclusive: set one");
	if ((u = calloc(1, sizeof(*u))) == NULL)
		return bm_err(err, BMSUB_E_NOMEM, 0, "out of memory");
	if (cfg->user_roster != NULL)
		r = roster_file_collect(cfg->user_roster, &hosted, err);
	else if (cfg->user_groups.n > 0)
		r = groups_collect(&cfg->user_groups, "users.groups", log,
		    &hosted, err);
	else
		r = bm_err(err, BMSUB_E_CONFIG, 0, "no user source: set "
		    "users.groups or users.roster, or pass --users N");
	if (r != 0)
		goto out;
	if (cfg->external_groups.n > 0 && (r = groups_collect(
	    &cfg->external_groups, "users.external.groups", log, &ext,
	    err)) != 0)
		goto out;
	if (cfg->external_roster != NULL && (r = roster_file_collect(
	    cfg->external_roster, &ext, err)) != 0)
		goto out;
	for (i = 0; i < cfg->user_exclude.n; i++)
		if ((r = names_add(&ex, cfg->user_exclude.v[i])) != 0)
			goto nomem;
	names_unique(&hosted);
	names_unique(&ex);
	names_unique(&ext);

	bm_text_add(&t, "%s 1\n", BMSUB_USERS_MAGIC);
	while ((name = merge_next(sets, pos)) != NULL) {
		for (i = 0; i < 3; i++) {
			in[i] = pos[i] < sets[i]->n &&
			    strcmp(sets[i]->v[pos[i]], name) == 0;
		}
		admin = 0;
		/* administrators are never external (SPEC 10) */
		if (in[2] && (r = bmsub_is_admin(cfg, name, &admin,
		    err)) != 0)
			goto out;
		if (in[2] && !admin)
			cls = BM_U_EXTERNAL;
		else if (in[1])
			cls = BM_U_EXCLUDED;
		else if (in[0])
			cls = BM_U_HOSTED;
		else
			cls = BM_U_NONE; /* an external admin hosted nowhere */
		if (in[2] && admin)
			u->external_admins++;
		switch (cls) {
		case BM_U_EXTERNAL:
			u->external++;
			break;
		case BM_U_EXCLUDED:
			u->excluded++;
			break;
		case BM_U_HOSTED:
			u->counted++;
			break;
		default:
			break;
		}
		if (cls != BM_U_NONE)
			bm_text_add(&t, "%s\t%s\n", name,
			    bm_users_class_name((enum bm_uclass)cls));
		for (i = 0; i < 3; i++)
			pos[i] += in[i] ? 1 : 0;
	}
	bm_text_add(&t, "end %llu\n", (unsigned long long)(u->counted +
	    u->excluded + u->external));
	if ((r = bm_text_take(&t, &u->text, &u->len)) != 0)
		goto nomem;
	bm_log(log, LOG_DEBUG, "users: %llu counted, %llu excluded, %llu "
	    "external (%llu administrators among users.external let in)",
	    (unsigned long long)u->counted, (unsigned long long)u->excluded,
	    (unsigned long long)u->external,
	    (unsigned long long)u->external_admins);
	*out = u;
	u = NULL;	/* transferred */
	r = 0; /* success */
	goto out;
 nomem:
	r = bm_err(err, BMSUB_E_NOMEM, 0, "users: out of memory");
 out:
	bm_text_free(&t);
	names_free(&hosted);
	names_free(&ex);
	names_free(&ext);
	bmsub_user_sets_free(u);
	return r;
}

int
bmsub_user_sets_save(const char *state_dir, const struct bmsub_user_sets *s,
    struct bmsub_error *err)
{
	char path[4096];
	int r;

	if (s == NULL || s->text == NULL)
		return bm_err(err, BMSUB_E_INVALID, 0, "no user sets");
	if ((r = bm_state_path(path, sizeof(path), state_dir,
	    BMSUB_USERS_FILE, err)) != 0)
		return r;
	return bm_write_atomic(path, s->text, s->len, 0644, BM_WRITE_LOCKED,
	    err);
}

int
bmsub_count_users(const struct bmsub_config *cfg, const struct bmsub_log *log,
    uint64_t *count, struct bmsub_error *err)
{
	struct bmsub_user_sets *u = NULL;
	int r;

	*count = 0;
	if ((r = bmsub_user_sets_build(cfg, log, &u, err)) != 0)
		return r;
	*count = u->counted;
	bmsub_user_sets_free(u);
	return BMSUB_OK;
}
