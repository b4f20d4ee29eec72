/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_web_form.c - bmsub-web's form parsers (urlencoded, multipart): tables
 * of bodies, most refused; the escapes of the page (HTML, header values). */
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

/* multipart/form-data: token (32), license (64, multiline), license_file
 * (64, multiline, a file). CT is the Content-Type of every body below but
 * those of mp_ct. */
#define CT "multipart/form-data; boundary=XyZ"
#define P(name) "--XyZ\r\nContent-Disposition: form-data; name=\"" name "\"\r\n\r\n"
#define F(name, file) "--XyZ\r\nContent-Disposition: form-data; name=\"" name \
	"\"; filename=\"" file "\"\r\nContent-Type: application/octet-stream\r\n\r\n"
#define END "--XyZ--\r\n"

static void
mp_fields(struct web_field f[3])
{
	memset(f, 0, 3 * sizeof(*f));
	f[0].name = "token";
	f[0].max = 32;
	f[1].name = "license";
	f[1].max = 64;
	f[1].flags = WEB_F_MULTILINE;
	f[2].name = "license_file";
	f[2].max = 64;
	f[2].flags = WEB_F_MULTILINE | WEB_F_FILE;
}

static const struct {
	const char *body;
	const char *token, *license, *file;	/* expected, NULL: absent */
} mp_good[] = {
	{ P("token") "abc\r\n" END, "abc", NULL, NULL },
	{ P("token") "abc\r\n--XyZ--", "abc", NULL, NULL },
	{ P("token") "abc\r\n" P("license") "a\r\nb\r\n" F("license_file", "") "\r\n" END,
	  "abc", "a\nb", "" },
	{ P("token") "t\r\n" F("license_file", "new.lic") "L1\nL2\n\r\n" END, "t", NULL, "L1\nL2\n" },
	{ F("license_file", "a;b.lic") "x\r\n" P("token") "\r\n" END, "", NULL, "x" },
	{ "--XyZ\r\ncontent-disposition: FORM-DATA; NAME=\"token\"\r\n\r\nv\r\n" END, "v", NULL, NULL },
	{ "--XyZ\r\nContent-Disposition: form-data; name=\"license\"\r\nContent-Type: text/plain\r\n\r\n"
	  "caf\xc3\xa9\r\n" END, NULL, "caf\xc3\xa9", NULL },
	/* the boundary inside a value, not after a CRLF: content */
	{ P("license") "a\n--XyZ --XyZ\r\n" END, NULL, "a\n--XyZ --XyZ", NULL },
};

START_TEST(test_mp_good)
{
	struct web_field f[3];
	char why[200] = "";
	const char *b = mp_good[_i].body;

	mp_fields(f);
	ck_assert_msg(web_multipart_parse(CT, b, strlen(b), f, 3, why,
	    sizeof(why)) == 0, "%s: %s", b, why);
#define EQ(k, want) do { if ((want) == NULL) ck_assert_ptr_null(f[k].value); \
	else { ck_assert_str_eq(f[k].value, (want)); ck_assert_uint_eq(f[k].len, strlen(want)); } } while (0)
	EQ(0, mp_good[_i].token);
	EQ(1, mp_good[_i].license);
	EQ(2, mp_good[_i].file);
#undef EQ
	web_form_free(f, 3);
}
END_TEST

static const struct {
	const char *body;
	const char *why;	/* substring of the reason */
} mp_bad[] = {
	{ "", "empty form" },
	{ "x" P("token") "a\r\n" END, "not starting with its boundary" },
	{ "\r\n" P("token") "a\r\n" END, "not starting with its boundary" },
	{ "--XyW\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\na\r\n" END, "not starting" },
	{ P("token") "a\r\n", "cut short" },
	{ P("token") "a", "cut short" },
	{ P("token") "a\r\n--XyZ", "bad multipart delimiter" },
	{ P("token") "a\r\n--XyZx\r\n", "bad multipart delimiter" },
	{ P("token") "a\r\n" END "epilogue", "after the multipart form's end" },
	{ P("token") "a\r\n" END "\r\n", "after the multipart form's end" },
	{ "--XyZ\r\nContent-Disposition: form-data; name=\"token\"\r\na\r\n" END, "end of headers" },
	{ "--XyZ\r\n\r\na\r\n" END, "without Content-Disposition" },
	{ "--XyZ\r\nContent-Type: text/plain\r\n\r\na\r\n" END, "without Content-Disposition" },
	{ "--XyZ\r\nContent-Disposition: attachment; name=\"token\"\r\n\r\na\r\n" END, "not form-data" },
	{ "--XyZ\r\nContent-Disposition: form-data\r\n\r\na\r\n" END, "well-formed name" },
	{ "--XyZ\r\nContent-Disposition: form-data; name=token\r\n\r\na\r\n" END, "well-formed name" },
	{ "--XyZ\r\nContent-Disposition: form-data; name=\"token\r\n\r\na\r\n" END, "well-formed name" },
	{ "--XyZ\r\nContent-Disposition: form-data; filename=\"x\"\r\n\r\na\r\n" END, "well-formed name" },
	{ "--XyZ\r\nContent-Disposition: form-data; name=\"\"\r\n\r\na\r\n" END, "name is empty" },
	{ "--XyZ\r\nContent-Disposition: form-data; name=\"tokentokentokentokentokentokentok\"\r\n\r\na\r\n" END,
	  "empty or too long" },	/* a 33-byte name */
	{ "--XyZ\r\nContent-Disposition: form-data; name=\"token\"\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\na\r\n" END,
	  "two Content-Disposition" },
	{ "--XyZ\r\nContent-Disposition: form-data; name=\"token\"\r\nContent-Type: a\r\nContent-Type: b\r\n\r\na\r\n" END,
	  "two Content-Type" },
	{ "--XyZ\r\nContent-Disposition: form-data; name=\"token\"\r\nContent-Transfer-Encoding: base64\r\n\r\na\r\n" END,
	  "unexpected header" },
	{ "--XyZ\nContent-Disposition: form-data; name=\"token\"\r\n\r\na\r\n" END, "bad multipart delimiter" },
	{ "--XyZ\r\nContent-Disposition: form-data; name=\"token\"\n\r\n\r\na\r\n" END, "control" },
	{ "--XyZ\r\nContent-Disposition: form-data; name=\"token\"\rX\r\n\r\na\r\n" END, "bad line end" },
	{ "--XyZ\r\nContent-Disposition: form-data; name=\"tok\xc3\xa9n\"\r\n\r\na\r\n" END, "non-ASCII" },
	{ "--XyZ\r\nContent-Disposition: form-data; name=\"token\"\t\r\n\r\na\r\n" END, "control" },
	{ P("x") "1\r\n" END, "unexpected form field" },
	{ P("Token") "1\r\n" END, "unexpected form field" },
	{ P("token") "a\r\n" P("token") "a\r\n" END, "twice" },
	{ F("license_file", "a") "x\r\n" F("license_file", "b") "y\r\n" END, "twice" },
	{ P("license_file") "pasted\r\n" END, "must be a file upload" },
	{ F("token", "t.txt") "abc\r\n" END, "must not be a file upload" },
	{ F("license", "l.lic") "abc\r\n" END, "must not be a file upload" },
	{ P("token") "123456789012345678901234567890123\r\n" END, "longer" },
	{ F("license_file", "l") "\xff\r\n" END, "not UTF-8" },
	{ F("license_file", "l") "\xc0\xaf\r\n" END, "not UTF-8" },
	{ F("license_file", "l") "a\rb\r\n" END, "control" },
	{ F("license_file", "l") "\x1b[0m\r\n" END, "control" },
	{ P("token") "a\tb\r\n" END, "control" },
	{ P("token") "a\nb\r\n" END, "control" },
};

START_TEST(test_mp_bad)
{
	struct web_field f[3];
	char why[200] = "";
	const char *b = mp_bad[_i].body;

	mp_fields(f);
	ck_assert_msg(web_multipart_parse(CT, b, strlen(b), f, 3, why,
	    sizeof(why)) == -1, "accepted: %s", b);
	ck_assert_msg(strstr(why, mp_bad[_i].why) != NULL, "%s: reason '%s', "
	    "want '%s'", b, why, mp_bad[_i].why);
	ck_assert_ptr_null(f[0].value);
	ck_assert_ptr_null(f[1].value);
	ck_assert_ptr_null(f[2].value);
}
END_TEST

/* The Content-Type header: the type and one boundary parameter only. */
static const struct {
	const char *ct;
	int ok;
} mp_ct[] = {
	{ "multipart/form-data; boundary=XyZ", 1 },
	{ "Multipart/Form-Data;boundary=XyZ", 1 },
	{ "multipart/form-data; boundary=\"XyZ\"", 1 },
	{ "multipart/form-data; BOUNDARY=XyZ ", 1 },
	{ NULL, 0 },
	{ "", 0 },
	{ "multipart/form-data", 0 },
	{ "multipart/form-data;", 0 },
	{ "multipart/form-data; boundary=", 0 },
	{ "multipart/form-data; boundary=\"\"", 0 },
	{ "multipart/form-data; boundary=\"XyZ", 0 },
	{ "multipart/form-data; boundary=XyZ; charset=utf-8", 0 },
	{ "multipart/form-data; charset=utf-8; boundary=XyZ", 0 },
	{ "multipart/mixed; boundary=XyZ", 0 },
	{ "multipart/form-dataX; boundary=XyZ", 0 },
	{ "multipart/form-data; boundary=Xy Z", 0 },
	{ "multipart/form-data; boundary=\"XyZ \"", 0 },
	{ "multipart/form-data; boundary=Xy\"Z", 0 },
	{ "multipart/form-data; boundary=Xy;Z", 0 },
	{ "multipart/form-data; boundary="
	  "12345678901234567890123456789012345678901234567890123456789012345678901", 0 },
};

START_TEST(test_mp_ct)
{
	struct web_field f[3];
	char why[200] = "", body[300];
	const char *ct = mp_ct[_i].ct;
	int r;

	mp_fields(f);
	snprintf(body, sizeof(body), P("token") "a\r\n" END);
	r = web_multipart_parse(ct, body, strlen(body), f, 3, why, sizeof(why));
	ck_assert_msg(r == (mp_ct[_i].ok ? 0 : -1), "%s: %d (%s)",
	    ct != NULL ? ct : "NULL", r, why);
	if (!mp_ct[_i].ok)
		ck_assert_ptr_nonnull(strstr(why, "boundary"));
	web_form_free(f, 3);
}
END_TEST

/* Raw bytes: a NUL inside a value, the cap on the whole body, a 70-byte
 * boundary (RFC 2046's longest). */
START_TEST(test_mp_lengths)
{
	static const char nul[] = P("token") "a\0b\r\n" END;
	struct web_field f[3];
	char why[200], *big;
	char b70[71], ct[120], body[400];

	mp_fields(f);
	ck_assert_int_eq(web_multipart_parse(CT, nul, sizeof(nul) - 1, f, 3,
	    why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "control"));
	ck_assert_ptr_nonnull(big = malloc(WEB_BODY_MAX + 1));
	memset(big, 'a', WEB_BODY_MAX + 1);
	ck_assert_int_eq(web_multipart_parse(CT, big, WEB_BODY_MAX + 1, f, 3,
	    why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "larger"));
	free(big);
	memset(b70, 'b', 70);
	b70[70] = '\0';
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", b70);
	snprintf(body, sizeof(body), "--%s\r\nContent-Disposition: form-data; "
	    "name=\"token\"\r\n\r\nt\r\n--%s--\r\n", b70, b70);
	ck_assert_int_eq(web_multipart_parse(ct, body, strlen(body), f, 3, why,
	    sizeof(why)), 0);
	ck_assert_str_eq(f[0].value, "t");
	web_form_free(f, 3);
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
	tcase_add_loop_test(tc, test_mp_good, 0, sizeof(mp_good) / sizeof(mp_good[0]));
	tcase_add_loop_test(tc, test_mp_bad, 0, sizeof(mp_bad) / sizeof(mp_bad[0]));
	tcase_add_loop_test(tc, test_mp_ct, 0, sizeof(mp_ct) / sizeof(mp_ct[0]));
	tcase_add_test(tc, test_mp_lengths);
	tcase_add_loop_test(tc, test_escape, 0, sizeof(esc) / sizeof(esc[0]));
	suite_add_tcase(s, tc);
	nf = tlib_run(s);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
