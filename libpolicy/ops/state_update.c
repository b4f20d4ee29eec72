/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* state_update.c - the changes refresh and clock reset make to a state: count, O, H, quarantine. */
#include <stdlib.h>

#include "internal.h"

/* A damaged state larger than this is not copied (it is replaced all the
 * same): the reader refuses anything above STATE_MAX already. */
#define QUARANTINE_MAX (16 * STATE_MAX)

int
bmsub_state_saw_time(struct bmsub_state *st, int64_t now)
{
	if (st->high_water != BMSUB_TIME_NONE && st->high_water >= now)
		return 0;
	st->high_water = now;
	return 1;
}

int
bmsub_state_refresh(struct bmsub_state *st, const struct bmsub_license *lic,
    uint64_t count, int64_t now)
{
	struct bmsub_eval ev;

	/* The policy's time, max(T, H - 1 day, issued), from the state as it
	 * was: O must be on the clock the policy compares it with, or a
	 * clock behind H would date O in the past and block users the moment
	 * C > N is first seen. */
	bmsub_evaluate(lic, lic != NULL ? 0 : BMSUB_E_NO_LICENSE, st, now, &ev);
	st->have_count = 1;
	st->count = count;
	st->last_refresh = now;
	/* O is the first time C > N was seen and ends when C <= N: a later
	 * refresh while still over keeps it, or periodic refreshes would
	 * postpone the block for ever. */
	if (lic != NULL) {
		if (count > lic->users) {
			if (st->over_since == BMSUB_TIME_NONE)
				st->over_since = ev.effective;
		} else
			st->over_since = BMSUB_TIME_NONE;
	}
	return bmsub_state_saw_time(st, now);
}

int
bmsub_state_quarantine(const char *state_dir, struct bmsub_error *err)
{
	char from[4096], to[4096];
	char *buf = NULL;
	size_t len = 0;
	int r = BMSUB_E_INTERNAL;

	bm_err_clear(err);
	if ((r = bm_state_path(from, sizeof(from), state_dir, "state", err)) != 0 ||
	    (r = bm_state_path(to, sizeof(to), state_dir, "state.corrupt",
	    err)) != 0 ||
	    (r = bmsub_file_read(from, QUARANTINE_MAX, &buf, &len, err)) != 0 ||
	    (r = bm_write_atomic(to, buf, len, 0644, BM_WRITE_LOCKED, err)) != 0)
		goto out;
	r = 0; /* success */
 out:
	free(buf);
	return r;
}
