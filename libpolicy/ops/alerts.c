/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* alerts.c - which email alerts are due, from the evaluation and the record of what was sent. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Records of another license or episode are kept this long after their
 * last sending, then dropped by bmsub_alerts_prune. */
#define PRUNE_AGE ((int64_t)BMSUB_ALERT_KEEP_DAYS * BM_DAY)

const char *
bmsub_alert_name(enum bmsub_alert_kind k)
{
	if ((unsigned)k >= BMSUB_ALERT__COUNT)
		return "unknown";
	return bm_schedule[k].name;
}

/*
 * Adds row's alert to out[*n] when it is due at now: never sent, or,
 * for a repeating alert, last sent at least row->every seconds before
 * now. A record in the future (clock set back) is not yet due.
 */
static void
consider(const struct bmsub_state *st, int64_t now, const struct bm_sched *row,
    const char *key, struct bmsub_alert *out, size_t *n)
{
	int64_t last = BMSUB_TIME_NONE;

	if (*n >= BMSUB_ALERTS_MAX)
		return;
	if (st != NULL && bmsub_state_sent_get(st, key, &last) == 0 &&
	    last != BMSUB_TIME_NONE) {
		if (row->every <= 0)
			return;		/* once, and it was sent */
		if (last > now || now - last < row->every)
			return;
	} else
		last = BMSUB_TIME_NONE;
	memset(&out[*n], 0, sizeof(out[*n]));
	out[*n].kind = (enum bmsub_alert_kind)(row - bm_schedule);
	snprintf(out[*n].key, sizeof(out[*n].key), "%s", key);
	out[*n].last_sent = last;
	(*n)++;
}

/* At most one alert per axis: the row of the date phase, then the row
 * of the count phase (schedule.c). */
size_t
bmsub_alerts_due(const struct bmsub_license *lic, const struct bmsub_eval *ev,
    const struct bmsub_state *st, struct bmsub_alert out[BMSUB_ALERTS_MAX])
{
	const struct bm_sched *row[2];
	char key[BMSUB_ALERT_KEY_MAX];
	size_t n = 0, i;

	row[0] = bm_sched_find(BM_AXIS_DATE, (int)ev->date_phase, lic);
	row[1] = bm_sched_find(BM_AXIS_COUNT, (int)ev->count_phase, lic);
	for (i = 0; i < 2; i++)
		if (row[i] != NULL &&
		    bm_sched_key(row[i], lic, ev, key, sizeof(key)) == 0)
			consider(st, ev->effective, row[i], key, out, &n);
	return n;
}

/* key ends in ":suffix" */
static int
key_has_suffix(const char *key, const char *suffix)
{
	size_t k = strlen(key), s = strlen(suffix);

	return s > 0 && k > s && key[k - s - 1] == ':' &&
	    strcmp(key + k - s, suffix) == 0;
}

size_t
bmsub_alerts_prune(const struct bmsub_license *lic,
    const struct bmsub_eval *ev, struct bmsub_state *st)
{
	char num[24] = "";
	size_t i, keep = 0, dropped = 0;
	int64_t now = ev->effective;

	if (ev->over_since != BMSUB_TIME_NONE)
		snprintf(num, sizeof(num), "%" PRId64, ev->over_since);
	for (i = 0; i < st->n_sent; i++) {
		const struct bmsub_sent *s = &st->sent[i];
		int current = (lic != NULL && key_has_suffix(s->key, lic->id)) ||
		    key_has_suffix(s->key, num);

		if (!current && s->at != BMSUB_TIME_NONE && s->at <= now &&
		    now - s->at > PRUNE_AGE) {
			dropped++;
			continue;
		}
		if (keep != i)
			st->sent[keep] = *s;
		keep++;
	}
	st->n_sent = keep;
	return dropped;
}
