/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* state.c - the versioned state file (SPEC section 4): strict reader;
 * see ops/state_write.c for the writer. */
/*
 * Format, version 1: text, LF line ends, at most 1 MiB, one item a line,
 * fields separated by exactly one space:
 *
 *	bmsub-state 1			first line: magic and version
 *	count 250			C (absent: unknown)
 *	over-since 1790000000		O
 *	high-water 1790000000		H, the clock high-water mark
 *	refreshed 1790000000		last refresh
 *	notified 1790000000		last notify run
 *	sent <key> <time>		when alert <key> was last sent (0..n)
 *	end				last line: a truncated file is corrupt
 *
 * Numbers are decimal without sign or leading zero; times are seconds
 * since the epoch, 0 to 253402300799 (9999-12-31T23:59:59Z). An absent
 * optional line means BMSUB_TIME_NONE (or no count). Any other line, a
 * duplicate, a bad number or a missing header or end is corruption.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"


void
bmsub_state_init(struct bmsub_state *st)
{
	memset(st, 0, sizeof(*st));
	st->sent = NULL;
	st->over_since = BMSUB_TIME_NONE;
	st->high_water = BMSUB_TIME_NONE;
	st->last_refresh = BMSUB_TIME_NONE;
	st->last_notify = BMSUB_TIME_NONE;
}

void
bmsub_state_clear(struct bmsub_state *st)
{
	if (st == NULL)
		return;
	free(st->sent);
	bmsub_state_init(st);
}

int
bm_key_valid(const char *key)
{
	size_t n;

	if (key == NULL || (n = strlen(key)) == 0 || n >= BMSUB_ALERT_KEY_MAX)
		return 0;
	for (; *key != '\0'; key++) {
		if (!((*key >= 'a' && *key <= 'z') ||
		    (*key >= 'A' && *key <= 'Z') ||
		    (*key >= '0' && *key <= '9') ||
		    *key == '.' || *key == '_' || *key == ':' || *key == '-'))
			return 0;
	}
	return 1;
}

int
bmsub_state_sent_get(const struct bmsub_state *st, const char *key,
    int64_t *at)
{
	size_t i;

	*at = BMSUB_TIME_NONE;
	if (st == NULL || key == NULL)
		return BMSUB_E_INVALID;
	for (i = 0; i < st->n_sent; i++) {
		if (strcmp(st->sent[i].key, key) == 0) {
			*at = st->sent[i].at;
			return BMSUB_OK;
		}
	}
	return BMSUB_E_NOT_FOUND;
}

int
bm_time_valid(int64_t t)
{
	return t >= 0 && t <= STATE_TIME_MAX;
}

int
bmsub_state_sent_set(struct bmsub_state *st, const char *key, int64_t at)
{
	struct bmsub_sent *v;
	size_t i;

	if (st == NULL || !bm_key_valid(key) || !bm_time_valid(at))
		return BMSUB_E_INVALID;
	for (i = 0; i < st->n_sent; i++) {
		if (strcmp(st->sent[i].key, key) == 0) {
			st->sent[i].at = at;
			return BMSUB_OK;
		}
	}
	if ((v = realloc(st->sent, (st->n_sent + 1) * sizeof(*v))) == NULL)
		return BMSUB_E_NOMEM;
	st->sent = v;
	memset(&v[st->n_sent], 0, sizeof(v[0]));
	memcpy(v[st->n_sent].key, key, strlen(key) + 1);
	v[st->n_sent].at = at;
	st->n_sent++;
	return BMSUB_OK;
}

static int
cmp_sent(const void *a, const void *b)
{
	return strcmp((*(const struct bmsub_sent *const *)a)->key,
	    (*(const struct bmsub_sent *const *)b)->key);
}

/* The first key given twice, by sorting pointers (a hostile 1 MiB file
 * holds some 70,000 entries: no quadratic scan). *dup = NULL if none. */
int
bm_find_dup(const struct bmsub_state *st, const struct bmsub_sent **dup)
{
	const struct bmsub_sent **v;
	size_t i;

	*dup = NULL;
	if (st->n_sent < 2)
		return BMSUB_OK;
	if ((v = malloc(st->n_sent * sizeof(*v))) == NULL)
		return BMSUB_E_NOMEM;
	for (i = 0; i < st->n_sent; i++)
		v[i] = &st->sent[i];
	qsort(v, st->n_sent, sizeof(*v), cmp_sent);
	for (i = 1; i < st->n_sent && *dup == NULL; i++) {
		if (strcmp(v[i - 1]->key, v[i]->key) == 0)
			*dup = v[i] > v[i - 1] ? v[i] : v[i - 1];
	}
	free(v);
	return BMSUB_OK;
}

/* ------------------------------------------------------------------ */
/* Reading. */

/* Decimal digits only, no leading zero, value <= max. */
static int
parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

static int
parse_time(const char *s, size_t n, int64_t *out)
{
	uint64_t v;

	if (parse_u64(s, n, (uint64_t)STATE_TIME_MAX, &v) != 0)
		return -1;
	*out = (int64_t)v;
	return 0;
}

/* Matches "word " at the start of line (len bytes); returns the rest. */
static const char *
field(const char *line, size_t len, const char *word, size_t *restlen)
{
	size_t w = strlen(word);

	if (len <= w || memcmp(line, word, w) != 0 || line[w] != ' ')
		return NULL;
	*restlen = len - w - 1;
	return line + w + 1;
}

int
bm_state_parse(const char *buf, size_t len, struct bmsub_state *st,
    struct bmsub_error *err)
{
	static const struct {
		const char *word;
		size_t off;
	} times[] = {
		{ "over-since", offsetof(struct bmsub_state, over_since) },
		{ "high-water", offsetof(struct bmsub_state, high_water) },
		{ "refreshed", offsetof(struct bmsub_state, last_refresh) },
		{ "notified", offsetof(struct bmsub_state, last_notify) },
	};
	struct bmsub_state tmp;
	const struct bmsub_sent *dup;
	struct bmsub_sent *v = NULL;
	const char *p, *nl, *rest, *sp;
	char key[BMSUB_ALERT_KEY_MAX];
	size_t n, rl, i, cap = 0;
	unsigned line = 0, *sent_line = NULL, *lv = NULL;
	int64_t t, *dst;
	int r = BMSUB_E_INTERNAL, ended = 0;

	bmsub_state_init(st);
	bmsub_state_init(&tmp);
	if (len > STATE_MAX)
		return bm_err(err, BMSUB_E_CORRUPT, 0,
		    "state: larger than %d bytes", STATE_MAX);
	if (memchr(buf, '\0', len) != NULL)
		return bm_err(err, BMSUB_E_CORRUPT, 0, "state: NUL byte");
	for (p = buf; p < buf + len; p = nl + 1) {
		line++;
		if (ended) {
			r = bm_err(err, BMSUB_E_CORRUPT, line,
			    "state line %u: data after \"end\"", line);
			goto out;
		}
		if ((nl = memchr(p, '\n', (size_t)(buf + len - p))) == NULL) {
			r = bm_err(err, BMSUB_E_CORRUPT, line,
			    "state line %u: truncated (no line end)", line);
			goto out;
		}
		n = (size_t)(nl - p);
		if (line == 1) {
			if ((rest = field(p, n, STATE_MAGIC, &rl)) == NULL) {
				r = bm_err(err, BMSUB_E_CORRUPT, line,
				    "state line 1: not a bmsub state file");
				goto out;
			}
			if (rl != 1 || rest[0] != '0' + BMSUB_STATE_VERSION) {
				r = bm_err(err, BMSUB_E_CORRUPT, line,
				    "state line 1: unsupported version "
				    "(this reader knows %d)",
				    BMSUB_STATE_VERSION);
				goto out;
			}
			continue;
		}
		if (n == 3 && memcmp(p, "end", 3) == 0) {
			ended = 1;
			continue;
		}
		if ((rest = field(p, n, "count", &rl)) != NULL) {
			if (tmp.have_count) {
				r = bm_err(err, BMSUB_E_CORRUPT, line,
				    "state line %u: count given twice", line);
				goto out;
			}
			if (parse_u64(rest, rl, UINT64_MAX, &tmp.count) != 0) {
				r = bm_err(err, BMSUB_E_CORRUPT, line,
				    "state line %u: bad count", line);
				goto out;
			}
			tmp.have_count = 1;
			continue;
		}
		dst = NULL;
		for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
			if ((rest = field(p, n, times[i].word, &rl)) != NULL) {
				dst = (int64_t *)((char *)&tmp + times[i].off);
				break;
			}
		}
		if (dst != NULL) {
			if (*dst != BMSUB_TIME_NONE) {
				r = bm_err(err, BMSUB_E_CORRUPT, line,
				    "state line %u: %s given twice", line,
				    times[i].word);
				goto out;
			}
			if (parse_time(rest, rl, dst) != 0) {
				r = bm_err(err, BMSUB_E_CORRUPT, line,
				    "state line %u: bad %s time", line,
				    times[i].word);
				goto out;
			}
			continue;
		}
		if ((rest = field(p, n, "sent", &rl)) != NULL) {
			if ((sp = memchr(rest, ' ', rl)) == NULL ||
			    (size_t)(sp - rest) >= sizeof(key)) {
				r = bm_err(err, BMSUB_E_CORRUPT, line,
				    "state line %u: bad sent line", line);
				goto out;
			}
			memcpy(key, rest, (size_t)(sp - rest));
			key[sp - rest] = '\0';
			if (!bm_key_valid(key) || parse_time(sp + 1,
			    rl - (size_t)(sp - rest) - 1, &t) != 0) {
				r = bm_err(err, BMSUB_E_CORRUPT, line,
				    "state line %u: bad sent line", line);
				goto out;
			}
			if (tmp.n_sent == cap) {
				/* grown together: sent_line[i] is where
				 * tmp.sent[i] was read */
				cap = cap == 0 ? 16 : cap * 2;
				if ((v = realloc(tmp.sent, cap * sizeof(*v)))
				    != NULL)
					tmp.sent = v;
				if ((lv = realloc(sent_line, cap *
				    sizeof(*lv))) != NULL)
					sent_line = lv;
				if (v == NULL || lv == NULL) {
					r = bm_err(err, BMSUB_E_NOMEM, line,
					    "state: out of memory");
					goto out;
				}
			}
			memset(&tmp.sent[tmp.n_sent], 0, sizeof(*v));
			memcpy(tmp.sent[tmp.n_sent].key, key, strlen(key) + 1);
			tmp.sent[tmp.n_sent].at = t;
			sent_line[tmp.n_sent++] = line;
			continue;
		}
		r = bm_err(err, BMSUB_E_CORRUPT, line,
		    "state line %u: unknown line", line);
		goto out;
	}
	if (line == 0) {
		r = bm_err(err, BMSUB_E_CORRUPT, 0, "state: empty file");
		goto out;
	}
	if (!ended) {
		r = bm_err(err, BMSUB_E_CORRUPT, line,
		    "state: truncated (no \"end\" line)");
		goto out;
	}
	if ((r = bm_find_dup(&tmp, &dup)) != 0) {
		r = bm_err(err, r, 0, "state: out of memory");
		goto out;
	}
	if (dup != NULL) {
		line = sent_line[dup - tmp.sent];
		r = bm_err(err, BMSUB_E_CORRUPT, line,
		    "state line %u: alert %s given twice", line, dup->key);
		goto out;
	}
	*st = tmp;
	bmsub_state_init(&tmp); /* transferred */
	r = 0; /* success */
 out:
	free(sent_line);
	bmsub_state_clear(&tmp);
	return r;
}

int
bm_state_path(char *buf, size_t size, const char *dir, const char *name,
    struct bmsub_error *err)
{
	int n;

	if (dir == NULL || *dir == '\0')
		return bm_err(err, BMSUB_E_INVALID, 0, "no state_dir");
	n = snprintf(buf, size, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= size)
		return bm_err(err, BMSUB_E_INVALID, 0,
		    "state_dir too long");
	return BMSUB_OK;
}

int
bmsub_state_load(const char *state_dir, struct bmsub_state *st,
    struct bmsub_error *err)
{
	char path[4096];
	char *buf = NULL;
	size_t len = 0;
	int r = BMSUB_E_INTERNAL;

	bmsub_state_init(st);
	bm_err_clear(err);
	if ((r = bm_state_path(path, sizeof(path), state_dir, "state", err)) != 0)
		goto out;
	if ((r = bmsub_file_read(path, STATE_MAX, &buf, &len, err)) != 0) {
		if (r == BMSUB_E_TOO_LARGE)
			r = bm_err(err, BMSUB_E_CORRUPT, 0,
			    "%s: larger than %d bytes", path, STATE_MAX);
		goto out;
	}
	r = bm_state_parse(buf, len, st, err);
 out:
	free(buf);
	return r;
}
