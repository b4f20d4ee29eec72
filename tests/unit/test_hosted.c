/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_hosted.c - users hosted elsewhere (SPEC section 10): the pure
 * bmsub_decide_hosted over every phase, role, category and hosting; the
 * users file reader (good and damaged files) and its lookup; the sets
 * refresh builds and the count without external users; the config keys;
 * and the whole decision table through pam_bmsub.so in real libpam with
 * an external user, with hosted_only, with administrators among them, a
 * user moved to external at the next refresh, and a missing or damaged
 * users file (users refused, administrators as administrators).
 */
#include <check.h>

#include "internal.h"
#include "pamt.h"
#include "tlib.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the pure policy ---- */

static const char *const phase_dates[] = {
	/* expires (date) at 2027-06-01T00:00:00Z as seen from: */
	"2027-01-01",	/* ok */
	"2027-04-10",	/* notice */
	"2027-05-10",	/* warning */
	"2027-06-05",	/* grace */
	"2027-07-01",	/* blocked */
};

START_TEST(test_decide_hosted_table)
{
	struct bmsub_license lic = tlib_license(BMSUB_KIND_PROD, 10,
	    "2026-06-01", NULL, "2027-05-31");
	struct bmsub_state st = tlib_state(1, 100, BMSUB_TIME_NONE,
	    BMSUB_TIME_NONE);
	struct bmsub_eval ev;
	struct bmsub_verdict v, plain;
	size_t p;
	int admin, cat, h, lic_ok, over;

	for (p = 0; p < N(phase_dates); p++)
	for (lic_ok = 0; lic_ok < 2; lic_ok++)
	for (over = 0; over < 3; over++)
	for (admin = 0; admin < 2; admin++)
	for (cat = 0; cat < BMSUB_CAT__COUNT; cat++)
	for (h = 0; h <= 3; h++) {	/* 3: out of range, fails closed */
		st.count = over == 0 ? 100 : 300;
		st.over_since = over == 0 ? BMSUB_TIME_NONE : over == 1 ?
		    ts(phase_dates[p]) - 2 * 86400 :
		    ts(phase_dates[p]) - 40 * 86400;
		bmsub_evaluate(lic_ok ? &lic : NULL, lic_ok ? 0 :
		    BMSUB_E_NO_LICENSE, &st, ts(phase_dates[p]), &ev);
		bmsub_decide(&ev, admin, (enum bmsub_category)cat, 1,
		    PT_ADMIN_URL, &plain);
		bmsub_decide_hosted(&ev, admin, (enum bmsub_category)cat, 1,
		    PT_ADMIN_URL, (enum bmsub_hosting)h, &v);
		if (admin || h == BMSUB_HOSTED) {
			/* administrators are never external */
			ck_assert_int_eq(v.decision, plain.decision);
			ck_assert_str_eq(v.reason, plain.reason);
			ck_assert_str_eq(v.message, plain.message);
			ck_assert_str_eq(v.banner, plain.banner);
			continue;
		}
		ck_assert_msg(v.decision == BMSUB_DENY, "phase %zu h %d "
		    "cat %d: %s", p, h, cat, bmsub_decision_name(v.decision));
		ck_assert_str_eq(v.reason, h == BMSUB_EXTERNAL ?
		    "not-hosted" : "hosted-unknown");
		ck_assert_str_eq(v.phase, plain.phase);
		ck_assert_ptr_null(v.redirect);
		ck_assert_str_eq(v.banner, "");
		ck_assert_ptr_nonnull(strstr(v.message, h == BMSUB_EXTERNAL ?
		    "not hosted on this mail platform" :
		    "cannot tell which users it hosts"));
	}
	ck_assert_str_eq(bmsub_hosting_name(BMSUB_HOSTED), "hosted");
	ck_assert_str_eq(bmsub_hosting_name(BMSUB_EXTERNAL), "external");
	ck_assert_str_eq(bmsub_hosting_name(BMSUB_HOSTING_UNKNOWN), "unknown");
	ck_assert_str_eq(bmsub_hosting_name((enum bmsub_hosting)9), "unknown");
	bmsub_decide_hosted(NULL, 0, BMSUB_CAT_IMAP, 1, NULL, BMSUB_HOSTED, &v);
	ck_assert_int_eq(v.decision, BMSUB_DENY);
	bmsub_decide_hosted(&ev, 0, BMSUB_CAT_IMAP, 1, NULL, BMSUB_HOSTED,
	    NULL);
}
END_TEST

/* ---- the users file ---- */

static const struct ufile {
	const char *name;
	const char *text;
	int ok;
	unsigned line;	/* of the defect */
} ufiles[] = {
	{ "empty sets", "bmsub-users 1\nend 0\n", 1, 0 },
	{ "three classes", "bmsub-users 1\na\thosted\nb\texcluded\n"
	    "c\texternal\nend 3\n", 1, 0 },
	{ "login named end", "bmsub-users 1\nend\thosted\nend 1\n", 1, 0 },
	{ "utf-8 login", "bmsub-users 1\nal\xc3\xa9\texternal\nend 1\n", 1, 0 },
	{ "empty file", "", 0, 1 },
	{ "no header", "a\thosted\nend 1\n", 0, 1 },
	{ "version 2", "bmsub-users 2\nend 0\n", 0, 1 },
	{ "header with CR", "bmsub-users 1\r\nend 0\n", 0, 1 },
	{ "no end", "bmsub-users 1\na\thosted\n", 0, 3 },
	{ "end without LF", "bmsub-users 1\nend 0", 0, 2 },
	{ "end count wrong", "bmsub-users 1\na\thosted\nend 2\n", 0, 3 },
	{ "end count short", "bmsub-users 1\na\thosted\nb\thosted\nend 1\n",
	    0, 4 },
	{ "end count leading zero", "bmsub-users 1\na\thosted\nend 01\n", 0, 3 },
	{ "end count sign", "bmsub-users 1\nend -0\n", 0, 2 },
	{ "end count blank", "bmsub-users 1\nend  0\n", 0, 2 },
	{ "end count huge", "bmsub-users 1\nend 99999999999999999999999\n", 0,
	    2 },
	{ "text after end", "bmsub-users 1\nend 0\nx\thosted\n", 0, 3 },
	{ "blank line", "bmsub-users 1\n\nend 0\n", 0, 2 },
	{ "no tab", "bmsub-users 1\nalice hosted\nend 1\n", 0, 2 },
	{ "empty login", "bmsub-users 1\n\thosted\nend 1\n", 0, 2 },
	{ "space in login", "bmsub-users 1\na b\thosted\nend 1\n", 0, 2 },
	{ "control in login", "bmsub-users 1\na\x01\thosted\nend 1\n", 0, 2 },
	{ "DEL in login", "bmsub-users 1\na\x7f\thosted\nend 1\n", 0, 2 },
	{ "unknown class", "bmsub-users 1\na\tguest\nend 1\n", 0, 2 },
	{ "class with blank", "bmsub-users 1\na\thosted \nend 1\n", 0, 2 },
	{ "two tabs", "bmsub-users 1\na\thosted\textra\nend 1\n", 0, 2 },
	{ "empty class", "bmsub-users 1\na\t\nend 1\n", 0, 2 },
	{ "CR end", "bmsub-users 1\na\thosted\r\nend 1\n", 0, 2 },
	{ "unsorted", "bmsub-users 1\nb\thosted\na\thosted\nend 2\n", 0, 3 },
	{ "duplicate", "bmsub-users 1\na\thosted\na\texternal\nend 2\n", 0, 3 },
	{ "prefix order", "bmsub-users 1\nab\thosted\na\thosted\nend 2\n", 0,
	    3 },
};

START_TEST(test_users_parse)
{
	const struct ufile *f = &ufiles[_i];
	struct bm_users u;
	struct bmsub_error err;
	char *buf;
	int r;

	buf = strdup(f->text);
	ck_assert_ptr_nonnull(buf);
	memset(&err, 0, sizeof(err));
	r = bm_users_parse(buf, strlen(buf), "users", &u, &err);
	if (f->ok) {
		ck_assert_msg(r == 0, "%s: %s", f->name, err.msg);
		bm_users_free(&u);
		return;
	}
	free(buf);
	ck_assert_msg(r == BMSUB_E_CORRUPT, "%s: %d", f->name, r);
	ck_assert_msg(err.line == f->line, "%s: line %u, want %u (%s)",
	    f->name, err.line, f->line, err.msg);
	ck_assert_ptr_nonnull(strstr(err.msg, "users"));
	ck_assert_ptr_null(u.buf);
}
END_TEST

/* A NUL in the middle is corruption too (the text is not a C string). */
START_TEST(test_users_parse_nul)
{
	static const char t[] = "bmsub-users 1\na\0\thosted\nend 1\n";
	struct bm_users u;
	struct bmsub_error err;
	char *buf = malloc(sizeof(t));

	memcpy(buf, t, sizeof(t));
	ck_assert_int_eq(bm_users_parse(buf, sizeof(t) - 1, "users", &u, &err),
	    BMSUB_E_CORRUPT);
	free(buf);
}
END_TEST

/* Every listed login is found with its class; its neighbours are not. */
START_TEST(test_users_find)
{
	struct bm_users u;
	struct bmsub_error err;
	struct bm_text t;
	char *buf = NULL, name[32];
	size_t len, i, n = 2000;
	static const char *const cls[] = { "hosted", "excluded", "external" };

	bm_text_dynamic(&t);
	bm_text_add(&t, "bmsub-users 1\n");
	/* u0000a ... sorted: zero-padded; lengths vary with a suffix */
	for (i = 0; i < n; i++)
		bm_text_add(&t, "u%04zu%s\t%s\n", i * 2, i % 7 ? "" : "xyz",
		    cls[i % 3]);
	bm_text_add(&t, "end %zu\n", n);
	ck_assert_int_eq(bm_text_take(&t, &buf, &len), 0);
	ck_assert_int_eq(bm_users_parse(buf, len, "users", &u, &err), 0);
	ck_assert_uint_eq(u.n[BM_U_HOSTED] + u.n[BM_U_EXCLUDED] +
	    u.n[BM_U_EXTERNAL], n);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "u%04zu%s", i * 2,
		    i % 7 ? "" : "xyz");
		ck_assert_msg(bm_users_find(&u, name) ==
		    (enum bm_uclass)(BM_U_HOSTED + i % 3), "%s", name);
		snprintf(name, sizeof(name), "u%04zu", i * 2 + 1);
		ck_assert_int_eq(bm_users_find(&u, name), BM_U_NONE);
		snprintf(name, sizeof(name), "u%04zux", i * 2);
		ck_assert_int_eq(bm_users_find(&u, name), BM_U_NONE);
	}
	ck_assert_int_eq(bm_users_find(&u, ""), BM_U_NONE);
	ck_assert_int_eq(bm_users_find(&u, "a"), BM_U_NONE);
	ck_assert_int_eq(bm_users_find(&u, "zzz"), BM_U_NONE);
	ck_assert_int_eq(bm_users_find(&u, "u0000\thosted"), BM_U_NONE);
	ck_assert_int_eq(bm_users_find(NULL, "u0000xyz"), BM_U_NONE);
	ck_assert_int_eq(bm_users_find(&u, NULL), BM_U_NONE);
	bm_users_free(&u);
	bm_users_free(NULL);
}
END_TEST

/* ---- config keys ---- */

static const struct ccase {
	const char *text;
	int ok;
	const char *msg;	/* in the error */
} ccases[] = {
	{ "users = { groups = [\"mail\"]; hosted_only = true; };", 1, NULL },
	{ "users = { roster = \"/r\"; external = { groups = [\"away\"]; "
	    "roster = \"/x\"; }; };", 1, NULL },
	{ "users = { external = { groups = [\"away\"]; }; };", 1, NULL },
	{ "users = { external = { }; hosted_only = false; };", 1, NULL },
	{ "users = { hosted_only = true; };", 0, "hosted_only needs" },
	{ "users = { groups = []; hosted_only = true; };", 0, "hosted_only needs" },
	{ "users = { groups = [\"m\"]; hosted_only = \"yes\"; };", 0,
	    "true or false" },
	{ "users = { groups = [\"m\"]; hosted_only = 1; };", 0, "true or false" },
	{ "users = { external = [\"away\"]; };", 0, "group" },
	{ "users = { external = { group = [\"away\"]; }; };", 0,
	    "unknown key users.external.group" },
	{ "users = { external = { roster = \"x\"; }; };", 0, "absolute path" },
	{ "users = { external = { groups = \"away\"; }; };", 0, "list" },
	{ "users = { external = { groups = [\"-away\"]; }; };", 0, "'-'" },
	{ "users = { external = { groups = [\"a b\"]; }; };", 0, "blank" },
	{ "users = { hosted = true; };", 0, "unknown key users.hosted" },
};

START_TEST(test_config_keys)
{
	const struct ccase *c = &ccases[_i];
	struct bmsub_config *cfg = NULL;
	struct bmsub_error err;
	int r;

	r = bm_config_parse(c->text, "t.conf", &cfg, &err);
	if (c->ok) {
		ck_assert_msg(r == 0, "%s: %s", c->text, err.msg);
		ck_assert_int_eq(bmsub_config_has_external(cfg),
		    cfg->hosted_only || cfg->external_groups.n > 0 ||
		    cfg->external_roster != NULL);
		bmsub_config_free(cfg);
		return;
	}
	ck_assert_msg(r == BMSUB_E_CONFIG, "%s: %d", c->text, r);
	ck_assert_msg(strstr(err.msg, c->msg) != NULL, "%s: %s", c->text,
	    err.msg);
}
END_TEST

/* ---- a private installation with rosters ---- */

struct henv {
	struct pt_env e;
	char hosted[PATH_MAX], external[PATH_MAX];
};

/* mode: 0 users.external roster, 1 hosted_only (and the external roster),
 * 2 neither (rosters only) */
static void
henv_conf(struct henv *h, int mode)
{
	char extra[3 * PATH_MAX];

	snprintf(extra, sizeof(extra),
	    "admins = { users = [\"root\", \"boss\"]; };\n"
	    "users = { roster = \"%s\"; exclude = [\"svc\"];\n"
	    "  %s%s%s\n  hosted_only = %s; };\n", h->hosted,
	    mode != 2 ? "external = { roster = \"" : "",
	    mode != 2 ? h->external : "", mode != 2 ? "\"; };" : "",
	    mode == 1 ? "true" : "false");
	pt_env_conf(&h->e, extra);
}

static void
henv_init(struct henv *h, int mode)
{
	pt_env_init(&h->e, NULL);
	snprintf(h->hosted, sizeof(h->hosted), "%s/hosted.roster", h->e.dir);
	snprintf(h->external, sizeof(h->external), "%s/external.roster",
	    h->e.dir);
	/* nobody: a hosted user; ext: external; root: an admin listed as
	 * external; boss: an admin hosted nowhere; svc: excluded */
	pt_write(h->hosted, "nobody\nmover\nroot\ndup\ndup\n", 0644);
	pt_write(h->external, "ext\nroot\nboss\n# comment\ndup\n", 0644);
	henv_conf(h, mode);
}

/* What bmsub-check refresh does: build the sets, save them. */
static void
henv_refresh(struct henv *h, struct bmsub_user_sets *out)
{
	struct bmsub_config *cfg = NULL;
	struct bmsub_user_sets *s = NULL;
	struct bmsub_error err;
	int fd = -1;

	if (bmsub_config_load(h->e.conf, &cfg, &err) != 0 ||
	    bmsub_user_sets_build(cfg, NULL, &s, &err) != 0 ||
	    bmsub_state_lock(h->e.state_dir, &fd, &err) != 0 ||
	    bmsub_user_sets_save(h->e.state_dir, s, &err) != 0)
		ck_abort_msg("refresh: %s", err.msg);
	bmsub_state_unlock(fd);
	if (out != NULL) {
		*out = *s;
		out->text = NULL;
	}
	bmsub_user_sets_free(s);
	bmsub_config_free(cfg);
}

static void
henv_free(struct henv *h)
{
	pt_env_free(&h->e);
}

START_TEST(test_sets_and_count)
{
	struct henv h;
	struct bmsub_config *cfg = NULL;
	struct bmsub_user_sets s;
	struct bmsub_error err;
	uint64_t count = 0;
	char path[PATH_MAX + 16], *text = NULL;
	size_t len;

	henv_init(&h, 0);
	henv_refresh(&h, &s);
	/* nobody, mover, root (admin: never external) counted; dup is
	 * external; ext external; boss: external admin hosted nowhere */
	ck_assert_uint_eq(s.counted, 3);
	ck_assert_uint_eq(s.external, 2);
	ck_assert_uint_eq(s.excluded, 1);
	ck_assert_uint_eq(s.external_admins, 2);
	snprintf(path, sizeof(path), "%s/users", h.e.state_dir);
	ck_assert_int_eq(bmsub_file_read(path, 4096, &text, &len, &err), 0);
	ck_assert_str_eq(text, "bmsub-users 1\ndup\texternal\next\texternal\n"
	    "mover\thosted\nnobody\thosted\nroot\thosted\nsvc\texcluded\n"
	    "end 6\n");
	free(text);
	ck_assert_int_eq(bmsub_config_load(h.e.conf, &cfg, &err), 0);
	ck_assert_int_eq(bmsub_count_users(cfg, NULL, &count, &err), 0);
	ck_assert_uint_eq(count, 3);
	bmsub_config_free(cfg);

	/* without users.external, every roster line counts (minus exclude) */
	henv_conf(&h, 2);
	ck_assert_int_eq(bmsub_config_load(h.e.conf, &cfg, &err), 0);
	ck_assert_int_eq(bmsub_count_users(cfg, NULL, &count, &err), 0);
	ck_assert_uint_eq(count, 4);
	bmsub_config_free(cfg);

	/* an external roster that cannot be read fails the refresh */
	henv_conf(&h, 0);
	unlink(h.external);
	ck_assert_int_eq(bmsub_config_load(h.e.conf, &cfg, &err), 0);
	ck_assert_int_eq(bmsub_count_users(cfg, NULL, &count, &err),
	    BMSUB_E_NOT_FOUND);
	pt_write(h.external, "bad line\n", 0644);
	ck_assert_int_eq(bmsub_count_users(cfg, NULL, &count, &err),
	    BMSUB_E_SYNTAX);
	bmsub_config_free(cfg);
	ck_assert_int_eq(bmsub_user_sets_save(h.e.state_dir, NULL, &err),
	    BMSUB_E_INVALID);
	henv_free(&h);
}
END_TEST

/* ---- through pam_bmsub.so ---- */

enum lic { L_OK, L_NOTICE, L_WARNING, L_GRACE, L_BLOCKED, L_NONE,
    L_TAMPERED, L_UNKNOWN_KEY, L_NOT_YET, L_TRIAL_ENDED, L_OVER,
    L_OVER_BLOCKED };
#define A 0
#define R 1
#define D 2
static const struct prow {
	const char *name;
	enum lic lic;
	/* a hosted user; an admin (root, listed as external) on web and
	 * elsewhere: SPEC section 3's table */
	int user, admin_web, admin_other;
} prows[] = {
	{ "ok", L_OK, A, A, A },
	{ "notice", L_NOTICE, A, A, A },
	{ "warning", L_WARNING, A, A, A },
	{ "over", L_OVER, A, A, A },
	{ "grace", L_GRACE, A, R, A },
	{ "blocked", L_BLOCKED, D, R, D },
	{ "trial-ended", L_TRIAL_ENDED, D, R, D },
	{ "no-license", L_NONE, D, R, D },
	{ "tampered", L_TAMPERED, D, R, D },
	{ "unknown-key", L_UNKNOWN_KEY, D, R, D },
	{ "not-yet-valid", L_NOT_YET, D, R, D },
	{ "over-blocked", L_OVER_BLOCKED, D, R, D },
};
static const struct pcat {
	const char *service;
	int web;
} pcats[] = {
	{ "imap", 0 }, { "pop3", 0 }, { "eas", 0 }, { "webmail", 1 },
	{ "smtp", 0 }, { "bmsub-admin", 1 }, { "ftp", 0 },
};

static void
setup_lic(struct henv *h, enum lic l)
{
	int64_t now = (int64_t)time(NULL);
	struct pt_lic pl;

	memset(&pl, 0, sizeof(pl));
	pl.issued = now - 400 * PT_DAY;
	pl.grace_days = -1;
	pl.expires = now + 200 * PT_DAY;
	switch (l) {
	case L_NOTICE:
		pl.expires = now + 45 * PT_DAY;
		break;
	case L_WARNING:
		pl.expires = now + 10 * PT_DAY;
		break;
	case L_UNKNOWN_KEY:
		pl.seed_hex = PT_SEED_OTHER;
		break;
	case L_NOT_YET:
		pl.starts = now + 5 * PT_DAY;
		break;
	case L_TRIAL_ENDED:
		pl.kind = "trial";
		pl.issued = now - 30 * PT_DAY;
		pl.expires = now - 2 * PT_DAY;
		break;
	case L_OVER:
		pt_state(&h->e, 11, now - 2 * PT_DAY);
		break;
	case L_GRACE:
		pl.expires = now - 3 * PT_DAY;
		break;
	case L_BLOCKED:
		pl.expires = now - 20 * PT_DAY;
		break;
	case L_TAMPERED:
		pl.tamper = 1;
		break;
	case L_OVER_BLOCKED:
		pt_state(&h->e, 12, now - 40 * PT_DAY);
		break;
	default:
		break;
	}
	if (l != L_NONE)
		pt_install(&h->e, &pl);
}

static void
expect_cell(const struct pt_out *o, int which, int want, int not_hosted,
    const char *what)
{
	if (want == D) {
		ck_assert_msg(o->rc == (which == PT_AUTH ? PAM_AUTH_ERR :
		    PAM_PERM_DENIED), "%s: rc %d", what, o->rc);
		ck_assert_msg(!o->has_decision && !o->has_banner &&
		    !o->has_redirect, "%s: env on deny", what);
		ck_assert_msg(o->n_msg == 1 && o->msg_style[0] ==
		    PAM_ERROR_MSG, "%s: %d messages", what, o->n_msg);
		ck_assert_msg((strstr(o->msg[0], "not hosted on this mail "
		    "platform") != NULL) == (not_hosted == 1) &&
		    (strstr(o->msg[0], "cannot tell which users") != NULL) ==
		    (not_hosted == 2), "%s: message %s", what, o->msg[0]);
		return;
	}
	ck_assert_msg(o->rc == PAM_SUCCESS, "%s: rc %d", what, o->rc);
	ck_assert_str_eq(o->decision, want == R ? "redirect" : "allow");
}

/*
 * mode 0: users.external; 1: hosted_only; 3: users.external but no users
 * file (never refreshed); 4: a damaged users file.
 */
static void
run_table(int mode)
{
	struct henv h;
	struct pt_out o;
	const struct prow *rw;
	char what[256], path[PATH_MAX + 16];
	size_t r, c;
	int which;

	for (r = 0; r < N(prows); r++) {
		rw = &prows[r];
		henv_init(&h, mode == 1 ? 1 : 0);
		if (mode < 3)
			henv_refresh(&h, NULL);
		if (mode == 4) {
			snprintf(path, sizeof(path), "%s/users", h.e.state_dir);
			pt_write(path, "bmsub-users 1\nb\thosted\na\thosted\n"
			    "end 2\n", 0644);
		}
		setup_lic(&h, rw->lic);
		for (c = 0; c < N(pcats); c++)
			pt_service(&h.e, pcats[c].service, NULL);
		for (c = 0; c < N(pcats); c++)
		for (which = PT_ACCT; which <= PT_AUTH; which++) {
			const char *acct = which == PT_AUTH ? "auth" : "account";
			int bad = mode >= 3 ? 2 : 1;

			/* the hosted user: the license decides (mode >= 3:
			 * nobody can be told hosted) */
			snprintf(what, sizeof(what), "mode %d row %s %s %s "
			    "hosted user", mode, rw->name, pcats[c].service, acct);
			pt_run(h.e.dir, pcats[c].service, "nobody", which, 0, &o);
			expect_cell(&o, which, mode >= 3 ? D : rw->user,
			    mode >= 3 ? 2 : 0, what);
			/* external, whatever the license */
			snprintf(what, sizeof(what), "mode %d row %s %s %s "
			    "external", mode, rw->name, pcats[c].service, acct);
			pt_run(h.e.dir, pcats[c].service, "ext", which, 0, &o);
			expect_cell(&o, which, D, bad, what);
			/* a login nobody lists: external under hosted_only */
			snprintf(what, sizeof(what), "mode %d row %s %s %s "
			    "unlisted", mode, rw->name, pcats[c].service, acct);
			pt_run(h.e.dir, pcats[c].service, "stranger", which, 0,
			    &o);
			expect_cell(&o, which, mode == 0 ? rw->user : D,
			    mode == 0 ? 0 : bad, what);
			/* the excluded technical account is hosted */
			snprintf(what, sizeof(what), "mode %d row %s %s %s "
			    "excluded", mode, rw->name, pcats[c].service, acct);
			pt_run(h.e.dir, pcats[c].service, "svc", which, 0, &o);
			expect_cell(&o, which, mode >= 3 ? D : rw->user,
			    mode >= 3 ? 2 : 0, what);
			/* administrators listed as external, or hosted
			 * nowhere under hosted_only: the admin columns */
			snprintf(what, sizeof(what), "mode %d row %s %s %s "
			    "admin", mode, rw->name, pcats[c].service, acct);
			pt_run(h.e.dir, pcats[c].service, "root", which, 0, &o);
			expect_cell(&o, which, pcats[c].web ? rw->admin_web :
			    rw->admin_other, 0, what);
			pt_run(h.e.dir, pcats[c].service, "boss", which, 0, &o);
			expect_cell(&o, which, pcats[c].web ? rw->admin_web :
			    rw->admin_other, 0, what);
		}
		henv_free(&h);
	}
}

START_TEST(test_pam_external)
{
	run_table(0);
}
END_TEST

START_TEST(test_pam_hosted_only)
{
	run_table(1);
}
END_TEST

START_TEST(test_pam_no_users_file)
{
	run_table(3);
}
END_TEST

START_TEST(test_pam_damaged_users_file)
{
	run_table(4);
}
END_TEST

/* One process (the module's cache kept): a user moved from the hosted to
 * the external roster is refused from the next refresh on, not before
 * (the login path never reads rosters or groups), and back again. */
START_TEST(test_pam_moved_at_refresh)
{
	struct henv h;
	struct pt_out o;
	char path[PATH_MAX + 16];

	henv_init(&h, 1);
	setup_lic(&h, L_OK);
	pt_service(&h.e, "imap", NULL);
	henv_refresh(&h, NULL);
	ck_assert_int_eq(pt_run(h.e.dir, "imap", "mover", PT_ACCT, 0, &o),
	    PAM_SUCCESS);
	pt_write(h.hosted, "nobody\nroot\n", 0644);
	pt_write(h.external, "ext\nmover\n", 0644);
	ck_assert_int_eq(pt_run(h.e.dir, "imap", "mover", PT_ACCT, 0, &o),
	    PAM_SUCCESS);
	henv_refresh(&h, NULL);
	ck_assert_int_eq(pt_run(h.e.dir, "imap", "mover", PT_ACCT, 0, &o),
	    PAM_PERM_DENIED);
	ck_assert_ptr_nonnull(strstr(o.msg[0], "not hosted"));
	/* under hosted_only, leaving the hosted roster is enough */
	pt_write(h.external, "ext\n", 0644);
	henv_refresh(&h, NULL);
	ck_assert_int_eq(pt_run(h.e.dir, "imap", "mover", PT_ACCT, 0, &o),
	    PAM_PERM_DENIED);
	pt_write(h.hosted, "nobody\nroot\nmover\n", 0644);
	henv_refresh(&h, NULL);
	ck_assert_int_eq(pt_run(h.e.dir, "imap", "mover", PT_ACCT, 0, &o),
	    PAM_SUCCESS);
	/* the file removed: users fail closed, admins do not; back: fine */
	snprintf(path, sizeof(path), "%s/users", h.e.state_dir);
	unlink(path);
	ck_assert_int_eq(pt_run(h.e.dir, "imap", "mover", PT_ACCT, 0, &o),
	    PAM_PERM_DENIED);
	ck_assert_ptr_nonnull(strstr(o.msg[0], "cannot tell"));
	ck_assert_int_eq(pt_run(h.e.dir, "imap", "root", PT_ACCT, 0, &o),
	    PAM_SUCCESS);
	henv_refresh(&h, NULL);
	ck_assert_int_eq(pt_run(h.e.dir, "imap", "mover", PT_ACCT, 0, &o),
	    PAM_SUCCESS);
	/* users.external and hosted_only removed from the config: the
	 * file is no longer read, whatever it says */
	pt_write(path, "garbage\n", 0644);
	ck_assert_int_eq(pt_run(h.e.dir, "imap", "ext", PT_ACCT, 0, &o),
	    PAM_PERM_DENIED);
	henv_conf(&h, 2);
	ck_assert_int_eq(pt_run(h.e.dir, "imap", "ext", PT_ACCT, 0, &o),
	    PAM_SUCCESS);
	henv_free(&h);
}
END_TEST

/* The context says what it found, for decide and status. */
START_TEST(test_ctx_hosting)
{
	struct henv h;
	struct bmsub_ctx *ctx = NULL;
	struct bmsub_request rq;
	struct bmsub_result res;
	struct bmsub_report *rep = NULL;
	struct bmsub_error err;
	int64_t now = (int64_t)time(NULL);

	henv_init(&h, 0);
	setup_lic(&h, L_OK);
	ck_assert_int_eq(bmsub_ctx_new(h.e.conf, &ctx, &err), 0);
	ck_assert_int_eq(bmsub_ctx_report(ctx, NULL, now, &rep, &err), 0);
	ck_assert_int_eq(rep->users.wanted, 1);
	ck_assert_int_eq(rep->users.err, BMSUB_E_NOT_FOUND);
	ck_assert_int_eq(rep->config->hosted_only, 0);
	ck_assert_str_eq(rep->config->external_roster, h.external);
	bmsub_report_free(rep);
	henv_refresh(&h, NULL);
	memset(&rq, 0, sizeof(rq));
	rq.user = "ext";
	rq.service = "smtp";
	rq.category = -1;
	rq.now = now;
	ck_assert_int_eq(bmsub_ctx_decide(ctx, NULL, &rq, &res, &err), 0);
	ck_assert_int_eq(res.hosting, BMSUB_EXTERNAL);
	ck_assert_int_eq(res.verdict.decision, BMSUB_DENY);
	ck_assert_str_eq(res.verdict.reason, "not-hosted");
	ck_assert_int_eq(res.role_looked_up, 1);
	rq.user = "root";
	ck_assert_int_eq(bmsub_ctx_decide(ctx, NULL, &rq, &res, &err), 0);
	ck_assert_int_eq(res.hosting, BMSUB_HOSTED);	/* listed hosted */
	ck_assert_int_eq(res.verdict.decision, BMSUB_ALLOW);
	rq.user = "boss";
	ck_assert_int_eq(bmsub_ctx_decide(ctx, NULL, &rq, &res, &err), 0);
	ck_assert_int_eq(res.hosting, BMSUB_HOSTED);	/* unlisted */
	ck_assert_int_eq(bmsub_ctx_report(ctx, NULL, now, &rep, &err), 0);
	ck_assert_int_eq(rep->users.err, 0);
	ck_assert_uint_eq(rep->users.hosted, 3);
	ck_assert_uint_eq(rep->users.excluded, 1);
	ck_assert_uint_eq(rep->users.external, 2);
	ck_assert(rep->users.written != BMSUB_TIME_NONE);
	bmsub_report_free(rep);
	bmsub_ctx_free(ctx);
	henv_free(&h);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("hosted");
	TCase *tc = tcase_create("hosted");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_decide_hosted_table);
	tcase_add_loop_test(tc, test_users_parse, 0, N(ufiles));
	tcase_add_test(tc, test_users_parse_nul);
	tcase_add_test(tc, test_users_find);
	tcase_add_loop_test(tc, test_config_keys, 0, N(ccases));
	tcase_add_test(tc, test_sets_and_count);
	tcase_add_test(tc, test_pam_external);
	tcase_add_test(tc, test_pam_hosted_only);
	tcase_add_test(tc, test_pam_no_users_file);
	tcase_add_test(tc, test_pam_damaged_users_file);
	tcase_add_test(tc, test_pam_moved_at_refresh);
	tcase_add_test(tc, test_ctx_hosting);
	suite_add_tcase(s, tc);
	return tlib_run(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
