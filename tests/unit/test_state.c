/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_state.c - the state file: exact format, round trip, a table of
 * corrupt files, lock, atomic replace and concurrent writers. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bmsub.h"
#include "tlib.h"
#include "internal.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static char dir[64];

static void
setup(void)
{
	tlib_tmpdir(dir, sizeof(dir), "bmsub-state");
}

static void
teardown(void)
{
	tlib_rmrf(dir);
}

static void
assert_init(const struct bmsub_state *st)
{
	ck_assert_int_eq(st->have_count, 0);
	ck_assert_uint_eq(st->count, 0);
	ck_assert(st->over_since == BMSUB_TIME_NONE);
	ck_assert(st->high_water == BMSUB_TIME_NONE);
	ck_assert(st->last_refresh == BMSUB_TIME_NONE);
	ck_assert(st->last_notify == BMSUB_TIME_NONE);
	ck_assert(st->node_clock == BMSUB_TIME_NONE);
	ck_assert_ptr_null(st->sent);
	ck_assert_uint_eq(st->n_sent, 0);
}

/* Something that is not the init state, to see it reset. */
static void
scribble(struct bmsub_state *st)
{
	st->have_count = 7;
	st->count = 99;
	st->over_since = st->high_water = 5;
	st->last_refresh = st->last_notify = st->node_clock = 6;
	st->sent = NULL;
	st->n_sent = 0;
}

static const char full_text[] =
    "bmsub-state 1\n"
    "count 250\n"
    "over-since 1790000000\n"
    "high-water 1790000001\n"
    "refreshed 1790000002\n"
    "notified 1790000003\n"
    "node-clock 1790000004\n"
    "sent expiry-notice 1780000000\n"
    "sent over:7d 0\n"
    "sent A.b_c:9-Z 253402300799\n"
    "end\n";

static void
fill_full(struct bmsub_state *st)
{
	bmsub_state_init(st);
	st->have_count = 1;
	st->count = 250;
	st->over_since = 1790000000;
	st->high_water = 1790000001;
	st->last_refresh = 1790000002;
	st->last_notify = 1790000003;
	st->node_clock = 1790000004;
	ck_assert_int_eq(bmsub_state_sent_set(st, "expiry-notice",
	    1780000000), 0);
	ck_assert_int_eq(bmsub_state_sent_set(st, "over:7d", 0), 0);
	ck_assert_int_eq(bmsub_state_sent_set(st, "A.b_c:9-Z",
	    INT64_C(253402300799)), 0);
}

static void
assert_full(const struct bmsub_state *st)
{
	int64_t at;

	ck_assert_int_eq(st->have_count, 1);
	ck_assert_uint_eq(st->count, 250);
	ck_assert(st->over_since == 1790000000);
	ck_assert(st->high_water == 1790000001);
	ck_assert(st->last_refresh == 1790000002);
	ck_assert(st->last_notify == 1790000003);
	ck_assert(st->node_clock == 1790000004);
	ck_assert_uint_eq(st->n_sent, 3);
	ck_assert_int_eq(bmsub_state_sent_get(st, "expiry-notice", &at), 0);
	ck_assert(at == 1780000000);
	ck_assert_int_eq(bmsub_state_sent_get(st, "over:7d", &at), 0);
	ck_assert(at == 0);
	ck_assert_int_eq(bmsub_state_sent_get(st, "A.b_c:9-Z", &at), 0);
	ck_assert(at == INT64_C(253402300799));
}

START_TEST(test_format_exact)
{
	struct bmsub_state st;
	struct bmsub_error e;
	char *text = NULL;
	size_t len = 0;

	fill_full(&st);
	ck_assert_int_eq(bm_state_format(&st, &text, &len, &e), 0);
	ck_assert_uint_eq(len, strlen(full_text));
	ck_assert_str_eq(text, full_text);
	free(text);
	bmsub_state_clear(&st);
	assert_init(&st);

	/* empty state: header and end only */
	ck_assert_int_eq(bm_state_format(&st, &text, &len, &e), 0);
	ck_assert_str_eq(text, "bmsub-state 1\nend\n");
	free(text);
}
END_TEST

START_TEST(test_parse_full)
{
	struct bmsub_state st;
	struct bmsub_error e;

	scribble(&st);
	ck_assert_msg(bm_state_parse(full_text, strlen(full_text), &st,
	    &e) == 0, "%s", e.msg);
	assert_full(&st);
	bmsub_state_clear(&st);
	assert_init(&st);
	bmsub_state_clear(NULL);
}
END_TEST

static const struct good {
	const char *text;
	int have_count;
	uint64_t count;
	int64_t high_water;
} good[] = {
	{ "bmsub-state 1\nend\n", 0, 0, BMSUB_TIME_NONE },
	{ "bmsub-state 1\ncount 0\nend\n", 1, 0, BMSUB_TIME_NONE },
	{ "bmsub-state 1\ncount 18446744073709551615\nend\n", 1, UINT64_MAX,
	  BMSUB_TIME_NONE },
	{ "bmsub-state 1\nhigh-water 253402300799\nend\n", 0, 0,
	  INT64_C(253402300799) },
	{ "bmsub-state 1\nhigh-water 0\nend\n", 0, 0, 0 },
	/* order between header and end is free */
	{ "bmsub-state 1\nhigh-water 7\ncount 3\nend\n", 1, 3, 7 },
};

START_TEST(test_parse_good)
{
	struct bmsub_state st;
	struct bmsub_error e;

	scribble(&st);
	ck_assert_msg(bm_state_parse(good[_i].text, strlen(good[_i].text),
	    &st, &e) == 0, "case %d: %s", _i, e.msg);
	ck_assert_int_eq(st.have_count, good[_i].have_count);
	ck_assert_uint_eq(st.count, good[_i].count);
	ck_assert(st.high_water == good[_i].high_water);
	bmsub_state_clear(&st);
}
END_TEST

static const struct corrupt {
	const char *text;
	size_t len;		/* 0: strlen */
	unsigned line;
	const char *msg;
} corrupt[] = {
	{ "", 0, 0, "empty" },
	{ "bmsub-state 1\n", 0, 1, "no \"end\"" },
	{ "bmsub-state 1\ncount 5\n", 0, 2, "no \"end\"" },
	{ "bmsub-state 1\ncount 5\nend", 0, 3, "no line end" },
	{ "bmsub-state 1\ncount 5\nen", 0, 3, "no line end" },
	{ "bmsub-state 1\nend\ncount 5\n", 0, 3, "after \"end\"" },
	{ "bmsub-state 1\nend\n\n", 0, 3, "after \"end\"" },
	{ "count 5\nend\n", 0, 1, "not a bmsub state file" },
	{ "bmsub-state\nend\n", 0, 1, "not a bmsub state file" },
	{ "bmsub-state 2\nend\n", 0, 1, "unsupported version (this reader knows 1)" },
	{ "bmsub-state 01\nend\n", 0, 1, "unsupported version" },
	{ "bmsub-state  1\nend\n", 0, 1, "unsupported version" },
	{ "bmsub-state 1\ncolor red\nend\n", 0, 2, "unknown line" },
	{ "bmsub-state 1\n\nend\n", 0, 2, "unknown line" },
	{ "bmsub-state 1\r\nend\n", 0, 1, "unsupported version" },
	{ "bmsub-state 1\nend\r\n", 0, 2, "unknown line" },
	{ "bmsub-state 1\ncount\nend\n", 0, 2, "unknown line" },
	{ "bmsub-state 1\ncount \nend\n", 0, 2, "bad count" },
	{ "bmsub-state 1\ncount -1\nend\n", 0, 2, "bad count" },
	{ "bmsub-state 1\ncount +1\nend\n", 0, 2, "bad count" },
	{ "bmsub-state 1\ncount 007\nend\n", 0, 2, "bad count" },
	{ "bmsub-state 1\ncount 12x\nend\n", 0, 2, "bad count" },
	/* the byte after '9' is not a digit */
	{ "bmsub-state 1\ncount 1:\nend\n", 0, 2, "bad count" },
	{ "bmsub-state 1\ncount :\nend\n", 0, 2, "bad count" },
	{ "bmsub-state 1\ncount 1 2\nend\n", 0, 2, "bad count" },
	{ "bmsub-state 1\ncount 18446744073709551616\nend\n", 0, 2,
	  "bad count" },
	{ "bmsub-state 1\ncount 99999999999999999999999\nend\n", 0, 2,
	  "bad count" },
	{ "bmsub-state 1\ncount 1\ncount 1\nend\n", 0, 3, "count given twice" },
	{ "bmsub-state 1\nhigh-water 253402300800\nend\n", 0, 2,
	  "bad high-water time" },
	{ "bmsub-state 1\nover-since -5\nend\n", 0, 2, "bad over-since time" },
	{ "bmsub-state 1\nrefreshed 1\nnotified 2\nrefreshed 1\nend\n", 0, 4,
	  "refreshed given twice" },
	{ "bmsub-state 1\nnotified  5\nend\n", 0, 2, "bad notified time" },
	{ "bmsub-state 1\nsent a\nend\n", 0, 2, "bad sent line" },
	{ "bmsub-state 1\nsent a \nend\n", 0, 2, "bad sent line" },
	{ "bmsub-state 1\nsent  5\nend\n", 0, 2, "bad sent line" },
	{ "bmsub-state 1\nsent a/b 5\nend\n", 0, 2, "bad sent line" },
	{ "bmsub-state 1\nsent a 5 6\nend\n", 0, 2, "bad sent line" },
	{ "bmsub-state 1\nsent a 5\nsent b 1\nsent a 6\nend\n", 0, 4,
	  "alert a given twice" },
	{ "bmsub-state 1\nsent "
	  "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
	  "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk 5\nend\n", 0, 2, "bad sent line" },
	/* every time keyword: twice, out of range, empty, signed */
	{ "bmsub-state 1\nover-since 1\nover-since 1\nend\n", 0, 3,
	  "over-since given twice" },
	{ "bmsub-state 1\nhigh-water 1\ncount 2\nhigh-water 3\nend\n", 0, 4,
	  "high-water given twice" },
	{ "bmsub-state 1\nnotified 1\nnotified 2\nend\n", 0, 3,
	  "notified given twice" },
	{ "bmsub-state 1\nnode-clock 1\nnode-clock 1\nend\n", 0, 3,
	  "node-clock given twice" },
	{ "bmsub-state 1\nnode-clock -300\nend\n", 0, 2,
	  "bad node-clock time" },
	{ "bmsub-state 1\nnode-clock\nend\n", 0, 2, "unknown line" },
	{ "bmsub-state 1\nrefreshed 253402300800\nend\n", 0, 2,
	  "bad refreshed time" },
	{ "bmsub-state 1\nnotified 99999999999999999999\nend\n", 0, 2,
	  "bad notified time" },
	{ "bmsub-state 1\nhigh-water \nend\n", 0, 2, "bad high-water time" },
	{ "bmsub-state 1\nrefreshed +5\nend\n", 0, 2, "bad refreshed time" },
	{ "bmsub-state 1\nover-since 05\nend\n", 0, 2, "bad over-since time" },
	{ "bmsub-state 1\nover-since 5 \nend\n", 0, 2, "bad over-since time" },
	{ "bmsub-state 1\nhigh-water\nend\n", 0, 2, "unknown line" },
	/* keywords are whole words, lowercase, one space */
	{ "bmsub-state 1\ncounts 5\nend\n", 0, 2, "unknown line" },
	{ "bmsub-state 1\nCount 5\nend\n", 0, 2, "unknown line" },
	{ "bmsub-state 1\ncount\t5\nend\n", 0, 2, "unknown line" },
	{ "bmsub-state 1\n count 5\nend\n", 0, 2, "unknown line" },
	{ "bmsub-state 1\nsent-x a 5\nend\n", 0, 2, "unknown line" },
	{ "bmsub-state 1\ncount 5 \nend\n", 0, 2, "bad count" },
	{ "bmsub-state 1\nbmsub-state 1\nend\n", 0, 2, "unknown line" },
	{ "bmsub-state 1\nend \n", 0, 2, "unknown line" },
	{ "bmsub-state 1\nEND\n", 0, 2, "unknown line" },
	{ "end\n", 0, 1, "not a bmsub state file" },
	{ "xbmsub-state 1\nend\n", 0, 1, "not a bmsub state file" },
	{ "bmsub-state 1 \nend\n", 0, 1, "unsupported version" },
	{ "bmsub-state 1", 0, 1, "no line end" },
	/* sent: the time's rules, one space, a valid key */
	{ "bmsub-state 1\nsent a 05\nend\n", 0, 2, "bad sent line" },
	{ "bmsub-state 1\nsent a -1\nend\n", 0, 2, "bad sent line" },
	{ "bmsub-state 1\nsent a 253402300800\nend\n", 0, 2, "bad sent line" },
	{ "bmsub-state 1\nsent a  5\nend\n", 0, 2, "bad sent line" },
	{ "bmsub-state 1\nsent a\t5\nend\n", 0, 2, "bad sent line" },
	{ "bmsub-state 1\nsent \xc3\xa9 5\nend\n", 0, 2, "bad sent line" },
	{ "bmsub-state 1\nsent\nend\n", 0, 2, "unknown line" },
	{ "bmsub-state 1\ncount 5\0\nend\n", 27, 0, "NUL" },
	{ "\0", 1, 0, "NUL" },
};

/* Each time keyword reads into its own field and no other. */
static const struct {
	const char *word;
	size_t off;
} time_words[] = {
	{ "over-since", offsetof(struct bmsub_state, over_since) },
	{ "high-water", offsetof(struct bmsub_state, high_water) },
	{ "refreshed", offsetof(struct bmsub_state, last_refresh) },
	{ "notified", offsetof(struct bmsub_state, last_notify) },
	{ "node-clock", offsetof(struct bmsub_state, node_clock) },
};

static int64_t
time_at(const struct bmsub_state *st, size_t off)
{
	int64_t v;

	memcpy(&v, (const char *)st + off, sizeof(v));
	return v;
}

START_TEST(test_parse_each_time)
{
	struct bmsub_state st;
	struct bmsub_error e;
	char text[128], *out = NULL;
	size_t i, len;

	snprintf(text, sizeof(text), "bmsub-state 1\n%s 42\nend\n",
	    time_words[_i].word);
	scribble(&st);
	ck_assert_msg(bm_state_parse(text, strlen(text), &st, &e) == 0, "%s",
	    e.msg);
	for (i = 0; i < N(time_words); i++)
		ck_assert(time_at(&st, time_words[i].off) ==
		    (i == (size_t)_i ? 42 : BMSUB_TIME_NONE));
	ck_assert_int_eq(st.have_count, 0);
	ck_assert_uint_eq(st.n_sent, 0);
	/* and the writer gives the same text back */
	ck_assert_int_eq(bm_state_format(&st, &out, &len, &e), 0);
	ck_assert_str_eq(out, text);
	free(out);
	/* out of range in that field: the writer refuses, naming it */
	memcpy((char *)&st + time_words[_i].off,
	    &(int64_t){ INT64_C(253402300800) }, sizeof(int64_t));
	ck_assert_int_eq(bm_state_format(&st, &out, &len, &e),
	    BMSUB_E_INVALID);
	ck_assert_ptr_null(out);
	ck_assert_ptr_nonnull(strstr(e.msg, time_words[_i].word));
	bmsub_state_clear(&st);
}
END_TEST

START_TEST(test_corrupt)
{
	const struct corrupt *c = &corrupt[_i];
	struct bmsub_state st;
	struct bmsub_error e;
	size_t len = c->len != 0 ? c->len : strlen(c->text);
	int r;

	scribble(&st);
	memset(&e, 0, sizeof(e));
	r = bm_state_parse(c->text, len, &st, &e);
	ck_assert_msg(r == BMSUB_E_CORRUPT, "case %d: %d (%s)", _i, r, e.msg);
	ck_assert_msg(e.line == c->line, "case %d: line %u want %u (%s)", _i,
	    e.line, c->line, e.msg);
	ck_assert_msg(strstr(e.msg, c->msg) != NULL, "case %d: \"%s\" lacks "
	    "\"%s\"", _i, e.msg, c->msg);
	assert_init(&st);
}
END_TEST

/* A key of 95 bytes fits, 96 do not. */
START_TEST(test_key_boundary)
{
	char text[256], key[128];
	struct bmsub_state st;
	struct bmsub_error e;

	memset(key, 'k', sizeof(key));
	key[95] = '\0';
	snprintf(text, sizeof(text), "bmsub-state 1\nsent %s 5\nend\n", key);
	ck_assert_int_eq(bm_state_parse(text, strlen(text), &st, &e), 0);
	ck_assert_uint_eq(st.n_sent, 1);
	ck_assert_str_eq(st.sent[0].key, key);
	bmsub_state_clear(&st);
	key[95] = 'k';
	key[96] = '\0';
	snprintf(text, sizeof(text), "bmsub-state 1\nsent %s 5\nend\n", key);
	ck_assert_int_eq(bm_state_parse(text, strlen(text), &st, &e),
	    BMSUB_E_CORRUPT);
	assert_init(&st);
}
END_TEST

START_TEST(test_too_large)
{
	const size_t max = 1024 * 1024;
	struct bmsub_state st;
	struct bmsub_error e;
	char *buf, *p;
	size_t i, n;

	/* exactly 1 MiB parses; one byte more is corrupt */
	ck_assert_ptr_nonnull(buf = malloc(max + 2));
	p = buf;
	p += sprintf(p, "bmsub-state 1\n");
	for (i = 0; (size_t)(p - buf) + 64 < max; i++)
		p += sprintf(p, "sent k%07zu 1\n", i);
	n = max - (size_t)(p - buf) - 12; /* "sent " " 1\n" "end\n" */
	p += sprintf(p, "sent x%0*d 1\n", (int)n - 1, 0);
	p += sprintf(p, "end\n");
	ck_assert_uint_eq((size_t)(p - buf), max);
	ck_assert_msg(bm_state_parse(buf, max, &st, &e) == 0, "%s", e.msg);
	bmsub_state_clear(&st);
	memcpy(buf + max - 4, "end\n\n", 5);
	ck_assert_int_eq(bm_state_parse(buf, max + 1, &st, &e),
	    BMSUB_E_CORRUPT);
	ck_assert_ptr_nonnull(strstr(e.msg, "larger than"));
	assert_init(&st);
	free(buf);
}
END_TEST

START_TEST(test_sent)
{
	static const char *const badkeys[] = { "", "a b", "a/b", "a\n",
	    "\xc3\xa9", "a=b", "a,b", "a\tb" };
	char longkey[97];
	struct bmsub_state st;
	int64_t at = 0;
	size_t i;

	bmsub_state_init(&st);
	ck_assert_int_eq(bmsub_state_sent_get(&st, "x", &at),
	    BMSUB_E_NOT_FOUND);
	ck_assert(at == BMSUB_TIME_NONE);
	ck_assert_int_eq(bmsub_state_sent_set(&st, "x", 10), 0);
	ck_assert_int_eq(bmsub_state_sent_set(&st, "y", 20), 0);
	ck_assert_int_eq(bmsub_state_sent_set(&st, "x", 30), 0);
	ck_assert_uint_eq(st.n_sent, 2);
	ck_assert_int_eq(bmsub_state_sent_get(&st, "x", &at), 0);
	ck_assert(at == 30);
	ck_assert_int_eq(bmsub_state_sent_get(&st, "y", &at), 0);
	ck_assert(at == 20);
	ck_assert_int_eq(bmsub_state_sent_get(&st, "X", &at),
	    BMSUB_E_NOT_FOUND);
	for (i = 0; i < N(badkeys); i++)
		ck_assert_int_eq(bmsub_state_sent_set(&st, badkeys[i], 1),
		    BMSUB_E_INVALID);
	memset(longkey, 'k', 96);
	longkey[96] = '\0';
	ck_assert_int_eq(bmsub_state_sent_set(&st, longkey, 1),
	    BMSUB_E_INVALID);
	longkey[95] = '\0';
	ck_assert_int_eq(bmsub_state_sent_set(&st, longkey, 1), 0);
	ck_assert_uint_eq(st.n_sent, 3);
	ck_assert_int_eq(bmsub_state_sent_set(&st, NULL, 1), BMSUB_E_INVALID);
	ck_assert_int_eq(bmsub_state_sent_set(&st, "z", -1), BMSUB_E_INVALID);
	ck_assert_int_eq(bmsub_state_sent_set(&st, "z", BMSUB_TIME_NONE),
	    BMSUB_E_INVALID);
	ck_assert_int_eq(bmsub_state_sent_set(&st, "z",
	    INT64_C(253402300800)), BMSUB_E_INVALID);
	ck_assert_uint_eq(st.n_sent, 3);
	bmsub_state_clear(&st);
	assert_init(&st);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Files. The reader here is stdio + bm_state_parse, so these cases do
 * not depend on bmsub_file_read; test_load covers that. */

static int
read_state(struct bmsub_state *st)
{
	char path[128], buf[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/state", dir);
	if ((f = fopen(path, "r")) == NULL)
		return errno == ENOENT ? BMSUB_E_NOT_FOUND : BMSUB_E_IO;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return bm_state_parse(buf, n, st, NULL);
}

static void
write_raw(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static char *
file_text(const char *name)
{
	static char buf[4096];
	char path[128];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Entries in dir other than state and lock. */
static int
strays(void)
{
	struct dirent *d;
	DIR *dp;
	int n = 0;

	ck_assert_ptr_nonnull(dp = opendir(dir));
	while ((d = readdir(dp)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 ||
		    strcmp(d->d_name, "..") == 0 ||
		    strcmp(d->d_name, "state") == 0 ||
		    strcmp(d->d_name, "lock") == 0)
			continue;
		n++;
	}
	closedir(dp);
	return n;
}

START_TEST(test_save_round_trip)
{
	struct bmsub_state st, back;
	struct bmsub_error e;
	struct stat sb;
	char path[128];
	int fd = -1;

	fill_full(&st);
	ck_assert_int_eq(bmsub_state_lock(dir, &fd, &e), 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_msg(bmsub_state_save(dir, &st, &e) == 0, "%s", e.msg);
	bmsub_state_unlock(fd);
	ck_assert_str_eq(file_text("state"), full_text);
	snprintf(path, sizeof(path), "%s/state", dir);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0644);
	snprintf(path, sizeof(path), "%s/lock", dir);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0600);
	ck_assert_int_eq(strays(), 0);
	scribble(&back);
	ck_assert_int_eq(read_state(&back), 0);
	assert_full(&back);
	bmsub_state_clear(&back);

	/* replace: a second save overwrites in place */
	st.count = 251;
	ck_assert_int_eq(bmsub_state_save(dir, &st, &e), 0);
	ck_assert_int_eq(read_state(&back), 0);
	ck_assert_uint_eq(back.count, 251);
	ck_assert_int_eq(strays(), 0);
	bmsub_state_clear(&back);
	bmsub_state_clear(&st);
}
END_TEST

/* Every failing save leaves the previous file as it was and no temp. */
START_TEST(test_save_failures)
{
	static const char old[] = "bmsub-state 1\ncount 7\nend\n";
	struct bmsub_state st;
	struct bmsub_error e;
	char path[128], sub[128];

	write_raw("state", old);
	fill_full(&st);

	/* a state the reader would refuse is never written */
	st.high_water = INT64_C(253402300800);
	ck_assert_int_eq(bmsub_state_save(dir, &st, &e), BMSUB_E_INVALID);
	ck_assert_str_eq(file_text("state"), old);
	st.high_water = -2;
	ck_assert_int_eq(bmsub_state_save(dir, &st, &e), BMSUB_E_INVALID);
	st.high_water = 1;
	st.sent[1].key[0] = ' ';
	ck_assert_int_eq(bmsub_state_save(dir, &st, &e), BMSUB_E_INVALID);
	memcpy(st.sent[1].key, "expiry-notice", 14);	/* now a duplicate */
	ck_assert_int_eq(bmsub_state_save(dir, &st, &e), BMSUB_E_INVALID);
	ck_assert_str_eq(file_text("state"), old);
	memcpy(st.sent[1].key, "over:7d", 8);
	ck_assert_int_eq(strays(), 0);

	/* a directory others may write to is refused */
	ck_assert_int_eq(chmod(dir, 0777), 0);
	ck_assert_int_eq(bmsub_state_save(dir, &st, &e), BMSUB_E_PERMISSIONS);
	ck_assert_int_eq(chmod(dir, 0755), 0);
	ck_assert_str_eq(file_text("state"), old);

	/* the rename fails (state is a directory): temp removed */
	snprintf(path, sizeof(path), "%s/state", dir);
	snprintf(sub, sizeof(sub), "%s/state.old", dir);
	ck_assert_int_eq(rename(path, sub), 0);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_eq(bmsub_state_save(dir, &st, &e), BMSUB_E_IO);
	ck_assert_int_eq(rmdir(path), 0);
	ck_assert_int_eq(rename(sub, path), 0);
	ck_assert_int_eq(strays(), 0);
	ck_assert_str_eq(file_text("state"), old);

	/* state_dir missing, or a file */
	snprintf(sub, sizeof(sub), "%s/nodir", dir);
	ck_assert_int_eq(bmsub_state_save(sub, &st, &e), BMSUB_E_IO);
	ck_assert_int_eq(bmsub_state_save(path, &st, &e), BMSUB_E_IO);
	ck_assert_int_eq(bmsub_state_save("", &st, &e), BMSUB_E_INVALID);
	ck_assert_str_eq(file_text("state"), old);

	/* a directory we cannot write to (root writes through any mode) */
	if (tlib_need_user("test_save_failures: a folder it cannot write")) {
		ck_assert_int_eq(chmod(dir, 0555), 0);
		ck_assert_int_eq(bmsub_state_save(dir, &st, &e), BMSUB_E_IO);
		ck_assert_int_eq(chmod(dir, 0755), 0);
		ck_assert_str_eq(file_text("state"), old);
	}
	ck_assert_int_eq(strays(), 0);
	bmsub_state_clear(&st);
}
END_TEST

START_TEST(test_lock)
{
	static const mode_t bad_modes[] = { 0775, 0757, 0777, 01777, 01775 };
	struct bmsub_error e;
	char path[128], target[128];
	size_t i;
	pid_t pid;
	int fd = -1, st;

	ck_assert_int_eq(bmsub_state_lock(dir, &fd, &e), 0);
	snprintf(path, sizeof(path), "%s/lock", dir);
	/* another process cannot take it while we hold it */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int f = open(path, O_RDWR);

		_exit(f >= 0 && flock(f, LOCK_EX | LOCK_NB) == -1 &&
		    errno == EWOULDBLOCK ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	bmsub_state_unlock(fd);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int f = open(path, O_RDWR);

		_exit(f >= 0 && flock(f, LOCK_EX | LOCK_NB) == 0 ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	bmsub_state_unlock(-1);

	/* refused: missing dir, symlink, FIFO (without blocking) */
	snprintf(target, sizeof(target), "%s/nodir", dir);
	ck_assert_int_eq(bmsub_state_lock(target, &fd, &e), BMSUB_E_LOCK);
	ck_assert_int_eq(fd, -1);
	ck_assert_int_eq(unlink(path), 0);
	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	ck_assert_int_eq(symlink(target, path), 0);
	ck_assert_int_eq(bmsub_state_lock(dir, &fd, &e), BMSUB_E_LOCK);
	ck_assert_int_eq(access(target, F_OK), -1);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(bmsub_state_lock(dir, &fd, &e), BMSUB_E_LOCK);
	ck_assert_int_eq(fd, -1);
	ck_assert_int_eq(bmsub_state_lock(NULL, &fd, &e), BMSUB_E_INVALID);
	ck_assert_int_eq(unlink(path), 0);

	/* a state_dir others may change: the one check for every writer
	 * under the lock (bmsub_state_save relies on it), sticky or not */
	for (i = 0; i < sizeof(bad_modes) / sizeof(bad_modes[0]); i++) {
		ck_assert_int_eq(chmod(dir, bad_modes[i]), 0);
		fd = 0;
		ck_assert_msg(bmsub_state_lock(dir, &fd, &e) ==
		    BMSUB_E_PERMISSIONS, "mode %o: %s", bad_modes[i], e.msg);
		ck_assert_int_eq(fd, -1);
		ck_assert_int_eq(access(path, F_OK), -1);
	}
	ck_assert_int_eq(chmod(dir, 0755), 0);
	ck_assert_int_eq(bmsub_state_lock(dir, &fd, &e), 0);
	bmsub_state_unlock(fd);
}
END_TEST

#define WRITERS 4
#define ROUNDS 25

/* lock -> read -> count++ -> save -> unlock, from several processes. */
START_TEST(test_concurrent_writers)
{
	struct bmsub_state st;
	pid_t pids[WRITERS];
	int i, status;

	for (i = 0; i < WRITERS; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0) {
			int k, fd, r;

			for (k = 0; k < ROUNDS; k++) {
				if (bmsub_state_lock(dir, &fd, NULL) != 0)
					_exit(1);
				r = read_state(&st);
				if (r == BMSUB_E_NOT_FOUND) {
					bmsub_state_init(&st);
					st.have_count = 1;
				} else if (r != 0) {
					_exit(2);
				}
				st.count++;
				st.high_water = (int64_t)st.count;
				if (bmsub_state_save(dir, &st, NULL) != 0)
					_exit(3);
				bmsub_state_clear(&st);
				bmsub_state_unlock(fd);
			}
			_exit(0);
		}
	}
	for (i = 0; i < WRITERS; i++) {
		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "writer %d: status %d", i, status);
	}
	ck_assert_int_eq(read_state(&st), 0);
	ck_assert_uint_eq(st.count, WRITERS * ROUNDS);
	ck_assert(st.high_water == WRITERS * ROUNDS);
	ck_assert_int_eq(strays(), 0);
	bmsub_state_clear(&st);
}
END_TEST

/* bmsub_state_load itself (bmsub_file_read rules). */
START_TEST(test_load)
{
	struct bmsub_state st;
	struct bmsub_error e;
	char path[128], big[128];
	FILE *f;

	scribble(&st);
	ck_assert_int_eq(bmsub_state_load(dir, &st, &e), BMSUB_E_NOT_FOUND);
	assert_init(&st);
	write_raw("state", full_text);
	snprintf(path, sizeof(path), "%s/state", dir);
	ck_assert_int_eq(chmod(path, 0644), 0);
	scribble(&st);
	ck_assert_msg(bmsub_state_load(dir, &st, &e) == 0, "%s", e.msg);
	assert_full(&st);
	bmsub_state_clear(&st);

	write_raw("state", "bmsub-state 1\ncount 5\n");
	scribble(&st);
	ck_assert_int_eq(bmsub_state_load(dir, &st, &e), BMSUB_E_CORRUPT);
	assert_init(&st);

	write_raw("state", full_text);
	ck_assert_int_eq(chmod(path, 0666), 0);
	scribble(&st);
	ck_assert_int_eq(bmsub_state_load(dir, &st, &e), BMSUB_E_PERMISSIONS);
	assert_init(&st);
	ck_assert_int_eq(chmod(path, 0644), 0);

	/* over 1 MiB: corrupt */
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_int_eq(fseek(f, 1024 * 1024, SEEK_SET), 0);
	fputc('\n', f);
	fclose(f);
	scribble(&st);
	ck_assert_int_eq(bmsub_state_load(dir, &st, &e), BMSUB_E_CORRUPT);
	assert_init(&st);

	/* a FIFO is refused without blocking */
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(mkfifo(path, 0644), 0);
	scribble(&st);
	ck_assert_int_eq(bmsub_state_load(dir, &st, &e), BMSUB_E_NOT_REGULAR);
	assert_init(&st);

	snprintf(big, sizeof(big), "%s/none", dir);
	ck_assert_int_eq(bmsub_state_load(big, &st, &e), BMSUB_E_NOT_FOUND);
	ck_assert_int_eq(bmsub_state_load(NULL, &st, &e), BMSUB_E_INVALID);
	assert_init(&st);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("state");
	TCase *tc;
	int nf;

	tc = tcase_create("format");
	tcase_add_test(tc, test_format_exact);
	tcase_add_test(tc, test_parse_full);
	tcase_add_loop_test(tc, test_parse_good, 0, (int)N(good));
	tcase_add_loop_test(tc, test_parse_each_time, 0, (int)N(time_words));
	tcase_add_loop_test(tc, test_corrupt, 0, (int)N(corrupt));
	tcase_add_test(tc, test_key_boundary);
	tcase_add_test(tc, test_too_large);
	tcase_add_test(tc, test_sent);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_save_round_trip);
	tcase_add_test(tc, test_save_failures);
	tcase_add_test(tc, test_lock);
	tcase_add_test(tc, test_concurrent_writers);
	tcase_add_test(tc, test_load);
	suite_add_tcase(s, tc);

	nf = tlib_run(s);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
