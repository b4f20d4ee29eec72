/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_config.c - bmsub.conf: defaults, full and shipped files, a table of
 * refused configurations with their line, and service categories. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bmsub.h"
#include "tlib.h"
#include "internal.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void
assert_list(const struct bmsub_strlist *l, const char *const *want)
{
	size_t i;

	for (i = 0; want[i] != NULL; i++) {
		ck_assert_uint_gt(l->n, i);
		ck_assert_str_eq(l->v[i], want[i]);
	}
	ck_assert_uint_eq(l->n, i);
}

static const char *const none[] = { NULL };

static void
assert_defaults(const struct bmsub_config *c)
{
	static const char *const admins[] = { "admin0", NULL };
	static const char *const imap[] = { "imap", "imaps", "pop3", "pop3s",
	    "pop", "dovecot", "sieve", "managesieve", NULL };
	static const char *const eas[] = { "eas", "activesync", "z-push",
	    NULL };
	static const char *const web[] = { "webmail", "nginx", "roundcube",
	    "sogo", NULL };
	static const char *const smtp[] = { "smtp", "smtps", "submission",
	    NULL };
	static const char *const adm[] = { "bmsub-admin", NULL };

	ck_assert_str_eq(c->license, "/etc/bmsub/license");
	ck_assert_str_eq(c->keys_dir, "/etc/bmsub/keys.d");
	ck_assert_str_eq(c->state_dir, "/var/lib/bmsub");
	ck_assert_ptr_null(c->admin_url);
	assert_list(&c->admin_users, admins);
	assert_list(&c->admin_groups, none);
	assert_list(&c->user_groups, none);
	ck_assert_ptr_null(c->user_roster);
	assert_list(&c->user_exclude, none);
	assert_list(&c->services[BMSUB_CAT_IMAP], imap);
	assert_list(&c->services[BMSUB_CAT_EAS], eas);
	assert_list(&c->services[BMSUB_CAT_WEBMAIL], web);
	assert_list(&c->services[BMSUB_CAT_SMTP], smtp);
	assert_list(&c->services[BMSUB_CAT_ADMIN], adm);
	assert_list(&c->services[BMSUB_CAT_OTHER], none);
	ck_assert_str_eq(c->sendmail, "/usr/sbin/sendmail");
	ck_assert_ptr_null(c->notify_from);
	assert_list(&c->local_domains, none);
	ck_assert_ptr_null(c->cluster_database);
	ck_assert_ptr_null(c->cluster_node);
	ck_assert_int_eq(c->cluster_node_timeout_hours, 48);
	ck_assert_int_eq(c->cluster_claim_lease_seconds, 900);
}

START_TEST(test_defaults)
{
	struct bmsub_config *c = NULL;

	ck_assert_int_eq(bmsub_config_defaults(&c), 0);
	assert_defaults(c);
	bmsub_config_free(c);
	bmsub_config_free(NULL);
}
END_TEST

START_TEST(test_empty_text_is_defaults)
{
	struct bmsub_config *c = NULL;
	struct bmsub_error e;

	ck_assert_int_eq(bm_config_parse("# nothing\n\n", "t", &c, &e), 0);
	ck_assert_int_eq(e.code, 0);
	assert_defaults(c);
	bmsub_config_free(c);
}
END_TEST

START_TEST(test_full_file)
{
	static const char *const au[] = { "alice", "bob", NULL };
	static const char *const ag[] = { "mailadmins", "wheel", NULL };
	static const char *const ug[] = { "mailusers", "staff", NULL };
	static const char *const ex[] = { "postmaster", "backup", NULL };
	static const char *const imap[] = { "dovecot-imap", "dovecot-pop3",
	    NULL };
	static const char *const eas[] = { "zpush", NULL };
	static const char *const web[] = { "roundcube", NULL };
	static const char *const smtp[] = { "postfix-smtp", NULL };
	static const char *const adm[] = { "portal", NULL };
	static const char *const ld[] = { "example.net", "example.org", NULL };
	static const char *const xg[] = { "away", "partner", NULL };
	struct bmsub_config *c = NULL;
	struct bmsub_error e;
	char *text = tlib_slurp("tests/data/conf/full.conf", NULL);

	ck_assert_msg(bm_config_parse(text, "full.conf", &c, &e) == 0, "%s",
	    e.msg);
	ck_assert_str_eq(c->license, "/srv/bmsub/license.txt");
	ck_assert_str_eq(c->keys_dir, "/srv/bmsub/keys");
	ck_assert_str_eq(c->state_dir, "/srv/bmsub/state");
	ck_assert_str_eq(c->admin_url,
	    "https://portal.example.net/subscription");
	assert_list(&c->admin_users, au);
	assert_list(&c->admin_groups, ag);
	assert_list(&c->user_groups, ug);
	ck_assert_ptr_null(c->user_roster);
	assert_list(&c->user_exclude, ex);
	assert_list(&c->services[BMSUB_CAT_IMAP], imap);
	assert_list(&c->services[BMSUB_CAT_EAS], eas);
	assert_list(&c->services[BMSUB_CAT_WEBMAIL], web);
	assert_list(&c->services[BMSUB_CAT_SMTP], smtp);
	assert_list(&c->services[BMSUB_CAT_ADMIN], adm);
	ck_assert_str_eq(c->sendmail, "/usr/lib/sendmail");
	ck_assert_str_eq(c->notify_from, "billing@example.net");
	ck_assert_str_eq(c->cluster_database, "host=db.example.net "
	    "dbname=bmsub user=bmsub sslmode=verify-full");
	ck_assert_str_eq(c->cluster_node, "imap1");
	ck_assert_int_eq(c->cluster_node_timeout_hours, 12);
	ck_assert_int_eq(c->cluster_claim_lease_seconds, 600);
	assert_list(&c->local_domains, ld);
	assert_list(&c->external_groups, xg);
	ck_assert_str_eq(c->external_roster, "/srv/bmsub/external");
	ck_assert_int_eq(c->hosted_only, 1);
	ck_assert_int_eq(bmsub_config_has_external(c), 1);
	/* services replaced, not appended: the default names are gone */
	ck_assert_int_eq(bmsub_config_category(c, "imap"), BMSUB_CAT_OTHER);
	ck_assert_int_eq(bmsub_config_category(c, "zpush"), BMSUB_CAT_EAS);
	bmsub_config_free(c);
	free(text);
}
END_TEST

START_TEST(test_shipped_file)
{
	struct bmsub_config *c = NULL;
	struct bmsub_error e;
	char *text = tlib_slurp("conf/bmsub.conf", NULL);

	ck_assert_msg(bm_config_parse(text, "bmsub.conf", &c, &e) == 0, "%s",
	    e.msg);
	assert_defaults(c);
	bmsub_config_free(c);
	free(text);
}
END_TEST

/* Uncomments every key line ("#key", "#  key", "#};") as an operator
 * would, the equivalent of sed 's/^#\([^ #]\|  \)/\1/'. */
START_TEST(test_shipped_uncommented)
{
	static const char *const imap[] = { "imap", "imaps", "pop3", "pop3s",
	    "pop", "dovecot", "sieve", "managesieve", NULL };
	struct bmsub_config *c = NULL;
	struct bmsub_error e;
	char *text = tlib_slurp("conf/bmsub.conf", NULL), *out, *p, *o;
	int bol = 1, keys = 0;

	ck_assert_ptr_nonnull(out = malloc(strlen(text) + 1));
	for (p = text, o = out; *p != '\0'; p++) {
		if (bol && p[0] == '#' && ((p[1] != ' ' && p[1] != '#' &&
		    p[1] != '\n' && p[1] != '\0') ||
		    (p[1] == ' ' && p[2] == ' '))) {
			keys++;
			bol = 0;
			continue;
		}
		bol = *p == '\n';
		*o++ = *p;
	}
	*o = '\0';
	/* 4 top keys, 5 groups with 2+5+5+3+4 keys (users.external on one
	 * line), 5 closing braces */
	ck_assert_int_eq(keys, 4 + 5 + 19 + 5);
	ck_assert_msg(bm_config_parse(out, "uncommented", &c, &e) == 0, "%s",
	    e.msg);
	ck_assert_str_eq(c->license, "/etc/bmsub/license");
	ck_assert_str_eq(c->admin_url, "https://mail.example.com/bmsub/");
	ck_assert_str_eq(c->user_roster, "/etc/bmsub/roster");
	ck_assert_str_eq(c->external_roster, "/etc/bmsub/external");
	ck_assert_int_eq(c->hosted_only, 0);
	ck_assert_str_eq(c->notify_from, "bmsub@example.com");
	ck_assert_str_eq(c->cluster_node, "imap1");
	ck_assert_int_eq(c->cluster_node_timeout_hours, 48);
	ck_assert_int_eq(c->cluster_claim_lease_seconds, 900);
	assert_list(&c->services[BMSUB_CAT_IMAP], imap);
	bmsub_config_free(c);
	free(out);
	free(text);
}
END_TEST

/* ------------------------------------------------------------------ */

static const struct bad {
	const char *text;
	unsigned line;
	const char *msg;	/* substring of the message */
} bad[] = {
	/* unknown keys, every level */
	{ "licence = \"/x\";", 1, "unknown key licence" },
	{ "license = \"/x\";\n\nadmins = {\n  users = [\"a\"];\n"
	  "  group = [];\n};", 5, "unknown key admins.group" },
	{ "users = { groups = [\"g\"]; count = 5; };", 1,
	  "unknown key users.count" },
	{ "notify = {\n to = \"x\";\n};", 2, "unknown key notify.to" },
	{ "services = {\n  imap = [\"imap\"];\n  other = [\"x\"];\n};", 3,
	  "unknown key services.other: categories are" },
	{ "services = { pop = [\"x\"]; };", 1, "unknown key services.pop" },
	/* wrong types */
	{ "license = 5;", 1, "license: string expected" },
	{ "keys_dir = [\"/a\"];", 1, "keys_dir: string expected" },
	{ "state_dir = { };", 1, "state_dir: string expected" },
	{ "admin_url = true;", 1, "admin_url: string expected" },
	{ "admins = \"root\";", 1, "admins: group { ... } expected" },
	{ "services = ( \"imap\" );", 1, "services: group { ... } expected" },
	{ "admins = { users = \"root\"; };", 1,
	  "admins.users: list of strings expected" },
	{ "admins = {\n  groups = [\n    1\n  ];\n};", 3,
	  "admins.groups[0]: string expected" },
	{ "users = { exclude = ( \"a\", ( \"b\" ) ); };", 1,
	  "users.exclude[1]: string expected" },
	{ "notify = { local_domains = \"example.com\"; };", 1,
	  "notify.local_domains: list of strings expected" },
	{ "notify = { sendmail = [ \"/usr/sbin/sendmail\" ]; };", 1,
	  "notify.sendmail: string expected" },
	{ "users = { roster = 1; };", 1, "users.roster: string expected" },
	/* values */
	{ "license = \"license\";", 1, "license: absolute path expected" },
	{ "users = { roster = \"roster.txt\"; };", 1,
	  "users.roster: absolute path expected" },
	{ "notify = { sendmail = \"sendmail\"; };", 1,
	  "notify.sendmail: absolute path expected" },
	{ "admin_url = \"ftp://example.com/\";", 1,
	  "admin_url: URL starting with https:// or http://" },
	{ "admin_url = \"https://\";", 1, "admin_url: URL starting" },
	{ "admin_url = \"example.com\";", 1, "admin_url: URL starting" },
	{ "admin_url = \"https:/x/y\";", 1, "admin_url: URL starting" },
	{ "admin_url = \"http://\";", 1, "admin_url: URL starting" },
	{ "license = \"./license\";", 1, "license: absolute path expected" },
	{ "admins = { users = [ \"a\\x7fb\" ]; };", 1,
	  "admins.users[0]: blank or control" },
	{ "admin_url = \"https://a b/\";", 1, "admin_url: blank or control" },
	{ "license = \"\";", 1, "license: empty string" },
	{ "admins = {\n  users = [ \"a\",\n  \"\" ];\n};", 3,
	  "admins.users[1]: empty string" },
	{ "admins = { users = [ \"a\\tb\" ]; };", 1,
	  "admins.users[0]: blank or control" },
	{ "users = { groups = [ \"mail users\" ]; };", 1,
	  "users.groups[0]: blank or control" },
	{ "notify = { from = \"-oQ/tmp\"; };", 1,
	  "notify.from: \"-oQ/tmp\" must not start with '-'" },
	/* cluster (SPEC 8) */
	{ "cluster = \"db\";", 1, "cluster: group { ... } expected" },
	{ "cluster = { database = 1; };", 1, "cluster.database: string expected" },
	{ "cluster = { database = \"\"; };", 1, "cluster.database: empty string" },
	{ "cluster = { database = \"host=a\\tb\"; };", 1,
	  "cluster.database: control character" },
	{ "cluster = { node = \"imap 1\"; };", 1, "cluster.node: blank or control" },
	{ "cluster = { node = \"-x\"; };", 1, "cluster.node: \"-x\" must not" },
	{ "cluster = { node_timeout_hours = 0; };", 1,
	  "cluster.node_timeout_hours: 0 out of range 1..8760" },
	{ "cluster = { node_timeout_hours = 8761; };", 1,
	  "cluster.node_timeout_hours: 8761 out of range" },
	{ "cluster = { node_timeout_hours = \"48\"; };", 1,
	  "cluster.node_timeout_hours: whole number of hours expected" },
	{ "cluster = { node_timeout_hours = 1.5; };", 1,
	  "cluster.node_timeout_hours: whole number" },
	{ "cluster = { claim_lease_seconds = 179; };", 1,
	  "cluster.claim_lease_seconds: 179 out of range 180..86400" },
	{ "cluster = { claim_lease_seconds = 0; };", 1,
	  "cluster.claim_lease_seconds: 0 out of range" },
	{ "cluster = { claim_lease_seconds = -900; };", 1,
	  "cluster.claim_lease_seconds: -900 out of range" },
	{ "cluster = { claim_lease_seconds = 86401; };", 1,
	  "cluster.claim_lease_seconds: 86401 out of range 180..86400" },
	{ "cluster = { claim_lease_seconds = 4294968196L; };", 1,
	  "cluster.claim_lease_seconds: 4294968196 out of range" },
	{ "cluster = { claim_lease_seconds = \"900\"; };", 1,
	  "cluster.claim_lease_seconds: whole number of seconds expected" },
	{ "cluster = { claim_lease_seconds = 900.0; };", 1,
	  "cluster.claim_lease_seconds: whole number of seconds" },
	{ "cluster = { claim_lease_seconds = true; };", 1,
	  "cluster.claim_lease_seconds: whole number" },
	{ "cluster = { claim_lease_seconds = [ 900 ]; };", 1,
	  "cluster.claim_lease_seconds: whole number" },
	{ "cluster = { claim_lease_second = 900; };", 1,
	  "cluster.claim_lease_second" },
	{ "cluster = { port = 5432; };", 1, "cluster.port" },
	/* cross checks */
	{ "users = {\n  groups = [\"mail\"];\n  roster = \"/r\";\n};", 3,
	  "users.groups and users.roster are exclusive" },
	{ "users = {\n  roster = \"/r\";\n  groups = [\"mail\"];\n};", 3,
	  "users.groups and users.roster are exclusive" },
	{ "services = { webmail = [ \"webmail\", \"imap\" ]; };", 1,
	  "service \"imap\" is listed under services.imap and "
	  "services.webmail" },
	{ "services = {\n  imap = [\"a\"];\n  eas = [\"b\"];\n"
	  "  smtp = [\"b\"];\n};", 4,
	  "service \"b\" is listed under services.eas and services.smtp" },
	/* libconfig's own errors, with its line */
	{ "license = \"/a\";\nkeys_dir = \"/b\";\nstate_dir = ;", 3,
	  "t line 3: syntax error" },
	{ "license = \"/a\";\n\nlicense = \"/b\";", 3,
	  "t line 3: duplicate setting name" },
	{ "license = \"/a;\nkeys_dir = 1;", 2, "t line 2: syntax error" },
	{ "admins = { users = [ \"a\", 1 ]; };", 1,
	  "mismatched element type" },
	{ "license = \"/a\";\n  @include \"/etc/passwd\"\n", 2,
	  "@include" },
	{ "license = \"/a\";\n\t@include \"/etc/passwd\"\n", 2,
	  "@include" },
	{ "services = { imap = [\"a\"]; eas = [\"a\"]; };", 1,
	  "service \"a\" is listed under services.imap and services.eas" },
};

START_TEST(test_bad)
{
	const struct bad *b = &bad[_i];
	struct bmsub_config *c = (struct bmsub_config *)1;
	struct bmsub_error e;
	int r;

	memset(&e, 0, sizeof(e));
	r = bm_config_parse(b->text, "t", &c, &e);
	ck_assert_msg(r == BMSUB_E_CONFIG, "case %d: got %d (%s)", _i, r,
	    e.msg);
	ck_assert_int_eq(e.code, BMSUB_E_CONFIG);
	ck_assert_ptr_null(c);
	ck_assert_msg(e.line == b->line, "case %d: line %u, want %u (%s)",
	    _i, e.line, b->line, e.msg);
	ck_assert_msg(strstr(e.msg, b->msg) != NULL,
	    "case %d: \"%s\" lacks \"%s\"", _i, e.msg, b->msg);
	ck_assert_msg(strncmp(e.msg, "t", 1) == 0, "file not named: %s",
	    e.msg);
	ck_assert_ptr_null(strchr(e.msg, '\n'));
}
END_TEST

static const struct good {
	const char *text;
} good[] = {
	/* an empty groups list beside a roster is no conflict */
	{ "users = { groups = [ ]; roster = \"/r\"; };" },
	/* lists may be libconfig lists or arrays, and empty */
	{ "admins = { users = ( \"a\", \"b\" ); groups = ( ); };" },
	{ "admin_url = \"http://intranet/\";" },
	/* a service repeated in one category is harmless */
	{ "services = { imap = [ \"x\", \"x\" ]; };" },
	/* moving a default name: set both categories */
	{ "services = { imap = [ \"imaps\" ]; webmail = [ \"imap\" ]; };" },
};

START_TEST(test_good)
{
	struct bmsub_config *c = NULL;
	struct bmsub_error e;

	ck_assert_msg(bm_config_parse(good[_i].text, "t", &c, &e) == 0,
	    "case %d: %s", _i, e.msg);
	ck_assert_ptr_nonnull(c);
	bmsub_config_free(c);
}
END_TEST

/* The claim lease's bounds are inclusive and the value is kept. */
static const struct lease_case {
	const char *text;
	int want;
} lease_cases[] = {
	{ "cluster = { claim_lease_seconds = 180; };", 180 },
	{ "cluster = { claim_lease_seconds = 86400; };", 86400 },
	{ "cluster = { claim_lease_seconds = 86400L; };", 86400 },
	{ "cluster = { node_timeout_hours = 1; };", 900 },
};

START_TEST(test_lease_bounds)
{
	struct bmsub_config *c = NULL;
	struct bmsub_error e;

	ck_assert_msg(bm_config_parse(lease_cases[_i].text, "t", &c, &e) == 0,
	    "case %d: %s", _i, e.msg);
	ck_assert_int_eq(c->cluster_claim_lease_seconds, lease_cases[_i].want);
	bmsub_config_free(c);
}
END_TEST

START_TEST(test_long_values)
{
	char text[5000], val[4200];
	struct bmsub_config *c = NULL;
	struct bmsub_error e;

	/* admin_url: 400 bytes (BMSUB_ADMIN_URL_MAX) fit every message
	 * whole, 401 do not */
	memset(val, 'a', sizeof(val));
	memcpy(val, "https://", 8);
	val[BMSUB_ADMIN_URL_MAX] = '\0';
	snprintf(text, sizeof(text), "admin_url = \"%s\";", val);
	ck_assert_int_eq(bm_config_parse(text, "t", &c, &e), 0);
	ck_assert_uint_eq(strlen(c->admin_url), 400);
	bmsub_config_free(c);
	val[BMSUB_ADMIN_URL_MAX] = 'a';
	val[BMSUB_ADMIN_URL_MAX + 1] = '\0';
	snprintf(text, sizeof(text), "admin_url = \"%s\";", val);
	ck_assert_int_eq(bm_config_parse(text, "t", &c, &e), BMSUB_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(e.msg, "longer than 400"));
	val[511] = 'a';
	val[512] = '\0';
	snprintf(text, sizeof(text), "admin_url = \"%s\";", val);
	ck_assert_int_eq(bm_config_parse(text, "t", &c, &e), BMSUB_E_CONFIG);
	/* other strings: 4095 bytes */
	memset(val, 'b', sizeof(val));
	val[0] = '/';
	val[4095] = '\0';
	snprintf(text, sizeof(text), "license = \"%s\";", val);
	ck_assert_int_eq(bm_config_parse(text, "t", &c, &e), 0);
	bmsub_config_free(c);
	val[4095] = 'b';
	val[4096] = '\0';
	snprintf(text, sizeof(text), "license = \"%s\";", val);
	ck_assert_int_eq(bm_config_parse(text, "t", &c, &e), BMSUB_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(e.msg, "longer than 4095"));
}
END_TEST

/* ------------------------------------------------------------------ */

static const struct map {
	const char *service;
	enum bmsub_category cat;
} map_default[] = {
	{ "imap", BMSUB_CAT_IMAP }, { "imaps", BMSUB_CAT_IMAP },
	{ "pop3", BMSUB_CAT_IMAP }, { "pop", BMSUB_CAT_IMAP },
	{ "dovecot", BMSUB_CAT_IMAP }, { "sieve", BMSUB_CAT_IMAP },
	{ "managesieve", BMSUB_CAT_IMAP },
	{ "eas", BMSUB_CAT_EAS }, { "z-push", BMSUB_CAT_EAS },
	{ "activesync", BMSUB_CAT_EAS },
	{ "webmail", BMSUB_CAT_WEBMAIL }, { "nginx", BMSUB_CAT_WEBMAIL },
	{ "roundcube", BMSUB_CAT_WEBMAIL }, { "sogo", BMSUB_CAT_WEBMAIL },
	{ "smtp", BMSUB_CAT_SMTP }, { "smtps", BMSUB_CAT_SMTP },
	{ "submission", BMSUB_CAT_SMTP },
	{ "bmsub-admin", BMSUB_CAT_ADMIN },
	/* exact match only */
	{ "sshd", BMSUB_CAT_OTHER }, { "IMAP", BMSUB_CAT_OTHER },
	{ "imap ", BMSUB_CAT_OTHER }, { "ima", BMSUB_CAT_OTHER },
	{ "imapx", BMSUB_CAT_OTHER }, { "", BMSUB_CAT_OTHER },
	{ "other", BMSUB_CAT_OTHER }, { "admin", BMSUB_CAT_OTHER },
	{ NULL, BMSUB_CAT_OTHER },
};

START_TEST(test_category_default)
{
	struct bmsub_config *c = NULL;

	ck_assert_int_eq(bmsub_config_defaults(&c), 0);
	ck_assert_int_eq(bmsub_config_category(c, map_default[_i].service),
	    map_default[_i].cat);
	bmsub_config_free(c);
}
END_TEST

START_TEST(test_category_custom)
{
	struct bmsub_config *c = NULL;
	struct bmsub_error e;

	ck_assert_int_eq(bm_config_parse("services = { imap = [ \"mail\" ]; "
	    "admin = [ \"imaps\", \"panel\" ]; };", "t", &c, &e), 0);
	ck_assert_int_eq(bmsub_config_category(c, "mail"), BMSUB_CAT_IMAP);
	ck_assert_int_eq(bmsub_config_category(c, "imap"), BMSUB_CAT_OTHER);
	ck_assert_int_eq(bmsub_config_category(c, "imaps"), BMSUB_CAT_ADMIN);
	ck_assert_int_eq(bmsub_config_category(c, "panel"), BMSUB_CAT_ADMIN);
	ck_assert_int_eq(bmsub_config_category(c, "bmsub-admin"),
	    BMSUB_CAT_OTHER);
	ck_assert_int_eq(bmsub_config_category(c, "nginx"),
	    BMSUB_CAT_WEBMAIL);
	ck_assert_int_eq(bmsub_config_category(NULL, "imap"),
	    BMSUB_CAT_OTHER);
	bmsub_config_free(c);
}
END_TEST

static const struct catname {
	enum bmsub_category cat;
	const char *name;
	int web;
} catnames[] = {
	{ BMSUB_CAT_IMAP, "imap", 0 },
	{ BMSUB_CAT_EAS, "eas", 0 },
	{ BMSUB_CAT_WEBMAIL, "webmail", 1 },
	{ BMSUB_CAT_SMTP, "smtp", 0 },
	{ BMSUB_CAT_ADMIN, "admin", 1 },
	{ BMSUB_CAT_OTHER, "other", 0 },
};

START_TEST(test_category_names)
{
	enum bmsub_category c = BMSUB_CAT_IMAP;

	ck_assert_str_eq(bmsub_category_name(catnames[_i].cat),
	    catnames[_i].name);
	ck_assert_int_eq(bmsub_category_parse(catnames[_i].name, &c), 0);
	ck_assert_int_eq(c, catnames[_i].cat);
	ck_assert_int_eq(bmsub_category_is_web(catnames[_i].cat),
	    catnames[_i].web);
}
END_TEST

START_TEST(test_category_parse_bad)
{
	static const char *const badnames[] = { "", "IMAP", "web", "imap ",
	    "pop", "admins", "others", "webmail\n" };
	enum bmsub_category c = BMSUB_CAT_IMAP;
	size_t i;

	for (i = 0; i < N(badnames); i++) {
		c = BMSUB_CAT_IMAP;
		ck_assert_int_eq(bmsub_category_parse(badnames[i], &c),
		    BMSUB_E_INVALID);
		ck_assert_int_eq(c, BMSUB_CAT_OTHER);
	}
	ck_assert_int_eq(bmsub_category_parse(NULL, &c), BMSUB_E_INVALID);
	ck_assert_str_eq(bmsub_category_name((enum bmsub_category)99),
	    "other");
	/* the first value past the table, and a negative one */
	ck_assert_str_eq(bmsub_category_name(BMSUB_CAT__COUNT), "other");
	ck_assert_str_eq(bmsub_category_name((enum bmsub_category)-1), "other");
	ck_assert_int_eq(bmsub_category_is_web((enum bmsub_category)99), 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* bmsub_config_load: the file checks come from bmsub_file_read. */

static char tmpdir[] = "/tmp/bmsub-cfg.XXXXXX";

START_TEST(test_load)
{
	static const char ok[] = "license = \"/l\";\n";
	static const char nul[] = "license = \"/l\";\n\0x";
	static const char badline[] = "\n\nlicense = 1;\n";
	struct bmsub_config *c = NULL;
	struct bmsub_error e;
	char path[128];

	snprintf(path, sizeof(path), "%s/bmsub.conf", tmpdir);
	free(tlib_put(NULL, path, ok, sizeof(ok) - 1, 0600));
	ck_assert_msg(bmsub_config_load(path, &c, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(c->license, "/l");
	bmsub_config_free(c);

	free(tlib_put(NULL, path, ok, sizeof(ok) - 1, 0666));
	ck_assert_int_eq(bmsub_config_load(path, &c, &e),
	    BMSUB_E_PERMISSIONS);
	ck_assert_ptr_null(c);

	free(tlib_put(NULL, path, nul, sizeof(nul) - 1, 0600));
	ck_assert_int_eq(bmsub_config_load(path, &c, &e), BMSUB_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(e.msg, "NUL"));

	free(tlib_put(NULL, path, badline, sizeof(badline) - 1, 0600));
	ck_assert_int_eq(bmsub_config_load(path, &c, &e), BMSUB_E_CONFIG);
	ck_assert_uint_eq(e.line, 3);
	ck_assert_msg(strncmp(e.msg, path, strlen(path)) == 0, "%s", e.msg);

	unlink(path);
	ck_assert_int_eq(bmsub_config_load(path, &c, &e), BMSUB_E_NOT_FOUND);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(bmsub_config_load(NULL, &c, &e), BMSUB_E_INVALID);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("config");
	TCase *tc;
	int nf;

	tc = tcase_create("parse");
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_empty_text_is_defaults);
	tcase_add_test(tc, test_full_file);
	tcase_add_test(tc, test_shipped_file);
	tcase_add_test(tc, test_shipped_uncommented);
	tcase_add_loop_test(tc, test_bad, 0, (int)N(bad));
	tcase_add_loop_test(tc, test_good, 0, (int)N(good));
	tcase_add_loop_test(tc, test_lease_bounds, 0, (int)N(lease_cases));
	tcase_add_test(tc, test_long_values);
	suite_add_tcase(s, tc);

	tc = tcase_create("category");
	tcase_add_loop_test(tc, test_category_default, 0, (int)N(map_default));
	tcase_add_test(tc, test_category_custom);
	tcase_add_loop_test(tc, test_category_names, 0, (int)N(catnames));
	tcase_add_test(tc, test_category_parse_bad);
	suite_add_tcase(s, tc);

	if (mkdtemp(tmpdir) == NULL)
		return EXIT_FAILURE;
	tc = tcase_create("load");
	tcase_add_test(tc, test_load);
	suite_add_tcase(s, tc);

	nf = tlib_run(s);
	rmdir(tmpdir);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
