/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_pam.c - pam_bmsub.so through the real libpam: every cell of the
 * SPEC section 3 decision table per category, return codes of account and
 * auth, environment, messages, arguments, config errors, licenses replaced
 * in a running process, and (under nss_wrapper, from tests/sh/pam_nss.sh)
 * administrators by group.
 */
#include <check.h>
#include <dlfcn.h>
#include <security/pam_modules.h>
#include <sys/wait.h>
#include <syslog.h>

#include "pamt.h"
#include "tlib.h"

/* ---- the decision table ---- */

enum lic_setup {
	L_DAYS,		/* expires now + days */
	L_NONE,		/* no license file */
	L_TAMPERED,	/* a body byte changed after signing */
	L_UNKNOWN_KEY,	/* signed by a key that is not trusted */
	L_NOT_YET,	/* starts in 5 days */
	L_TRIAL_ENDED,	/* trial, expired 2 days ago, no grace */
};
enum st_setup {
	S_NONE,		/* no state file: count unknown */
	S_WITHIN,	/* C = 5 of N = 10 */
	S_OVER,		/* C = 11 > N since 2 days */
	S_OVER_BLOCKED,	/* C = 12 > N since 40 days */
};

#define A 0	/* allow */
#define R 1	/* redirect */
#define D 2	/* deny */

struct expect {
	int decision;
	int banner;	/* 1 must be set, 0 must be absent, -1 not specified */
};
static const struct row {
	const char *name;
	enum lic_setup lic;
	int days;
	enum st_setup st;
	const char *phase;	/* BMSUB_PHASE, NULL = not specified */
	struct expect user, admin_web, admin_other;
} rows[] = {
	{ "ok", L_DAYS, 200, S_NONE, "ok", {A, 0}, {A, 0}, {A, 0} },
	{ "notice", L_DAYS, 45, S_NONE, "notice", {A, 0}, {A, 0}, {A, 0} },
	{ "within", L_DAYS, 200, S_WITHIN, NULL, {A, 0}, {A, 0}, {A, 0} },
	{ "warning", L_DAYS, 10, S_NONE, "warning", {A, 0}, {A, 1}, {A, -1} },
	{ "over", L_DAYS, 200, S_OVER, "over", {A, 0}, {A, 1}, {A, -1} },
	{ "grace", L_DAYS, -3, S_NONE, "grace", {A, 1}, {R, -1}, {A, -1} },
	{ "blocked", L_DAYS, -20, S_NONE, "blocked", {D, 0}, {R, -1}, {D, 0} },
	{ "trial-ended", L_TRIAL_ENDED, 0, S_NONE, "blocked", {D, 0}, {R, -1}, {D, 0} },
	{ "no-license", L_NONE, 0, S_NONE, "invalid", {D, 0}, {R, -1}, {D, 0} },
	{ "tampered", L_TAMPERED, 200, S_NONE, "invalid", {D, 0}, {R, -1}, {D, 0} },
	{ "unknown-key", L_UNKNOWN_KEY, 200, S_NONE, "invalid", {D, 0}, {R, -1}, {D, 0} },
	{ "not-yet-valid", L_NOT_YET, 200, S_NONE, "invalid", {D, 0}, {R, -1}, {D, 0} },
	{ "over-blocked", L_DAYS, 200, S_OVER_BLOCKED, "over-blocked", {D, 0}, {R, -1}, {D, 0} },
	{ "blocked+over", L_DAYS, -20, S_OVER, "blocked", {D, 0}, {R, -1}, {D, 0} },
};

/* Every category, named by a service mapped in the config and by a
 * service= override on an unmapped service name. */
static const struct cat {
	const char *name;
	const char *service;	/* mapped by services.* (or unmapped: other) */
	int web;
} cats[] = {
	{ "imap", "imap", 0 },
	{ "imap", "pop3", 0 },
	{ "eas", "eas", 0 },
	{ "webmail", "webmail", 1 },
	{ "smtp", "smtp", 0 },
	{ "admin", "bmsub-admin", 1 },
	{ "other", "ftp", 0 },
};

static void
setup_row(struct pt_env *e, const struct row *rw)
{
	int64_t now = (int64_t)time(NULL);
	struct pt_lic l;

	memset(&l, 0, sizeof(l));
	l.issued = now - 400 * PT_DAY;
	l.expires = now + (int64_t)rw->days * PT_DAY;
	l.grace_days = -1;
	switch (rw->lic) {
	case L_DAYS:
		break;
	case L_NONE:
		break;
	case L_TAMPERED:
		l.tamper = 1;
		break;
	case L_UNKNOWN_KEY:
		l.seed_hex = PT_SEED_OTHER;
		break;
	case L_NOT_YET:
		l.starts = now + 5 * PT_DAY;
		break;
	case L_TRIAL_ENDED:
		l.kind = "trial";
		l.issued = now - 30 * PT_DAY;
		l.expires = now - 2 * PT_DAY;
		break;
	}
	if (rw->lic != L_NONE)
		pt_install(e, &l);
	switch (rw->st) {
	case S_NONE:
		break;
	case S_WITHIN:
		pt_state(e, 5, BMSUB_TIME_NONE);
		break;
	case S_OVER:
		pt_state(e, 11, now - 2 * PT_DAY);
		break;
	case S_OVER_BLOCKED:
		pt_state(e, 12, now - 40 * PT_DAY);
		break;
	}
}

static void
check_cell(const struct pt_out *o, int which, const struct expect *x,
    const char *phase, int admin_other, const char *what)
{
	if (x->decision == D) {
		ck_assert_msg(o->rc == (which == PT_AUTH ? PAM_AUTH_ERR :
		    PAM_PERM_DENIED), "%s: rc %d", what, o->rc);
		ck_assert_msg(!o->has_decision && !o->has_banner &&
		    !o->has_redirect, "%s: env set on deny", what);
		ck_assert_msg(o->n_msg == 1 && o->msg_style[0] == PAM_ERROR_MSG &&
		    o->msg[0][0] != '\0', "%s: %d messages", what, o->n_msg);
		if (admin_other)
			ck_assert_msg(strstr(o->msg[0], PT_ADMIN_URL) != NULL,
			    "%s: message does not name admin_url: %s", what,
			    o->msg[0]);
		return;
	}
	ck_assert_msg(o->rc == PAM_SUCCESS, "%s: rc %d", what, o->rc);
	ck_assert_msg(o->has_decision, "%s: no BMSUB_DECISION", what);
	ck_assert_msg(strcmp(o->decision, x->decision == R ? "redirect" :
	    "allow") == 0, "%s: BMSUB_DECISION=%s", what, o->decision);
	if (phase != NULL)
		ck_assert_msg(strcmp(o->phase, phase) == 0,
		    "%s: BMSUB_PHASE=%s, want %s", what, o->phase, phase);
	else
		ck_assert_msg(o->phase[0] != '\0', "%s: empty phase", what);
	if (x->decision == R) {
		ck_assert_msg(o->has_redirect &&
		    strcmp(o->redirect, PT_ADMIN_URL) == 0,
		    "%s: BMSUB_REDIRECT=%s", what, o->redirect);
		ck_assert_msg(o->n_msg == 1 && o->msg_style[0] == PAM_TEXT_INFO,
		    "%s: %d messages on redirect", what, o->n_msg);
	} else {
		ck_assert_msg(!o->has_redirect, "%s: redirect on allow", what);
		ck_assert_msg(o->n_msg == 0, "%s: message on allow: %s", what,
		    o->msg[0]);
	}
	if (x->banner == 1)
		ck_assert_msg(o->has_banner && o->banner[0] != '\0',
		    "%s: no banner", what);
	else if (x->banner == 0)
		ck_assert_msg(!o->has_banner, "%s: banner %s", what, o->banner);
}

START_TEST(test_table)
{
	const struct row *rw = &rows[_i];
	struct pt_env e;
	struct pt_out o;
	char svc[64], args[64], what[256];
	size_t c;
	int via, role, which;

	pt_env_init(&e, NULL);
	setup_row(&e, rw);
	for (c = 0; c < sizeof(cats) / sizeof(cats[0]); c++) {
		pt_service(&e, cats[c].service, NULL);
		snprintf(svc, sizeof(svc), "gate-%s", cats[c].name);
		snprintf(args, sizeof(args), "service=%s", cats[c].name);
		pt_service(&e, svc, args);
	}
	for (c = 0; c < sizeof(cats) / sizeof(cats[0]); c++)
		for (via = 0; via < 2; via++)
			for (role = 0; role < 2; role++)
				for (which = PT_ACCT; which <= PT_AUTH; which++) {
		const struct expect *x = role == 0 ? &rw->user :
		    cats[c].web ? &rw->admin_web : &rw->admin_other;

		if (via == 0)
			snprintf(svc, sizeof(svc), "%s", cats[c].service);
		else
			snprintf(svc, sizeof(svc), "gate-%s", cats[c].name);
		snprintf(what, sizeof(what), "row %s, service %s, %s, %s",
		    rw->name, svc, role ? "admin" : "user",
		    which == PT_AUTH ? "auth" : "account");
		memset(&o, 0, sizeof(o));
		pt_run(e.dir, svc, role ? "root" : "nobody", which, 0, &o);
		check_cell(&o, which, x, rw->phase,
		    role == 1 && !cats[c].web, what);
	}
	pt_env_free(&e);
}
END_TEST

/* service= wins over the mapping of the PAM service name. */
START_TEST(test_override_beats_mapping)
{
	struct pt_env e;
	struct pt_out o;

	pt_env_init(&e, NULL);
	pt_install_days(&e, -20);
	pt_service(&e, "webmail", "service=imap");
	pt_service(&e, "imap", "service=webmail");
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(pt_run(e.dir, "webmail", "root", PT_ACCT, 0, &o),
	    PAM_PERM_DENIED);
	ck_assert_int_eq(pt_run(e.dir, "imap", "root", PT_ACCT, 0, &o),
	    PAM_SUCCESS);
	ck_assert_str_eq(o.decision, "redirect");
	pt_env_free(&e);
}
END_TEST

/* ---- messages: PAM_SILENT and quiet ---- */

static const struct silent_case {
	const char *args;
	int flags;
	int days;
	const char *user;
	const char *service;
	int rc;
	const char *decision;	/* NULL on deny */
	int n_msg;
} silent_cases[] = {
	{ NULL, 0, -20, "nobody", "imap", PAM_PERM_DENIED, NULL, 1 },
	{ NULL, PAM_SILENT, -20, "nobody", "imap", PAM_PERM_DENIED, NULL, 0 },
	{ "quiet", 0, -20, "nobody", "imap", PAM_PERM_DENIED, NULL, 0 },
	{ "quiet debug", PAM_SILENT, -20, "nobody", "imap", PAM_PERM_DENIED, NULL, 0 },
	{ NULL, 0, -20, "root", "webmail", PAM_SUCCESS, "redirect", 1 },
	{ NULL, PAM_SILENT, -20, "root", "webmail", PAM_SUCCESS, "redirect", 0 },
	{ "quiet", 0, -20, "root", "webmail", PAM_SUCCESS, "redirect", 0 },
	{ "quiet", 0, -3, "nobody", "webmail", PAM_SUCCESS, "allow", 0 },
	{ NULL, 0, -3, "nobody", "webmail", PAM_SUCCESS, "allow", 0 },
	{ "debug", 0, 200, "nobody", "imap", PAM_SUCCESS, "allow", 0 },
};

START_TEST(test_silent)
{
	const struct silent_case *sc = &silent_cases[_i];
	struct pt_env e;
	struct pt_out o;

	pt_env_init(&e, NULL);
	pt_install_days(&e, sc->days);
	pt_service(&e, sc->service, sc->args);
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(pt_run(e.dir, sc->service, sc->user, PT_ACCT,
	    sc->flags, &o), sc->rc);
	ck_assert_int_eq(o.n_msg, sc->n_msg);
	if (sc->decision != NULL)
		ck_assert_str_eq(o.decision, sc->decision);
	else
		ck_assert_int_eq(o.has_decision, 0);
	/* the redirect is in the environment even when nothing is said */
	if (sc->decision != NULL && strcmp(sc->decision, "redirect") == 0)
		ck_assert_str_eq(o.redirect, PT_ADMIN_URL);
	pt_env_free(&e);
}
END_TEST

/* ---- arguments ---- */

static const struct arg_case {
	const char *args;	/* after conf=<valid> unless it has conf= */
	int with_conf;
	int rc;
} arg_cases[] = {
	{ "bogus", 1, PAM_SERVICE_ERR },
	{ "DEBUG", 1, PAM_SERVICE_ERR },
	{ "debug debug", 1, PAM_SERVICE_ERR },
	{ "quiet quiet", 1, PAM_SERVICE_ERR },
	{ "quietly", 1, PAM_SERVICE_ERR },
	{ "debugx", 1, PAM_SERVICE_ERR },
	{ "debug=1", 1, PAM_SERVICE_ERR },
	{ "service=", 1, PAM_SERVICE_ERR },
	{ "service=bogus", 1, PAM_SERVICE_ERR },
	{ "service=IMAP", 1, PAM_SERVICE_ERR },
	{ "service=imap service=imap", 1, PAM_SERVICE_ERR },
	{ "service=imap service=eas", 1, PAM_SERVICE_ERR },
	{ "services=imap", 1, PAM_SERVICE_ERR },
	{ "conf=/etc/bmsub/bmsub.conf", 1, PAM_SERVICE_ERR },	/* repeated */
	{ "conf", 1, PAM_SERVICE_ERR },
	{ "conf=", 0, PAM_SERVICE_ERR },
	{ "conf=relative/bmsub.conf", 0, PAM_SERVICE_ERR },
	{ "conf=/nonexistent/bmsub.conf", 0, PAM_SERVICE_ERR },
	{ "", 1, PAM_SUCCESS },
	{ "debug", 1, PAM_SUCCESS },
	{ "quiet debug", 1, PAM_SUCCESS },
	{ "service=other", 1, PAM_SUCCESS },
	{ "service=admin quiet", 1, PAM_SUCCESS },
};

START_TEST(test_args)
{
	const struct arg_case *ac = &arg_cases[_i];
	struct pt_env e;
	struct pt_out o;
	char text[5 * PATH_MAX], conf[PATH_MAX + 8];
	int which;

	pt_env_init(&e, NULL);
	pt_install_days(&e, 200);
	snprintf(conf, sizeof(conf), "conf=%s ", e.conf);
	snprintf(text, sizeof(text),
	    "auth required %s %s%s\nauth optional pam_permit.so\n"
	    "account required %s %s%s\n",
	    e.module, ac->with_conf ? conf : "", ac->args,
	    e.module, ac->with_conf ? conf : "", ac->args);
	pt_service_raw(&e, "imap", text);
	for (which = PT_ACCT; which <= PT_AUTH; which++) {
		memset(&o, 0, sizeof(o));
		ck_assert_msg(pt_run(e.dir, "imap", "nobody", which, 0, &o) ==
		    ac->rc, "args '%s' %s: rc %d want %d", ac->args,
		    which ? "auth" : "account", o.rc, ac->rc);
		if (ac->rc != PAM_SUCCESS)
			ck_assert_int_eq(o.has_decision, 0);
	}
	pt_env_free(&e);
}
END_TEST

/* conf= relative is refused even when the daemon's working folder holds
 * that very file: the answer must not depend on where the daemon runs. */
START_TEST(test_relative_conf_exists)
{
	struct pt_env e;
	struct pt_out o;
	char text[3 * PATH_MAX], cwd[PATH_MAX], dir[PATH_MAX];
	const char *base;
	int which;

	pt_env_init(&e, NULL);
	pt_install_days(&e, 200);
	base = strrchr(e.conf, '/') + 1;
	snprintf(dir, sizeof(dir), "%.*s", (int)(base - e.conf), e.conf);
	snprintf(text, sizeof(text), "auth required %s conf=%s\n"
	    "account required %s conf=%s\n", e.module, base, e.module, base);
	pt_service_raw(&e, "imap", text);
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	ck_assert_int_eq(chdir(dir), 0);
	ck_assert_int_eq(access(base, R_OK), 0);
	for (which = PT_ACCT; which <= PT_AUTH; which++) {
		memset(&o, 0, sizeof(o));
		ck_assert_int_eq(pt_run(e.dir, "imap", "nobody", which, 0, &o),
		    PAM_SERVICE_ERR);
		ck_assert_int_eq(o.has_decision, 0);
	}
	ck_assert_int_eq(chdir(cwd), 0);
	pt_env_free(&e);
}
END_TEST

/* ---- configuration errors ---- */

static const struct conf_case {
	const char *name;
	const char *text;	/* NULL: no file; "" special below */
	mode_t mode;
	int dir;		/* conf path is a folder */
} conf_cases[] = {
	{ "missing", NULL, 0644, 0 },
	{ "folder", NULL, 0755, 1 },
	{ "syntax", "license = \"/x\"\nkeys_dir = ;\n", 0644, 0 },
	{ "unknown-key", "no_such_key = 1;\n", 0644, 0 },
	{ "wrong-type", "license = 42;\n", 0644, 0 },
	{ "group-writable", "", 0664, 0 },
	{ "world-writable", "", 0666, 0 },
	{ "truncated", "services = { imap = [\"imap\"", 0644, 0 },
};

START_TEST(test_bad_config)
{
	const struct conf_case *cc = &conf_cases[_i];
	struct pt_env e;
	struct pt_out o;
	char *good = NULL;
	FILE *f;
	long n;
	int which;

	pt_env_init(&e, NULL);
	pt_install_days(&e, 200);
	pt_service(&e, "imap", NULL);
	pt_service(&e, "webmail", NULL);
	/* first a good transaction, so a cached config exists */
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(pt_run(e.dir, "imap", "nobody", PT_ACCT, 0, &o),
	    PAM_SUCCESS);
	ck_assert_ptr_nonnull(f = fopen(e.conf, "r"));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	ck_assert_ptr_nonnull(good = calloc(1, (size_t)n + 1));
	ck_assert_int_eq(fread(good, 1, (size_t)n, f), n);
	fclose(f);

	unlink(e.conf);
	if (cc->dir)
		ck_assert_int_eq(mkdir(e.conf, 0755), 0);
	else if (cc->text != NULL)
		pt_write(e.conf, cc->text[0] ? cc->text : good, cc->mode);
	for (which = PT_ACCT; which <= PT_AUTH; which++) {
		memset(&o, 0, sizeof(o));
		ck_assert_msg(pt_run(e.dir, "imap", "nobody", which, 0, &o) ==
		    PAM_SERVICE_ERR, "%s: rc %d", cc->name, o.rc);
		ck_assert_int_eq(o.has_decision, 0);
		memset(&o, 0, sizeof(o));
		ck_assert_int_eq(pt_run(e.dir, "webmail", "root", which, 0,
		    &o), PAM_SERVICE_ERR);
	}
	/* repaired: the same process lets people in again */
	if (cc->dir)
		rmdir(e.conf);
	pt_write(e.conf, good, 0644);
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(pt_run(e.dir, "imap", "nobody", PT_ACCT, 0, &o),
	    PAM_SUCCESS);
	free(good);
	pt_env_free(&e);
}
END_TEST

/* ---- no stale environment ---- */

/* auth publishes "allow"; account in the same transaction then fails on a
 * broken config: nothing may still say "allow". */
START_TEST(test_env_cleared_on_error)
{
	struct pt_env e;
	struct pt_out o;
	struct pam_conv conv = { pt_conv, &o };
	pam_handle_t *pamh = NULL;

	pt_env_init(&e, NULL);
	pt_install_days(&e, 200);
	pt_service(&e, "imap", NULL);
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(pam_start_confdir("imap", "nobody", &conv, e.dir,
	    &pamh), PAM_SUCCESS);
	ck_assert_int_eq(pam_authenticate(pamh, 0), PAM_SUCCESS);
	ck_assert_str_eq(pam_getenv(pamh, "BMSUB_DECISION"), "allow");
	ck_assert_ptr_nonnull(pam_getenv(pamh, "BMSUB_PHASE"));
	pt_write(e.conf, "license = ;\n", 0644);
	ck_assert_int_eq(pam_acct_mgmt(pamh, 0), PAM_SERVICE_ERR);
	ck_assert_ptr_null(pam_getenv(pamh, "BMSUB_DECISION"));
	ck_assert_ptr_null(pam_getenv(pamh, "BMSUB_PHASE"));
	pam_end(pamh, PAM_SERVICE_ERR);
	pt_env_free(&e);
}
END_TEST

/* Our variables set before the module runs (by the application, or a
 * module such as pam_env reading a file a user writes): a let-in replaces
 * or removes each one, so no forged redirect or banner reaches the
 * service. */
START_TEST(test_env_forged_replaced)
{
	static const struct {
		int days;		/* license expires in */
		const char *phase;
		int banner;		/* ours: grace shows one to users */
	} cases[] = {
		{ 200, "ok", 0 },
		{ -2, "grace", 1 },
	};
	struct pt_env e;
	struct pt_out o;
	struct pam_conv conv = { pt_conv, &o };
	pam_handle_t *pamh = NULL;
	const char *b;
	size_t i;

	pt_env_init(&e, NULL);
	pt_service(&e, "imap", NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pt_install_days(&e, cases[i].days);
		memset(&o, 0, sizeof(o));
		ck_assert_int_eq(pam_start_confdir("imap", "nobody", &conv,
		    e.dir, &pamh), PAM_SUCCESS);
		ck_assert_int_eq(pam_putenv(pamh, "BMSUB_DECISION=forged"), 0);
		ck_assert_int_eq(pam_putenv(pamh, "BMSUB_PHASE=forged"), 0);
		ck_assert_int_eq(pam_putenv(pamh,
		    "BMSUB_REDIRECT=https://forged.example/"), 0);
		ck_assert_int_eq(pam_putenv(pamh, "BMSUB_BANNER=forged"), 0);
		ck_assert_int_eq(pam_acct_mgmt(pamh, PAM_SILENT), PAM_SUCCESS);
		ck_assert_str_eq(pam_getenv(pamh, "BMSUB_DECISION"), "allow");
		ck_assert_str_eq(pam_getenv(pamh, "BMSUB_PHASE"),
		    cases[i].phase);
		ck_assert_ptr_null(pam_getenv(pamh, "BMSUB_REDIRECT"));
		b = pam_getenv(pamh, "BMSUB_BANNER");
		if (cases[i].banner) {
			ck_assert_ptr_nonnull(b);
			ck_assert_str_ne(b, "forged");
		} else
			ck_assert_ptr_null(b);
		pam_end(pamh, PAM_SUCCESS);
	}
	pt_env_free(&e);
}
END_TEST

/* ---- no user ---- */

START_TEST(test_no_user)
{
	struct pt_env e;
	struct pt_out o;

	pt_env_init(&e, NULL);
	pt_install_days(&e, 200);
	pt_service(&e, "imap", NULL);
	/* empty user name */
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(pt_run(e.dir, "imap", "", PT_ACCT, 0, &o),
	    PAM_USER_UNKNOWN);
	ck_assert_int_eq(o.has_decision, 0);
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(pt_run(e.dir, "imap", "", PT_AUTH, 0, &o),
	    PAM_USER_UNKNOWN);
	/* control characters in the name */
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(pt_run(e.dir, "imap", "nobody\nroot", PT_ACCT, 0, &o),
	    PAM_USER_UNKNOWN);
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(pt_run(e.dir, "imap", "nob\tody", PT_AUTH, 0, &o),
	    PAM_USER_UNKNOWN);
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(pt_run(e.dir, "imap", "nob\x1f" "ody", PT_ACCT, 0, &o),
	    PAM_USER_UNKNOWN);
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(pt_run(e.dir, "imap", "nobody\x7f", PT_ACCT, 0, &o),
	    PAM_USER_UNKNOWN);
	/* no user, and the conversation cannot ask */
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(pt_run(e.dir, "imap", NULL, PT_ACCT, 0, &o),
	    PAM_USER_UNKNOWN);
	ck_assert_int_eq(o.has_decision, 0);
	/* no user; the conversation answers with a name */
	memset(&o, 0, sizeof(o));
	o.answer = "nobody";
	ck_assert_int_eq(pt_run(e.dir, "imap", NULL, PT_ACCT, 0, &o),
	    PAM_SUCCESS);
	ck_assert_str_eq(o.decision, "allow");
	pt_env_free(&e);
}
END_TEST

/* ---- files replaced while the process runs ---- */

static int
run_acct(const struct pt_env *e, const char *svc, const char *user,
    struct pt_out *o)
{
	memset(o, 0, sizeof(*o));
	return pt_run(e->dir, svc, user, PT_ACCT, 0, o);
}

START_TEST(test_license_replaced)
{
	struct pt_env e;
	struct pt_out o;
	struct pt_lic l;
	char pem[PATH_MAX + 16], other[PATH_MAX];
	int64_t now = (int64_t)time(NULL);

	pt_env_init(&e, NULL);
	pt_service(&e, "imap", NULL);
	pt_service(&e, "webmail", NULL);
	pt_install_days(&e, 200);
	ck_assert_int_eq(run_acct(&e, "imap", "nobody", &o), PAM_SUCCESS);
	ck_assert_str_eq(o.phase, "ok");
	pt_install_days(&e, -20);		/* expired renamed over */
	ck_assert_int_eq(run_acct(&e, "imap", "nobody", &o), PAM_PERM_DENIED);
	ck_assert_int_eq(run_acct(&e, "webmail", "root", &o), PAM_SUCCESS);
	ck_assert_str_eq(o.phase, "blocked");
	ck_assert_str_eq(o.decision, "redirect");
	pt_install_days(&e, 300);		/* renewal */
	ck_assert_int_eq(run_acct(&e, "imap", "nobody", &o), PAM_SUCCESS);
	ck_assert_str_eq(o.decision, "allow");
	unlink(e.license);			/* removed */
	ck_assert_int_eq(run_acct(&e, "imap", "nobody", &o), PAM_PERM_DENIED);
	ck_assert_int_eq(run_acct(&e, "webmail", "root", &o), PAM_SUCCESS);
	ck_assert_str_eq(o.phase, "invalid");
	pt_install_days(&e, 200);		/* back */
	ck_assert_int_eq(run_acct(&e, "imap", "nobody", &o), PAM_SUCCESS);

	/* key rotation: a license by a key not yet trusted, then the key */
	memset(&l, 0, sizeof(l));
	l.issued = now - PT_DAY;
	l.expires = now + 200 * PT_DAY;
	l.grace_days = -1;
	l.seed_hex = PT_SEED_OTHER;
	pt_install(&e, &l);
	ck_assert_int_eq(run_acct(&e, "imap", "nobody", &o), PAM_PERM_DENIED);
	pt_data_key("other.pub", other, sizeof(other));
	snprintf(pem, sizeof(pem), "%s/other.pem", e.keys_dir);
	pt_copy(other, pem);
	ck_assert_int_eq(run_acct(&e, "imap", "nobody", &o), PAM_SUCCESS);
	unlink(pem);				/* key withdrawn */
	ck_assert_int_eq(run_acct(&e, "imap", "nobody", &o), PAM_PERM_DENIED);
	pt_env_free(&e);
}
END_TEST

/*
 * A trusted key file overwritten in place (same inode, the folder's
 * entries unchanged) while the process keeps its context, as a PAM host
 * does: the next login uses the new key. Then the keys folder made
 * unsafe: every login after fails, not only the first.
 */
START_TEST(test_key_rewritten_in_place)
{
	struct pt_env e;
	struct pt_out o;
	char pem[PATH_MAX + 16], other[PATH_MAX], buf[8192];
	struct stat before, after;
	ssize_t n;
	FILE *f;
	int fd;

	pt_env_init(&e, NULL);
	pt_service(&e, "imap", NULL);
	pt_service(&e, "webmail", NULL);
	pt_install_days(&e, 200);
	ck_assert_int_eq(run_acct(&e, "imap", "nobody", &o), PAM_SUCCESS);
	snprintf(pem, sizeof(pem), "%s/vendor1.pem", e.keys_dir);
	ck_assert_int_eq(stat(pem, &before), 0);
	pt_data_key("other.pub", other, sizeof(other));
	ck_assert_ptr_nonnull(f = fopen(other, "r"));
	n = (ssize_t)fread(buf, 1, sizeof(buf), f);
	fclose(f);
	ck_assert_int_ge(fd = open(pem, O_WRONLY | O_TRUNC), 0);
	ck_assert_int_eq(write(fd, buf, (size_t)n), n);
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_eq(stat(pem, &after), 0);
	ck_assert(after.st_ino == before.st_ino);
	ck_assert_int_eq(run_acct(&e, "imap", "nobody", &o), PAM_PERM_DENIED);
	ck_assert_int_eq(run_acct(&e, "webmail", "root", &o), PAM_SUCCESS);
	ck_assert_str_eq(o.phase, "invalid");

	/* the key back, then its folder writable by others */
	pt_install_days(&e, 200);
	pt_data_key("vendor1.pub", other, sizeof(other));
	pt_copy(other, pem);
	ck_assert_int_eq(run_acct(&e, "imap", "nobody", &o), PAM_SUCCESS);
	ck_assert_int_eq(chmod(e.keys_dir, 0777), 0);
	ck_assert_int_ne(run_acct(&e, "imap", "nobody", &o), PAM_SUCCESS);
	ck_assert_int_ne(run_acct(&e, "imap", "nobody", &o), PAM_SUCCESS);
	ck_assert_int_eq(chmod(e.keys_dir, 0755), 0);
	ck_assert_int_eq(run_acct(&e, "imap", "nobody", &o), PAM_SUCCESS);
	pt_env_free(&e);
}
END_TEST

/*
 * Rewrites path in place (same inode) with len bytes of text, then puts
 * its mtime back, so that only the ctime and the content differ.
 */
static void
rewrite_in_place(const char *path, const char *text, size_t len)
{
	struct stat before, after;
	struct timespec ts[2];
	int fd;

	ck_assert_int_eq(stat(path, &before), 0);
	ck_assert_uint_eq((size_t)before.st_size, len);
	ck_assert_int_ge(fd = open(path, O_WRONLY | O_TRUNC), 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	ck_assert_int_eq(close(fd), 0);
	ts[0] = before.st_atim;
	ts[1] = before.st_mtim;
	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
	ck_assert_int_eq(stat(path, &after), 0);
	ck_assert(after.st_ino == before.st_ino);
	ck_assert(after.st_size == before.st_size);
	ck_assert(after.st_mtim.tv_sec == before.st_mtim.tv_sec);
	ck_assert(after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
}

static char *
slurp(const char *path, size_t *len)
{
	char *buf = NULL;
	FILE *f;
	long n;

	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	ck_assert_int_ge(n = ftell(f), 0);
	rewind(f);
	ck_assert_ptr_nonnull(buf = calloc(1, (size_t)n + 1));
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/*
 * Each file the login path reads, rewritten in place with the same size
 * and mtime (only the content and the ctime change) while the process
 * keeps its context: the very next login sees it, and the next one sees
 * the file put back. The context is warm (several logins) before each.
 */
enum { IP_CONF, IP_LICENSE, IP_KEY, IP_KEY_OF_MANY };
static const struct {
	const char *name;
	int which;
} inplace_cases[] = {
	{ "config: root no longer admin", IP_CONF },
	{ "license: one byte tampered", IP_LICENSE },
	{ "key: the trusted key replaced", IP_KEY },
	{ "key 5000 of 10,000 replaced", IP_KEY_OF_MANY },
};

static void
make_keys(const struct pt_env *e, unsigned n)
{
	char key[PATH_MAX], pem[PATH_MAX + 32];
	unsigned i;

	pt_data_key("vendor1.pub", key, sizeof(key));
	for (i = 0; i < n; i++) {
		snprintf(pem, sizeof(pem), "%s/k%05u.pem", e->keys_dir, i);
		pt_copy(key, pem);
	}
}

static void
warm_up(const struct pt_env *e, const char *svc, const char *user, int want)
{
	struct pt_out o;
	int i;

	for (i = 0; i < 3; i++)
		ck_assert_int_eq(run_acct(e, svc, user, &o), want);
}

START_TEST(test_rewritten_in_place)
{
	struct pt_env e;
	struct pt_out o;
	struct pt_lic l;
	char path[PATH_MAX + 32], other[PATH_MAX], *a, *b;
	const char *svc = "imap", *user = "nobody";
	size_t alen, blen;
	int64_t now = (int64_t)time(NULL);
	int before = PAM_SUCCESS, after = PAM_PERM_DENIED;

	/* the case that failed is named by its line in check's report */
	pt_env_init(&e, NULL);
	pt_service(&e, "imap", NULL);
	pt_service(&e, "webmail", NULL);
	pt_install_days(&e, 200);
	switch (inplace_cases[_i].which) {
	case IP_CONF:
		pt_install_days(&e, -20);	/* blocked: admins redirected */
		svc = "webmail";
		user = "root";
		snprintf(path, sizeof(path), "%s", e.conf);
		a = slurp(path, &alen);
		pt_env_conf(&e, "admins = { users = [\"sync\"]; };\n");
		b = slurp(path, &blen);
		pt_write(path, a, 0644);
		break;
	case IP_LICENSE:
		snprintf(path, sizeof(path), "%s", e.license);
		a = slurp(path, &alen);
		memset(&l, 0, sizeof(l));
		l.issued = now - 400 * PT_DAY;
		l.expires = now + 200 * PT_DAY;
		l.grace_days = -1;
		l.tamper = 1;
		b = pt_license(&l);
		blen = strlen(b);
		break;
	default:
		if (inplace_cases[_i].which == IP_KEY_OF_MANY) {
			make_keys(&e, 10000);
			snprintf(path, sizeof(path), "%s/k05000.pem", e.keys_dir);
		} else {
			snprintf(path, sizeof(path), "%s/vendor1.pem",
			    e.keys_dir);
		}
		/* a license by the other key, trusted only once path holds
		 * it: the rewrite turns a refusal into an allow */
		memset(&l, 0, sizeof(l));
		l.issued = now - PT_DAY;
		l.expires = now + 200 * PT_DAY;
		l.grace_days = -1;
		l.seed_hex = PT_SEED_OTHER;
		pt_install(&e, &l);
		a = slurp(path, &alen);
		pt_data_key("other.pub", other, sizeof(other));
		b = slurp(other, &blen);
		before = PAM_PERM_DENIED;
		after = PAM_SUCCESS;
		break;
	}
	ck_assert_uint_eq(alen, blen);
	ck_assert(memcmp(a, b, alen) != 0);
	warm_up(&e, svc, user, before);
	rewrite_in_place(path, b, blen);
	ck_assert_int_eq(run_acct(&e, svc, user, &o), after);
	warm_up(&e, svc, user, after);
	rewrite_in_place(path, a, alen);
	ck_assert_int_eq(run_acct(&e, svc, user, &o), before);
	free(a);
	free(b);
	pt_env_free(&e);
}
END_TEST

/*
 * 10,000 files in keys.d: a key added as file 10,001 is trusted at the
 * very next login, and distrusted at the next once removed; the same key
 * renamed over one of the 10,000 too.
 */
START_TEST(test_keys_10000)
{
	struct pt_env e;
	struct pt_out o;
	struct pt_lic l;
	char pem[PATH_MAX + 32], tmp[PATH_MAX + 32], other[PATH_MAX];
	int64_t now = (int64_t)time(NULL);

	pt_env_init(&e, NULL);
	pt_service(&e, "imap", NULL);
	pt_install_days(&e, 200);
	make_keys(&e, 10000);
	warm_up(&e, "imap", "nobody", PAM_SUCCESS);
	memset(&l, 0, sizeof(l));
	l.issued = now - PT_DAY;
	l.expires = now + 200 * PT_DAY;
	l.grace_days = -1;
	l.seed_hex = PT_SEED_OTHER;
	pt_install(&e, &l);
	warm_up(&e, "imap", "nobody", PAM_PERM_DENIED);
	pt_data_key("other.pub", other, sizeof(other));
	snprintf(pem, sizeof(pem), "%s/zz-other.pem", e.keys_dir);
	pt_copy(other, pem);			/* file 10,001 */
	ck_assert_int_eq(run_acct(&e, "imap", "nobody", &o), PAM_SUCCESS);
	warm_up(&e, "imap", "nobody", PAM_SUCCESS);
	ck_assert_int_eq(unlink(pem), 0);
	ck_assert_int_eq(run_acct(&e, "imap", "nobody", &o), PAM_PERM_DENIED);
	warm_up(&e, "imap", "nobody", PAM_PERM_DENIED);
	/* renamed over file 7777 */
	snprintf(tmp, sizeof(tmp), "%s/.tmp", e.keys_dir);
	snprintf(pem, sizeof(pem), "%s/k07777.pem", e.keys_dir);
	pt_copy(other, tmp);
	ck_assert_int_eq(rename(tmp, pem), 0);
	ck_assert_int_eq(run_acct(&e, "imap", "nobody", &o), PAM_SUCCESS);
	/* a dot file is never a key */
	pt_data_key("vendor1.pub", other, sizeof(other));
	pt_copy(other, tmp);
	ck_assert_int_eq(rename(tmp, pem), 0);
	ck_assert_int_eq(run_acct(&e, "imap", "nobody", &o), PAM_PERM_DENIED);
	pt_data_key("other.pub", other, sizeof(other));
	snprintf(tmp, sizeof(tmp), "%s/.other.pem", e.keys_dir);
	pt_copy(other, tmp);
	ck_assert_int_eq(run_acct(&e, "imap", "nobody", &o), PAM_PERM_DENIED);
	pt_env_free(&e);
}
END_TEST

/*
 * A forking daemon: parent and child each keep the context they share at
 * the fork. A key rewritten in place after the fork is seen by the child
 * and then by the parent (one descriptor per process: the child taking
 * the event must not hide it from the parent). Then a key file made a
 * symlink, whose target changes: seen too (no watch relied on).
 */
START_TEST(test_fork_and_symlink)
{
	struct pt_env e;
	struct pt_out o;
	struct pt_lic l;
	char pem[PATH_MAX + 32], target[PATH_MAX + 32], other[PATH_MAX];
	char sub[PATH_MAX + 32], *a, *b;
	size_t alen, blen;
	int64_t now = (int64_t)time(NULL);
	pid_t pid;
	int st;

	pt_env_init(&e, NULL);
	pt_service(&e, "imap", NULL);
	memset(&l, 0, sizeof(l));
	l.issued = now - PT_DAY;
	l.expires = now + 200 * PT_DAY;
	l.grace_days = -1;
	l.seed_hex = PT_SEED_OTHER;
	pt_install(&e, &l);
	warm_up(&e, "imap", "nobody", PAM_PERM_DENIED);
	snprintf(pem, sizeof(pem), "%s/vendor1.pem", e.keys_dir);
	a = slurp(pem, &alen);
	pt_data_key("other.pub", other, sizeof(other));
	b = slurp(other, &blen);
	/* renamed in from a folder not watched: a single event */
	snprintf(sub, sizeof(sub), "%s/sub", e.dir);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	snprintf(target, sizeof(target), "%s/sub/new.pem", e.dir);
	pt_write(target, b, 0644);
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		int ok = run_acct(&e, "imap", "nobody", &o) == PAM_PERM_DENIED;

		ok = ok && rename(target, pem) == 0;
		ok = ok && run_acct(&e, "imap", "nobody", &o) == PAM_SUCCESS;
		_exit(ok ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_int_eq(run_acct(&e, "imap", "nobody", &o), PAM_SUCCESS);
	/* in place, by the child */
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		int ok = run_acct(&e, "imap", "nobody", &o) == PAM_SUCCESS;

		rewrite_in_place(pem, a, alen);
		ok = ok && run_acct(&e, "imap", "nobody", &o) == PAM_PERM_DENIED;
		_exit(ok ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_int_eq(run_acct(&e, "imap", "nobody", &o), PAM_PERM_DENIED);

	/* the key a symlink to a file in a folder not watched */
	snprintf(target, sizeof(target), "%s/sub/key-target", e.dir);
	pt_write(target, a, 0644);
	ck_assert_int_eq(unlink(pem), 0);
	ck_assert_int_eq(symlink(target, pem), 0);
	warm_up(&e, "imap", "nobody", PAM_PERM_DENIED);
	rewrite_in_place(target, b, blen);
	ck_assert_int_eq(run_acct(&e, "imap", "nobody", &o), PAM_SUCCESS);
	/* a hard link: written through the other name */
	ck_assert_int_eq(unlink(pem), 0);
	ck_assert_int_eq(link(target, pem), 0);
	warm_up(&e, "imap", "nobody", PAM_SUCCESS);
	rewrite_in_place(target, a, alen);
	ck_assert_int_eq(run_acct(&e, "imap", "nobody", &o), PAM_PERM_DENIED);
	free(a);
	free(b);
	pt_env_free(&e);
}
END_TEST

START_TEST(test_state_replaced)
{
	struct pt_env e;
	struct pt_out o;
	char path[PATH_MAX + 16];
	int64_t now = (int64_t)time(NULL);

	pt_env_init(&e, NULL);
	pt_service(&e, "imap", NULL);
	pt_service(&e, "webmail", NULL);
	pt_install_days(&e, 200);
	ck_assert_int_eq(run_acct(&e, "webmail", "root", &o), PAM_SUCCESS);
	ck_assert_str_eq(o.phase, "ok");
	pt_state(&e, 11, now - 2 * PT_DAY);
	ck_assert_int_eq(run_acct(&e, "webmail", "root", &o), PAM_SUCCESS);
	ck_assert_str_eq(o.phase, "over");
	ck_assert_int_eq(o.has_banner, 1);
	ck_assert_int_eq(run_acct(&e, "imap", "nobody", &o), PAM_SUCCESS);
	pt_state(&e, 12, now - 40 * PT_DAY);
	ck_assert_int_eq(run_acct(&e, "imap", "nobody", &o), PAM_PERM_DENIED);
	ck_assert_int_eq(run_acct(&e, "webmail", "root", &o), PAM_SUCCESS);
	ck_assert_str_eq(o.phase, "over-blocked");
	ck_assert_str_eq(o.decision, "redirect");
	/* corrupt state: count unknown, so the date phase alone decides */
	snprintf(path, sizeof(path), "%s/state", e.state_dir);
	pt_write(path, "garbage\n", 0644);
	ck_assert_int_eq(run_acct(&e, "imap", "nobody", &o), PAM_SUCCESS);
	ck_assert_str_eq(o.phase, "ok");
	unlink(path);
	ck_assert_int_eq(run_acct(&e, "imap", "nobody", &o), PAM_SUCCESS);
	ck_assert_str_eq(o.phase, "ok");
	pt_env_free(&e);
}
END_TEST

/* Two configurations in one process: one cache each, no mix-up. */
START_TEST(test_two_confs)
{
	struct pt_env a, b;
	struct pt_out o;
	char text[3 * PATH_MAX];
	int i;

	pt_env_init(&a, NULL);
	pt_env_init(&b, NULL);
	pt_install_days(&a, 200);
	pt_install_days(&b, -20);
	/* both services in a's folder, each naming its own conf= */
	pt_service(&a, "imap", NULL);
	snprintf(text, sizeof(text), "account required %s conf=%s\n",
	    b.module, b.conf);
	pt_service_raw(&a, "pop3", text);
	for (i = 0; i < 20; i++) {
		ck_assert_int_eq(run_acct(&a, i % 2 ? "pop3" : "imap", "nobody",
		    &o), i % 2 ? PAM_PERM_DENIED : PAM_SUCCESS);
	}
	pt_install_days(&b, 100);
	ck_assert_int_eq(run_acct(&a, "pop3", "nobody", &o), PAM_SUCCESS);
	ck_assert_int_eq(run_acct(&a, "imap", "nobody", &o), PAM_SUCCESS);
	pt_env_free(&a);
	pt_env_free(&b);
}
END_TEST

/* Config replaced: admin list and admin_url change without a restart. */
START_TEST(test_config_replaced)
{
	struct pt_env e;
	struct pt_out o;

	pt_env_init(&e, NULL);
	pt_service(&e, "webmail", NULL);
	pt_install_days(&e, -20);
	ck_assert_int_eq(run_acct(&e, "webmail", "root", &o), PAM_SUCCESS);
	ck_assert_int_eq(run_acct(&e, "webmail", "nobody", &o), PAM_PERM_DENIED);
	pt_env_conf(&e, "admins = { users = [\"nobody\"]; };\n");
	ck_assert_int_eq(run_acct(&e, "webmail", "root", &o), PAM_PERM_DENIED);
	ck_assert_int_eq(run_acct(&e, "webmail", "nobody", &o), PAM_SUCCESS);
	ck_assert_str_eq(o.decision, "redirect");
	pt_env_free(&e);
}
END_TEST

/* ---- entry points called directly: exact codes libpam hides ---- */

typedef int sm_fn(pam_handle_t *, int, int, const char **);

static int
direct(const struct pt_env *e, const char *fn, const char *user, int argc,
    const char **argv)
{
	struct pt_out o;
	struct pam_conv conv = { pt_conv, &o };
	pam_handle_t *pamh = NULL;
	void *h;
	sm_fn *f;
	int rc;

	memset(&o, 0, sizeof(o));
	ck_assert_ptr_nonnull(h = dlopen(e->module, RTLD_NOW));
	ck_assert_ptr_nonnull(f = (sm_fn *)dlsym(h, fn));
	ck_assert_int_eq(pam_start_confdir("imap", user, &conv, e->dir, &pamh),
	    PAM_SUCCESS);
	rc = f(pamh, 0, argc, argv);
	pam_end(pamh, rc);
	dlclose(h);
	return rc;
}

START_TEST(test_direct_codes)
{
	struct pt_env e;
	char conf[PATH_MAX + 8];
	const char *argv[2];

	pt_env_init(&e, NULL);
	pt_service(&e, "imap", NULL);
	snprintf(conf, sizeof(conf), "conf=%s", e.conf);
	argv[0] = conf;
	pt_install_days(&e, 200);
	ck_assert_int_eq(direct(&e, "pam_sm_authenticate", "nobody", 1, argv),
	    PAM_IGNORE);
	ck_assert_int_eq(direct(&e, "pam_sm_acct_mgmt", "nobody", 1, argv),
	    PAM_SUCCESS);
	ck_assert_int_eq(direct(&e, "pam_sm_setcred", "nobody", 1, argv),
	    PAM_IGNORE);
	argv[1] = "service=webmail";
	pt_install_days(&e, -20);
	ck_assert_int_eq(direct(&e, "pam_sm_authenticate", "root", 2, argv),
	    PAM_IGNORE);	/* redirect */
	ck_assert_int_eq(direct(&e, "pam_sm_authenticate", "nobody", 2, argv),
	    PAM_AUTH_ERR);
	ck_assert_int_eq(direct(&e, "pam_sm_acct_mgmt", "nobody", 2, argv),
	    PAM_PERM_DENIED);
	ck_assert_int_eq(direct(&e, "pam_sm_setcred", "nobody", 2, argv),
	    PAM_IGNORE);
	argv[1] = "service=nope";
	ck_assert_int_eq(direct(&e, "pam_sm_authenticate", "root", 2, argv),
	    PAM_SERVICE_ERR);
	pt_env_free(&e);
}
END_TEST

/* ---- the context API itself ---- */

START_TEST(test_ctx_api)
{
	struct pt_env e;
	struct bmsub_ctx *ctx = NULL;
	struct bmsub_request rq;
	struct bmsub_result res;
	struct bmsub_error err;

	pt_env_init(&e, NULL);
	ck_assert_int_eq(bmsub_ctx_new(NULL, &ctx, &err), BMSUB_E_INVALID);
	ck_assert_int_eq(bmsub_ctx_new("", &ctx, &err), BMSUB_E_INVALID);
	ck_assert_int_eq(bmsub_ctx_new(e.conf, &ctx, &err), 0);
	memset(&rq, 0, sizeof(rq));
	rq.service = "webmail";
	rq.category = -1;
	rq.now = (int64_t)time(NULL);
	ck_assert_int_eq(bmsub_ctx_decide(ctx, NULL, &rq, &res, &err),
	    BMSUB_E_INVALID);			/* no user */
	rq.user = "";
	ck_assert_int_eq(bmsub_ctx_decide(ctx, NULL, &rq, &res, &err),
	    BMSUB_E_INVALID);
	rq.user = "root";
	rq.category = BMSUB_CAT__COUNT;
	ck_assert_int_eq(bmsub_ctx_decide(ctx, NULL, &rq, &res, &err),
	    BMSUB_E_INVALID);
	rq.category = -2;
	ck_assert_int_eq(bmsub_ctx_decide(ctx, NULL, &rq, &res, &err),
	    BMSUB_E_INVALID);
	rq.category = -1;

	/* ok: the role changes nothing, so no NSS lookup */
	pt_install_days(&e, 200);
	ck_assert_int_eq(bmsub_ctx_decide(ctx, NULL, &rq, &res, &err), 0);
	ck_assert_int_eq(res.verdict.decision, BMSUB_ALLOW);
	ck_assert_int_eq(res.role_looked_up, 0);
	ck_assert_int_eq(res.category, BMSUB_CAT_WEBMAIL);
	ck_assert_int_eq(res.license_err, 0);
	ck_assert_ptr_null(res.verdict.redirect);

	/* grace on the web: admin redirected, pointer into res */
	pt_install_days(&e, -3);
	ck_assert_int_eq(bmsub_ctx_decide(ctx, NULL, &rq, &res, &err), 0);
	ck_assert_int_eq(res.role_looked_up, 1);
	ck_assert_int_eq(res.is_admin, 1);
	ck_assert_int_eq(res.verdict.decision, BMSUB_REDIRECT);
	ck_assert_ptr_eq(res.verdict.redirect, res.admin_url);
	ck_assert_str_eq(res.admin_url, PT_ADMIN_URL);
	rq.user = "nobody";
	ck_assert_int_eq(bmsub_ctx_decide(ctx, NULL, &rq, &res, &err), 0);
	ck_assert_int_eq(res.role_looked_up, 1);
	ck_assert_int_eq(res.is_admin, 0);
	ck_assert_int_eq(res.verdict.decision, BMSUB_ALLOW);

	/* category given explicitly wins */
	rq.category = BMSUB_CAT_SMTP;
	ck_assert_int_eq(bmsub_ctx_decide(ctx, NULL, &rq, &res, &err), 0);
	ck_assert_int_eq(res.category, BMSUB_CAT_SMTP);

	/* missing license: not an error, phase invalid */
	unlink(e.license);
	ck_assert_int_eq(bmsub_ctx_decide(ctx, NULL, &rq, &res, &err), 0);
	ck_assert_int_eq(res.license_err, BMSUB_E_NO_LICENSE);
	ck_assert_int_eq(res.verdict.decision, BMSUB_DENY);

	/* broken config: an error, and nothing left in res */
	pt_write(e.conf, "license = ;\n", 0644);
	ck_assert_int_ne(bmsub_ctx_decide(ctx, NULL, &rq, &res, &err), 0);
	ck_assert_int_eq(res.verdict.decision, 0);
	ck_assert_ptr_null(res.verdict.phase);
	bmsub_ctx_free(ctx);
	bmsub_ctx_free(NULL);
	pt_env_free(&e);
}
END_TEST

/*
 * One context, files untouched, the clock moving: each call decides at
 * its own rq->now (the context keeps the last verdicts for the same files
 * and second: a verdict of another second must never come back).
 */
START_TEST(test_ctx_clock)
{
	static const struct {
		int64_t days;		/* rq->now = now + days */
		enum bmsub_decision decision;
		const char *phase;
		int banner;
	} steps[] = {
		{ 0, BMSUB_ALLOW, "warning", 0 },
		{ 12, BMSUB_ALLOW, "grace", 1 },	/* E + 2 days */
		{ 12, BMSUB_ALLOW, "grace", 1 },	/* same second again */
		{ 30, BMSUB_DENY, "blocked", 0 },	/* E + G + 10 days */
		{ 0, BMSUB_ALLOW, "warning", 0 },	/* back: the time given */
		{ 12, BMSUB_ALLOW, "grace", 1 },
		{ 0, BMSUB_ALLOW, "warning", 0 },
	};
	struct pt_env e;
	struct bmsub_ctx *ctx = NULL;
	struct bmsub_request rq;
	struct bmsub_result res;
	struct bmsub_error err;
	int64_t now = (int64_t)time(NULL);
	size_t i;

	pt_env_init(&e, NULL);
	pt_install_days(&e, 10);	/* E in 10 days, 10 days of grace */
	ck_assert_int_eq(bmsub_ctx_new(e.conf, &ctx, &err), 0);
	memset(&rq, 0, sizeof(rq));
	rq.user = "nobody";
	rq.service = "imap";
	rq.category = -1;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		rq.now = now + steps[i].days * PT_DAY;
		ck_assert_int_eq(bmsub_ctx_decide(ctx, NULL, &rq, &res, &err),
		    0);
		ck_assert_msg(res.verdict.decision == steps[i].decision,
		    "step %zu: decision %d", i, (int)res.verdict.decision);
		ck_assert_str_eq(res.verdict.phase, steps[i].phase);
		ck_assert_int_eq(res.verdict.banner[0] != '\0',
		    steps[i].banner);
	}
	bmsub_ctx_free(ctx);
	pt_env_free(&e);
}
END_TEST

/* Logs of the context: a bad license is logged once per change. */
struct logrec {
	int n_err;
	int n_warn;
};

static void
count_log(void *arg, int prio, const char *msg)
{
	struct logrec *l = arg;

	(void)msg;
	if (prio <= LOG_ERR)
		l->n_err++;
	else if (prio == LOG_WARNING)
		l->n_warn++;
}

START_TEST(test_ctx_log_once)
{
	struct pt_env e;
	struct bmsub_ctx *ctx = NULL;
	struct bmsub_request rq;
	struct bmsub_result res;
	struct bmsub_error err;
	struct logrec lr = { 0, 0 };
	struct bmsub_log log = { count_log, &lr };
	struct pt_lic l;
	int i;

	pt_env_init(&e, NULL);
	memset(&l, 0, sizeof(l));
	l.issued = time(NULL) - PT_DAY;
	l.expires = time(NULL) + 200 * PT_DAY;
	l.grace_days = -1;
	l.tamper = 1;
	pt_install(&e, &l);
	ck_assert_int_eq(bmsub_ctx_new(e.conf, &ctx, &err), 0);
	memset(&rq, 0, sizeof(rq));
	rq.user = "nobody";
	rq.service = "imap";
	rq.category = -1;
	rq.now = (int64_t)time(NULL);
	for (i = 0; i < 50; i++)
		ck_assert_int_eq(bmsub_ctx_decide(ctx, &log, &rq, &res, &err), 0);
	ck_assert_int_eq(res.license_err, BMSUB_E_BAD_SIGNATURE);
	ck_assert_int_eq(lr.n_err, 1);
	ck_assert_int_eq(lr.n_warn, 1);		/* no state: once */
	l.tamper = 0;
	l.id = "BM-TEST-22";
	pt_install(&e, &l);
	for (i = 0; i < 50; i++)
		ck_assert_int_eq(bmsub_ctx_decide(ctx, &log, &rq, &res, &err), 0);
	ck_assert_int_eq(res.license_err, 0);
	ck_assert_int_eq(lr.n_err, 1);
	ck_assert_int_eq(lr.n_warn, 1);
	bmsub_ctx_free(ctx);
	pt_env_free(&e);
}
END_TEST

/* ---- administrators by NSS group (run under nss_wrapper only) ---- */

static const struct nss_case {
	const char *user;
	const char *decision;	/* NULL = deny */
} nss_cases[] = {
	{ "alice", "redirect" },	/* secondary member of mailadmins */
	{ "bob", "redirect" },		/* primary group mailadmins */
	{ "carol", NULL },		/* member of another group */
	{ "dave", NULL },		/* no group */
	{ "ghost", NULL },		/* unknown to NSS */
};

START_TEST(test_nss_admin_groups)
{
	const struct nss_case *nc = &nss_cases[_i];
	struct pt_env e;
	struct pt_out o;

	pt_env_init(&e, "admins = { users = []; groups = [\"mailadmins\"]; };\n");
	pt_service(&e, "webmail", NULL);
	pt_service(&e, "imap", NULL);
	pt_install_days(&e, -20);
	ck_assert_int_eq(run_acct(&e, "webmail", nc->user, &o),
	    nc->decision ? PAM_SUCCESS : PAM_PERM_DENIED);
	if (nc->decision != NULL)
		ck_assert_str_eq(o.decision, nc->decision);
	/* never a redirect off the web */
	ck_assert_int_eq(run_acct(&e, "imap", nc->user, &o), PAM_PERM_DENIED);
	/* grace: admins redirected, users allowed with a banner */
	pt_install_days(&e, -3);
	ck_assert_int_eq(run_acct(&e, "webmail", nc->user, &o), PAM_SUCCESS);
	ck_assert_str_eq(o.decision, nc->decision ? "redirect" : "allow");
	pt_env_free(&e);
}
END_TEST

/* ---- an NSS failure in the role lookup (nss_wrapper + nss_fail.so) ----
 * admins.users = ["dave"], admins.groups = ["mailadmins"]. When the role
 * changes the answer and its lookup fails, the login is denied, reason
 * "nss": neither the administrator's redirect nor the user's allow. */
static const struct nssfail_case {
	const char *desc;
	const char *fail_group;	/* getgrnam_r of it fails (EIO) */
	const char *fail_user;	/* getpwnam_r of it fails (EIO) */
	const char *user;
	const char *svc;
	int days;		/* license expires in days (-3: grace) */
	int rc;
	const char *decision;	/* on success */
	int nss_msg;		/* 1: the "nss" message, 0: another, -1: any */
} nssfail_cases[] = {
	{ "grace, member, group fails", "mailadmins", NULL, "alice",
	    "webmail", -3, PAM_PERM_DENIED, NULL, 1 },
	{ "grace, non-member, group fails", "mailadmins", NULL, "carol",
	    "webmail", -3, PAM_PERM_DENIED, NULL, 1 },
	{ "blocked, member, group fails", "mailadmins", NULL, "alice",
	    "webmail", -20, PAM_PERM_DENIED, NULL, 1 },
	{ "blocked, non-member, group fails", "mailadmins", NULL, "carol",
	    "webmail", -20, PAM_PERM_DENIED, NULL, 1 },
	{ "grace, primary group, user fails", NULL, "bob", "bob",
	    "webmail", -3, PAM_PERM_DENIED, NULL, 1 },
	{ "blocked, non-member, user fails", NULL, "carol", "carol",
	    "webmail", -20, PAM_PERM_DENIED, NULL, 1 },
	{ "grace, unknown user, group fails", "mailadmins", NULL, "ghost",
	    "webmail", -3, PAM_PERM_DENIED, NULL, 1 },
	/* the role does not matter: no lookup, the license's answer */
	{ "valid, group fails", "mailadmins", NULL, "carol", "webmail", 200,
	    PAM_SUCCESS, "allow", -1 },
	{ "valid imap, group fails", "mailadmins", "alice", "alice", "imap",
	    200, PAM_SUCCESS, "allow", -1 },
	/* admins.users is read before NSS */
	{ "grace, listed admin, group fails", "mailadmins", "dave", "dave",
	    "webmail", -3, PAM_SUCCESS, "redirect", -1 },
	{ "blocked, listed admin, group fails", "mailadmins", "dave", "dave",
	    "webmail", -20, PAM_SUCCESS, "redirect", -1 },
	/* the shim fails only what it is told to: the others as usual */
	{ "grace, member, other group fails", "staff", NULL, "alice",
	    "webmail", -3, PAM_SUCCESS, "redirect", -1 },
	{ "grace, non-member, other user fails", NULL, "alice", "carol",
	    "webmail", -3, PAM_SUCCESS, "allow", -1 },
	{ "blocked, non-member, nothing fails", NULL, NULL, "carol",
	    "webmail", -20, PAM_PERM_DENIED, NULL, 0 },
};

static int
has_nss_msg(const struct pt_out *o)
{
	int i;

	for (i = 0; i < o->n_msg; i++)
		if (o->msg_style[i] == PAM_ERROR_MSG &&
		    strstr(o->msg[i], "could not be checked") != NULL)
			return 1;
	return 0;
}

START_TEST(test_nss_failure)
{
	const struct nssfail_case *nc = &nssfail_cases[_i];
	struct pt_env e;
	struct pt_out o;
	int rc;

	pt_env_init(&e, "admins = { users = [\"dave\"]; groups = "
	    "[\"mailadmins\"]; };\n");
	pt_service(&e, nc->svc, NULL);
	pt_install_days(&e, nc->days);
	if (nc->fail_group != NULL)
		setenv("BMSUB_NSS_FAIL_GROUP", nc->fail_group, 1);
	if (nc->fail_user != NULL)
		setenv("BMSUB_NSS_FAIL_USER", nc->fail_user, 1);
	rc = run_acct(&e, nc->svc, nc->user, &o);
	unsetenv("BMSUB_NSS_FAIL_GROUP");
	unsetenv("BMSUB_NSS_FAIL_USER");
	ck_assert_msg(rc == nc->rc, "%s: rc %d, want %d", nc->desc, rc, nc->rc);
	if (nc->decision != NULL)
		ck_assert_str_eq(o.decision, nc->decision);
	else
		ck_assert_int_eq(o.has_decision, 0);
	if (nc->nss_msg >= 0)
		ck_assert_msg(has_nss_msg(&o) == nc->nss_msg, "%s: nss message "
		    "%d, want %d", nc->desc, has_nss_msg(&o), nc->nss_msg);
	/* the next login, NSS back, is answered as usual */
	if (nc->nss_msg == 1) {
		rc = run_acct(&e, nc->svc, nc->user, &o);
		ck_assert_int_eq(has_nss_msg(&o), 0);
	}
	pt_env_free(&e);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

int
main(void)
{
	Suite *s = suite_create("pam");
	TCase *tc;
	int failed;

	tc = tcase_create("table");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_table, 0, N(rows));
	tcase_add_test(tc, test_override_beats_mapping);
	suite_add_tcase(s, tc);

	tc = tcase_create("module");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_silent, 0, N(silent_cases));
	tcase_add_loop_test(tc, test_args, 0, N(arg_cases));
	tcase_add_loop_test(tc, test_bad_config, 0, N(conf_cases));
	tcase_add_test(tc, test_no_user);
	tcase_add_test(tc, test_env_cleared_on_error);
	tcase_add_test(tc, test_env_forged_replaced);
	tcase_add_test(tc, test_direct_codes);
	suite_add_tcase(s, tc);

	tc = tcase_create("cache");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_license_replaced);
	tcase_add_test(tc, test_key_rewritten_in_place);
	tcase_add_loop_test(tc, test_rewritten_in_place, 0, N(inplace_cases));
	tcase_add_test(tc, test_keys_10000);
	tcase_add_test(tc, test_fork_and_symlink);
	tcase_add_test(tc, test_relative_conf_exists);
	tcase_add_test(tc, test_state_replaced);
	tcase_add_test(tc, test_config_replaced);
	tcase_add_test(tc, test_two_confs);
	tcase_add_test(tc, test_ctx_api);
	tcase_add_test(tc, test_ctx_clock);
	tcase_add_test(tc, test_ctx_log_once);
	suite_add_tcase(s, tc);

	/* Only under nss_wrapper (tests/sh/pam_nss.sh): the fake users and
	 * groups exist nowhere else. */
	if (getenv("NSS_WRAPPER_PASSWD") != NULL) {
		tc = tcase_create("nss");
		tcase_set_timeout(tc, 60);
		tcase_add_loop_test(tc, test_nss_admin_groups, 0, N(nss_cases));
		suite_add_tcase(s, tc);
	}
	/* Only with tests/unit/nss_fail.so preloaded (tests/sh/pam_nss.sh). */
	if (getenv("BMSUB_NSS_FAIL_SHIM") != NULL) {
		tc = tcase_create("nss-fail");
		tcase_set_timeout(tc, 60);
		tcase_add_loop_test(tc, test_nss_failure, 0, N(nssfail_cases));
		suite_add_tcase(s, tc);
	}

	failed = tlib_run(s);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
