/* SPDX-License-Identifier: GPL-2.0-or-later */
/* state.c - how the commands that change the state open, record and save it. */
#include <stdio.h>
#include <time.h>

#include "cli.h"

void
cli_ahead_warning(struct cli *c)
{
	if (c->at_given && c->now > (int64_t)time(NULL) + 86400)
		cli_warn("warning: --at is ahead of the real clock: the state "
		    "now records it as the latest time seen, so earlier times "
		    "count as it until 'bmsub-check clock reset'");
}

void
cli_saw_time(struct cli *c, struct bmsub_state *st)
{
	if (bmsub_state_saw_time(st, c->now))
		cli_ahead_warning(c);
}

/* Any failure but corruption (I/O, permissions, not a regular file,
 * memory) says nothing about the contents: replacing the file would lose
 * a good H and O, so the change is refused. */
int
cli_state_begin(struct cli *c, int *lockfd, struct bmsub_state *st)
{
	struct bmsub_error err, qerr;
	int r;

	bmsub_state_init(st);
	if (bmsub_state_lock(c->cfg->state_dir, lockfd, &err) != 0) {
		cli_warn("%s", err.msg);
		return EXIT_NO;
	}
	r = bmsub_state_load(c->cfg->state_dir, st, &err);
	if (r == BMSUB_E_CORRUPT) {
		/* keep the damaged file for a person to look at */
		if (bmsub_state_quarantine(c->cfg->state_dir, &qerr) == 0)
			cli_warn("state: %s: kept as %s/state.corrupt; "
			    "starting a new one", err.msg, c->cfg->state_dir);
		else
			cli_warn("state: %s: starting a new one", err.msg);
	} else if (r != 0 && r != BMSUB_E_NOT_FOUND) {
		bmsub_state_unlock(*lockfd);
		bmsub_state_clear(st);
		cli_warn("state: %s (%s): left as it is, nothing recorded",
		    err.msg, bmsub_err_token(r));
		return EXIT_NO;
	}
	return 0;
}

int
cli_state_commit(struct cli *c, int lockfd, struct bmsub_state *st)
{
	struct bmsub_error err;
	int r;

	r = bmsub_state_save(c->cfg->state_dir, st, &err);
	bmsub_state_unlock(lockfd);
	if (r != 0) {
		cli_warn("state not saved: %s", err.msg);
		return EXIT_NO;
	}
	return 0;
}
