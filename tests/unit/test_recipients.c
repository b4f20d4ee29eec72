/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_recipients.c - recipient addresses: plausibility rules, duplicates, atomic file changes. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bmsub.h"
#include "tlib.h"

static char long_local[80], long_domain[300], long_label[90];

static const char *const bad[] = {
	"",
	"plain",
	"@example.com",
	"user@",
	"user@@example.com",
	"a@b@example.com",
	"user@localhost",
	"user@.example.com",
	"user@example.com.",
	".user@example.com",
	"user.@example.com",
	"us..er@example.com",
	"user@exa..mple.com",
	"us er@example.com",
	"user@exam ple.com",
	" user@example.com",
	"user@example.com ",
	"user\t@example.com",
	"user\n@example.com",
	"user@example.com\r",
	"us\x7f" "er@example.com",
	"us\xc3\xa9r@example.com",
	"user@ex\xc3\xa4mple.com",
	"\"quoted\"@example.com",
	"user<x>@example.com",
	"user,other@example.com",
	"user@exa_mple.com",
	"user@-example.com",
	"user@example-.com",
	"user@[192.0.2.1]",
	"user@example.com>",
	"user;x@example.com",
	"user(comment)@example.com",
	"user:x@example.com",
	"user\\x@example.com",
};

static const char *const good[] = {
	"a@b.c",
	"ops@example.com",
	"first.last@mail.example.co.uk",
	"user+alerts@example.com",
	"o'brien@example.com",
	"x-y_z@sub-domain.example.org",
	"UPPER@EXAMPLE.COM",
	"123@456.net",
};

START_TEST(test_bad)
{
	struct bmsub_error e;

	memset(&e, 0, sizeof(e));
	ck_assert_msg(bmsub_recipients_address_valid(bad[_i], &e) ==
	    BMSUB_E_INVALID, "accepted bad address #%d '%s'", _i, bad[_i]);
	ck_assert_int_eq(e.code, BMSUB_E_INVALID);
	ck_assert(e.msg[0] != '\0');
}
END_TEST

/* The reason names the first rule broken, not a later one that also
 * happens to refuse the address. */
static const struct {
	const char *addr, *why;
} reasons[] = {
	{ "us er@example.com", "a space" },
	{ "user\t@example.com", "a control" },
	{ "us\xc3\xa9r@example.com", "non-ASCII" },
	{ "a@b@example.com", "two '@'" },
	{ "user@example.com.", "domain begins or ends with a dot" },
	{ "user@.example.com", "domain begins or ends with a dot" },
	{ "user.@example.com", "local part begins or ends with a dot" },
	{ "us..er@example.com", "two dots in a row" },
	{ "user@exa..mple.com", "empty label" },
	{ "user@example-.com", "ends with '-'" },
	{ "user@exa_mple.com", "'_' not allowed in the domain" },
	{ "user,other@example.com", "',' not allowed in the local part" },
};

START_TEST(test_reasons)
{
	struct bmsub_error e;

	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(bmsub_recipients_address_valid(reasons[_i].addr, &e),
	    BMSUB_E_INVALID);
	ck_assert_msg(strstr(e.msg, reasons[_i].why) != NULL, "'%s': '%s', "
	    "want '%s'", reasons[_i].addr, e.msg, reasons[_i].why);
}
END_TEST

START_TEST(test_good)
{
	ck_assert_msg(bmsub_recipients_address_valid(good[_i], NULL) == 0,
	    "refused good address '%s'", good[_i]);
}
END_TEST

START_TEST(test_lengths)
{
	char buf[400];

	/* local part: 64 bytes ok, 65 refused */
	memset(long_local, 'l', 64);
	long_local[64] = '\0';
	snprintf(buf, sizeof(buf), "%s@example.com", long_local);
	ck_assert_int_eq(bmsub_recipients_address_valid(buf, NULL), 0);
	snprintf(buf, sizeof(buf), "%sx@example.com", long_local);
	ck_assert_int_eq(bmsub_recipients_address_valid(buf, NULL),
	    BMSUB_E_INVALID);
	/* label: 63 ok, 64 refused */
	memset(long_label, 'd', 63);
	long_label[63] = '\0';
	snprintf(buf, sizeof(buf), "u@%s.com", long_label);
	ck_assert_int_eq(bmsub_recipients_address_valid(buf, NULL), 0);
	snprintf(buf, sizeof(buf), "u@%sd.com", long_label);
	ck_assert_int_eq(bmsub_recipients_address_valid(buf, NULL),
	    BMSUB_E_INVALID);
	/* whole address: 254 bytes ok, 255 refused */
	snprintf(long_domain, sizeof(long_domain), "%s.%s.%s.", long_label,
	    long_label, long_label);	/* 192 bytes */
	snprintf(buf, sizeof(buf), "u@%s%.*s.com", long_domain, 254 - 2 -
	    192 - 4, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	ck_assert_uint_eq(strlen(buf), 254);
	ck_assert_int_eq(bmsub_recipients_address_valid(buf, NULL), 0);
	snprintf(buf, sizeof(buf), "u@%s%.*s.com", long_domain, 254 - 2 -
	    192 - 4 + 1, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	ck_assert_uint_eq(strlen(buf), 255);
	ck_assert_int_eq(bmsub_recipients_address_valid(buf, NULL),
	    BMSUB_E_INVALID);
	ck_assert_int_eq(bmsub_recipients_address_valid(NULL, NULL),
	    BMSUB_E_INVALID);
}
END_TEST

static const struct {
	const char *a, *b;
	int same;
} same_cases[] = {
	{ "ops@example.com", "ops@example.com", 1 },
	{ "ops@example.com", "ops@EXAMPLE.Com", 1 },
	{ "ops@example.com", "OPS@example.com", 0 },	/* local part: exact */
	{ "ops@example.com", "ops@example.org", 0 },
	{ "ops@example.com", "ops2@example.com", 0 },
	{ "ops@example.com", "op@sexample.com", 0 },
};

START_TEST(test_same)
{
	ck_assert_int_eq(bmsub_recipients_same(same_cases[_i].a,
	    same_cases[_i].b), same_cases[_i].same);
	ck_assert_int_eq(bmsub_recipients_same(same_cases[_i].b,
	    same_cases[_i].a), same_cases[_i].same);
}
END_TEST

static char dir[64];

static void
mkdir_tmp(void)
{
	tlib_tmpdir(dir, sizeof(dir), "bmsub-rcpt");
	chmod(dir, 0755);
}

static void
rm_tmp(void)
{
	tlib_rmrf(dir);
}

/* Only "recipients" and "lock" may remain: no temp file left behind. */
static void
assert_no_leftovers(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		ck_assert_msg(strcmp(de->d_name, "recipients") == 0 ||
		    strcmp(de->d_name, "lock") == 0, "left over: %s",
		    de->d_name);
	}
	closedir(d);
}

START_TEST(test_file_changes)
{
	struct bmsub_strlist l = { NULL, 0 };
	struct bmsub_error e;
	struct stat sb;
	char path[128];

	mkdir_tmp();
	/* missing file: empty list */
	ck_assert_int_eq(bmsub_recipients_load(dir, &l, &e), 0);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_int_eq(bmsub_recipients_add(dir, "ops@example.com", &e), 0);
	ck_assert_int_eq(bmsub_recipients_add(dir, "boss@example.org", &e), 0);
	/* duplicates, domain case-insensitively */
	ck_assert_int_eq(bmsub_recipients_add(dir, "ops@example.com", &e),
	    BMSUB_E_FIELD_DUP);
	ck_assert_int_eq(bmsub_recipients_add(dir, "ops@EXAMPLE.COM", &e),
	    BMSUB_E_FIELD_DUP);
	ck_assert_int_eq(bmsub_recipients_add(dir, "bad address@x.com", &e),
	    BMSUB_E_INVALID);
	ck_assert_int_eq(bmsub_recipients_load(dir, &l, &e), 0);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.v[0], "ops@example.com");
	ck_assert_str_eq(l.v[1], "boss@example.org");
	bmsub_strlist_free(&l);
	snprintf(path, sizeof(path), "%s/recipients", dir);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0644);
	assert_no_leftovers();
	/* remove: case-insensitive domain too; absent is NOT_FOUND */
	ck_assert_int_eq(bmsub_recipients_remove(dir, "ops@Example.com", &e), 0);
	ck_assert_int_eq(bmsub_recipients_remove(dir, "ops@example.com", &e),
	    BMSUB_E_NOT_FOUND);
	ck_assert_int_eq(bmsub_recipients_remove(dir, "", &e),
	    BMSUB_E_INVALID);
	ck_assert_int_eq(bmsub_recipients_load(dir, &l, &e), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0], "boss@example.org");
	bmsub_strlist_free(&l);
	ck_assert_int_eq(bmsub_recipients_remove(dir, "boss@example.org", &e), 0);
	ck_assert_int_eq(bmsub_recipients_load(dir, &l, &e), 0);
	ck_assert_uint_eq(l.n, 0);
	assert_no_leftovers();
	rm_tmp();
}
END_TEST

/* notify.local_domains: a dotless domain it lists is accepted (without
 * case); everything else keeps the plain rule. */
static char *local_v[] = { "localhost", "mailhub", "Intranet" };
static const struct bmsub_strlist local_l = { local_v, 3 };
static const struct {
	const char *addr;
	int with_local;	/* passed local_l (1) or NULL (0) */
	int code;
} locals[] = {
	{ "postmaster@localhost", 1, 0 },
	{ "postmaster@LocalHost", 1, 0 },
	{ "root@mailhub", 1, 0 },
	{ "ops@intranet", 1, 0 },
	{ "ops@example.com", 1, 0 },
	{ "postmaster@localhost", 0, BMSUB_E_INVALID },
	{ "root@mailhub", 0, BMSUB_E_INVALID },
	{ "root@otherhost", 1, BMSUB_E_INVALID },
	{ "root@localhostx", 1, BMSUB_E_INVALID },
	{ "root@xlocalhost", 1, BMSUB_E_INVALID },
	{ "root@local", 1, BMSUB_E_INVALID },
	{ "root@localhost.", 1, BMSUB_E_INVALID },
	{ "root@-localhost", 1, BMSUB_E_INVALID },
	{ "@localhost", 1, BMSUB_E_INVALID },
	{ "root localhost", 1, BMSUB_E_INVALID },
	{ "root@local_host", 1, BMSUB_E_INVALID },
	{ "root@localhost@localhost", 1, BMSUB_E_INVALID },
};

START_TEST(test_local_domains)
{
	struct bmsub_error e;

	memset(&e, 0, sizeof(e));
	ck_assert_msg(bmsub_recipients_address_check(locals[_i].addr,
	    locals[_i].with_local ? &local_l : NULL, &e) == locals[_i].code,
	    "#%d '%s': %s", _i, locals[_i].addr, e.msg);
	if (locals[_i].code != 0 && strchr(locals[_i].addr, '.') == NULL &&
	    strchr(locals[_i].addr, ' ') == NULL &&
	    strchr(locals[_i].addr, '_') == NULL &&
	    strchr(locals[_i].addr, '-') == NULL &&
	    locals[_i].addr[0] != '@' &&
	    strchr(strchr(locals[_i].addr, '@') + 1, '@') == NULL)
		ck_assert_msg(strstr(e.msg, "notify.local_domains") != NULL,
		    "'%s': %s", locals[_i].addr, e.msg);
}
END_TEST

/* add/remove/load with the list: the local address is written, found
 * again without case, and the file read back; without the list the same
 * file is corrupt, not silently short of a recipient. */
START_TEST(test_local_file)
{
	struct bmsub_strlist l = { NULL, 0 };
	struct bmsub_error e;

	mkdir_tmp();
	ck_assert_int_eq(bmsub_recipients_add(dir, "postmaster@localhost", &e),
	    BMSUB_E_INVALID);
	ck_assert_int_eq(bmsub_recipients_add_local(dir, "postmaster@localhost",
	    &local_l, &e), 0);
	ck_assert_int_eq(bmsub_recipients_add_local(dir, "ops@Example.COM",
	    &local_l, &e), 0);
	ck_assert_int_eq(bmsub_recipients_add_local(dir, "postmaster@LOCALHOST",
	    &local_l, &e), BMSUB_E_FIELD_DUP);
	ck_assert_int_eq(bmsub_recipients_add_local(dir, "ops@example.com",
	    &local_l, &e), BMSUB_E_FIELD_DUP);
	ck_assert_int_eq(bmsub_recipients_add_local(dir, "Ops@example.com",
	    &local_l, &e), 0);	/* the local part keeps its case */
	ck_assert_int_eq(bmsub_recipients_load_local(dir, &local_l, &l, &e), 0);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(l.v[0], "postmaster@localhost");
	bmsub_strlist_free(&l);
	ck_assert_int_eq(bmsub_recipients_load(dir, &l, &e), BMSUB_E_CORRUPT);
	ck_assert_ptr_nonnull(strstr(e.msg, "notify.local_domains"));
	ck_assert_int_eq(bmsub_recipients_remove(dir, "ops@example.com", &e),
	    BMSUB_E_CORRUPT);	/* the file cannot be read without the list */
	ck_assert_int_eq(bmsub_recipients_remove_local(dir, "ops@EXAMPLE.com",
	    &local_l, &e), 0);
	ck_assert_int_eq(bmsub_recipients_remove_local(dir,
	    "postmaster@Localhost", &local_l, &e), 0);
	ck_assert_int_eq(bmsub_recipients_remove_local(dir, "", &local_l, &e),
	    BMSUB_E_INVALID);
	ck_assert_int_eq(bmsub_recipients_load(dir, &l, &e), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0], "Ops@example.com");
	bmsub_strlist_free(&l);
	assert_no_leftovers();
	rm_tmp();
}
END_TEST

static const struct {
	const char *text;
	int code;
	unsigned line;
	size_t n;
} files[] = {
	{ "", 0, 0, 0 },
	{ "a@b.cd\n", 0, 0, 1 },
	{ "a@b.cd", 0, 0, 1 },		/* no final newline */
	{ "# comment\n\na@b.cd\nc@d.ef\n", 0, 0, 2 },
	{ "a@b.cd\na@B.CD\n", 0, 0, 1 },	/* hand-written duplicate */
	{ "a@b.cd\nnot an address\n", BMSUB_E_CORRUPT, 2, 0 },
	{ " a@b.cd\n", BMSUB_E_CORRUPT, 1, 0 },
	{ "a@b.cd \n", BMSUB_E_CORRUPT, 1, 0 },
	{ "a@b.cd\r\n", BMSUB_E_CORRUPT, 1, 0 },
	{ "x\n", BMSUB_E_CORRUPT, 1, 0 },
};

START_TEST(test_load_files)
{
	struct bmsub_strlist l = { NULL, 0 };
	struct bmsub_error e;

	mkdir_tmp();
	free(tlib_put(dir, "recipients", files[_i].text, strlen(files[_i].text), 0644));
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(bmsub_recipients_load(dir, &l, &e), files[_i].code);
	ck_assert_uint_eq(e.line, files[_i].line);
	ck_assert_uint_eq(l.n, files[_i].n);
	bmsub_strlist_free(&l);
	rm_tmp();
}
END_TEST

/* A NUL byte makes the file corrupt: the lines after it are not lost
 * silently. */
START_TEST(test_load_nul)
{
	static const char text[] = "a@b.cd\n\0c@d.ef\n";
	struct bmsub_strlist l = { NULL, 0 };
	struct bmsub_error e;

	mkdir_tmp();
	free(tlib_put(dir, "recipients", text, sizeof(text) - 1, 0644));
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(bmsub_recipients_load(dir, &l, &e), BMSUB_E_CORRUPT);
	ck_assert_ptr_nonnull(strstr(e.msg, "NUL"));
	ck_assert_uint_eq(l.n, 0);
	rm_tmp();
}
END_TEST

START_TEST(test_load_refused)
{
	struct bmsub_strlist l = { NULL, 0 };
	struct bmsub_error e;

	mkdir_tmp();
	/* writable by others: refused, as every trusted file */
	free(tlib_put(dir, "recipients", "a@b.cd\n", strlen("a@b.cd\n"), 0666));
	ck_assert_int_eq(bmsub_recipients_load(dir, &l, &e),
	    BMSUB_E_PERMISSIONS);
	ck_assert_uint_eq(l.n, 0);
	/* a corrupt file is not overwritten by add */
	free(tlib_put(dir, "recipients", "junk\n", strlen("junk\n"), 0644));
	ck_assert_int_eq(bmsub_recipients_add(dir, "a@b.cd", &e),
	    BMSUB_E_CORRUPT);
	rm_tmp();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("recipients");
	TCase *tc = tcase_create("recipients");
	int nf;

	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_loop_test(tc, test_good, 0, sizeof(good) / sizeof(good[0]));
	tcase_add_loop_test(tc, test_reasons, 0,
	    sizeof(reasons) / sizeof(reasons[0]));
	tcase_add_test(tc, test_load_nul);
	tcase_add_test(tc, test_lengths);
	tcase_add_loop_test(tc, test_same, 0,
	    sizeof(same_cases) / sizeof(same_cases[0]));
	tcase_add_test(tc, test_file_changes);
	tcase_add_loop_test(tc, test_local_domains, 0,
	    sizeof(locals) / sizeof(locals[0]));
	tcase_add_test(tc, test_local_file);
	tcase_add_loop_test(tc, test_load_files, 0,
	    sizeof(files) / sizeof(files[0]));
	tcase_add_test(tc, test_load_refused);
	suite_add_tcase(s, tc);
	nf = tlib_run(s);
	return nf == 0 ? 0 : 1;
}
