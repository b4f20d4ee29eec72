/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* alerts.c - which email alerts are due, from the evaluation and the record of what was sent. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Records of another license or episode are kept this long after their
 * last sending, then dropped by bmsub_alerts_prune. */
#define PRUNE_AGE ((int64_t)400 * BM_DAY)

static const char *const alert_names[BMSUB_ALERT__COUNT] = {
	[BMSUB_ALERT_EXPIRY_2M] = "expiry-2m",
	[BMSUB_ALERT_EXPIRY_1M] = "expiry-1m",
	[BMSUB_ALERT_GRACE] = "grace",
	[BMSUB_ALERT_BLOCKED] = "blocked",
	[BMSUB_ALERT_TRIAL_ENDED] = "trial-ended",
	[BMSUB_ALERT_INVALID] = "invalid",
	[BMSUB_ALERT_OVER] = "over",
	[BMSUB_ALERT_OVER_BLOCKED] = "over-blocked",
};

const char *
bmsub_alert_name(enum bmsub_alert_kind k)
{
	if ((unsigned)k >= BMSUB_ALERT__COUNT)
		return "unknown";
	return alert_names[k];
}

/*
 * Adds the alert kind/key to out[*n] when it is due: never sent, or, for
 * a repeating alert (every > 0), last sent at least `every` seconds
 * before now. A record in the future (clock set back) is not yet due.
 */
static void
consider(const struct bmsub_state *st, int64_t now, enum bmsub_alert_kind kind,
    const char *key, int64_t every, struct bmsub_alert *out, size_t *n)
{
	int64_t last = BMSUB_TIME_NONE;

	if (*n >= BMSUB_ALERTS_MAX || key[0] == '\0')
		return;
	if (st != NULL && bmsub_state_sent_get(st, key, &last) == 0 &&
	    last != BMSUB_TIME_NONE) {
		if (every <= 0)
			return;		/* once, and it was sent */
		if (last > now || now - last < every)
			return;
	} else
		last = BMSUB_TIME_NONE;
	memset(&out[*n], 0, sizeof(out[*n]));
	out[*n].kind = kind;
	snprintf(out[*n].key, sizeof(out[*n].key), "%s", key);
	out[*n].last_sent = last;
	(*n)++;
}

/* "name:suffix" into buf; an empty buf when it would not fit (never due). */
static void
make_key(char *buf, size_t size, enum bmsub_alert_kind k, const char *suffix)
{
	int w = snprintf(buf, size, "%s:%s", bmsub_alert_name(k), suffix);

	if (w < 0 || (size_t)w >= size)
		buf[0] = '\0';
}

size_t
bmsub_alerts_due(const struct bmsub_license *lic, const struct bmsub_eval *ev,
    const struct bmsub_state *st, struct bmsub_alert out[BMSUB_ALERTS_MAX])
{
	char key[BMSUB_ALERT_KEY_MAX], num[24];
	const char *id = lic != NULL ? lic->id : "";
	int64_t now = ev->effective;
	size_t n = 0;

	key[0] = '\0';
	/* A license phase other than invalid needs the license it came from. */
	if (ev->date_phase != BMSUB_DATE_INVALID && (lic == NULL || id[0] == '\0'))
		goto count;
	switch (ev->date_phase) {
	case BMSUB_DATE_OK:
		break;
	case BMSUB_DATE_NOTICE:
		make_key(key, sizeof(key), BMSUB_ALERT_EXPIRY_2M, id);
		consider(st, now, BMSUB_ALERT_EXPIRY_2M, key, 0, out, &n);
		break;
	case BMSUB_DATE_WARNING:
		make_key(key, sizeof(key), BMSUB_ALERT_EXPIRY_1M, id);
		consider(st, now, BMSUB_ALERT_EXPIRY_1M, key, 0, out, &n);
		break;
	case BMSUB_DATE_GRACE:
		/* A trial with grace days is in grace too: same alert. */
		make_key(key, sizeof(key), BMSUB_ALERT_GRACE, id);
		consider(st, now, BMSUB_ALERT_GRACE, key,
		    BMSUB_ALERT_REPEAT_EXPIRED, out, &n);
		break;
	case BMSUB_DATE_BLOCKED:
		if (lic->kind == BMSUB_KIND_TRIAL) {
			make_key(key, sizeof(key), BMSUB_ALERT_TRIAL_ENDED, id);
			consider(st, now, BMSUB_ALERT_TRIAL_ENDED, key, 0,
			    out, &n);
		} else {
			make_key(key, sizeof(key), BMSUB_ALERT_BLOCKED, id);
			consider(st, now, BMSUB_ALERT_BLOCKED, key,
			    BMSUB_ALERT_REPEAT_EXPIRED, out, &n);
		}
		break;
	case BMSUB_DATE_INVALID:
		/* Keyed by the reason: the license (if any) cannot be
		 * trusted to name itself. */
		make_key(key, sizeof(key), BMSUB_ALERT_INVALID,
		    ev->license_err != 0 ? bmsub_err_token(ev->license_err) :
		    "not-yet-valid");
		consider(st, now, BMSUB_ALERT_INVALID, key,
		    BMSUB_ALERT_REPEAT_EXPIRED, out, &n);
		break;
	}
count:
	if (ev->over_since == BMSUB_TIME_NONE)
		return n;
	snprintf(num, sizeof(num), "%" PRId64, ev->over_since);
	switch (ev->count_phase) {
	case BMSUB_COUNT_OVER:
		make_key(key, sizeof(key), BMSUB_ALERT_OVER, num);
		consider(st, now, BMSUB_ALERT_OVER, key,
		    BMSUB_ALERT_REPEAT_OVER, out, &n);
		break;
	case BMSUB_COUNT_OVER_BLOCKED:
		make_key(key, sizeof(key), BMSUB_ALERT_OVER_BLOCKED, num);
		consider(st, now, BMSUB_ALERT_OVER_BLOCKED, key, 0, out, &n);
		break;
	default:
		break;
	}
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
