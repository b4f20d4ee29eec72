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
 *	node-clock 1790000000		cluster mode: this node's clock at
 *					the last refresh ("refreshed" is the
 *					database's)
 *	sent <key> <time>		when alert <key> was last sent (0..n)
 *	end				last line: a truncated file is corrupt
 *
 * Numbers are decimal without sign or leading zero; times are seconds
 * since the epoch, 0 to 253402300799 (9999-12-31T23:59:59Z). An absent
 * optional line means BMSUB_TIME_NONE (or no count). Any other line, a
 * duplicate, a bad number or a missing header or end is corruption.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	st->node_clock = BMSUB_TIME_NONE;
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

/* The keywords of a state line, in the order the writer writes them
 * (shared with ops/state_write.c, so the two cannot drift). */
const struct bm_state_keyword bm_state_keywords[] = {
	{ "count", BM_KW_COUNT, 0 },
	{ "over-since", BM_KW_TIME, offsetof(struct bmsub_state, over_since) },
	{ "high-water", BM_KW_TIME, offsetof(struct bmsub_state, high_water) },
	{ "refreshed", BM_KW_TIME, offsetof(struct bmsub_state, last_refresh) },
	{ "notified", BM_KW_TIME, offsetof(struct bmsub_state, last_notify) },
	{ "node-clock", BM_KW_TIME, offsetof(struct bmsub_state, node_clock) },
	{ "sent", BM_KW_SENT, 0 },
};
const size_t bm_state_nkeywords =
    sizeof(bm_state_keywords) / sizeof(bm_state_keywords[0]);

/* A parse in progress: what has been read, and on which line. */
struct parse {
	struct bmsub_state st;
	unsigned *sent_line;	/* sent_line[i]: where st.sent[i] was read */
	size_t cap;		/* of st.sent and sent_line */
	unsigned line;
	struct bmsub_error *err;
};

static int
corrupt(struct parse *ps, const char *what, const char *word)
{
	return bm_err(ps->err, BMSUB_E_CORRUPT, ps->line,
	    "state line %u: %s%s%s", ps->line, word == NULL ? "" : word,
	    word == NULL ? "" : " ", what);
}

static int
kw_count(struct parse *ps, const struct bm_state_keyword *kw,
    const char *rest, size_t rl)
{
	if (ps->st.have_count)
		return corrupt(ps, "given twice", kw->word);
	if (parse_u64(rest, rl, UINT64_MAX, &ps->st.count) != 0)
		return corrupt(ps, "bad count", NULL);
	ps->st.have_count = 1;
	return BMSUB_OK;
}

static int
kw_time(struct parse *ps, const struct bm_state_keyword *kw,
    const char *rest, size_t rl)
{
	int64_t *dst = (int64_t *)(void *)((char *)&ps->st + kw->off);
	char what[32];

	if (*dst != BMSUB_TIME_NONE)
		return corrupt(ps, "given twice", kw->word);
	if (parse_time(rest, rl, dst) != 0) {
		snprintf(what, sizeof(what), "bad %s time", kw->word);
		return corrupt(ps, what, NULL);
	}
	return BMSUB_OK;
}

/* Appends key at t; sent and sent_line grow together. */
static int
sent_push(struct parse *ps, const char *key, int64_t t)
{
	struct bmsub_sent *v;
	unsigned *lv;
	size_t cap;

	if (ps->st.n_sent == ps->cap) {
		cap = ps->cap == 0 ? 16 : ps->cap * 2;
		if ((v = realloc(ps->st.sent, cap * sizeof(*v))) != NULL)
			ps->st.sent = v;
		if ((lv = realloc(ps->sent_line, cap * sizeof(*lv))) != NULL)
			ps->sent_line = lv;
		if (v == NULL || lv == NULL)
			return bm_err(ps->err, BMSUB_E_NOMEM, ps->line,
			    "state: out of memory");
		ps->cap = cap;
	}
	v = &ps->st.sent[ps->st.n_sent];
	memset(v, 0, sizeof(*v));
	memcpy(v->key, key, strlen(key) + 1);
	v->at = t;
	ps->sent_line[ps->st.n_sent++] = ps->line;
	return BMSUB_OK;
}

/* "sent KEY TIME": the key, one space, the time. */
static int
kw_sent(struct parse *ps, const struct bm_state_keyword *kw,
    const char *rest, size_t rl)
{
	char key[BMSUB_ALERT_KEY_MAX];
	const char *sp;
	size_t kl;
	int64_t t;

	(void)kw;
	if ((sp = memchr(rest, ' ', rl)) == NULL ||
	    (kl = (size_t)(sp - rest)) >= sizeof(key))
		return corrupt(ps, "bad sent line", NULL);
	memcpy(key, rest, kl);
	key[kl] = '\0';
	if (!bm_key_valid(key) || parse_time(sp + 1, rl - kl - 1, &t) != 0)
		return corrupt(ps, "bad sent line", NULL);
	return sent_push(ps, key, t);
}

static int (*const kw_parse[])(struct parse *,
    const struct bm_state_keyword *, const char *, size_t) = {
	[BM_KW_COUNT] = kw_count,
	[BM_KW_TIME] = kw_time,
	[BM_KW_SENT] = kw_sent,
};

/* Line 1: the magic and the one version this reader knows. */
static int
parse_header(struct parse *ps, const char *p, size_t n)
{
	const char *rest;
	size_t rl;

	if ((rest = field(p, n, STATE_MAGIC, &rl)) == NULL)
		return corrupt(ps, "not a bmsub state file", NULL);
	if (rl != 1 || rest[0] != '0' + BMSUB_STATE_VERSION)
		return bm_err(ps->err, BMSUB_E_CORRUPT, ps->line,
		    "state line 1: unsupported version (this reader knows %d)",
		    BMSUB_STATE_VERSION);
	return BMSUB_OK;
}

/* A line between the header and "end": one keyword and its value. */
static int
parse_item(struct parse *ps, const char *p, size_t n)
{
	const struct bm_state_keyword *kw;
	const char *rest;
	size_t i, rl;

	for (i = 0; i < bm_state_nkeywords; i++) {
		kw = &bm_state_keywords[i];
		if ((rest = field(p, n, kw->word, &rl)) != NULL)
			return kw_parse[kw->kind](ps, kw, rest, rl);
	}
	return corrupt(ps, "unknown line", NULL);
}

/* A key recorded twice is corruption, reported at its second line. */
static int
check_dups(struct parse *ps)
{
	const struct bmsub_sent *dup;
	int r;

	if ((r = bm_find_dup(&ps->st, &dup)) != 0)
		return bm_err(ps->err, r, 0, "state: out of memory");
	if (dup == NULL)
		return BMSUB_OK;
	ps->line = ps->sent_line[dup - ps->st.sent];
	return bm_err(ps->err, BMSUB_E_CORRUPT, ps->line,
	    "state line %u: alert %s given twice", ps->line, dup->key);
}

/* Every line: the header, items, "end", nothing after it. */
static int
parse_lines(struct parse *ps, const char *buf, size_t len)
{
	const char *p, *nl;
	size_t n;
	int r, ended = 0;

	for (p = buf; p < buf + len; p = nl + 1) {
		ps->line++;
		if (ended)
			return corrupt(ps, "data after \"end\"", NULL);
		if ((nl = memchr(p, '\n', (size_t)(buf + len - p))) == NULL)
			return corrupt(ps, "truncated (no line end)", NULL);
		n = (size_t)(nl - p);
		if (ps->line != 1 && n == 3 && memcmp(p, "end", 3) == 0) {
			ended = 1;
			continue;
		}
		r = ps->line == 1 ? parse_header(ps, p, n) :
		    parse_item(ps, p, n);
		if (r != 0)
			return r;
	}
	if (ps->line == 0)
		return bm_err(ps->err, BMSUB_E_CORRUPT, 0, "state: empty file");
	if (!ended)
		return bm_err(ps->err, BMSUB_E_CORRUPT, ps->line,
		    "state: truncated (no \"end\" line)");
	return BMSUB_OK;
}

int
bm_state_parse(const char *buf, size_t len, struct bmsub_state *st,
    struct bmsub_error *err)
{
	struct parse ps;
	int r = BMSUB_E_INTERNAL;

	bmsub_state_init(st);
	memset(&ps, 0, sizeof(ps));
	bmsub_state_init(&ps.st);
	ps.err = err;
	if (len > STATE_MAX)
		return bm_err(err, BMSUB_E_CORRUPT, 0,
		    "state: larger than %d bytes", STATE_MAX);
	if (memchr(buf, '\0', len) != NULL)
		return bm_err(err, BMSUB_E_CORRUPT, 0, "state: NUL byte");
	if ((r = parse_lines(&ps, buf, len)) != 0 ||
	    (r = check_dups(&ps)) != 0)
		goto out;
	*st = ps.st;
	bmsub_state_init(&ps.st); /* transferred */
	r = 0; /* success */
 out:
	free(ps.sent_line);
	bmsub_state_clear(&ps.st);
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
