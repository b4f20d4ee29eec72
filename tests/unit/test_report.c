/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_report.c - bmsub_ctx_report, the license install checks, the state
 * quarantine and the refresh rule, on a private installation. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bmsub.h"
#include "pamt.h"
#include "tlib.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define NONE BMSUB_TIME_NONE
#define DAY 86400

static struct {
	char dir[64];
	char conf[PATH_MAX];
	char license[PATH_MAX];
	char keys_dir[PATH_MAX];
	char state_dir[PATH_MAX];
	char state[PATH_MAX + 16];
	char corrupt[PATH_MAX + 16];
	char rcpt[PATH_MAX + 16];
} E;
static struct bmsub_ctx *ctx;

static void
setup(void)
{
	char key[PATH_MAX], pem[PATH_MAX + 16], *conf = NULL;
	struct bmsub_error err;

	snprintf(E.dir, sizeof(E.dir), "/tmp/bmsub-report.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(E.dir));
	chmod(E.dir, 0755);
	snprintf(E.conf, sizeof(E.conf), "%s/bmsub.conf", E.dir);
	snprintf(E.license, sizeof(E.license), "%s/license", E.dir);
	snprintf(E.keys_dir, sizeof(E.keys_dir), "%s/keys.d", E.dir);
	snprintf(E.state_dir, sizeof(E.state_dir), "%s/state", E.dir);
	snprintf(E.state, sizeof(E.state), "%s/state", E.state_dir);
	snprintf(E.corrupt, sizeof(E.corrupt), "%s/state.corrupt", E.state_dir);
	snprintf(E.rcpt, sizeof(E.rcpt), "%s/recipients", E.state_dir);
	ck_assert_int_eq(mkdir(E.keys_dir, 0755), 0);
	ck_assert_int_eq(mkdir(E.state_dir, 0755), 0);
	pt_data_key("vendor1.pub", key, sizeof(key));
	snprintf(pem, sizeof(pem), "%s/vendor1.pem", E.keys_dir);
	pt_copy(key, pem);
	pt_write(E.rcpt, "ops@example.test\n", 0644);
	ck_assert_int_ge(asprintf(&conf, "license = \"%s\";\nkeys_dir = \"%s\";\n"
	    "state_dir = \"%s\";\nadmin_url = \"https://a.example.test/\";\n",
	    E.license, E.keys_dir, E.state_dir), 0);
	pt_write(E.conf, conf, 0644);
	free(conf);
	ck_assert_int_eq(bmsub_ctx_new(E.conf, &ctx, &err), 0);
}

static void
teardown(void)
{
	bmsub_ctx_free(ctx);
	ctx = NULL;
	tlib_rmrf(E.dir);
}

/* A license of vendor1 (or seed), N users, P %, valid from issued to
 * expires (dates), grace G days. */
static char *
lic_text(const char *id, const char *issued, const char *starts,
    const char *expires, unsigned users, int grace, const char *seed)
{
	struct pt_lic l;

	memset(&l, 0, sizeof(l));
	l.id = id;
	l.issued = ts(issued);
	l.starts = starts != NULL ? ts(starts) : 0;
	l.expires = ts(expires);
	l.users = users;
	l.grace_days = grace;
	l.seed_hex = seed;
	return pt_license(&l);
}

static void
install_text(const char *text)
{
	pt_write(E.license, text, 0644);
}

static void
save_state(uint64_t count, const char *over_since, const char *high_water)
{
	struct bmsub_state st;
	struct bmsub_error err;

	bmsub_state_init(&st);
	st.have_count = 1;
	st.count = count;
	st.over_since = over_since != NULL ? ts(over_since) : NONE;
	st.high_water = high_water != NULL ? ts(high_water) : NONE;
	ck_assert_int_eq(bmsub_state_save(E.state_dir, &st, &err), 0);
}

static struct bmsub_report *
report_at(const char *now)
{
	struct bmsub_report *rep = NULL;
	struct bmsub_error err;

	ck_assert_int_eq(bmsub_ctx_report(ctx, NULL, ts(now), &rep, &err), 0);
	ck_assert_ptr_nonnull(rep);
	return rep;
}

static size_t
file_read(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	n = read(fd, buf, size - 1);
	close(fd);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	return (size_t)n;
}

/* ------------------------------------------------------------------ */
/* the report */

START_TEST(report_no_license)
{
	struct bmsub_report *rep = report_at("2026-06-01T00:00:00Z");

	ck_assert_str_eq(rep->conf_path, E.conf);
	ck_assert_str_eq(rep->config->license, E.license);
	ck_assert_str_eq(rep->config->admin_url, "https://a.example.test/");
	ck_assert_int_eq(rep->keys.err, 0);
	ck_assert_uint_eq(rep->keys.count, 1);
	ck_assert_uint_eq(rep->keys.notes.n, 0);
	ck_assert_int_eq(rep->license.err, BMSUB_E_NO_LICENSE);
	ck_assert_str_eq(rep->license.lic.id, "");
	ck_assert_int_eq(rep->eval.date_phase, BMSUB_DATE_INVALID);
	ck_assert_int_eq(rep->eval.license_err, BMSUB_E_NO_LICENSE);
	ck_assert_uint_eq(rep->events.n, 0);
	ck_assert_uint_eq(rep->events.total, 0);
	ck_assert_ptr_null(rep->events.v);
	ck_assert_int_eq(rep->state.err, BMSUB_E_NOT_FOUND);
	ck_assert_int_eq(rep->state.st.have_count, 0);
	ck_assert_int_eq(rep->recipients.err, 0);
	ck_assert_uint_eq(rep->recipients.list.n, 1);
	ck_assert_str_eq(rep->recipients.list.v[0], "ops@example.test");
	ck_assert(rep->now == ts("2026-06-01T00:00:00Z"));
	bmsub_report_free(rep);
}
END_TEST

/* Licenses that do not verify: the reason and its detail, no data. */
static const struct {
	const char *seed;	/* NULL: vendor1 */
	int tamper;
	int want;
} bad_lics[] = {
	{ NULL, 1, BMSUB_E_BAD_SIGNATURE },
	{ PT_SEED_OTHER, 0, BMSUB_E_UNKNOWN_KEY },
	{ PT_SEED_OTHER, 1, BMSUB_E_UNKNOWN_KEY },
};

START_TEST(report_bad_license)
{
	struct bmsub_report *rep;
	struct pt_lic l;
	char *text;

	memset(&l, 0, sizeof(l));
	l.issued = ts("2026-01-01");
	l.expires = ts("2027-01-01");
	l.grace_days = -1;
	l.seed_hex = bad_lics[_i].seed;
	l.tamper = bad_lics[_i].tamper;
	text = pt_license(&l);
	install_text(text);
	free(text);
	rep = report_at("2026-06-01T00:00:00Z");
	ck_assert_int_eq(rep->license.err, bad_lics[_i].want);
	ck_assert_int_eq(rep->license.error.code, bad_lics[_i].want);
	ck_assert_str_ne(rep->license.error.msg, "");
	ck_assert_str_eq(rep->license.lic.id, "");
	ck_assert_uint_eq(rep->license.lic.users, 0);
	ck_assert_int_eq(rep->eval.date_phase, BMSUB_DATE_INVALID);
	ck_assert_uint_eq(rep->events.n, 0);
	bmsub_report_free(rep);
}
END_TEST

START_TEST(report_garbage_license)
{
	struct bmsub_report *rep;

	install_text("not a license\n");
	rep = report_at("2026-06-01T00:00:00Z");
	ck_assert_int_eq(rep->license.err, BMSUB_E_SYNTAX);
	ck_assert_str_ne(rep->license.error.msg, "");
	bmsub_report_free(rep);
}
END_TEST

START_TEST(report_valid_license)
{
	struct bmsub_report *rep;
	char *text = lic_text("BM-R1", "2026-01-01", NULL, "2027-01-01", 100,
	    10, NULL);
	size_t i;

	install_text(text);
	free(text);
	save_state(90, NULL, NULL);
	rep = report_at("2026-06-01T00:00:00Z");
	ck_assert_int_eq(rep->license.err, 0);
	ck_assert_str_eq(rep->license.lic.id, "BM-R1");
	ck_assert_uint_eq(rep->license.lic.users, 100);
	ck_assert_int_eq(rep->state.err, 0);
	ck_assert_uint_eq(rep->state.st.count, 90);
	ck_assert_int_eq(rep->eval.date_phase, BMSUB_DATE_OK);
	ck_assert_int_eq(rep->eval.count_phase, BMSUB_COUNT_WITHIN);
	ck_assert_uint_eq(rep->eval.count, 90);
	ck_assert(rep->eval.expires == ts("2027-01-01"));
	/* the timeline: every event in, split at now */
	ck_assert_uint_gt(rep->events.n, 2);
	ck_assert_uint_eq(rep->events.n, rep->events.total);
	ck_assert_uint_lt(rep->events.next, rep->events.n);
	for (i = 0; i < rep->events.n; i++) {
		if (i > 0)
			ck_assert(rep->events.v[i - 1].at <= rep->events.v[i].at);
		if (i < rep->events.next)
			ck_assert(rep->events.v[i].at <= rep->eval.effective);
		else
			ck_assert(rep->events.v[i].at > rep->eval.effective);
	}
	bmsub_report_free(rep);

	/* after the last event: next is n */
	rep = report_at("2028-06-01T00:00:00Z");
	ck_assert_int_eq(rep->eval.date_phase, BMSUB_DATE_BLOCKED);
	ck_assert_uint_eq(rep->events.next, rep->events.n);
	bmsub_report_free(rep);
}
END_TEST

/*
 * events.next at its boundary: an event at the policy's time (effective)
 * has happened, so next is the first event strictly after it, as
 * bmsub_evaluate's next_event (E = 2027-01-01, G = 10 days: notice
 * 2026-11-01, warning 2026-12-01, blocked 2027-01-11, the last event).
 */
static const struct {
	const char *name, *now, *high_water;
	const char *at, *what;		/* the next event; NULL: none */
} next_cases[] = {
	{ "1 s before notice", "2026-10-31T23:59:59Z", NULL,
	    "2026-11-01", "notice" },
	{ "at notice", "2026-11-01T00:00:00Z", NULL, "2026-12-01", "warning" },
	{ "1 s after notice", "2026-11-01T00:00:01Z", NULL,
	    "2026-12-01", "warning" },
	/* effective = H - 1 day, exactly the notice, now long before */
	{ "notice on the policy clock", "2026-06-01T00:00:00Z",
	    "2026-11-02T00:00:00Z", "2026-12-01", "warning" },
	{ "1 s before blocked", "2027-01-10T23:59:59Z", NULL,
	    "2027-01-11", "blocked" },
	{ "at blocked", "2027-01-11T00:00:00Z", NULL, NULL, NULL },
};

START_TEST(report_next_event)
{
	struct bmsub_report *rep;
	const struct bmsub_event *nx;
	char *text = lic_text("BM-N1", "2026-01-01", NULL, "2027-01-01", 100,
	    10, NULL);
	size_t i = (size_t)_i, next;

	install_text(text);
	free(text);
	save_state(90, NULL, next_cases[i].high_water);
	rep = report_at(next_cases[i].now);
	next = rep->events.next;
	ck_assert_uint_gt(rep->events.n, 0);
	ck_assert_msg(next == 0 ||
	    rep->events.v[next - 1].at <= rep->eval.effective,
	    "%s: event %zu before next is after effective",
	    next_cases[i].name, next - 1);
	if (next_cases[i].at == NULL) {
		ck_assert_msg(next == rep->events.n, "%s: next %zu of %zu",
		    next_cases[i].name, next, rep->events.n);
		ck_assert(rep->eval.next_event == NONE);
	} else {
		ck_assert_msg(next < rep->events.n, "%s: no next",
		    next_cases[i].name);
		nx = &rep->events.v[next];
		ck_assert_msg(nx->at == ts(next_cases[i].at) &&
		    strcmp(nx->what, next_cases[i].what) == 0,
		    "%s: next %s at %lld", next_cases[i].name, nx->what,
		    (long long)nx->at);
		ck_assert_ptr_null(nx->alert);	/* the phase change first */
		ck_assert(nx->at == rep->eval.next_event);
	}
	bmsub_report_free(rep);
}
END_TEST

/* A state that cannot be used: why, and an empty state. */
static const struct {
	const char *text;
	unsigned mode;
	int want;
} bad_states[] = {
	{ "garbage\n", 0644, BMSUB_E_CORRUPT },
	{ "bmsub-state 1\ncount 5\n", 0644, BMSUB_E_CORRUPT },	/* no end */
	{ "bmsub-state 1\ncount 5\nend\n", 0664, BMSUB_E_PERMISSIONS },
	{ "bmsub-state 1\ncount 5\nend\n", 0646, BMSUB_E_PERMISSIONS },
};

START_TEST(report_damaged_state)
{
	struct bmsub_report *rep;
	char *text = lic_text("BM-R2", "2026-01-01", NULL, "2027-01-01", 100,
	    10, NULL);

	install_text(text);
	free(text);
	pt_write(E.state, bad_states[_i].text, bad_states[_i].mode);
	rep = report_at("2026-06-01T00:00:00Z");
	ck_assert_int_eq(rep->license.err, 0);
	ck_assert_int_eq(rep->state.err, bad_states[_i].want);
	ck_assert_str_ne(rep->state.error.msg, "");
	ck_assert_int_eq(rep->state.st.have_count, 0);
	ck_assert_uint_eq(rep->state.st.count, 0);
	ck_assert(rep->state.st.last_refresh == NONE);
	ck_assert_int_eq(rep->eval.have_count, 0);
	ck_assert_int_eq(rep->eval.count_phase, BMSUB_COUNT_UNKNOWN);
	bmsub_report_free(rep);
}
END_TEST

static const struct {
	const char *text;
	unsigned mode;
	int want;
} bad_rcpts[] = {
	{ "not an address\n", 0644, BMSUB_E_CORRUPT },
	{ "ops@example.test\nx@y\n", 0644, BMSUB_E_CORRUPT },
	{ "ops@example.test\n", 0666, BMSUB_E_PERMISSIONS },
};

START_TEST(report_unreadable_recipients)
{
	struct bmsub_report *rep;

	pt_write(E.rcpt, bad_rcpts[_i].text, bad_rcpts[_i].mode);
	rep = report_at("2026-06-01T00:00:00Z");
	ck_assert_int_eq(rep->recipients.err, bad_rcpts[_i].want);
	ck_assert_str_ne(rep->recipients.error.msg, "");
	ck_assert_uint_eq(rep->recipients.list.n, 0);
	ck_assert_ptr_null(rep->recipients.list.v);
	bmsub_report_free(rep);
}
END_TEST

START_TEST(report_keys)
{
	struct bmsub_report *rep;
	char junk[PATH_MAX + 16];
	char *text = lic_text("BM-K", "2026-01-01", NULL, "2027-01-01", 10, 10,
	    NULL);

	install_text(text);
	free(text);
	/* a stray file: skipped, told in the notes, the license still valid */
	snprintf(junk, sizeof(junk), "%s/junk.pem", E.keys_dir);
	pt_write(junk, "junk\n", 0644);
	rep = report_at("2026-06-01T00:00:00Z");
	ck_assert_int_eq(rep->keys.err, 0);
	ck_assert_uint_eq(rep->keys.count, 1);
	ck_assert_uint_eq(rep->keys.notes.n, 1);
	ck_assert_ptr_nonnull(strstr(rep->keys.notes.v[0], "junk.pem"));
	ck_assert_int_eq(rep->license.err, 0);
	bmsub_report_free(rep);
	/* the notes go with the keyring: kept while it is cached */
	rep = report_at("2026-06-01T00:00:00Z");
	ck_assert_uint_eq(rep->keys.notes.n, 1);
	bmsub_report_free(rep);

	/* a folder anyone may write to: nothing is trusted */
	ck_assert_int_eq(chmod(E.keys_dir, 0775), 0);
	rep = report_at("2026-06-01T00:00:00Z");
	ck_assert_int_eq(rep->keys.err, BMSUB_E_PERMISSIONS);
	ck_assert_ptr_nonnull(strstr(rep->keys.error.msg, "chmod go-w"));
	ck_assert_uint_eq(rep->keys.count, 0);
	ck_assert_uint_eq(rep->keys.notes.n, 0);
	ck_assert_int_eq(rep->license.err, BMSUB_E_PERMISSIONS);
	ck_assert_int_eq(rep->eval.date_phase, BMSUB_DATE_INVALID);
	bmsub_report_free(rep);
	ck_assert_int_eq(chmod(E.keys_dir, 0755), 0);
}
END_TEST

START_TEST(report_config_errors)
{
	struct bmsub_report *rep = (void *)1;
	struct bmsub_error err;

	ck_assert_int_eq(bmsub_ctx_report(NULL, NULL, 0, &rep, &err),
	    BMSUB_E_INVALID);
	ck_assert_ptr_null(rep);
	ck_assert_int_eq(bmsub_ctx_report(ctx, NULL, 0, NULL, &err),
	    BMSUB_E_INVALID);
	pt_write(E.conf, "bogus = 1;\n", 0644);
	rep = (void *)1;
	ck_assert_int_ne(bmsub_ctx_report(ctx, NULL, 0, &rep, &err), 0);
	ck_assert_ptr_null(rep);
	ck_assert_str_ne(err.msg, "");
	pt_write(E.conf, "license = \"/x\";\n", 0666);
	ck_assert_int_eq(bmsub_ctx_report(ctx, NULL, 0, &rep, &err),
	    BMSUB_E_PERMISSIONS);
	bmsub_report_free(NULL);	/* NULL-safe */
}
END_TEST

/* Everything in a report is its own: it outlives reloads and the context. */
START_TEST(report_is_a_copy)
{
	struct bmsub_report *a, *b;
	struct bmsub_state st;
	struct bmsub_error err;
	char *t1 = lic_text("BM-OLD", "2026-01-01", NULL, "2027-01-01", 10, 10,
	    NULL);
	char *t2 = lic_text("BM-NEW", "2026-01-01", NULL, "2028-01-01", 20, 10,
	    NULL);

	install_text(t1);
	bmsub_state_init(&st);
	st.have_count = 1;
	st.count = 3;
	ck_assert_int_eq(bmsub_state_sent_set(&st, "grace:BM-OLD", 77), 0);
	ck_assert_int_eq(bmsub_state_save(E.state_dir, &st, &err), 0);
	bmsub_state_clear(&st);
	a = report_at("2026-06-01T00:00:00Z");
	install_text(t2);
	pt_write(E.rcpt, "new@example.test\nnew2@example.test\n", 0644);
	b = report_at("2026-06-01T00:00:00Z");
	ck_assert_str_eq(b->license.lic.id, "BM-NEW");
	ck_assert_uint_eq(b->recipients.list.n, 2);
	bmsub_ctx_free(ctx);
	ctx = NULL;
	/* a still shows the first load (ASan: nothing freed under it) */
	ck_assert_str_eq(a->license.lic.id, "BM-OLD");
	ck_assert_str_eq(a->config->state_dir, E.state_dir);
	ck_assert_uint_eq(a->recipients.list.n, 1);
	ck_assert_str_eq(a->recipients.list.v[0], "ops@example.test");
	ck_assert_uint_eq(a->state.st.n_sent, 1);
	ck_assert_str_eq(a->state.st.sent[0].key, "grace:BM-OLD");
	ck_assert_ptr_ne(a->state.st.sent, b->state.st.sent);
	ck_assert_ptr_ne(a->config, b->config);
	bmsub_report_free(a);
	bmsub_report_free(b);
	free(t1);
	free(t2);
}
END_TEST

/* report->config against bmsub_config_load of the same file, field by
 * field: equal values in storage of the report's own. The count below
 * is that of struct bmsub_config: a new field fails the build until it
 * is compared here. */
#define CONFIG_STRS 8
#define CONFIG_LISTS 6	/* and services[]; then hosted_only, an int */
_Static_assert(offsetof(struct bmsub_config, hosted_only) ==
    CONFIG_STRS * sizeof(char *) +
    (CONFIG_LISTS + BMSUB_CAT__COUNT) * sizeof(struct bmsub_strlist) &&
    offsetof(struct bmsub_config, cluster_database) == offsetof(struct
    bmsub_config, hosted_only) + sizeof(void *) &&
    sizeof(struct bmsub_config) == offsetof(struct bmsub_config,
    cluster_claim_lease_seconds) + sizeof(int) &&
    offsetof(struct bmsub_config, cluster_claim_lease_seconds) ==
    offsetof(struct bmsub_config, cluster_node_timeout_hours) + sizeof(int) &&
    offsetof(struct bmsub_config, cluster_node_timeout_hours) ==
    offsetof(struct bmsub_config, cluster_database) + 2 * sizeof(char *),
    "a new struct bmsub_config field must be compared by config_same");

static unsigned config_set;	/* bits of the fields some config set */

static void
same_str(unsigned bit, const char *name, const char *got, const char *want)
{
	if (want == NULL) {
		ck_assert_msg(got == NULL, "%s: \"%s\", want NULL", name, got);
		return;
	}
	config_set |= 1u << bit;
	ck_assert_msg(got != NULL, "%s: NULL, want \"%s\"", name, want);
	ck_assert_msg(strcmp(got, want) == 0, "%s: \"%s\", want \"%s\"",
	    name, got, want);
	ck_assert_ptr_ne(got, want);
}

static void
same_list(unsigned bit, const char *name, const struct bmsub_strlist *got,
    const struct bmsub_strlist *want)
{
	size_t i;

	ck_assert_msg(got->n == want->n, "%s: %zu names, want %zu", name,
	    got->n, want->n);
	if (want->n > 0) {
		config_set |= 1u << bit;
		ck_assert_ptr_ne(got->v, want->v);
	}
	for (i = 0; i < want->n; i++) {
		ck_assert_msg(strcmp(got->v[i], want->v[i]) == 0,
		    "%s[%zu]: \"%s\", want \"%s\"", name, i, got->v[i],
		    want->v[i]);
		ck_assert_ptr_ne(got->v[i], want->v[i]);
	}
}

static void
config_same(const struct bmsub_config *got, const struct bmsub_config *want)
{
	int i;

	same_str(0, "license", got->license, want->license);
	same_str(1, "keys_dir", got->keys_dir, want->keys_dir);
	same_str(2, "state_dir", got->state_dir, want->state_dir);
	same_str(3, "admin_url", got->admin_url, want->admin_url);
	same_str(4, "user_roster", got->user_roster, want->user_roster);
	same_str(5, "sendmail", got->sendmail, want->sendmail);
	same_str(6, "notify_from", got->notify_from, want->notify_from);
	same_list(7, "admin_users", &got->admin_users, &want->admin_users);
	same_list(8, "admin_groups", &got->admin_groups, &want->admin_groups);
	same_list(9, "user_groups", &got->user_groups, &want->user_groups);
	same_list(10, "user_exclude", &got->user_exclude, &want->user_exclude);
	same_list(11, "local_domains", &got->local_domains,
	    &want->local_domains);
	for (i = 0; i < BMSUB_CAT__COUNT; i++)
		same_list(12 + i, bmsub_category_name(i), &got->services[i],
		    &want->services[i]);
	same_str(12 + BMSUB_CAT__COUNT, "external_roster",
	    got->external_roster, want->external_roster);
	same_list(13 + BMSUB_CAT__COUNT, "external_groups",
	    &got->external_groups, &want->external_groups);
	ck_assert_int_eq(got->hosted_only, want->hosted_only);
	if (want->hosted_only)
		config_set |= 1u << (14 + BMSUB_CAT__COUNT);
	same_str(15 + BMSUB_CAT__COUNT, "cluster_database",
	    got->cluster_database, want->cluster_database);
	same_str(16 + BMSUB_CAT__COUNT, "cluster_node", got->cluster_node,
	    want->cluster_node);
	ck_assert_int_eq(got->cluster_node_timeout_hours,
	    want->cluster_node_timeout_hours);
	if (want->cluster_node_timeout_hours != 48)
		config_set |= 1u << (17 + BMSUB_CAT__COUNT);
	ck_assert_int_eq(got->cluster_claim_lease_seconds,
	    want->cluster_claim_lease_seconds);
	if (want->cluster_claim_lease_seconds != 900)
		config_set |= 1u << (18 + BMSUB_CAT__COUNT);
}

/* tests/data/conf/full.conf sets every key but users.roster, which
 * excludes users.groups: the second text swaps one for the other. */
START_TEST(report_config_copy)
{
	static const char groups[] = "groups = [ \"mailusers\", \"staff\" ];";
	static const char roster[] = "roster = \"/srv/bmsub/roster\";";
	struct bmsub_config *want = NULL;
	struct bmsub_report *rep = NULL;
	struct bmsub_error err;
	char *full = tlib_data("conf/full.conf", NULL), *text = NULL, *at;
	int pass;

	ck_assert_ptr_nonnull(at = strstr(full, groups));
	ck_assert_int_ge(asprintf(&text, "%.*s%s%s", (int)(at - full), full,
	    roster, at + strlen(groups)), 0);
	config_set = 0;
	for (pass = 0; pass < 2; pass++) {
		pt_write(E.conf, pass == 0 ? full : text, 0644);
		ck_assert_msg(bmsub_config_load(E.conf, &want, &err) == 0,
		    "%s", err.msg);
		ck_assert_msg(bmsub_ctx_report(ctx, NULL,
		    ts("2026-06-01T00:00:00Z"), &rep, &err) == 0, "%s",
		    err.msg);
		ck_assert_str_eq(rep->conf_path, E.conf);
		ck_assert_ptr_ne(rep->config, want);
		config_same(rep->config, want);
		bmsub_report_free(rep);
		bmsub_config_free(want);
		rep = NULL;
		want = NULL;
	}
	/* every field was set by one of the texts (services.other cannot) */
	ck_assert_uint_eq(config_set, ((1u << (19 + BMSUB_CAT__COUNT)) - 1) &
	    ~(1u << (12 + BMSUB_CAT_OTHER)));
	free(full);
	free(text);
}
END_TEST

/* ------------------------------------------------------------------ */
/* install */

/*
 * One candidate against the installed state: N users, P = 10 % (M = N +
 * N/10), E = 2027-01-01, G = 10 days, issued 2026-01-01 unless said; the
 * state counts C and records H.
 */
static const struct {
	const char *name;
	unsigned users;
	const char *starts, *expires;
	int have_count;
	uint64_t count;
	const char *high_water;
	const char *now;
	unsigned found;
	const char *refused;
} install_cases[] = {
	{ "fits", 100, NULL, "2027-01-01", 1, 90, NULL, "2026-06-01", 0, NULL },
	{ "N == C fits", 100, NULL, "2027-01-01", 1, 100, NULL, "2026-06-01", 0, NULL },
	{ "count unknown", 100, NULL, "2027-01-01", 0, 0, NULL, "2026-06-01", 0, NULL },
	{ "N < C", 100, NULL, "2027-01-01", 1, 200, NULL, "2026-06-01",
	    BMSUB_INSTALL_UNDER_COUNT, "over-count" },
	/* C within the ceiling M = 110 but above N: still too few */
	{ "N < C <= M", 100, NULL, "2027-01-01", 1, 101, NULL, "2026-06-01",
	    BMSUB_INSTALL_UNDER_COUNT, "over-count" },
	{ "N < C == M", 100, NULL, "2027-01-01", 1, 110, NULL, "2026-06-01",
	    BMSUB_INSTALL_UNDER_COUNT, "over-count" },
	{ "expired past grace", 100, NULL, "2026-05-01", 1, 10, NULL, "2026-06-01",
	    BMSUB_INSTALL_EXPIRED, "expired" },
	{ "last second of grace", 100, NULL, "2026-05-22", 1, 10, NULL,
	    "2026-05-31T23:59:59Z", BMSUB_INSTALL_IN_GRACE, NULL },
	{ "first second blocked", 100, NULL, "2026-05-22", 1, 10, NULL,
	    "2026-06-01", BMSUB_INSTALL_EXPIRED, "expired" },
	{ "in grace", 100, NULL, "2026-05-25", 1, 10, NULL, "2026-06-01",
	    BMSUB_INSTALL_IN_GRACE, NULL },
	{ "not started", 100, "2026-07-01", "2027-01-01", 1, 10, NULL,
	    "2026-06-01", BMSUB_INSTALL_NOT_STARTED, "not-yet-valid" },
	{ "starts now", 100, "2026-06-01", "2027-01-01", 1, 10, NULL,
	    "2026-06-01", 0, NULL },
	/* the policy's clock: H - 1 day is past E + G although now is not */
	{ "expired on the policy clock", 100, NULL, "2026-05-25", 1, 10,
	    "2026-06-20", "2026-06-01", BMSUB_INSTALL_EXPIRED, "expired" },
	/* both: the date finding is named first */
	{ "expired and too small", 1, NULL, "2026-05-01", 1, 10, NULL,
	    "2026-06-01", BMSUB_INSTALL_EXPIRED | BMSUB_INSTALL_UNDER_COUNT,
	    "expired" },
};

static void
install_case_state(size_t i)
{
	if (install_cases[i].have_count || install_cases[i].high_water)
		save_state(install_cases[i].count, NULL,
		    install_cases[i].high_water);
	if (!install_cases[i].have_count && install_cases[i].high_water) {
		/* no count wanted: rewrite without it */
		struct bmsub_state st;
		struct bmsub_error err;

		bmsub_state_init(&st);
		st.high_water = ts(install_cases[i].high_water);
		ck_assert_int_eq(bmsub_state_save(E.state_dir, &st, &err), 0);
	}
}

START_TEST(install_checks)
{
	struct bmsub_install res;
	struct bmsub_error err;
	struct bmsub_report *rep;
	struct pt_lic l;
	struct stat sb;
	char *text, got[4096], lk[PATH_MAX + 8];
	int r;

	install_case_state(_i);
	memset(&l, 0, sizeof(l));
	l.id = "BM-CAND";
	l.issued = ts("2026-01-01");
	l.starts = install_cases[_i].starts ? ts(install_cases[_i].starts) : 0;
	l.expires = ts(install_cases[_i].expires);
	l.users = install_cases[_i].users;
	l.grace_days = 10;
	text = pt_license(&l);

	/* the check alone writes nothing */
	r = bmsub_ctx_license_check(ctx, NULL, text, strlen(text),
	    ts(install_cases[_i].now), &res, &err);
	ck_assert_msg(r == 0, "%s: %d %s", install_cases[_i].name, r, err.msg);
	ck_assert_int_eq(res.verified, 1);
	ck_assert_uint_eq(res.found, install_cases[_i].found);
	ck_assert_int_eq(res.have_count, install_cases[_i].have_count);
	ck_assert_uint_eq(res.count, install_cases[_i].count);
	ck_assert_int_eq(res.installed, 0);
	ck_assert_int_ne(access(E.license, F_OK), 0);

	/* install without force: refused exactly when a finding refuses;
	 * a refusal needs no lock and outranks a lock problem (a folder
	 * where the lock file should be) */
	snprintf(lk, sizeof(lk), "%s/lock", E.state_dir);
	if (install_cases[_i].refused != NULL) {
		(void)unlink(lk);
		ck_assert_int_eq(mkdir(lk, 0755), 0);
	}
	r = bmsub_ctx_license_install(ctx, NULL, text, strlen(text),
	    ts(install_cases[_i].now), 0, &res, &err);
	if (install_cases[_i].refused != NULL)
		ck_assert_int_eq(rmdir(lk), 0);
	ck_assert_msg(r == 0, "%s: %d %s", install_cases[_i].name, r, err.msg);
	ck_assert_uint_eq(res.found, install_cases[_i].found);
	if (install_cases[_i].refused != NULL) {
		ck_assert_msg(res.refused != NULL &&
		    strcmp(res.refused, install_cases[_i].refused) == 0,
		    "%s: refused %s", install_cases[_i].name,
		    res.refused ? res.refused : "(null)");
		ck_assert_int_eq(res.installed, 0);
		ck_assert_int_ne(access(E.license, F_OK), 0);
		/* forced: installed all the same, the findings kept */
		r = bmsub_ctx_license_install(ctx, NULL, text, strlen(text),
		    ts(install_cases[_i].now), BMSUB_INSTALL_FORCE, &res, &err);
		ck_assert_int_eq(r, 0);
		ck_assert_uint_eq(res.found, install_cases[_i].found);
		ck_assert_str_eq(res.refused, install_cases[_i].refused);
	} else
		ck_assert_ptr_null(res.refused);
	ck_assert_int_eq(res.installed, 1);
	ck_assert_uint_eq(file_read(E.license, got, sizeof(got)), strlen(text));
	ck_assert_str_eq(got, text);
	ck_assert_int_eq(stat(E.license, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0644);
	/* the same context sees it at its next call */
	rep = report_at(install_cases[_i].now);
	ck_assert_int_eq(rep->license.err, 0);
	ck_assert_str_eq(rep->license.lic.id, "BM-CAND");
	bmsub_report_free(rep);
	free(text);
}
END_TEST

/* Texts that never get installed, forced or not. */
START_TEST(install_refuses_unverified)
{
	static const struct {
		const char *seed;
		int tamper;
		const char *text;	/* instead of a license */
		int want;
	} cases[] = {
		{ NULL, 1, NULL, BMSUB_E_BAD_SIGNATURE },
		{ PT_SEED_OTHER, 0, NULL, BMSUB_E_UNKNOWN_KEY },
		{ NULL, 0, "", BMSUB_E_SYNTAX },
		{ NULL, 0, "-----BEGIN BMSUB LICENSE-----\n", BMSUB_E_SYNTAX },
	};
	struct bmsub_install res;
	struct bmsub_error err;
	struct pt_lic l;
	char *good = lic_text("BM-GOOD", "2026-01-01", NULL, "2027-01-01", 10,
	    10, NULL), *text, got[4096];
	size_t i;
	unsigned flags;
	int r;

	install_text(good);
	for (i = 0; i < N(cases); i++) {
		memset(&l, 0, sizeof(l));
		l.id = "BM-BAD";
		l.issued = ts("2026-01-01");
		l.expires = ts("2027-01-01");
		l.grace_days = -1;
		l.seed_hex = cases[i].seed;
		l.tamper = cases[i].tamper;
		text = cases[i].text ? strdup(cases[i].text) : pt_license(&l);
		for (flags = 0; flags <= BMSUB_INSTALL_FORCE; flags++) {
			r = bmsub_ctx_license_install(ctx, NULL, text,
			    strlen(text), ts("2026-06-01"), flags, &res, &err);
			ck_assert_msg(r == cases[i].want, "case %zu: %d", i, r);
			ck_assert_int_eq(res.verify_err, cases[i].want);
			ck_assert_int_eq(res.verified, 0);
			ck_assert_int_eq(res.installed, 0);
			ck_assert_int_eq(err.code, cases[i].want);
			file_read(E.license, got, sizeof(got));
			ck_assert_str_eq(got, good);
		}
		free(text);
	}
	/* no trusted key: the folder's error, said as such */
	ck_assert_int_eq(chmod(E.keys_dir, 0777), 0);
	r = bmsub_ctx_license_install(ctx, NULL, good, strlen(good),
	    ts("2026-06-01"), BMSUB_INSTALL_FORCE, &res, &err);
	ck_assert_int_eq(r, BMSUB_E_PERMISSIONS);
	ck_assert_int_eq(res.keys_err, BMSUB_E_PERMISSIONS);
	ck_assert_int_eq(res.installed, 0);
	ck_assert_int_eq(chmod(E.keys_dir, 0755), 0);
	ck_assert_int_eq(bmsub_ctx_license_check(ctx, NULL, NULL, 0, 0, &res,
	    &err), BMSUB_E_INVALID);
	free(good);
}
END_TEST

/* ------------------------------------------------------------------ */
/* quarantine */

START_TEST(quarantine_keeps_bytes)
{
	static const char damaged[] = "bmsub-state 1\ncount x\n\001\377end";
	struct bmsub_error err;
	struct stat sb;
	char got[256];

	ck_assert_int_eq(bmsub_state_quarantine(E.state_dir, &err),
	    BMSUB_E_NOT_FOUND);
	ck_assert_int_ne(access(E.corrupt, F_OK), 0);
	pt_write(E.corrupt, "an older one\n", 0644);
	pt_write(E.state, damaged, 0644);
	ck_assert_int_eq(bmsub_state_quarantine(E.state_dir, &err), 0);
	ck_assert_uint_eq(file_read(E.corrupt, got, sizeof(got)),
	    sizeof(damaged) - 1);
	ck_assert_mem_eq(got, damaged, sizeof(damaged) - 1);
	ck_assert_int_eq(stat(E.corrupt, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0644);
	/* the damaged state stays until the caller saves over it */
	file_read(E.state, got, sizeof(got));
	ck_assert_mem_eq(got, damaged, sizeof(damaged) - 1);
	ck_assert_int_eq(bmsub_state_quarantine("", &err), BMSUB_E_INVALID);
}
END_TEST

/* ------------------------------------------------------------------ */
/* the refresh rule: N = 100, issued 2026-01-01 */

static const struct {
	const char *name;
	int no_license;
	const char *over_before, *high_water;	/* state as it was */
	uint64_t count;
	const char *now;
	const char *over_after;		/* O afterwards, NULL: none */
	const char *high_after;		/* H afterwards */
	int raised;
} refresh_cases[] = {
	{ "within", 0, NULL, NULL, 90, "2026-06-01", NULL, "2026-06-01", 1 },
	{ "C == N is within", 0, "2026-05-01", NULL, 100, "2026-06-01", NULL,
	    "2026-06-01", 1 },
	{ "first over", 0, NULL, NULL, 101, "2026-06-01", "2026-06-01",
	    "2026-06-01", 1 },
	/* a later refresh while still over never postpones the block */
	{ "still over", 0, "2026-05-01", "2026-05-01", 150, "2026-06-01",
	    "2026-05-01", "2026-06-01", 1 },
	{ "still over, fewer", 0, "2026-05-01", NULL, 101, "2026-06-01",
	    "2026-05-01", "2026-06-01", 1 },
	{ "resolved", 0, "2026-05-01", NULL, 99, "2026-06-01", NULL,
	    "2026-06-01", 1 },
	/* nobody counted is a count too: C = 0 is known, O ends */
	{ "nobody counted", 0, "2026-05-01", NULL, 0, "2026-06-01", NULL,
	    "2026-06-01", 1 },
	/* O on the policy clock: max(T, H - 1 day, issued) */
	{ "clock behind H", 0, NULL, "2026-06-20", 101, "2026-06-01",
	    "2026-06-19", "2026-06-20", 0 },
	{ "clock less than a day behind", 0, NULL, "2026-06-01T12:00:00Z", 101,
	    "2026-06-01", "2026-06-01", "2026-06-01T12:00:00Z", 0 },
	{ "clock behind issued", 0, NULL, NULL, 101, "2025-06-01", "2026-01-01",
	    "2025-06-01", 1 },
	/* no valid license: no N, O as it was */
	{ "no license keeps O", 1, "2026-05-01", NULL, 5, "2026-06-01",
	    "2026-05-01", "2026-06-01", 1 },
	{ "no license sets none", 1, NULL, NULL, 500, "2026-06-01", NULL,
	    "2026-06-01", 1 },
};

START_TEST(refresh_rule)
{
	struct bmsub_license lic;
	struct bmsub_state st;
	int raised;

	memset(&lic, 0, sizeof(lic));
	lic.users = 100;
	lic.allowance_percent = 10;
	lic.issued = ts("2026-01-01");
	lic.starts = NONE;
	lic.expires = ts("2027-01-01");
	lic.grace_days = 10;
	bmsub_state_init(&st);
	st.have_count = 1;
	st.count = 7;
	st.over_since = refresh_cases[_i].over_before ?
	    ts(refresh_cases[_i].over_before) : NONE;
	st.high_water = refresh_cases[_i].high_water ?
	    ts(refresh_cases[_i].high_water) : NONE;
	st.last_notify = 12345;
	raised = bmsub_state_refresh(&st, refresh_cases[_i].no_license ? NULL :
	    &lic, refresh_cases[_i].count, ts(refresh_cases[_i].now));
	ck_assert_msg(raised == refresh_cases[_i].raised, "%s: raised %d",
	    refresh_cases[_i].name, raised);
	ck_assert_int_eq(st.have_count, 1);
	ck_assert_uint_eq(st.count, refresh_cases[_i].count);
	ck_assert(st.last_refresh == ts(refresh_cases[_i].now));
	ck_assert(st.last_notify == 12345);
	if (refresh_cases[_i].over_after == NULL)
		ck_assert_msg(st.over_since == NONE, "%s: O set",
		    refresh_cases[_i].name);
	else
		ck_assert_msg(st.over_since == ts(refresh_cases[_i].over_after),
		    "%s: O %lld", refresh_cases[_i].name,
		    (long long)st.over_since);
	ck_assert(st.high_water == ts(refresh_cases[_i].high_after));
}
END_TEST

/* Refreshes every day while over: O stays where it was first seen, so
 * the block comes a month after it. */
START_TEST(refresh_daily_keeps_block)
{
	struct bmsub_license lic;
	struct bmsub_state st;
	struct bmsub_eval ev;
	int64_t t0 = ts("2026-06-01"), t;

	memset(&lic, 0, sizeof(lic));
	lic.users = 100;
	lic.issued = ts("2026-01-01");
	lic.starts = NONE;
	lic.expires = ts("2028-01-01");
	lic.grace_days = 10;
	bmsub_state_init(&st);
	for (t = t0; t <= t0 + 40 * DAY; t += DAY)
		bmsub_state_refresh(&st, &lic, 120, t);
	ck_assert(st.over_since == t0);
	bmsub_evaluate(&lic, 0, &st, t0 + 40 * DAY, &ev);
	ck_assert_int_eq(ev.count_phase, BMSUB_COUNT_OVER_BLOCKED);
	ck_assert(ev.over_block_at == ts("2026-07-01"));
}
END_TEST

START_TEST(saw_time)
{
	static const struct {
		const char *h, *now, *after;
		int raised;
	} cases[] = {
		{ NULL, "2026-06-01", "2026-06-01", 1 },
		{ "2026-05-01", "2026-06-01", "2026-06-01", 1 },
		{ "2026-06-01", "2026-06-01", "2026-06-01", 0 },
		{ "2026-07-01", "2026-06-01", "2026-07-01", 0 },
	};
	struct bmsub_state st;
	size_t i;

	for (i = 0; i < N(cases); i++) {
		bmsub_state_init(&st);
		st.high_water = cases[i].h ? ts(cases[i].h) : NONE;
		ck_assert_int_eq(bmsub_state_saw_time(&st, ts(cases[i].now)),
		    cases[i].raised);
		ck_assert(st.high_water == ts(cases[i].after));
	}
}
END_TEST

/*
 * An install sets O as a refresh would, in the same locked call: a forced
 * N < C starts the over-count clock at once (on the policy's clock), an
 * N >= C ends it; nothing else of the state moves, and a refused install
 * or a state without a count is left alone. Candidate: issued 2026-01-01,
 * E = 2027-01-01, G = 10; the state's refresh time is 2026-05-01.
 */
static const struct {
	const char *name;
	int state;		/* 0 none, 1 without count, 2 counted, 3 garbage */
	uint64_t count;
	const char *over_since, *high_water;	/* before */
	unsigned users;		/* N of the candidate */
	unsigned flags;
	const char *now;
	int installed;
	const char *want_o;	/* after; NULL: NONE */
} over_cases[] = {
	/* refused: not written, so nothing of the state moves */
	{ "refused N < C", 2, 200, NULL, NULL, 100, 0, "2026-06-01", 0, NULL },
	{ "refused keeps O", 2, 200, "2026-05-01", NULL, 100, 0, "2026-06-01",
	    0, "2026-05-01" },
	/* no count, no state, a damaged state: there is no C to compare */
	{ "no count", 1, 0, NULL, NULL, 1, BMSUB_INSTALL_FORCE, "2026-06-01",
	    1, NULL },
	{ "no state", 0, 0, NULL, NULL, 1, BMSUB_INSTALL_FORCE, "2026-06-01",
	    1, NULL },
	{ "garbage state", 3, 0, NULL, NULL, 1, BMSUB_INSTALL_FORCE,
	    "2026-06-01", 1, NULL },
	/* N >= C: no O, and an O of a smaller license ends */
	{ "N == C", 2, 100, NULL, NULL, 100, 0, "2026-06-01", 1, NULL },
	{ "N > C", 2, 90, NULL, NULL, 100, 0, "2026-06-01", 1, NULL },
	{ "N == C clears O", 2, 100, "2026-05-01", NULL, 100, 0, "2026-06-01",
	    1, NULL },
	{ "N > C clears O", 2, 50, "2026-05-01", NULL, 100, BMSUB_INSTALL_FORCE,
	    "2026-06-01", 1, NULL },
	/* an O already running is kept: an install never postpones it */
	{ "forced N < C keeps O", 2, 200, "2026-05-01", NULL, 100,
	    BMSUB_INSTALL_FORCE, "2026-06-01", 1, "2026-05-01" },
	/* forced N < C: O = max(now, H - 1 day, issued) */
	{ "forced N < C", 2, 200, NULL, NULL, 100, BMSUB_INSTALL_FORCE,
	    "2026-06-01T12:00:00Z", 1, "2026-06-01T12:00:00Z" },
	{ "forced N + 1 == C", 2, 101, NULL, NULL, 100, BMSUB_INSTALL_FORCE,
	    "2026-06-01", 1, "2026-06-01" },
	{ "forced N < C, clock behind H", 2, 200, NULL, "2026-06-20", 100,
	    BMSUB_INSTALL_FORCE, "2026-06-01", 1, "2026-06-19" },
	{ "forced N < C, clock behind issued", 2, 200, NULL, NULL, 100,
	    BMSUB_INSTALL_FORCE, "2025-12-01", 1, "2026-01-01" },
};

START_TEST(install_over_since)
{
	struct bmsub_install res;
	struct bmsub_error err;
	struct bmsub_state st, after;
	struct bmsub_report *rep;
	struct pt_lic l;
	char *text, before[4096], got[4096];
	int64_t want = over_cases[_i].want_o ? ts(over_cases[_i].want_o) : NONE;
	int r;

	bmsub_state_init(&st);
	st.last_refresh = ts("2026-05-01");
	st.have_count = over_cases[_i].state == 2;
	st.count = over_cases[_i].count;
	st.over_since = over_cases[_i].over_since ?
	    ts(over_cases[_i].over_since) : NONE;
	st.high_water = over_cases[_i].high_water ?
	    ts(over_cases[_i].high_water) : NONE;
	if (over_cases[_i].state == 1 || over_cases[_i].state == 2)
		ck_assert_int_eq(bmsub_state_save(E.state_dir, &st, &err), 0);
	else if (over_cases[_i].state == 3)
		pt_write(E.state, "garbage\n", 0644);
	if (over_cases[_i].state != 0)
		file_read(E.state, before, sizeof(before));
	memset(&l, 0, sizeof(l));
	l.id = "BM-OVER";
	l.issued = ts("2026-01-01");
	l.expires = ts("2027-01-01");
	l.users = over_cases[_i].users;
	l.grace_days = 10;
	text = pt_license(&l);

	r = bmsub_ctx_license_install(ctx, NULL, text, strlen(text),
	    ts(over_cases[_i].now), over_cases[_i].flags, &res, &err);
	ck_assert_msg(r == 0, "%s: %d %s", over_cases[_i].name, r, err.msg);
	ck_assert_int_eq(res.installed, over_cases[_i].installed);
	if (over_cases[_i].state == 0) {
		ck_assert_int_ne(access(E.state, F_OK), 0);
		goto done;
	}
	if (over_cases[_i].state != 2 || want == st.over_since) {
		/* not even rewritten */
		file_read(E.state, got, sizeof(got));
		ck_assert_str_eq(got, before);
		if (over_cases[_i].state != 2)
			goto done;
	}
	ck_assert_int_eq(bmsub_state_load(E.state_dir, &after, &err), 0);
	ck_assert_msg(after.over_since == want, "%s: O %lld, want %lld",
	    over_cases[_i].name, (long long)after.over_since, (long long)want);
	/* only O moves: C, H and the refresh time are the refresh's */
	ck_assert_int_eq(after.have_count, 1);
	ck_assert_uint_eq(after.count, st.count);
	ck_assert(after.high_water == st.high_water);
	ck_assert(after.last_refresh == st.last_refresh);
	bmsub_state_clear(&after);
	if (!over_cases[_i].installed)
		goto done;
	/* the caller's result and the next report see the block date */
	ck_assert(res.eval.over_since == (want == NONE ? NONE : want));
	rep = report_at(over_cases[_i].now);
	ck_assert_str_eq(rep->license.lic.id, "BM-OVER");
	if (want != NONE) {
		ck_assert_int_ne(rep->eval.count_phase, BMSUB_COUNT_WITHIN);
		ck_assert(rep->eval.over_since == want);
		ck_assert(rep->eval.over_block_at == bmsub_add_months(want, 1));
		ck_assert(res.eval.over_block_at == rep->eval.over_block_at);
	} else
		ck_assert_int_eq(rep->eval.count_phase, BMSUB_COUNT_WITHIN);
	bmsub_report_free(rep);
 done:
	free(text);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("report");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, report_no_license);
	tcase_add_loop_test(tc, report_bad_license, 0, N(bad_lics));
	tcase_add_test(tc, report_garbage_license);
	tcase_add_test(tc, report_valid_license);
	tcase_add_loop_test(tc, report_next_event, 0, N(next_cases));
	tcase_add_loop_test(tc, report_damaged_state, 0, N(bad_states));
	tcase_add_loop_test(tc, report_unreadable_recipients, 0, N(bad_rcpts));
	tcase_add_test(tc, report_keys);
	tcase_add_test(tc, report_config_errors);
	tcase_add_test(tc, report_is_a_copy);
	tcase_add_test(tc, report_config_copy);
	tcase_add_loop_test(tc, install_checks, 0, N(install_cases));
	tcase_add_test(tc, install_refuses_unverified);
	tcase_add_test(tc, quarantine_keeps_bytes);
	tcase_add_loop_test(tc, refresh_rule, 0, N(refresh_cases));
	tcase_add_test(tc, refresh_daily_keeps_block);
	tcase_add_test(tc, saw_time);
	tcase_add_loop_test(tc, install_over_since, 0, N(over_cases));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tlib_run(suite()) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
