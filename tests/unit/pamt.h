/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pamt.h - helpers for the PAM tests and benchmark: a private bmsub setup
 * (config, trusted key, license signed here, state), service files naming
 * the module by absolute path, and one transaction through real libpam.
 * Header-only (static functions) so each binary takes what it uses.
 */
#ifndef BMSUB_PAMT_H
#define BMSUB_PAMT_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <security/pam_appl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bmsub.h"

#define PT_DAY 86400
#define PT_ADMIN_URL "https://admin.example.test/subscription"

/* Ed25519 seeds of the committed test keys (tests/data/keys/README.keys). */
#define PT_SEED_VENDOR1 "ab15a7f150f4008ddd9587f19760e4d1bc793f84aaaae424890e27083d426a24"
#define PT_SEED_OTHER "b3e0604e6473e8dcbf331d665fe629a96d972a3ac38f50d1d775ffa2c28b95d5"
#define PT_KEYID_VENDOR1 "d6147a148c10bf1f"

__attribute__((unused, format(printf, 1, 2))) static void
pt_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "pamt: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(99);
}

/* Directory holding this executable, for paths relative to the build. */
__attribute__((unused)) static void
pt_exe_dir(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	char *slash;

	if (n <= 0)
		pt_die("readlink /proc/self/exe");
	buf[n] = '\0';
	if ((slash = strrchr(buf, '/')) != NULL)
		*slash = '\0';
}

/* The module under test: $PAMT_MODULE, else $SB/pam_bmsub.so, else the
 * build folder above this binary (build[/san]/tests/x -> build[/san]). */
__attribute__((unused)) static void
pt_module_path(char *buf, size_t size)
{
	const char *m = getenv("PAMT_MODULE"), *sb = getenv("SB");
	char exe[1024];

	if (m != NULL && *m != '\0')
		snprintf(buf, size, "%s", m);
	else if (sb != NULL && *sb != '\0')
		snprintf(buf, size, "%s/pam_bmsub.so", sb);
	else {
		pt_exe_dir(exe, sizeof(exe));
		snprintf(buf, size, "%s/../pam_bmsub.so", exe);
	}
	if (access(buf, R_OK) != 0)
		pt_die("module %s: %s", buf, strerror(errno));
}

/* tests/data/keys/<name> from $TOP, else searched above this binary. */
__attribute__((unused)) static void
pt_data_key(const char *name, char *buf, size_t size)
{
	const char *top = getenv("TOP");
	char exe[1024];
	int up;

	if (top != NULL && *top != '\0') {
		snprintf(buf, size, "%s/tests/data/keys/%s", top, name);
		if (access(buf, R_OK) == 0)
			return;
	}
	pt_exe_dir(exe, sizeof(exe));
	for (up = 1; up <= 5; up++) {
		char rel[64] = "";
		int i;

		for (i = 0; i < up; i++)
			strcat(rel, "/..");
		snprintf(buf, size, "%s%s/tests/data/keys/%s", exe, rel, name);
		if (access(buf, R_OK) == 0)
			return;
	}
	pt_die("cannot find tests/data/keys/%s (set TOP)", name);
}

/* Writes text to path atomically (temp file + rename), mode mode. */
__attribute__((unused)) static void
pt_write(const char *path, const char *text, mode_t mode)
{
	char tmp[PATH_MAX];
	size_t len = strlen(text);
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		pt_die("open %s: %s", tmp, strerror(errno));
	if (write(fd, text, len) != (ssize_t)len || fchmod(fd, mode) != 0 ||
	    close(fd) != 0)
		pt_die("write %s: %s", tmp, strerror(errno));
	if (rename(tmp, path) != 0)
		pt_die("rename %s: %s", path, strerror(errno));
}

__attribute__((unused)) static void
pt_copy(const char *from, const char *to)
{
	char buf[8192];
	FILE *f;
	size_t n;

	if ((f = fopen(from, "r")) == NULL)
		pt_die("open %s: %s", from, strerror(errno));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	pt_write(to, buf, 0644);
}

static int
pt_rm_one(const char *p, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(p);
}

__attribute__((unused)) static void
pt_rm_rf(const char *dir)
{
	nftw(dir, pt_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

__attribute__((unused)) static void
pt_fmt_time(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A license to sign. Times are absolute; starts 0 = absent. */
struct pt_lic {
	const char *kind;	/* NULL = "prod" */
	int64_t issued;
	int64_t starts;
	int64_t expires;
	unsigned users;
	int grace_days;		/* < 0 = absent */
	const char *seed_hex;	/* NULL = vendor1 */
	const char *id;		/* NULL = "BM-TEST-1" */
	int tamper;		/* flip a body byte after signing */
};

/*
 * Signs a license per SPEC section 1: the signed bytes run from the BEGIN
 * line through the LF of the last body line; the signature is detached
 * Ed25519 over them, in standard base64.
 */
__attribute__((unused)) static char *
pt_license(const struct pt_lic *l)
{
	unsigned char seed[32], pk[32], sk[64], sig[64], h[32];
	char keyid[17], is[32], st[32], ex[32], b64[100];
	char body[2048], *out;
	size_t seedlen, n;
	int len;

	if (sodium_init() < 0)
		pt_die("sodium_init");
	if (sodium_hex2bin(seed, sizeof(seed),
	    l->seed_hex ? l->seed_hex : PT_SEED_VENDOR1, 64, NULL, &seedlen,
	    NULL) != 0 || seedlen != 32)
		pt_die("bad seed");
	crypto_sign_seed_keypair(pk, sk, seed);
	crypto_hash_sha256(h, pk, sizeof(pk));
	sodium_bin2hex(keyid, sizeof(keyid), h, 8);
	pt_fmt_time(l->issued, is, sizeof(is));
	pt_fmt_time(l->starts, st, sizeof(st));
	pt_fmt_time(l->expires, ex, sizeof(ex));
	len = snprintf(body, sizeof(body),
	    "-----BEGIN BMSUB LICENSE-----\n"
	    "format: 1\n"
	    "id: %s\n"
	    "customer: Example SA\n"
	    "kind: %s\n"
	    "issued: %s\n"
	    "%s%s%s"
	    "expires: %s\n"
	    "users: %u\n",
	    l->id ? l->id : "BM-TEST-1", l->kind ? l->kind : "prod", is,
	    l->starts ? "starts: " : "", l->starts ? st : "",
	    l->starts ? "\n" : "", ex, l->users ? l->users : 10);
	n = (size_t)len;
	if (l->grace_days >= 0)
		n += (size_t)snprintf(body + n, sizeof(body) - n,
		    "grace-days: %d\n", l->grace_days);
	n += (size_t)snprintf(body + n, sizeof(body) - n, "key: %s\n", keyid);
	crypto_sign_detached(sig, NULL, (unsigned char *)body, n, sk);
	sodium_memzero(sk, sizeof(sk));
	bmsub_base64_encode(sig, sizeof(sig), b64);
	if (l->tamper) {
		char *c = strstr(body, "Example SA");

		c[0] = 'e';	/* same length, different bytes */
	}
	if (asprintf(&out, "%s-----BEGIN BMSUB SIGNATURE-----\n%s\n"
	    "-----END BMSUB LICENSE-----\n", body, b64) < 0)
		pt_die("asprintf");
	return out;
}

/* A private bmsub installation in a fresh temp folder. */
struct pt_env {
	char dir[256];
	char conf[PATH_MAX];
	char license[PATH_MAX];
	char keys_dir[PATH_MAX];
	char state_dir[PATH_MAX];
	char module[PATH_MAX];
};

#define PT_CONF_DEFAULT_ADMINS "admins = { users = [\"root\"]; };\n"

/* extra: libconfig text appended (admins, ...); NULL = root is admin. */
__attribute__((unused)) static void
pt_env_conf(struct pt_env *e, const char *extra)
{
	char *text = NULL;

	if (asprintf(&text,
	    "license = \"%s\";\n"
	    "keys_dir = \"%s\";\n"
	    "state_dir = \"%s\";\n"
	    "admin_url = \"" PT_ADMIN_URL "\";\n"
	    "services = {\n"
	    "  imap = [\"imap\", \"pop3\", \"dovecot\"];\n"
	    "  eas = [\"eas\"];\n"
	    "  webmail = [\"webmail\", \"nginx\"];\n"
	    "  smtp = [\"smtp\", \"submission\"];\n"
	    "  admin = [\"bmsub-admin\"];\n"
	    "};\n%s",
	    e->license, e->keys_dir, e->state_dir,
	    extra ? extra : PT_CONF_DEFAULT_ADMINS) < 0)
		pt_die("asprintf");
	pt_write(e->conf, text, 0644);
	free(text);
}

__attribute__((unused)) static void
pt_env_init(struct pt_env *e, const char *extra)
{
	char key[PATH_MAX], pem[PATH_MAX + 16], rcpt[PATH_MAX + 16];

	memset(e, 0, sizeof(*e));
	snprintf(e->dir, sizeof(e->dir), "/tmp/bmsub-pamt.XXXXXX");
	if (mkdtemp(e->dir) == NULL)
		pt_die("mkdtemp: %s", strerror(errno));
	chmod(e->dir, 0755);
	snprintf(e->conf, sizeof(e->conf), "%s/bmsub.conf", e->dir);
	snprintf(e->license, sizeof(e->license), "%s/license", e->dir);
	snprintf(e->keys_dir, sizeof(e->keys_dir), "%s/keys.d", e->dir);
	snprintf(e->state_dir, sizeof(e->state_dir), "%s/state", e->dir);
	if (mkdir(e->keys_dir, 0755) != 0 || mkdir(e->state_dir, 0755) != 0)
		pt_die("mkdir: %s", strerror(errno));
	pt_data_key("vendor1.pub", key, sizeof(key));
	snprintf(pem, sizeof(pem), "%s/vendor1.pem", e->keys_dir);
	pt_copy(key, pem);
	/* a recipient, so admins get no "nobody is alerted" banner */
	snprintf(rcpt, sizeof(rcpt), "%s/recipients", e->state_dir);
	pt_write(rcpt, "ops@example.test\n", 0644);
	pt_module_path(e->module, sizeof(e->module));
	pt_env_conf(e, extra);
}

__attribute__((unused)) static void
pt_env_free(struct pt_env *e)
{
	if (e->dir[0] != '\0' && getenv("KEEP") == NULL)
		pt_rm_rf(e->dir);
}

/* Signs l and installs it (rename over the old one). */
__attribute__((unused)) static void
pt_install(const struct pt_env *e, const struct pt_lic *l)
{
	char *text = pt_license(l);

	pt_write(e->license, text, 0644);
	free(text);
}

/* A license expiring `days` from now (issued 400 days ago). */
__attribute__((unused)) static void
pt_install_days(const struct pt_env *e, int64_t days)
{
	struct pt_lic l;
	int64_t now = (int64_t)time(NULL);

	memset(&l, 0, sizeof(l));
	l.issued = now - 400 * PT_DAY;
	l.expires = now + days * PT_DAY;
	l.grace_days = -1;
	pt_install(e, &l);
}

/* Writes the state through the library (its format is the library's). */
__attribute__((unused)) static void
pt_state(const struct pt_env *e, uint64_t count, int64_t over_since)
{
	struct bmsub_state st;
	struct bmsub_error err;
	int fd = -1;

	bmsub_state_init(&st);
	st.have_count = 1;
	st.count = count;
	st.over_since = over_since;
	if (bmsub_state_lock(e->state_dir, &fd, &err) != 0 ||
	    bmsub_state_save(e->state_dir, &st, &err) != 0)
		pt_die("state: %s", err.msg);
	bmsub_state_unlock(fd);
	bmsub_state_clear(&st);
}

/* Service file <dir>/<name>: account and auth lines calling the module
 * with conf= and args; auth ends with an optional pam_permit so that the
 * module's PAM_IGNORE gives PAM_SUCCESS and its failures come through. */
__attribute__((unused)) static void
pt_service(const struct pt_env *e, const char *name, const char *args)
{
	char path[PATH_MAX + 64], *text = NULL;

	snprintf(path, sizeof(path), "%s/%s", e->dir, name);
	if (asprintf(&text,
	    "auth required %s conf=%s%s%s\n"
	    "auth optional pam_permit.so\n"
	    "account required %s conf=%s%s%s\n",
	    e->module, e->conf, args ? " " : "", args ? args : "",
	    e->module, e->conf, args ? " " : "", args ? args : "") < 0)
		pt_die("asprintf");
	pt_write(path, text, 0644);
	free(text);
}

/* A service file with exactly these lines. */
__attribute__((unused)) static void
pt_service_raw(const struct pt_env *e, const char *name, const char *text)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", e->dir, name);
	pt_write(path, text, 0644);
}

/* ---- one transaction ---- */

#define PT_ACCT 0
#define PT_AUTH 1
#define PT_MSG_MAX 8

struct pt_out {
	int rc;
	int start_rc;
	int n_msg;
	int msg_style[PT_MSG_MAX];
	char msg[PT_MSG_MAX][1024];
	char decision[64];	/* "" when unset */
	char phase[64];
	char redirect[600];
	char banner[600];
	int has_redirect;
	int has_banner;
	int has_decision;
	const char *answer;	/* conversation's answer to prompts, or NULL */
};

static int
pt_conv(int n, const struct pam_message **msg, struct pam_response **resp,
    void *arg)
{
	struct pt_out *o = arg;
	struct pam_response *r;
	int i;

	if (n <= 0 || (r = calloc((size_t)n, sizeof(*r))) == NULL)
		return PAM_CONV_ERR;
	for (i = 0; i < n; i++) {
		switch (msg[i]->msg_style) {
		case PAM_ERROR_MSG:
		case PAM_TEXT_INFO:
			if (o->n_msg < PT_MSG_MAX) {
				o->msg_style[o->n_msg] = msg[i]->msg_style;
				snprintf(o->msg[o->n_msg], sizeof(o->msg[0]),
				    "%s", msg[i]->msg);
				o->n_msg++;
			}
			break;
		default:
			if (o->answer == NULL) {
				free(r);
				return PAM_CONV_ERR;
			}
			r[i].resp = strdup(o->answer);
			break;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}

static void
pt_getenv(pam_handle_t *pamh, const char *name, char *buf, size_t size,
    int *has)
{
	const char *v = pam_getenv(pamh, name);

	*has = v != NULL;
	snprintf(buf, size, "%s", v ? v : "");
}

/* pam_start_confdir + acct_mgmt or authenticate + pam_end. user may be
 * NULL (the module must then ask through the conversation). */
__attribute__((unused)) static int
pt_run(const char *confdir, const char *service, const char *user,
    int which, int flags, struct pt_out *o)
{
	struct pam_conv conv = { pt_conv, o };
	pam_handle_t *pamh = NULL;
	const char *answer = o->answer;
	int dummy;

	memset(o, 0, sizeof(*o));
	o->answer = answer;
	o->start_rc = pam_start_confdir(service, user, &conv, confdir, &pamh);
	if (o->start_rc != PAM_SUCCESS)
		return o->rc = -1000 - o->start_rc;
	if (which == PT_AUTH)
		o->rc = pam_authenticate(pamh, flags);
	else
		o->rc = pam_acct_mgmt(pamh, flags);
	pt_getenv(pamh, "BMSUB_DECISION", o->decision, sizeof(o->decision),
	    &o->has_decision);
	pt_getenv(pamh, "BMSUB_PHASE", o->phase, sizeof(o->phase), &dummy);
	pt_getenv(pamh, "BMSUB_REDIRECT", o->redirect, sizeof(o->redirect),
	    &o->has_redirect);
	pt_getenv(pamh, "BMSUB_BANNER", o->banner, sizeof(o->banner),
	    &o->has_banner);
	pam_end(pamh, o->rc);
	return o->rc;
}

#endif
