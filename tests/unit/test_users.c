/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_users.c - administrator role and licensed user count: roster
 * rules, and (under nss_wrapper, from tests/sh/users_nss.sh) NSS groups
 * with secondary and primary members, up to 100,000 of them. */
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

/* A config from libconfig text (the parser is tested in test_config). */
static struct bmsub_config *
conf(const char *text)
{
	struct bmsub_config *c = NULL;
	struct bmsub_error e;

	ck_assert_msg(bm_config_parse(text, "t", &c, &e) == 0, "%s", e.msg);
	return c;
}

static void
strlist(struct bmsub_strlist *l, const char *const *v)
{
	for (; *v != NULL; v++)
		ck_assert_int_eq(bm_strlist_add(l, *v), 0);
}

/* ------------------------------------------------------------------ */

static const char *const ex_none[] = { NULL };
static const char *const ex_bob[] = { "bob", NULL };
static const char *const ex_many[] = { "zed", "bob", "nobody", "alice",
    NULL };

static const struct roster {
	const char *text;
	size_t len;		/* 0: strlen */
	const char *const *exclude;
	int code;
	uint64_t count;		/* when code == 0 */
	unsigned line;		/* when code != 0 */
} rosters[] = {
	{ "alice\nbob\nalice\n", 0, ex_none, 0, 2, 0 },
	{ "alice\nbob", 0, ex_none, 0, 2, 0 },
	{ "# staff\n\nalice\n#bob\n", 0, ex_none, 0, 1, 0 },
	{ "", 0, ex_none, 0, 0, 0 },
	{ "\n\n\n", 0, ex_none, 0, 0, 0 },
	{ "b\na\nc\na\nb\nc\nc\n", 0, ex_none, 0, 3, 0 },
	{ "Alice\nalice\nALICE\n", 0, ex_none, 0, 3, 0 },
	{ "alice\nbob\ncarol\n", 0, ex_bob, 0, 2, 0 },
	{ "bob\nbob\nbob\n", 0, ex_bob, 0, 0, 0 },
	{ "alice\nbob\ncarol\ndave\n", 0, ex_many, 0, 2, 0 },
	{ "carol\n", 0, ex_many, 0, 1, 0 },
	{ "user@example.com\nx.y-z_1\n", 0, ex_none, 0, 2, 0 },
	/* strict: a line that is not a whole login is an error */
	{ "alice\nbo b\n", 0, ex_none, BMSUB_E_SYNTAX, 0, 2 },
	{ " alice\n", 0, ex_none, BMSUB_E_SYNTAX, 0, 1 },
	{ "alice \n", 0, ex_none, BMSUB_E_SYNTAX, 0, 1 },
	{ "alice\r\nbob\r\n", 0, ex_none, BMSUB_E_SYNTAX, 0, 1 },
	{ "alice\n\tbob\n", 0, ex_none, BMSUB_E_SYNTAX, 0, 2 },
	{ "alice\n \n", 0, ex_none, BMSUB_E_SYNTAX, 0, 2 },
	{ "alice\n # note\n", 0, ex_none, BMSUB_E_SYNTAX, 0, 2 },
	{ "a\nb\nc\x7f\n", 0, ex_none, BMSUB_E_SYNTAX, 0, 3 },
	{ "alice\nb\0b\n", 10, ex_none, BMSUB_E_SYNTAX, 0, 0 },
	{ "alice\nbob\n\0", 11, ex_none, BMSUB_E_SYNTAX, 0, 0 },
};

START_TEST(test_roster)
{
	const struct roster *t = &rosters[_i];
	struct bmsub_strlist ex = { NULL, 0 };
	struct bmsub_error e;
	uint64_t count = 77;
	int r;

	strlist(&ex, t->exclude);
	memset(&e, 0, sizeof(e));
	r = bm_roster_count(t->text, t->len != 0 ? t->len : strlen(t->text),
	    "roster", &ex, &count, &e);
	ck_assert_msg(r == t->code, "case %d: %d (%s)", _i, r, e.msg);
	if (r == 0) {
		ck_assert_msg(count == t->count, "case %d: count %llu", _i,
		    (unsigned long long)count);
	} else {
		ck_assert_uint_eq(count, 0);
		ck_assert_msg(e.line == t->line, "case %d: line %u (%s)", _i,
		    e.line, e.msg);
		ck_assert_msg(strncmp(e.msg, "roster", 6) == 0, "%s", e.msg);
	}
	bmsub_strlist_free(&ex);
}
END_TEST

/* 255 bytes is the longest login. */
START_TEST(test_roster_long_login)
{
	struct bmsub_strlist ex = { NULL, 0 };
	struct bmsub_error e;
	char text[600];
	uint64_t count;

	memset(text, 'a', sizeof(text));
	memcpy(text, "x\ny\n", 4);
	text[4 + 255] = '\n';
	ck_assert_int_eq(bm_roster_count(text, 4 + 256, "r", &ex, &count, &e),
	    0);
	ck_assert_uint_eq(count, 3);
	text[4 + 255] = 'a';
	text[4 + 256] = '\n';
	ck_assert_int_eq(bm_roster_count(text, 4 + 257, "r", &ex, &count, &e),
	    BMSUB_E_SYNTAX);
	ck_assert_uint_eq(e.line, 3);
	ck_assert_ptr_nonnull(strstr(e.msg, "longer than 255"));
}
END_TEST

START_TEST(test_count_no_source)
{
	struct bmsub_config *c = conf("");
	struct bmsub_error e;
	uint64_t count = 5;

	ck_assert_int_eq(bmsub_count_users(c, NULL, &count, &e),
	    BMSUB_E_CONFIG);
	ck_assert_uint_eq(count, 0);
	ck_assert_str_eq(e.msg, "no user source: set users.groups or "
	    "users.roster, or pass --users N");
	bmsub_config_free(c);
	/* an empty groups list is no source either */
	c = conf("users = { groups = [ ]; };");
	ck_assert_int_eq(bmsub_count_users(c, NULL, &count, &e),
	    BMSUB_E_CONFIG);
	/* both, built by hand (the parser refuses it) */
	ck_assert_int_eq(bm_strlist_add(&c->user_groups, "g"), 0);
	ck_assert_ptr_nonnull(c->user_roster = strdup("/r"));
	ck_assert_int_eq(bmsub_count_users(c, NULL, &count, &e),
	    BMSUB_E_CONFIG);
	ck_assert_int_eq(bmsub_count_users(NULL, NULL, &count, &e),
	    BMSUB_E_INVALID);
	bmsub_config_free(c);
}
END_TEST

/* Names alone need no NSS lookup. */
static const struct by_name {
	const char *conf;
	const char *user;
	int admin;
} by_name[] = {
	{ "", "admin0", 1 },
	{ "", "admin", 0 },
	{ "", "Admin0", 0 },
	{ "", "admin0 ", 0 },
	{ "", "root", 0 },
	{ "admins = { users = [ \"alice\", \"bob\" ]; };", "bob", 1 },
	{ "admins = { users = [ \"alice\", \"bob\" ]; };", "admin0", 0 },
	{ "admins = { users = [ ]; };", "admin0", 0 },
};

START_TEST(test_admin_by_name)
{
	struct bmsub_config *c = conf(by_name[_i].conf);
	struct bmsub_error e;
	int admin = -1;

	ck_assert_int_eq(bmsub_is_admin(c, by_name[_i].user, &admin, &e), 0);
	ck_assert_int_eq(admin, by_name[_i].admin);
	bmsub_config_free(c);
}
END_TEST

START_TEST(test_admin_bad_args)
{
	struct bmsub_config *c = conf("");
	struct bmsub_error e;
	int admin = -1;

	ck_assert_int_eq(bmsub_is_admin(c, NULL, &admin, &e), BMSUB_E_INVALID);
	ck_assert_int_eq(admin, 0);
	admin = -1;
	ck_assert_int_eq(bmsub_is_admin(c, "", &admin, &e), BMSUB_E_INVALID);
	ck_assert_int_eq(admin, 0);
	ck_assert_int_eq(bmsub_is_admin(NULL, "admin0", &admin, &e),
	    BMSUB_E_INVALID);
	bmsub_config_free(c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Through NSS: tests/data/conf/nss/{passwd,group} under nss_wrapper.
 *   mailadmins (2000): alice; bob has it as primary group
 *   mailusers (2001): alice, carol, erin; dave has it as primary group
 *   staff (2002): carol, erin, bob
 *   empty (2003): nobody */

static const struct nss_admin {
	const char *groups;	/* admins.groups list body */
	const char *user;
	int admin;
} nss_admin[] = {
	{ "\"mailadmins\"", "alice", 1 },	/* secondary */
	{ "\"mailadmins\"", "bob", 1 },		/* primary */
	{ "\"mailadmins\"", "carol", 0 },
	{ "\"mailadmins\"", "dave", 0 },
	{ "\"mailadmins\"", "ghost", 0 },	/* no such user */
	{ "\"mailadmins\"", "admin0", 1 },	/* by name, still */
	{ "\"nosuchgroup\"", "alice", 0 },	/* no such group */
	{ "\"nosuchgroup\", \"staff\"", "erin", 1 },
	{ "\"empty\"", "alice", 0 },
	{ "\"mailusers\"", "dave", 1 },
	{ "\"mailusers\"", "bob", 0 },
	{ "\"staff\", \"mailusers\"", "bob", 1 },
	{ "\"staff\"", "Carol", 0 },
};

START_TEST(test_nss_admin)
{
	char text[256];
	struct bmsub_config *c;
	struct bmsub_error e;
	int admin = -1;

	snprintf(text, sizeof(text), "admins = { groups = [ %s ]; };",
	    nss_admin[_i].groups);
	c = conf(text);
	ck_assert_msg(bmsub_is_admin(c, nss_admin[_i].user, &admin, &e) == 0,
	    "%s", e.msg);
	ck_assert_msg(admin == nss_admin[_i].admin, "case %d: %s is%s admin",
	    _i, nss_admin[_i].user, admin ? "" : " not");
	bmsub_config_free(c);
}
END_TEST

static const struct nss_count {
	const char *users;	/* users = { ... } body */
	int code;
	uint64_t count;
} nss_count[] = {
	{ "groups = [ \"mailusers\" ];", 0, 4 },	/* alice carol erin dave */
	{ "groups = [ \"staff\" ];", 0, 3 },
	{ "groups = [ \"mailusers\", \"staff\" ];", 0, 5 },
	{ "groups = [ \"staff\", \"mailusers\", \"staff\" ];", 0, 5 },
	{ "groups = [ \"mailusers\", \"staff\" ]; exclude = [ \"erin\", "
	  "\"zed\" ];", 0, 4 },
	{ "groups = [ \"mailadmins\" ];", 0, 2 },	/* alice, bob */
	{ "groups = [ \"empty\" ];", 0, 0 },
	{ "groups = [ \"mailusers\", \"nosuchgroup\" ];", BMSUB_E_CONFIG, 0 },
};

START_TEST(test_nss_count)
{
	char text[256];
	struct bmsub_config *c;
	struct bmsub_error e;
	uint64_t count = 99;
	int r;

	snprintf(text, sizeof(text), "users = { %s };", nss_count[_i].users);
	c = conf(text);
	r = bmsub_count_users(c, NULL, &count, &e);
	ck_assert_msg(r == nss_count[_i].code, "case %d: %d (%s)", _i, r,
	    e.msg);
	ck_assert_msg(count == nss_count[_i].count, "case %d: %llu", _i,
	    (unsigned long long)count);
	if (r != 0)
		ck_assert_ptr_nonnull(strstr(e.msg, "nosuchgroup"));
	bmsub_config_free(c);
}
END_TEST

/* users_nss.sh adds a group of 100,000 secondary members, some listed
 * twice, plus users whose primary group it is, some also listed. */
START_TEST(test_nss_big_group)
{
	const char *group = getenv("BMSUB_TEST_BIG_GROUP");
	const char *want = getenv("BMSUB_TEST_BIG_COUNT");
	const char *member = getenv("BMSUB_TEST_BIG_MEMBER");
	const char *primary = getenv("BMSUB_TEST_BIG_PRIMARY");
	char text[256];
	struct bmsub_config *c;
	struct bmsub_error e;
	uint64_t count = 0;
	int admin = 0;

	ck_assert_ptr_nonnull(group);
	ck_assert_ptr_nonnull(want);
	ck_assert_ptr_nonnull(member);
	ck_assert_ptr_nonnull(primary);
	snprintf(text, sizeof(text), "users = { groups = [ \"%s\" ]; "
	    "exclude = [ \"%s\" ]; }; admins = { groups = [ \"%s\" ]; };",
	    group, "not-a-member", group);
	c = conf(text);
	ck_assert_msg(bmsub_count_users(c, NULL, &count, &e) == 0, "%s",
	    e.msg);
	ck_assert_uint_eq(count, strtoull(want, NULL, 10));
	/* the last secondary member and a primary-only member are admins */
	ck_assert_int_eq(bmsub_is_admin(c, member, &admin, &e), 0);
	ck_assert_int_eq(admin, 1);
	admin = 0;
	ck_assert_int_eq(bmsub_is_admin(c, primary, &admin, &e), 0);
	ck_assert_int_eq(admin, 1);
	ck_assert_int_eq(bmsub_is_admin(c, "carol", &admin, &e), 0);
	ck_assert_int_eq(admin, 0);
	/* excluding one member takes exactly one off */
	bmsub_strlist_free(&c->user_exclude);
	ck_assert_int_eq(bm_strlist_add(&c->user_exclude, member), 0);
	ck_assert_int_eq(bmsub_count_users(c, NULL, &count, &e), 0);
	ck_assert_uint_eq(count, strtoull(want, NULL, 10) - 1);
	bmsub_config_free(c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* A roster file through bmsub_count_users (bmsub_file_read rules). */

START_TEST(test_roster_file)
{
	char path[] = "/tmp/bmsub-roster.XXXXXX", text[128];
	struct bmsub_config *c;
	struct bmsub_error e;
	uint64_t count = 0;
	int fd;

	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_int_eq(write(fd, "a\nb\na\nc\n", 8), 8);
	close(fd);
	snprintf(text, sizeof(text), "users = { roster = \"%s\"; "
	    "exclude = [ \"c\" ]; };", path);
	c = conf(text);
	ck_assert_msg(bmsub_count_users(c, NULL, &count, &e) == 0, "%s",
	    e.msg);
	ck_assert_uint_eq(count, 2);
	ck_assert_int_eq(chmod(path, 0666), 0);
	ck_assert_int_eq(bmsub_count_users(c, NULL, &count, &e),
	    BMSUB_E_PERMISSIONS);
	ck_assert_uint_eq(count, 0);
	unlink(path);
	ck_assert_int_eq(bmsub_count_users(c, NULL, &count, &e),
	    BMSUB_E_NOT_FOUND);
	bmsub_config_free(c);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("users");
	TCase *tc;
	int nf;

	tc = tcase_create("roster");
	tcase_add_loop_test(tc, test_roster, 0, (int)N(rosters));
	tcase_add_test(tc, test_roster_long_login);
	tcase_add_test(tc, test_count_no_source);
	tcase_add_test(tc, test_roster_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("admin");
	tcase_add_loop_test(tc, test_admin_by_name, 0, (int)N(by_name));
	tcase_add_test(tc, test_admin_bad_args);
	suite_add_tcase(s, tc);

	/* Only under nss_wrapper with the fixture (tests/sh/users_nss.sh):
	 * the real NSS of the machine is none of our business. */
	if (getenv("BMSUB_TEST_NSS") != NULL &&
	    getenv("BMSUB_TEST_BIG_GROUP") == NULL) {
		tc = tcase_create("nss");
		tcase_set_timeout(tc, 120);
		tcase_add_loop_test(tc, test_nss_admin, 0, (int)N(nss_admin));
		tcase_add_loop_test(tc, test_nss_count, 0, (int)N(nss_count));
		suite_add_tcase(s, tc);
	}
	if (getenv("BMSUB_TEST_BIG_GROUP") != NULL) {
		tc = tcase_create("nss-big");
		tcase_set_timeout(tc, 300);
		tcase_add_test(tc, test_nss_big_group);
		suite_add_tcase(s, tc);
	}
	if (getenv("BMSUB_TEST_NSS") == NULL)
		printf("note: NSS cases run from tests/sh/users_nss.sh\n");

	nf = tlib_run(s);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
