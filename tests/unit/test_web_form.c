/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_web_form.c - bmsub-web's urlencoded form parser: a table of bodies,
 * most refused; the escapes of the page (HTML, header values). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmsub.h"
#include "tlib.h"
#include "web.h"

/* Fields: token (32 bytes), op (8), license (64, multiline). */
static void
fields(struct web_field f[3])
{
	memset(f, 0, 3 * sizeof(*f));
	f[0].name = "token";
	f[0].max = 32;
	f[1].name = "op";
	f[1].max = 8;
	f[2].name = "license";
	f[2].max = 64;
	f[2].flags = WEB_F_MULTILINE;
}

static const struct {
	const char *body;
	const char *token, *op, *license;	/* expected, NULL: absent */
} good[] = {
	{ "token=abc", "abc", NULL, NULL },
	{ "token=abc&op=add", "abc", "add", NULL },
	{ "op=add&token=abc", "abc", "add", NULL },
	{ "op=a+b", NULL, "a b", NULL },
	{ "op=%41%62", NULL, "Ab", NULL },
	{ "op=", NULL, "", NULL },
	{ "license=a%0D%0Ab%0Ac", NULL, NULL, "a\nb\nc" },
	{ "license=%09tab", NULL, NULL, "\ttab" },
	{ "op=%C3%A9", NULL, "\xc3\xa9", NULL },
	{ "op=%F0%9F%98%80", NULL, "\xf0\x9f\x98\x80", NULL },
	{ "token=12345678901234567890123456789012", "12345678901234567890123456789012", NULL, NULL },
};

START_TEST(test_good)
{
	struct web_field f[3];
	char why[200] = "";

	fields(f);
	ck_assert_msg(web_form_parse(good[_i].body, strlen(good[_i].body), f,
	    3, why, sizeof(why)) == 0, "%s: %s", good[_i].body, why);
	if (good[_i].token == NULL)
		ck_assert_ptr_null(f[0].value);
	else
		ck_assert_str_eq(f[0].value, good[_i].token);
	if (good[_i].op == NULL)
		ck_assert_ptr_null(f[1].value);
	else
		ck_assert_str_eq(f[1].value, good[_i].op);
	if (good[_i].license == NULL)
		ck_assert_ptr_null(f[2].value);
	else {
		ck_assert_str_eq(f[2].value, good[_i].license);
		ck_assert_uint_eq(f[2].len, strlen(good[_i].license));
	}
	web_form_free(f, 3);
}
END_TEST

static const struct {
	const char *body;
	const char *why;	/* substring of the reason */
} bad[] = {
	{ "", "empty form" },
	{ "&", "empty field" },
	{ "token=a&", "empty field" },
	{ "&token=a", "empty field" },
	{ "token=a&&op=b", "empty field" },
	{ "token", "without '='" },
	{ "token=a&op", "without '='" },
	{ "=a", "name" },
	{ "x=1", "unexpected" },
	{ "token=a&x=1", "unexpected" },
	{ "Token=a", "unexpected" },
	{ "token%3D=a", "unexpected" },
	{ "tok%65n=a&token=b", "twice" },
	{ "token=a&token=a", "twice" },
	{ "token=a&token=", "twice" },
	{ "op=a=b", "encoding" },
	{ "op=%", "encoding" },
	{ "op=%4", "encoding" },
	{ "op=%G1", "encoding" },
	{ "op=%1G", "encoding" },
	{ "op=%%41", "encoding" },
	{ "op=a b", "encoding" },
	{ "op=a\tb", "encoding" },
	{ "op=a\nb", "encoding" },
	{ "op=\xc3\xa9", "encoding" },
	{ "op=\x7f", "encoding" },
	{ "op=123456789", "longer" },
	{ "token=123456789012345678901234567890123", "longer" },
	{ "op=%FF", "UTF-8" },
	{ "op=%C3", "UTF-8" },
	{ "op=%C3%28", "UTF-8" },
	{ "op=%C0%AF", "UTF-8" },		/* overlong '/' */
	{ "op=%E0%80%AF", "UTF-8" },		/* overlong */
	{ "op=%ED%A0%80", "UTF-8" },		/* surrogate */
	{ "op=%F4%90%80%80", "UTF-8" },		/* > U+10FFFF */
	{ "op=%F8%88%80%80", "UTF-8" },
	{ "op=%80", "UTF-8" },
	{ "op=%00", "control" },
	{ "op=a%0Ab", "control" },
	{ "op=a%0Db", "control" },
	{ "op=%09", "control" },
	{ "op=%7F", "control" },
	{ "op=%1B", "control" },
	{ "license=a%0Db", "control" },		/* a lone CR */
	{ "license=a%0D", "control" },
	{ "license=%00", "control" },
	{ "license=%0C", "control" },
	{ "a123456789012345678901234567890123=1", "name" },
	{ "a12345678901234567890123456789012=1", "name" },	/* 33 bytes */
	{ "a1234567890123456789012345678901=1", "unexpected" },	/* 32 */
	{ "tok=a", "unexpected" },		/* a name's prefix is not it */
	{ "o=add", "unexpected" },
	{ "op=%E2%82", "UTF-8" },		/* cut short */
};

START_TEST(test_bad)
{
	struct web_field f[3];
	char why[200] = "";

	fields(f);
	ck_assert_msg(web_form_parse(bad[_i].body, strlen(bad[_i].body), f, 3,
	    why, sizeof(why)) == -1, "accepted: %s", bad[_i].body);
	ck_assert_msg(strstr(why, bad[_i].why) != NULL, "%s: reason '%s', "
	    "want '%s'", bad[_i].body, why, bad[_i].why);
	ck_assert_ptr_null(f[0].value);
	ck_assert_ptr_null(f[1].value);
	ck_assert_ptr_null(f[2].value);
}
END_TEST

/* A body is len bytes, not a C string: a NUL inside or data after len. */
START_TEST(test_lengths)
{
	struct web_field f[3];
	char why[200];
	char big[WEB_BODY_MAX + 2];

	fields(f);
	ck_assert_int_eq(web_form_parse("op=a\0b", 6, f, 3, why, sizeof(why)), -1);
	ck_assert_int_eq(web_form_parse("op=ab&x=1", 5, f, 3, why, sizeof(why)), 0);
	ck_assert_str_eq(f[1].value, "ab");
	web_form_free(f, 3);
	/* an escape is read within len: "%4" then a byte past the end */
	ck_assert_int_eq(web_form_parse("op=%41", 5, f, 3, why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "encoding"));
	ck_assert_int_eq(web_form_parse(NULL, 0, f, 3, why, sizeof(why)), -1);
	memset(big, 'a', sizeof(big));
	memcpy(big, "op=", 3);
	ck_assert_int_eq(web_form_parse(big, sizeof(big), f, 3, why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "larger"));
	ck_assert_int_eq(web_form_parse(big, WEB_BODY_MAX + 1, f, 3, why,
	    sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "larger"));
	/* WEB_BODY_MAX bytes are read (and the field found too long) */
	ck_assert_int_eq(web_form_parse(big, WEB_BODY_MAX, f, 3, why,
	    sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "longer"));
}
END_TEST

static const struct {
	const char *in, *html, *ascii, *pct;
} esc[] = {
	{ "plain", "plain", "plain", "plain" },
	{ "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;",
	  "&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>" },
	{ "a&b\"c'd", "a&amp;b&quot;c&#39;d", "a&amp;b&quot;c&#39;d", "a&b\"c'd" },
	{ "caf\xc3\xa9", "caf\xc3\xa9", "caf&#233;", "caf%C3%A9" },
	{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", "&#128512;", "%F0%9F%98%80" },
	{ "50%\r\n", "50%\r\n", "50%", "50%25%0D%0A" },
	{ "\xff", "\xff", "?", "%FF" },
};

START_TEST(test_escape)
{
	struct web_buf b = { 0 };

	web_buf_html(&b, esc[_i].in);
	ck_assert_str_eq(b.p != NULL ? b.p : "", esc[_i].html);
	web_buf_free(&b);
	web_buf_html_ascii(&b, esc[_i].in);
	ck_assert_str_eq(b.p != NULL ? b.p : "", esc[_i].ascii);
	web_buf_free(&b);
	web_buf_pct(&b, esc[_i].in);
	ck_assert_str_eq(b.p != NULL ? b.p : "", esc[_i].pct);
	web_buf_free(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("web_form");
	TCase *tc = tcase_create("core");
	int nf;

	tcase_add_loop_test(tc, test_good, 0, sizeof(good) / sizeof(good[0]));
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_lengths);
	tcase_add_loop_test(tc, test_escape, 0, sizeof(esc) / sizeof(esc[0]));
	suite_add_tcase(s, tc);
	nf = tlib_run(s);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
