/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* install.c - a candidate license checked against a context's keys and state, then installed. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

struct check_arg {
	const char *text;
	size_t len;
	int64_t now;
	struct bmsub_install *res;
	struct bmsub_error *err;
	char *target;		/* the configured license file */
	char *state_dir;
};

/* Under the context's lock: the keys and the state as the context holds
 * them, so the checks see what the next login will see. */
static int
check_view(const struct bm_ctx_view *v, void *arg)
{
	struct check_arg *a = arg;
	struct bmsub_install *res = a->res;
	const struct bmsub_eval *ev = &res->eval;
	int r = BMSUB_E_INTERNAL;

	free(a->target);
	free(a->state_dir);
	a->state_dir = NULL;
	if ((a->target = strdup(v->cfg->license)) == NULL ||
	    (a->state_dir = strdup(v->cfg->state_dir)) == NULL)
		return bm_err(a->err, BMSUB_E_NOMEM, 0, NULL);
	res->keys_err = v->keys_err;
	if (v->kr == NULL) {
		/* nothing is trusted: why is the folder's problem */
		if (a->err != NULL)
			*a->err = *v->keys_error;
		res->verify_err = v->keys_err;
		return v->keys_err;
	}
	if ((r = bmsub_license_verify(a->text, a->len, v->kr, &res->lic,
	    a->err)) != 0) {
		memset(&res->lic, 0, sizeof(res->lic));
		res->verify_err = r;
		return r;
	}
	res->verified = 1;
	if (v->st != NULL && v->st->have_count) {
		res->have_count = 1;
		res->count = v->st->count;
	}
	bmsub_evaluate(&res->lic, 0, v->st, a->now, &res->eval);
	if (ev->date_phase == BMSUB_DATE_INVALID)
		res->found |= BMSUB_INSTALL_NOT_STARTED;
	else if (ev->date_phase == BMSUB_DATE_BLOCKED)
		res->found |= BMSUB_INSTALL_EXPIRED;
	else if (ev->date_phase == BMSUB_DATE_GRACE)
		res->found |= BMSUB_INSTALL_IN_GRACE;
	/* N, not the ceiling M: the allowance is for growth between
	 * refreshes, not a way to license fewer users than exist. */
	if (res->have_count && res->count > res->lic.users)
		res->found |= BMSUB_INSTALL_UNDER_COUNT;
	if (res->found & BMSUB_INSTALL_NOT_STARTED)
		res->refused = bmsub_err_token(ev->license_err ?
		    ev->license_err : BMSUB_E_INVALID);
	else if (res->found & BMSUB_INSTALL_EXPIRED)
		res->refused = "expired";
	else if (res->found & BMSUB_INSTALL_UNDER_COUNT)
		res->refused = "over-count";
	return 0;
}

/*
 * O for the license about to be installed, as a refresh would set it
 * (bmsub_state_refresh): on the policy's clock when C > N is first seen,
 * cleared when C <= N. *st is the state on disk under the lock; 1 when O
 * changes (the caller saves), 0 when not.
 */
static int
install_over_since(struct bmsub_state *st, const struct bmsub_license *lic,
    int64_t now)
{
	struct bmsub_eval ev;

	if (!st->have_count)
		return 0;
	if (st->count > lic->users) {
		if (st->over_since != BMSUB_TIME_NONE)
			return 0;	/* an install never postpones the block */
		bmsub_evaluate(lic, 0, st, now, &ev);
		st->over_since = ev.effective;
		return 1;
	}
	if (st->over_since == BMSUB_TIME_NONE)
		return 0;
	st->over_since = BMSUB_TIME_NONE;
	return 1;
}

static int
check(struct bmsub_ctx *ctx, const struct bmsub_log *log, struct check_arg *a)
{
	memset(a->res, 0, sizeof(*a->res));
	bm_err_clear(a->err);
	if (a->text == NULL)
		return bm_err(a->err, BMSUB_E_INVALID, 0, "no license text");
	return bm_ctx_view(ctx, log, check_view, a, a->err);
}

int
bmsub_ctx_license_check(struct bmsub_ctx *ctx, const struct bmsub_log *log,
    const char *text, size_t len, int64_t now, struct bmsub_install *res,
    struct bmsub_error *err)
{
	struct bmsub_install dummy;
	struct check_arg a = { text, len, now, res != NULL ? res : &dummy,
	    err, NULL, NULL };
	int r;

	r = check(ctx, log, &a);
	free(a.target);
	free(a.state_dir);
	return r;
}

/*
 * The configured license path must be the file itself. A rename over a
 * symbolic link replaces the link, not the file it names: the operator's
 * link (to a versioned file, a config-management copy) would silently
 * become a plain file. Refused, naming where the link leads and what to
 * do, rather than guessed either way.
 */
static int
target_not_link(const char *target, struct bmsub_error *err)
{
	char to[PATH_MAX];
	struct stat sb;
	ssize_t n;

	if (lstat(target, &sb) != 0 || !S_ISLNK(sb.st_mode))
		return 0;	/* missing or a file: the write says the rest */
	if ((n = readlink(target, to, sizeof(to) - 1)) < 0)
		n = 0;
	to[n] = '\0';
	return bm_err(err, BMSUB_E_INVALID, 0, "%s is a symbolic link to %s: "
	    "install replaces the license file itself and would replace the "
	    "link; set license = \"%s\" in the configuration, or replace the "
	    "link by the file", target, n > 0 ? to : "(unreadable)",
	    n > 0 && to[0] == '/' ? to : "<the file it names>");
}

int
bmsub_ctx_license_install(struct bmsub_ctx *ctx, const struct bmsub_log *log,
    const char *text, size_t len, int64_t now, unsigned flags,
    struct bmsub_install *res, struct bmsub_error *err)
{
	struct bmsub_install dummy;
	struct check_arg a = { text, len, now, res != NULL ? res : &dummy,
	    err, NULL, NULL };
	int r = BMSUB_E_INTERNAL, lockfd = -1, have_st = 0, save = 0;
	struct bmsub_state st;
	struct bmsub_error e;

	bmsub_state_init(&st);
	/* Unlocked first: a text that does not verify or is refused needs
	 * no lock (and its reason outranks a lock problem). */
	if ((r = check(ctx, log, &a)) != 0 ||
	    (r = target_not_link(a.target, err)) != 0 ||
	    (a.res->refused != NULL && (flags & BMSUB_INSTALL_FORCE) == 0))
		goto out;
	/* Then again under the state lock, which serialises the operators'
	 * writes: no refresh can change C between the check and the
	 * replacement. */
	if ((r = bmsub_state_lock(a.state_dir, &lockfd, err)) != 0 ||
	    (r = check(ctx, log, &a)) != 0)
		goto out;
	if (a.res->refused != NULL && (flags & BMSUB_INSTALL_FORCE) == 0)
		goto out;
	if ((r = target_not_link(a.target, err)) != 0)
		goto out;
	/*
	 * O follows the new N at once, not at the next refresh (a forced
	 * install with N < C would otherwise show no block date). A state
	 * that cannot be read has no C: nothing to follow, as before. Set
	 * before the license is written, so a failed save installs nothing;
	 * cleared after, so a failed write never loses the O of the license
	 * still in place (a stale O under N >= C blocks no one).
	 */
	have_st = bmsub_state_load(a.state_dir, &st, &e) == 0;
	if (have_st && (save = install_over_since(&st, &a.res->lic, now)) &&
	    st.over_since != BMSUB_TIME_NONE &&
	    (r = bmsub_state_save(a.state_dir, &st, err)) != 0)
		goto out;
	if ((r = bm_write_atomic(a.target, text, len, 0644, BM_WRITE_LOCKED, err)) != 0)
		goto out;
	a.res->installed = 1;
	if (save && st.over_since == BMSUB_TIME_NONE &&
	    bmsub_state_save(a.state_dir, &st, &e) != 0)
		bm_log(log, LOG_WARNING, "license installed, but the state "
		    "keeps its over-count start until the next refresh: %s",
		    e.msg);
	if (have_st)	/* what the next login sees */
		bmsub_evaluate(&a.res->lic, 0, &st, now, &a.res->eval);
	r = 0; /* success */
 out:
	bmsub_state_clear(&st);
	bmsub_state_unlock(lockfd);
	free(a.target);
	free(a.state_dir);
	return r;
}
