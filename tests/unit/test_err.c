/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_err.c - error tokens are stable, distinct and total. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "bmsub.h"
#include "tlib.h"

static const struct {
	int code;
	const char *token;
} tokens[] = {
	{ BMSUB_OK, "ok" },
	{ BMSUB_E_IO, "io" },
	{ BMSUB_E_NOT_REGULAR, "not-regular-file" },
	{ BMSUB_E_PERMISSIONS, "insecure-permissions" },
	{ BMSUB_E_TOO_LARGE, "too-large" },
	{ BMSUB_E_SYNTAX, "syntax" },
	{ BMSUB_E_FIELD_MISSING, "field-missing" },
	{ BMSUB_E_FIELD_UNKNOWN, "field-unknown" },
	{ BMSUB_E_FIELD_DUP, "field-duplicate" },
	{ BMSUB_E_FIELD_VALUE, "field-value" },
	{ BMSUB_E_UNKNOWN_KEY, "unknown-key" },
	{ BMSUB_E_BAD_SIGNATURE, "bad-signature" },
	{ BMSUB_E_NO_LICENSE, "no-license" },
};

START_TEST(test_spec_tokens)
{
	ck_assert_str_eq(bmsub_err_token(tokens[_i].code), tokens[_i].token);
}
END_TEST

START_TEST(test_tokens_distinct)
{
	int a, b;

	for (a = BMSUB_E__LAST; a <= 0; a++) {
		ck_assert_str_ne(bmsub_err_token(a), "unknown");
		ck_assert_ptr_nonnull(bmsub_strerror(a));
		for (b = a + 1; b <= 0; b++)
			ck_assert_str_ne(bmsub_err_token(a), bmsub_err_token(b));
	}
}
END_TEST

START_TEST(test_out_of_range)
{
	ck_assert_str_eq(bmsub_err_token(1), "unknown");
	ck_assert_str_eq(bmsub_err_token(BMSUB_E__LAST - 1), "unknown");
	ck_assert_str_eq(bmsub_strerror(-1000), "unknown error");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("err");
	TCase *tc = tcase_create("tokens");
	int nf;

	tcase_add_loop_test(tc, test_spec_tokens, 0,
	    (int)(sizeof(tokens) / sizeof(tokens[0])));
	tcase_add_test(tc, test_tokens_distinct);
	tcase_add_test(tc, test_out_of_range);
	suite_add_tcase(s, tc);
	nf = tlib_run(s);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
