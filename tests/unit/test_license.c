/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_license.c - license parser and verifier: golden files, in-memory cases, mutations. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bmsub.h"
#include "tlib.h"

#define V1_ID "d6147a148c10bf1f"
#define V2_ID "bb78a1e23d7ab0db"
#define OTHER_ID "0a330a5fbe72c684"

/* Test data lives under $TOP (set by run.sh), or the current directory. */
static struct bmsub_keyring *
trusted(int v1, int v2)
{
	struct bmsub_keyring *kr = bmsub_keyring_new();
	struct bmsub_error e;
	char *pem;
	size_t n;

	ck_assert_ptr_nonnull(kr);
	if (v1) {
		pem = tlib_data("keys/vendor1.pub", &n);
		ck_assert_int_eq(bmsub_keyring_add_pem(kr, pem, n, &e), 0);
		free(pem);
	}
	if (v2) {
		pem = tlib_data("keys/vendor2.pub", &n);
		ck_assert_int_eq(bmsub_keyring_add_pem(kr, pem, n, &e), 0);
		free(pem);
	}
	return kr;
}

/* ------------------------------------------------------------------ */
/* Golden files (tests/data/mklicenses.sh): expected token and line. */

static const struct {
	const char *file;
	int code;
	unsigned line;
} golden[] = {
	{ "good-minimal", 0, 0 },
	{ "good-all-fields", 0, 0 },
	{ "good-x-fields", 0, 0 },
	{ "good-utf8", 0, 0 },
	{ "good-vendor2", 0, 0 },
	{ "good-trial", 0, 0 },
	{ "good-free-10", 0, 0 },
	{ "good-datetime", 0, 0 },
	{ "good-limits", 0, 0 },
	{ "good-zeros", 0, 0 },
	{ "good-surrounding-text", 0, 0 },
	{ "good-no-final-lf", 0, 0 },
	{ "good-line-1024", 0, 0 },
	{ "good-64k", 0, 0 },
	{ "good-expires-eq-issued", 0, 0 },
	{ "good-expires-eq-starts", 0, 0 },

	{ "syntax-cr", BMSUB_E_SYNTAX, 5 },
	{ "syntax-cr-in-sig", BMSUB_E_SYNTAX, 11 },
	{ "syntax-crlf", BMSUB_E_SYNTAX, 1 },
	{ "syntax-nul", BMSUB_E_SYNTAX, 4 },
	{ "syntax-nul-outside", BMSUB_E_SYNTAX, 1 },
	{ "syntax-blank", BMSUB_E_SYNTAX, 5 },
	{ "syntax-name-upper", BMSUB_E_SYNTAX, 5 },
	{ "syntax-name-digit", BMSUB_E_SYNTAX, 5 },
	{ "syntax-name-underscore", BMSUB_E_SYNTAX, 5 },
	{ "syntax-no-space", BMSUB_E_SYNTAX, 5 },
	{ "syntax-two-spaces", BMSUB_E_SYNTAX, 5 },
	{ "syntax-space-before-colon", BMSUB_E_SYNTAX, 5 },
	{ "syntax-tab-separator", BMSUB_E_SYNTAX, 5 },
	{ "syntax-trailing-space", BMSUB_E_SYNTAX, 5 },
	{ "syntax-control-char", BMSUB_E_SYNTAX, 4 },
	{ "syntax-del-char", BMSUB_E_SYNTAX, 4 },
	{ "syntax-empty-value", BMSUB_E_SYNTAX, 5 },
	{ "syntax-no-colon", BMSUB_E_SYNTAX, 5 },
	{ "syntax-comment", BMSUB_E_SYNTAX, 5 },
	{ "syntax-indented", BMSUB_E_SYNTAX, 5 },
	{ "syntax-no-begin", BMSUB_E_SYNTAX, 0 },
	{ "syntax-no-end", BMSUB_E_SYNTAX, 11 },
	{ "syntax-no-sig-armor", BMSUB_E_SYNTAX, 10 },
	{ "syntax-no-sig-line", BMSUB_E_SYNTAX, 11 },
	{ "syntax-second-begin", BMSUB_E_SYNTAX, 13 },
	{ "syntax-begin-in-body", BMSUB_E_SYNTAX, 5 },
	{ "syntax-end-garbage", BMSUB_E_SYNTAX, 12 },
	{ "syntax-end-lowercase", BMSUB_E_SYNTAX, 12 },
	{ "syntax-two-sig-lines", BMSUB_E_SYNTAX, 12 },
	{ "syntax-b64-noncanonical", BMSUB_E_SYNTAX, 11 },
	{ "syntax-b64-nopad", BMSUB_E_SYNTAX, 11 },
	{ "syntax-b64-badchar", BMSUB_E_SYNTAX, 11 },
	{ "syntax-b64-urlsafe", BMSUB_E_SYNTAX, 11 },
	{ "syntax-b64-space", BMSUB_E_SYNTAX, 11 },
	{ "syntax-b64-wrapped", BMSUB_E_SYNTAX, 11 },
	{ "syntax-sig-63", BMSUB_E_SYNTAX, 11 },
	{ "syntax-sig-65", BMSUB_E_SYNTAX, 11 },
	{ "syntax-empty-armor", BMSUB_E_SYNTAX, 0 },
	{ "syntax-empty-file", BMSUB_E_SYNTAX, 0 },

	/* one field dropped: the SIGNATURE armor moves up to line 9 */
	{ "field-missing-format", BMSUB_E_FIELD_MISSING, 9 },
	{ "field-missing-id", BMSUB_E_FIELD_MISSING, 9 },
	{ "field-missing-customer", BMSUB_E_FIELD_MISSING, 9 },
	{ "field-missing-kind", BMSUB_E_FIELD_MISSING, 9 },
	{ "field-missing-issued", BMSUB_E_FIELD_MISSING, 9 },
	{ "field-missing-expires", BMSUB_E_FIELD_MISSING, 9 },
	{ "field-missing-users", BMSUB_E_FIELD_MISSING, 9 },
	{ "field-missing-key", BMSUB_E_FIELD_MISSING, 9 },

	{ "field-unknown-color", BMSUB_E_FIELD_UNKNOWN, 10 },
	{ "field-unknown-xnodash", BMSUB_E_FIELD_UNKNOWN, 10 },
	{ "field-unknown-start", BMSUB_E_FIELD_UNKNOWN, 10 },
	{ "field-duplicate-users", BMSUB_E_FIELD_DUP, 10 },
	{ "field-duplicate-key", BMSUB_E_FIELD_DUP, 10 },
	{ "field-duplicate-x", BMSUB_E_FIELD_DUP, 12 },

	{ "field-value-format-2", BMSUB_E_FIELD_VALUE, 2 },
	{ "field-value-format-01", BMSUB_E_FIELD_VALUE, 2 },
	{ "field-value-id-65", BMSUB_E_FIELD_VALUE, 3 },
	{ "field-value-id-slash", BMSUB_E_FIELD_VALUE, 3 },
	{ "field-value-id-space", BMSUB_E_FIELD_VALUE, 3 },
	{ "field-value-id-utf8", BMSUB_E_FIELD_VALUE, 3 },
	{ "field-value-customer-201", BMSUB_E_FIELD_VALUE, 4 },
	{ "field-value-customer-201-utf8", BMSUB_E_FIELD_VALUE, 4 },
	{ "field-value-customer-latin1", BMSUB_E_FIELD_VALUE, 4 },
	{ "field-value-customer-overlong", BMSUB_E_FIELD_VALUE, 4 },
	{ "field-value-customer-overlong3", BMSUB_E_FIELD_VALUE, 4 },
	{ "field-value-customer-surrogate", BMSUB_E_FIELD_VALUE, 4 },
	{ "field-value-customer-above-max", BMSUB_E_FIELD_VALUE, 4 },
	{ "field-value-customer-truncated", BMSUB_E_FIELD_VALUE, 4 },
	{ "field-value-customer-lone-cont", BMSUB_E_FIELD_VALUE, 4 },
	{ "field-value-customer-f5", BMSUB_E_FIELD_VALUE, 4 },
	{ "field-value-kind-enterprise", BMSUB_E_FIELD_VALUE, 5 },
	{ "field-value-kind-upper", BMSUB_E_FIELD_VALUE, 5 },
	{ "field-value-issued-feb30", BMSUB_E_FIELD_VALUE, 6 },
	{ "field-value-issued-1969", BMSUB_E_FIELD_VALUE, 6 },
	{ "field-value-issued-short", BMSUB_E_FIELD_VALUE, 6 },
	{ "field-value-issued-hour25", BMSUB_E_FIELD_VALUE, 6 },
	{ "field-value-issued-nozone", BMSUB_E_FIELD_VALUE, 6 },
	{ "field-value-starts-feb29", BMSUB_E_FIELD_VALUE, 7 },
	{ "field-value-expires-feb29-2100", BMSUB_E_FIELD_VALUE, 7 },
	{ "field-value-expires-before-issued", BMSUB_E_FIELD_VALUE, 7 },
	{ "field-value-expires-before-starts", BMSUB_E_FIELD_VALUE, 8 },
	{ "field-value-expires-second-before", BMSUB_E_FIELD_VALUE, 7 },
	{ "field-value-users-0", BMSUB_E_FIELD_VALUE, 8 },
	{ "field-value-users-01", BMSUB_E_FIELD_VALUE, 8 },
	{ "field-value-users-plus", BMSUB_E_FIELD_VALUE, 8 },
	{ "field-value-users-minus", BMSUB_E_FIELD_VALUE, 8 },
	{ "field-value-users-10000001", BMSUB_E_FIELD_VALUE, 8 },
	{ "field-value-users-huge", BMSUB_E_FIELD_VALUE, 8 },
	{ "field-value-users-hex", BMSUB_E_FIELD_VALUE, 8 },
	{ "field-value-users-free-11", BMSUB_E_FIELD_VALUE, 8 },
	{ "field-value-grace-366", BMSUB_E_FIELD_VALUE, 9 },
	{ "field-value-grace-leading-zero", BMSUB_E_FIELD_VALUE, 9 },
	{ "field-value-allowance-101", BMSUB_E_FIELD_VALUE, 9 },
	{ "field-value-allowance-percent-sign", BMSUB_E_FIELD_VALUE, 9 },
	{ "field-value-key-upper", BMSUB_E_FIELD_VALUE, 9 },
	{ "field-value-key-15", BMSUB_E_FIELD_VALUE, 9 },
	{ "field-value-key-17", BMSUB_E_FIELD_VALUE, 9 },
	{ "field-value-key-nonhex", BMSUB_E_FIELD_VALUE, 9 },
	{ "field-value-x-latin1", BMSUB_E_FIELD_VALUE, 10 },
	{ "field-value-customer-c1", BMSUB_E_FIELD_VALUE, 4 },
	{ "field-value-customer-bidi", BMSUB_E_FIELD_VALUE, 4 },
	{ "field-value-customer-nbsp-lead", BMSUB_E_FIELD_VALUE, 4 },
	{ "field-value-x-bom", BMSUB_E_FIELD_VALUE, 10 },

	{ "too-large-line", BMSUB_E_TOO_LARGE, 10 },
	{ "too-large-line-outside", BMSUB_E_TOO_LARGE, 1 },
	{ "too-large-file", BMSUB_E_TOO_LARGE, 0 },

	{ "unknown-key-other", BMSUB_E_UNKNOWN_KEY, 9 },
	{ "unknown-key-made-up", BMSUB_E_UNKNOWN_KEY, 9 },
	{ "bad-signature-tampered", BMSUB_E_BAD_SIGNATURE, 11 },
	{ "bad-signature-wrong-signer", BMSUB_E_BAD_SIGNATURE, 11 },
	{ "bad-signature-other-body", BMSUB_E_BAD_SIGNATURE, 11 },
	{ "bad-signature-zero", BMSUB_E_BAD_SIGNATURE, 11 },
	{ "bad-signature-trailing-body", BMSUB_E_BAD_SIGNATURE, 11 },
};
#define N_GOLDEN (int)(sizeof(golden) / sizeof(golden[0]))

START_TEST(test_golden)
{
	struct bmsub_keyring *kr = trusted(1, 1);
	struct bmsub_license lic;
	struct bmsub_error e;
	char rel[128], *buf;
	size_t len;
	int r;

	snprintf(rel, sizeof(rel), "licenses/%s.lic", golden[_i].file);
	buf = tlib_data(rel, &len);
	r = bmsub_license_verify(buf, len, kr, &lic, &e);
	ck_assert_msg(r == golden[_i].code && e.line == golden[_i].line,
	    "%s: got %s line %u (%s), want %s line %u", golden[_i].file,
	    bmsub_err_token(r), e.line, e.msg,
	    bmsub_err_token(golden[_i].code), golden[_i].line);
	ck_assert_int_eq(e.code, r);
	if (r != 0) {
		/* nothing of a refused file survives */
		ck_assert_uint_eq(lic.users, 0);
		ck_assert_str_eq(lic.id, "");
		ck_assert(lic.starts == BMSUB_TIME_NONE);
		ck_assert_str_ne(e.msg, "");
	} else {
		ck_assert_uint_ge(lic.users, 1);
		ck_assert_str_eq(e.msg, "");
	}
	/* parse alone agrees except for the signature checks */
	r = bmsub_license_parse(buf, len, &lic, &e);
	if (golden[_i].code == BMSUB_E_UNKNOWN_KEY ||
	    golden[_i].code == BMSUB_E_BAD_SIGNATURE)
		ck_assert_int_eq(r, 0);
	else
		ck_assert_int_eq(r, golden[_i].code);
	free(buf);
	bmsub_keyring_free(kr);
}
END_TEST

/* Every golden file is covered by the table, and the table by files. */
START_TEST(test_golden_names)
{
	int i, good = 0, bad = 0;

	for (i = 0; i < N_GOLDEN; i++) {
		if (strncmp(golden[i].file, "good-", 5) == 0) {
			ck_assert_int_eq(golden[i].code, 0);
			good++;
		} else {
			ck_assert_int_ne(golden[i].code, 0);
			/* the file name starts with its reason token */
			ck_assert_msg(strncmp(golden[i].file,
			    bmsub_err_token(golden[i].code),
			    strlen(bmsub_err_token(golden[i].code))) == 0,
			    "%s is not named after its token", golden[i].file);
			bad++;
		}
	}
	ck_assert_int_gt(bad, 4 * good);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Values of good files. */

START_TEST(test_good_minimal_fields)
{
	struct bmsub_keyring *kr = trusted(1, 0);
	struct bmsub_license lic;
	struct bmsub_error e;
	static const uint8_t v1id[8] = { 0xd6, 0x14, 0x7a, 0x14, 0x8c, 0x10, 0xbf, 0x1f };
	size_t len;
	char *buf = tlib_data("licenses/good-minimal.lic", &len);

	ck_assert_int_eq(bmsub_license_verify(buf, len, kr, &lic, &e), 0);
	ck_assert_str_eq(lic.id, "BM-TEST-0001");
	ck_assert_str_eq(lic.customer, "Example SA");
	ck_assert_int_eq(lic.kind, BMSUB_KIND_PROD);
	ck_assert_int_eq(lic.issued, 1767225600);	/* 2026-01-01 */
	ck_assert(lic.starts == BMSUB_TIME_NONE);
	ck_assert_int_eq(lic.expires, 1798848000);	/* 2027-01-02T00:00 */
	ck_assert_uint_eq(lic.users, 100);
	ck_assert_uint_eq(lic.grace_days, 10);
	ck_assert_uint_eq(lic.allowance_percent, 10);
	ck_assert_mem_eq(lic.key_id, v1id, 8);
	ck_assert_uint_eq(lic.signed_off, 0);
	ck_assert_uint_eq(lic.signed_len, 161);
	ck_assert_uint_eq(len, 310);
	free(buf);
	bmsub_keyring_free(kr);
}
END_TEST

static const struct {
	const char *file;
	int kind;
	int64_t issued, starts, expires;
	uint32_t users, grace, allowance;
	size_t signed_off;
} good_values[] = {
	{ "good-all-fields", BMSUB_KIND_PROD, 1767225600, 1769904000,
	    1798848000, 100, 30, 25, 0 },
	{ "good-trial", BMSUB_KIND_TRIAL, 1767225600, BMSUB_TIME_NONE,
	    1769904000, 100, 0, 10, 0 },
	{ "good-free-10", BMSUB_KIND_FREE, 1767225600, BMSUB_TIME_NONE,
	    1798848000, 10, 10, 10, 0 },
	{ "good-datetime", BMSUB_KIND_PROD, 1767270896, BMSUB_TIME_NONE,
	    1767270896, 100, 10, 10, 0 },
	{ "good-limits", BMSUB_KIND_PROD, 1767225600, BMSUB_TIME_NONE,
	    1798848000, 10000000, 365, 100, 0 },
	{ "good-zeros", BMSUB_KIND_PROD, 1767225600, BMSUB_TIME_NONE,
	    1798848000, 1, 0, 0, 0 },
	{ "good-surrounding-text", BMSUB_KIND_PROD, 1767225600,
	    BMSUB_TIME_NONE, 1798848000, 100, 10, 10, 30 },
	{ "good-vendor2", BMSUB_KIND_PROD, 1767225600, BMSUB_TIME_NONE,
	    1798848000, 100, 10, 10, 0 },
};

START_TEST(test_good_values)
{
	struct bmsub_keyring *kr = trusted(1, 1);
	struct bmsub_license lic;
	struct bmsub_error e;
	char rel[128], *buf;
	size_t len;

	snprintf(rel, sizeof(rel), "licenses/%s.lic", good_values[_i].file);
	buf = tlib_data(rel, &len);
	ck_assert_int_eq(bmsub_license_verify(buf, len, kr, &lic, &e), 0);
	ck_assert_int_eq(lic.kind, good_values[_i].kind);
	ck_assert_int_eq(lic.issued, good_values[_i].issued);
	ck_assert_int_eq(lic.starts, good_values[_i].starts);
	ck_assert_int_eq(lic.expires, good_values[_i].expires);
	ck_assert_uint_eq(lic.users, good_values[_i].users);
	ck_assert_uint_eq(lic.grace_days, good_values[_i].grace);
	ck_assert_uint_eq(lic.allowance_percent, good_values[_i].allowance);
	ck_assert_uint_eq(lic.signed_off, good_values[_i].signed_off);
	ck_assert(memcmp(buf + lic.signed_off, "-----BEGIN BMSUB LICENSE-----\n", 30) == 0);
	ck_assert(memcmp(buf + lic.signed_off + lic.signed_len,
	    "-----BEGIN BMSUB SIGNATURE-----\n", 32) == 0);
	free(buf);
	bmsub_keyring_free(kr);
}
END_TEST

START_TEST(test_good_utf8_and_x)
{
	struct bmsub_keyring *kr = trusted(1, 0);
	struct bmsub_license lic;
	struct bmsub_error e;
	size_t len;
	char *buf = tlib_data("licenses/good-utf8.lic", &len);

	ck_assert_int_eq(bmsub_license_verify(buf, len, kr, &lic, &e), 0);
	ck_assert_str_eq(lic.customer,
	    "Soci\xc3\xa9t\xc3\xa9 G\xc3\xa9n\xc3\xa9rale \xe2\x80\x94 Z\xc3\xbcrich "
	    "\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x90\xb1");
	free(buf);
	buf = tlib_data("licenses/good-limits.lic", &len);
	ck_assert_int_eq(bmsub_license_verify(buf, len, kr, &lic, &e), 0);
	ck_assert_uint_eq(strlen(lic.id), 64);
	ck_assert_uint_eq(strlen(lic.customer), 200);
	free(buf);
	bmsub_keyring_free(kr);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Keys: rotation, untrusted signers. */

START_TEST(test_keyring_choice)
{
	struct bmsub_keyring *only1 = trusted(1, 0), *only2 = trusted(0, 1),
	    *none = trusted(0, 0);
	struct bmsub_license lic;
	struct bmsub_error e;
	size_t l1, l2;
	char *b1 = tlib_data("licenses/good-minimal.lic", &l1);
	char *b2 = tlib_data("licenses/good-vendor2.lic", &l2);

	ck_assert_int_eq(bmsub_license_verify(b1, l1, only1, &lic, &e), 0);
	ck_assert_int_eq(bmsub_license_verify(b2, l2, only2, &lic, &e), 0);
	ck_assert_int_eq(bmsub_license_verify(b1, l1, only2, &lic, &e),
	    BMSUB_E_UNKNOWN_KEY);
	ck_assert_ptr_nonnull(strstr(e.msg, V1_ID));
	ck_assert_uint_eq(e.line, 9);
	ck_assert_int_eq(bmsub_license_verify(b2, l2, only1, &lic, &e),
	    BMSUB_E_UNKNOWN_KEY);
	ck_assert_ptr_nonnull(strstr(e.msg, V2_ID));
	ck_assert_int_eq(bmsub_license_verify(b1, l1, none, &lic, &e),
	    BMSUB_E_UNKNOWN_KEY);
	ck_assert_int_eq(bmsub_license_verify(b1, l1, NULL, &lic, &e),
	    BMSUB_E_UNKNOWN_KEY);
	free(b1);
	free(b2);
	bmsub_keyring_free(only1);
	bmsub_keyring_free(only2);
	bmsub_keyring_free(none);
}
END_TEST

START_TEST(test_unknown_key_names_id)
{
	struct bmsub_keyring *kr = trusted(1, 1);
	struct bmsub_license lic;
	struct bmsub_error e;
	size_t len;
	char *buf = tlib_data("licenses/unknown-key-other.lic", &len);

	ck_assert_int_eq(bmsub_license_verify(buf, len, kr, &lic, &e),
	    BMSUB_E_UNKNOWN_KEY);
	ck_assert_ptr_nonnull(strstr(e.msg, OTHER_ID));
	free(buf);
	bmsub_keyring_free(kr);
}
END_TEST

/* A key id equal to a trusted one but in its last digit names an
 * unknown key: the whole id is compared, not a prefix. */
START_TEST(test_key_id_last_digit)
{
	struct bmsub_keyring *kr = trusted(1, 1);
	struct bmsub_license lic;
	struct bmsub_error e;
	size_t len;
	char *buf = tlib_data("licenses/good-minimal.lic", &len);
	char *k = strstr(buf, "key: " V1_ID);

	ck_assert_ptr_nonnull(k);
	k += strlen("key: " V1_ID) - 1;
	*k = *k == '0' ? '1' : '0';
	ck_assert_int_eq(bmsub_license_verify(buf, len, kr, &lic, &e),
	    BMSUB_E_UNKNOWN_KEY);
	free(buf);
	bmsub_keyring_free(kr);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Mutations of a good license: no change of a single bit and no
 * truncation may leave a valid license. */

START_TEST(test_every_bit_flip_refused)
{
	struct bmsub_keyring *kr = trusted(1, 1);
	struct bmsub_license lic;
	struct bmsub_error e;
	size_t len, i;
	int bit, r;
	char *buf = tlib_data("licenses/good-minimal.lic", &len);

	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			buf[i] ^= (char)(1 << bit);
			r = bmsub_license_verify(buf, len, kr, &lic, &e);
			ck_assert_msg(r != 0, "flip of bit %d at %zu accepted",
			    bit, i);
			ck_assert_int_ne(r, BMSUB_E_INTERNAL);
			buf[i] ^= (char)(1 << bit);
		}
	}
	ck_assert_int_eq(bmsub_license_verify(buf, len, kr, &lic, &e), 0);
	free(buf);
	bmsub_keyring_free(kr);
}
END_TEST

START_TEST(test_every_truncation_refused)
{
	struct bmsub_keyring *kr = trusted(1, 1);
	struct bmsub_license lic;
	struct bmsub_error e;
	size_t len, n;
	int r;
	char *buf = tlib_data("licenses/good-minimal.lic", &len);

	for (n = 0; n < len; n++) {
		r = bmsub_license_verify(buf, n, kr, &lic, &e);
		if (n == len - 1)	/* only the last LF removed */
			ck_assert_int_eq(r, 0);
		else	/* syntax mostly; a cut value may be a field-value */
			ck_assert_msg(r != 0 && r != BMSUB_E_INTERNAL,
			    "%zu bytes: %s", n, bmsub_err_token(r));
	}
	free(buf);
	bmsub_keyring_free(kr);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Field values in memory, parse only (the signature is any 64 bytes):
 * boundaries just below, at and above every limit. */

#define SIG_ZERO "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="

/* The standard body with one line replaced (match by "name: ") or, when
 * no field has that name, appended after the key. */
static char *
build(const char *line, size_t *len)
{
	static const char *const std[] = {
		"format: 1", "id: BM-1", "customer: C", "kind: prod",
		"issued: 2026-01-01", "expires: 2027-01-01", "users: 5",
		"key: " V1_ID,
	};
	char *out = NULL;
	size_t i, n = 0, nl = strcspn(line, ":");
	int replaced = 0;
	FILE *f = open_memstream(&out, &n);

	fputs("-----BEGIN BMSUB LICENSE-----\n", f);
	for (i = 0; i < sizeof(std) / sizeof(std[0]); i++) {
		if (strncmp(std[i], line, nl + 1) == 0) {
			fprintf(f, "%s\n", line);
			replaced = 1;
		} else
			fprintf(f, "%s\n", std[i]);
	}
	if (!replaced)
		fprintf(f, "%s\n", line);
	fputs("-----BEGIN BMSUB SIGNATURE-----\n" SIG_ZERO "\n"
	    "-----END BMSUB LICENSE-----\n", f);
	fclose(f);
	*len = n;
	return out;
}

static const struct {
	const char *line;
	int code;
} values[] = {
	{ "users: 1", 0 },
	{ "users: 9", 0 },
	{ "users: 10000000", 0 },
	{ "users: 10000001", BMSUB_E_FIELD_VALUE },
	{ "users: 0", BMSUB_E_FIELD_VALUE },
	{ "users: 00", BMSUB_E_FIELD_VALUE },
	{ "users: 4294967297", BMSUB_E_FIELD_VALUE },
	{ "users: 18446744073709551617", BMSUB_E_FIELD_VALUE },
	{ "users: 1 000", BMSUB_E_FIELD_VALUE },
	{ "users: 5.0", BMSUB_E_FIELD_VALUE },
	{ "users: 1:", BMSUB_E_FIELD_VALUE },	/* ':' follows '9' */
	{ "users: \xd9\xa1", BMSUB_E_FIELD_VALUE },	/* Arabic-Indic 1 */
	{ "grace-days: 0", 0 },
	{ "grace-days: 365", 0 },
	{ "grace-days: 366", BMSUB_E_FIELD_VALUE },
	{ "grace-days: -0", BMSUB_E_FIELD_VALUE },
	{ "allowance-percent: 0", 0 },
	{ "allowance-percent: 100", 0 },
	{ "allowance-percent: 101", BMSUB_E_FIELD_VALUE },
	{ "format: 1.0", BMSUB_E_FIELD_VALUE },
	{ "id: a", 0 },
	{ "id: A.b_c-9", 0 },
	{ "id: BM+1", BMSUB_E_FIELD_VALUE },
	{ "customer: x", 0 },
	{ "customer: \xc2\xa1", 0 },		/* U+00A1, first after C1, NBSP */
	{ "customer: \xdf\xbf", 0 },
	{ "customer: \xe0\xa0\x80", 0 },	/* U+0800 */
	{ "customer: \xed\x9f\xbf", 0 },	/* U+D7FF */
	{ "customer: \xee\x80\x80", 0 },	/* U+E000 */
	{ "customer: \xef\xbf\xbf", 0 },	/* U+FFFF */
	{ "customer: \xf0\x90\x80\x80", 0 },	/* U+10000 */
	{ "customer: \xf4\x8f\xbf\xbf", 0 },	/* U+10FFFF */
	{ "customer: \xc1\xbf", BMSUB_E_FIELD_VALUE },	/* overlong */
	{ "customer: \xe0\x9f\xbf", BMSUB_E_FIELD_VALUE },
	{ "customer: \xed\xbf\xbf", BMSUB_E_FIELD_VALUE },	/* surrogate */
	{ "customer: \xf0\x8f\xbf\xbf", BMSUB_E_FIELD_VALUE },
	{ "customer: \xf4\x90\x80\x80", BMSUB_E_FIELD_VALUE },
	{ "customer: \xf8\x88\x80\x80\x80", BMSUB_E_FIELD_VALUE },
	{ "customer: \xfe", BMSUB_E_FIELD_VALUE },
	{ "customer: a\xc3", BMSUB_E_FIELD_VALUE },
	{ "kind: host", 0 },
	{ "kind: trial", 0 },
	{ "kind: free", 0 },
	{ "kind: pro", BMSUB_E_FIELD_VALUE },
	{ "kind: prods", BMSUB_E_FIELD_VALUE },
	{ "issued: 1970-01-01", 0 },
	{ "issued: 2024-02-29", 0 },
	{ "issued: 2000-02-29", 0 },
	{ "issued: 2026-12-31T23:59:59Z", 0 },
	{ "issued: 2026-12-31T23:59:60Z", BMSUB_E_FIELD_VALUE },
	{ "issued: 2026-13-01", BMSUB_E_FIELD_VALUE },
	{ "issued: 2026-00-10", BMSUB_E_FIELD_VALUE },
	{ "issued: 2026-04-31", BMSUB_E_FIELD_VALUE },
	{ "issued: 2026-01-01Z", BMSUB_E_FIELD_VALUE },
	{ "issued: 2026-01-01 00:00:00", BMSUB_E_FIELD_VALUE },
	{ "issued: 26-01-01", BMSUB_E_FIELD_VALUE },
	{ "expires: 9999-12-31", 0 },
	{ "expires: 10000-01-01", BMSUB_E_FIELD_VALUE },
	/* expires vs issued 2026-01-01T00:00:00Z: a second before, at, after */
	{ "expires: 2025-12-31T23:59:59Z", BMSUB_E_FIELD_VALUE },
	{ "expires: 2026-01-01T00:00:00Z", 0 },
	{ "expires: 2026-01-01T00:00:01Z", 0 },
	{ "expires: 2025-12-31", 0 },	/* E = 2026-01-01T00:00:00Z */
	{ "expires: 2025-12-30", BMSUB_E_FIELD_VALUE },
	{ "starts: 2027-01-01", 0 },	/* E = 2027-01-02T00:00:00Z */
	{ "starts: 2027-01-02", 0 },
	{ "starts: 2027-01-02T00:00:01Z", BMSUB_E_FIELD_VALUE },
	{ "key: 0000000000000000", 0 },
	{ "key: d6147a148c10bf1F", BMSUB_E_FIELD_VALUE },
	{ "key: d6147a14 8c10bf1", BMSUB_E_FIELD_VALUE },
	{ "x-anything: goes: here", 0 },
	{ "x-1: digits", 0 },
	{ "x-note: caf\xc3\xa9", 0 },
	{ "x-note: caf\xe9", BMSUB_E_FIELD_VALUE },
	{ "x-note:  two", BMSUB_E_SYNTAX },
	{ "x-Note: upper", BMSUB_E_SYNTAX },
	{ "x_note: underscore", BMSUB_E_SYNTAX },
	{ "-x: dash", BMSUB_E_SYNTAX },
	{ "{x: brace", BMSUB_E_SYNTAX },	/* '{' follows 'z' */
	{ "x-note: \x1b[31m", BMSUB_E_SYNTAX },
	{ "y-note: no", BMSUB_E_FIELD_UNKNOWN },
	{ "signature: no", BMSUB_E_FIELD_UNKNOWN },
	{ "format: 1 ", BMSUB_E_SYNTAX },
};

START_TEST(test_values)
{
	struct bmsub_license lic;
	struct bmsub_error e;
	size_t len;
	char *buf = build(values[_i].line, &len);
	int r = bmsub_license_parse(buf, len, &lic, &e);

	ck_assert_msg(r == values[_i].code, "\"%s\": got %s (%s), want %s",
	    values[_i].line, bmsub_err_token(r), e.msg,
	    bmsub_err_token(values[_i].code));
	free(buf);
}
END_TEST

/* Where two mistakes share a token, the message tells them apart: each
 * row's text names its own rule. */
static const struct {
	const char *text;
	int code;
	const char *msg;
} messages[] = {
	{ "-----BEGIN BMSUB LICENSE-----\nformat: 1\n"
	  "-----END BMSUB LICENSE-----\n", BMSUB_E_SYNTAX,
	  "END line before the SIGNATURE line" },
	{ "-----BEGIN BMSUB LICENSE-----\ncustomer: \n", BMSUB_E_SYNTAX,
	  "customer: empty value" },
	{ "-----BEGIN BMSUB LICENSE-----\ncustomer:  x\n", BMSUB_E_SYNTAX,
	  "customer: blank at the start or end of the value" },
	{ "-----BEGIN BMSUB LICENSE-----\ncustomer:x\n", BMSUB_E_SYNTAX,
	  "expected one space after \"customer:\"" },
	{ "-----BEGIN BMSUB LICENSE-----\n-----BEGIN BMSUB LICENSE-----\n",
	  BMSUB_E_SYNTAX, "second BEGIN line (first on line 1)" },
};

START_TEST(test_messages)
{
	struct bmsub_license lic;
	struct bmsub_error e;
	int r = bmsub_license_parse(messages[_i].text,
	    strlen(messages[_i].text), &lic, &e);

	ck_assert_msg(r == messages[_i].code, "row %d: got %s (%s)", _i,
	    bmsub_err_token(r), e.msg);
	ck_assert_msg(strstr(e.msg, messages[_i].msg) != NULL,
	    "row %d: \"%s\" does not say \"%s\"", _i, e.msg,
	    messages[_i].msg);
}
END_TEST

START_TEST(test_free_users_boundary)
{
	static const struct {
		const char *kind, *users;
		int code;
	} c[] = {
		{ "free", "10", 0 }, { "free", "11", BMSUB_E_FIELD_VALUE },
		{ "free", "1", 0 }, { "trial", "11", 0 }, { "host", "11", 0 },
	};
	struct bmsub_license lic;
	struct bmsub_error e;
	char *buf, line[64];
	size_t len, i, j;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		snprintf(line, sizeof(line), "kind: %s", c[i].kind);
		buf = build(line, &len);
		/* replace "users: 5" in place */
		for (j = 0; j + 8 < len; j++)
			if (memcmp(buf + j, "users: 5\n", 9) == 0)
				break;
		ck_assert_uint_lt(j + 8, len);
		{
			char *b2;
			ck_assert_int_ge(asprintf(&b2, "%.*susers: %s\n%s",
			    (int)j, buf, c[i].users, buf + j + 9), 0);
			ck_assert_int_eq(bmsub_license_parse(b2, strlen(b2),
			    &lic, &e), c[i].code);
			if (c[i].code != 0)
				ck_assert_uint_eq(e.line, 8);
			free(b2);
		}
		free(buf);
	}
}
END_TEST

START_TEST(test_defaults_by_kind)
{
	struct bmsub_license lic;
	struct bmsub_error e;
	size_t len;
	char *buf;

	buf = build("kind: trial", &len);
	ck_assert_int_eq(bmsub_license_parse(buf, len, &lic, &e), 0);
	ck_assert_uint_eq(lic.grace_days, 0);
	ck_assert_uint_eq(lic.allowance_percent, 10);
	free(buf);
	buf = build("kind: host", &len);
	ck_assert_int_eq(bmsub_license_parse(buf, len, &lic, &e), 0);
	ck_assert_uint_eq(lic.grace_days, 10);
	free(buf);
	buf = build("grace-days: 7", &len);
	ck_assert_int_eq(bmsub_license_parse(buf, len, &lic, &e), 0);
	ck_assert_uint_eq(lic.grace_days, 7);
	free(buf);
}
END_TEST

/* Many x- fields: linear duplicate check, found at the right line. */
START_TEST(test_many_x_fields)
{
	struct bmsub_license lic;
	struct bmsub_error e;
	char *buf = NULL;
	size_t n = 0;
	int i;
	FILE *f = open_memstream(&buf, &n);

	fputs("-----BEGIN BMSUB LICENSE-----\nformat: 1\nid: a\ncustomer: c\n"
	    "kind: prod\nissued: 2026-01-01\nexpires: 2027-01-01\nusers: 1\n"
	    "key: " V1_ID "\n", f);
	for (i = 0; i < 4000; i++)
		fprintf(f, "x-%d: v\n", i);
	fprintf(f, "x-%d: v\n", 1234);
	fputs("-----BEGIN BMSUB SIGNATURE-----\n" SIG_ZERO "\n"
	    "-----END BMSUB LICENSE-----\n", f);
	fclose(f);
	ck_assert_uint_le(n, BMSUB_LICENSE_MAX);
	ck_assert_int_eq(bmsub_license_parse(buf, n, &lic, &e),
	    BMSUB_E_FIELD_DUP);
	ck_assert_uint_eq(e.line, 4010);
	free(buf);
}
END_TEST

START_TEST(test_too_large_in_memory)
{
	struct bmsub_license lic;
	struct bmsub_error e;
	char *buf = calloc(1, BMSUB_LICENSE_MAX + 1);

	ck_assert_int_eq(bmsub_license_parse(buf, BMSUB_LICENSE_MAX + 1, &lic,
	    &e), BMSUB_E_TOO_LARGE);
	ck_assert_uint_eq(e.line, 0);
	/* 64 KiB of NULs: within size, refused for the NUL on line 1 */
	ck_assert_int_eq(bmsub_license_parse(buf, BMSUB_LICENSE_MAX, &lic,
	    &e), BMSUB_E_TOO_LARGE);	/* a single line of 65536 bytes */
	ck_assert_uint_eq(e.line, 1);
	ck_assert_int_eq(bmsub_license_parse(buf, 10, &lic, &e),
	    BMSUB_E_SYNTAX);
	ck_assert_uint_eq(e.line, 1);
	free(buf);
}
END_TEST

/* ------------------------------------------------------------------ */
/* bmsub_license_load: file rules and no-license. */

static char tmpdir[64];

static void
mk_tmp(void)
{
	tlib_tmpdir(tmpdir, sizeof(tmpdir), "test_license");
}

static void
rm_tmp(void)
{
	tlib_rmrf(tmpdir);
}

START_TEST(test_load)
{
	struct bmsub_keyring *kr = trusted(1, 1);
	struct bmsub_license lic;
	struct bmsub_error e;
	size_t len;
	char *buf = tlib_data("licenses/good-minimal.lic", &len), *p, *missing;

	mk_tmp();
	p = tlib_put(tmpdir, "ok", buf, len, 0644);
	ck_assert_int_eq(bmsub_license_load(p, kr, &lic, &e), 0);
	ck_assert_uint_eq(lic.users, 100);
	free(p);
	p = tlib_put(tmpdir, "groupw", buf, len, 0664);
	ck_assert_int_eq(bmsub_license_load(p, kr, &lic, &e),
	    BMSUB_E_PERMISSIONS);
	ck_assert_ptr_nonnull(strstr(e.msg, p));
	free(p);
	ck_assert_int_ge(asprintf(&missing, "%s/none", tmpdir), 0);
	ck_assert_int_eq(bmsub_license_load(missing, kr, &lic, &e),
	    BMSUB_E_NO_LICENSE);
	ck_assert_ptr_nonnull(strstr(e.msg, missing));
	ck_assert_int_eq(bmsub_license_load(tmpdir, kr, &lic, &e),
	    BMSUB_E_NOT_REGULAR);
	free(missing);
	free(buf);
	buf = tlib_data("licenses/bad-signature-tampered.lic", &len);
	p = tlib_put(tmpdir, "bad", buf, len, 0644);
	ck_assert_int_eq(bmsub_license_load(p, kr, &lic, &e),
	    BMSUB_E_BAD_SIGNATURE);
	ck_assert_uint_eq(e.line, 11);
	ck_assert_ptr_nonnull(strstr(e.msg, p));	/* names the file */
	ck_assert_uint_eq(lic.users, 0);
	free(p);
	free(buf);
	rm_tmp();
	bmsub_keyring_free(kr);
}
END_TEST

START_TEST(test_kind_name)
{
	ck_assert_str_eq(bmsub_kind_name(BMSUB_KIND_PROD), "prod");
	ck_assert_str_eq(bmsub_kind_name(BMSUB_KIND_HOST), "host");
	ck_assert_str_eq(bmsub_kind_name(BMSUB_KIND_TRIAL), "trial");
	ck_assert_str_eq(bmsub_kind_name(BMSUB_KIND_FREE), "free");
	ck_assert_str_eq(bmsub_kind_name((enum bmsub_kind)4), "unknown");
	ck_assert_str_eq(bmsub_kind_name((enum bmsub_kind)-1), "unknown");
}
END_TEST

START_TEST(test_null_err)
{
	struct bmsub_license lic;
	size_t len;
	char *buf = tlib_data("licenses/syntax-cr.lic", &len);

	ck_assert_int_eq(bmsub_license_parse(buf, len, &lic, NULL),
	    BMSUB_E_SYNTAX);
	ck_assert_int_eq(bmsub_license_verify(buf, len, NULL, &lic, NULL),
	    BMSUB_E_SYNTAX);
	free(buf);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The value rule's Unicode cases (SPEC 1, "no blank at either end, no
 * control character"): each character below, and its neighbours that
 * stay allowed, at the start, in the middle and at the end of a customer
 * and of an x- value. */

enum uclass {
	U_ANY,		/* refused anywhere: C1, bidi controls, U+FEFF */
	U_ENDS,		/* refused at either end only: Unicode blanks */
	U_OK,		/* allowed anywhere: the neighbours */
};

static const struct {
	const char *utf8;
	const char *name;
	enum uclass cl;
} uchars[] = {
	{ "\xc2\x80", "U+0080", U_ANY },
	{ "\xc2\x85", "U+0085", U_ANY },	/* NEL */
	{ "\xc2\x9b", "U+009B", U_ANY },	/* CSI */
	{ "\xc2\x9f", "U+009F", U_ANY },
	{ "\xd8\x9c", "U+061C", U_ANY },	/* Arabic letter mark */
	{ "\xe2\x80\x8e", "U+200E", U_ANY },	/* LRM */
	{ "\xe2\x80\x8f", "U+200F", U_ANY },	/* RLM */
	{ "\xe2\x80\xaa", "U+202A", U_ANY },	/* LRE */
	{ "\xe2\x80\xab", "U+202B", U_ANY },
	{ "\xe2\x80\xac", "U+202C", U_ANY },	/* PDF */
	{ "\xe2\x80\xad", "U+202D", U_ANY },
	{ "\xe2\x80\xae", "U+202E", U_ANY },	/* RLO */
	{ "\xe2\x81\xa6", "U+2066", U_ANY },	/* LRI */
	{ "\xe2\x81\xa7", "U+2067", U_ANY },
	{ "\xe2\x81\xa8", "U+2068", U_ANY },
	{ "\xe2\x81\xa9", "U+2069", U_ANY },	/* PDI */
	{ "\xef\xbb\xbf", "U+FEFF", U_ANY },	/* BOM, zero width */
	{ "\xc2\xa0", "U+00A0", U_ENDS },	/* NBSP */
	{ "\xe1\x9a\x80", "U+1680", U_ENDS },
	{ "\xe2\x80\x80", "U+2000", U_ENDS },
	{ "\xe2\x80\x85", "U+2005", U_ENDS },
	{ "\xe2\x80\x8a", "U+200A", U_ENDS },
	{ "\xe2\x80\xa8", "U+2028", U_ENDS },	/* line separator */
	{ "\xe2\x80\xa9", "U+2029", U_ENDS },	/* paragraph separator */
	{ "\xe2\x80\xaf", "U+202F", U_ENDS },	/* narrow NBSP */
	{ "\xe2\x81\x9f", "U+205F", U_ENDS },
	{ "\xe3\x80\x80", "U+3000", U_ENDS },	/* ideographic space */
	{ "\xc2\xa1", "U+00A1", U_OK },
	{ "\xd8\x9b", "U+061B", U_OK },
	{ "\xd8\x9d", "U+061D", U_OK },
	{ "\xe1\x9a\x81", "U+1681", U_OK },
	{ "\xe2\x80\x8b", "U+200B", U_OK },	/* not in the list */
	{ "\xe2\x80\x8d", "U+200D", U_OK },	/* ZWJ, emoji sequences */
	{ "\xe2\x80\x90", "U+2010", U_OK },
	{ "\xe2\x80\xa7", "U+2027", U_OK },
	{ "\xe2\x80\xb0", "U+2030", U_OK },
	{ "\xe2\x81\x9e", "U+205E", U_OK },
	{ "\xe2\x81\xa0", "U+2060", U_OK },
	{ "\xe2\x81\xa5", "U+2065", U_OK },
	{ "\xe2\x81\xaa", "U+206A", U_OK },
	{ "\xe3\x80\x81", "U+3001", U_OK },
	{ "\xef\xbb\xbe", "U+FEFE", U_OK },
	{ "\xef\xbc\x80", "U+FF00", U_OK },
};
#define N_UCHARS (int)(sizeof(uchars) / sizeof(uchars[0]))

START_TEST(test_unicode_values)
{
	static const struct {
		const char *field;
		unsigned line;	/* of the line in build() */
	} where[] = { { "customer", 4 }, { "x-note", 10 } };
	static const char *const pos[] = { "start", "middle", "end" };
	struct bmsub_license lic;
	struct bmsub_error e;
	char line[96], val[32];
	const char *u = uchars[_i].utf8;
	size_t w, p, len;
	int want, r;
	char *buf;

	for (w = 0; w < sizeof(where) / sizeof(where[0]); w++)
		for (p = 0; p < 3; p++) {
			snprintf(val, sizeof(val), "%s%s%s",
			    p == 0 ? "" : "Ab", u, p == 2 ? "" : "Cd");
			snprintf(line, sizeof(line), "%s: %s", where[w].field,
			    val);
			want = uchars[_i].cl == U_ANY ||
			    (uchars[_i].cl == U_ENDS && p != 1) ?
			    BMSUB_E_FIELD_VALUE : 0;
			buf = build(line, &len);
			r = bmsub_license_parse(buf, len, &lic, &e);
			ck_assert_msg(r == want, "%s %s at the %s: got %s (%s), "
			    "want %s", where[w].field, uchars[_i].name, pos[p],
			    bmsub_err_token(r), e.msg, bmsub_err_token(want));
			if (want != 0) {
				/* the line, the field and the character named */
				ck_assert_uint_eq(e.line, where[w].line);
				ck_assert_ptr_nonnull(strstr(e.msg,
				    where[w].field));
				ck_assert_ptr_nonnull(strstr(e.msg,
				    uchars[_i].name));
				ck_assert_str_eq(lic.customer, "");
			} else if (w == 0)
				ck_assert_str_eq(lic.customer, val);
			free(buf);
		}
}
END_TEST

/* Lines the Unicode rule meets with other defects: which token wins. */
static const struct {
	const char *line;
	int code;
} uvalues[] = {
	/* ASCII controls and blanks stay "syntax" (golden files pin it) */
	{ "customer: \xe2\x80\xae\x1b[31m", BMSUB_E_SYNTAX },
	{ "customer: \xc2\xa0 ", BMSUB_E_SYNTAX },
	{ "customer: \tA\xc2\x85", BMSUB_E_SYNTAX },
	/* the value's rule comes before the field's own */
	{ "id: BM\xe2\x80\xae", BMSUB_E_FIELD_VALUE },
	{ "kind: prod\xc2\xa0", BMSUB_E_FIELD_VALUE },
	{ "users: \xef\xbb\xbf" "5", BMSUB_E_FIELD_VALUE },
	{ "color: \xe2\x81\xa6red", BMSUB_E_FIELD_VALUE },
	/* a value that is only the character */
	{ "customer: \xc2\xa0", BMSUB_E_FIELD_VALUE },
	{ "customer: \xe3\x80\x80\xe3\x80\x80", BMSUB_E_FIELD_VALUE },
	{ "customer: \xe2\x80\x8f", BMSUB_E_FIELD_VALUE },
	/* two blanks inside, an ASCII space beside a Unicode blank inside */
	{ "customer: A\xc2\xa0\xc2\xa0" "B", 0 },
	{ "customer: A \xc2\xa0 B", 0 },
	/* a C1 character spelt overlong is malformed UTF-8: still refused */
	{ "customer: A\xe0\x82\x85", BMSUB_E_FIELD_VALUE },
	{ "customer: A\xc1\x85", BMSUB_E_FIELD_VALUE },
	/* a malformed byte before a blank at the end: both refuse */
	{ "x-note: a\xff\xc2\xa0", BMSUB_E_FIELD_VALUE },
	/* Latin-1 NBSP (one byte 0xa0) is malformed UTF-8 */
	{ "customer: A\xa0", BMSUB_E_FIELD_VALUE },
	{ "customer: Soci\xc3\xa9t\xc3\xa9 \xe2\x80\x94 Z\xc3\xbcrich", 0 },
	{ "x-note: \xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb", 0 },
};

START_TEST(test_unicode_lines)
{
	struct bmsub_license lic;
	struct bmsub_error e;
	size_t len;
	char *buf = build(uvalues[_i].line, &len);
	int r = bmsub_license_parse(buf, len, &lic, &e);

	ck_assert_msg(r == uvalues[_i].code, "\"%s\": got %s (%s), want %s",
	    uvalues[_i].line, bmsub_err_token(r), e.msg,
	    bmsub_err_token(uvalues[_i].code));
	free(buf);
}
END_TEST

/* bmsub_license_value_check is the parser's rule, alone: the same token
 * as a parse of "name: value" for every row above, line 0, and the
 * name in the message. */
START_TEST(test_value_check_api)
{
	static const struct {
		const char *value;
		int code;
	} c[] = {
		{ "", BMSUB_E_SYNTAX },
		{ " A", BMSUB_E_SYNTAX },
		{ "A\t", BMSUB_E_SYNTAX },
		{ "A\nformat: 2", BMSUB_E_SYNTAX },
		{ "A\x7f", BMSUB_E_SYNTAX },
		{ "A\xc2\x85" "B", BMSUB_E_FIELD_VALUE },
		{ "\xe2\x80\xae" "ASE", BMSUB_E_FIELD_VALUE },
		{ "\xc2\xa0" "A", BMSUB_E_FIELD_VALUE },
		{ "A\xe2\x80\xa8", BMSUB_E_FIELD_VALUE },
		{ "A\xef\xbb\xbf" "B", BMSUB_E_FIELD_VALUE },
		{ "A\xc2\xa0" "B", 0 },
		{ "Example SA", 0 },
		{ "\xff", 0 },		/* malformed: the field's rule */
	};
	struct bmsub_error e;
	size_t i;
	int r;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		memset(&e, 0x55, sizeof(e));
		r = bmsub_license_value_check("customer", c[i].value, &e);
		ck_assert_msg(r == c[i].code, "row %zu: got %s (%s), want %s",
		    i, bmsub_err_token(r), e.msg, bmsub_err_token(c[i].code));
		ck_assert_int_eq(e.code, r);
		ck_assert_uint_eq(e.line, 0);
		if (r != 0)
			ck_assert_ptr_nonnull(strstr(e.msg, "customer: "));
		else
			ck_assert_str_eq(e.msg, "");
		ck_assert_int_eq(bmsub_license_value_check("customer",
		    c[i].value, NULL), c[i].code);
	}
	/* the same verdict as the parser, for every table row */
	for (i = 0; i < sizeof(uvalues) / sizeof(uvalues[0]); i++) {
		const char *colon = strchr(uvalues[i].line, ':');
		char name[32];

		snprintf(name, sizeof(name), "%.*s",
		    (int)(colon - uvalues[i].line), uvalues[i].line);
		r = bmsub_license_value_check(name, colon + 2, &e);
		/* 0 only where the field's own rule refuses (malformed) */
		ck_assert_msg(r == uvalues[i].code ||
		    (r == 0 && uvalues[i].code == BMSUB_E_FIELD_VALUE),
		    "\"%s\": got %s", uvalues[i].line, bmsub_err_token(r));
	}
	ck_assert_int_eq(bmsub_license_value_check(NULL, "a", &e),
	    BMSUB_E_INVALID);
	ck_assert_int_eq(bmsub_license_value_check("a", NULL, &e),
	    BMSUB_E_INVALID);
}
END_TEST

/* The key id is 16 lowercase hex digits: a wrong byte in any of the 16
 * positions (uppercase letter, non-hex letter, space, a UTF-8 letter's
 * first byte) is field-value on line 9, before any signature check. */
START_TEST(test_keyid_each_position)
{
	static const char bad[] = { 'A', 'F', 'g', 'G', 'x', ' ', '-', '\xc3' };
	size_t len, b;
	char *buf = tlib_data("licenses/good-minimal.lic", &len), *k, saved;
	struct bmsub_license lic;
	struct bmsub_error e;

	ck_assert_ptr_nonnull(k = strstr(buf, "\nkey: "));
	k += strlen("\nkey: ");
	ck_assert_int_eq(bmsub_license_parse(buf, len, &lic, &e), 0);
	saved = k[_i];
	for (b = 0; b < sizeof(bad); b++) {
		int r;

		k[_i] = bad[b];
		r = bmsub_license_parse(buf, len, &lic, &e);
		/* a blank at either end breaks the line rule first */
		ck_assert_msg((r == BMSUB_E_FIELD_VALUE || (bad[b] == ' ' &&
		    (_i == 0 || _i == 15) && r == BMSUB_E_SYNTAX)) &&
		    e.line == 9,
		    "key byte %d as 0x%02x: %s", _i, (unsigned char)bad[b],
		    e.msg);
	}
	/* uppercase of the digit that stands there, when it is a letter */
	if (saved >= 'a' && saved <= 'f') {
		k[_i] = (char)(saved - 'a' + 'A');
		ck_assert_int_eq(bmsub_license_parse(buf, len, &lic, &e),
		    BMSUB_E_FIELD_VALUE);
	}
	k[_i] = saved;
	ck_assert_int_eq(bmsub_license_parse(buf, len, &lic, &e), 0);
	free(buf);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("license");
	TCase *tc = tcase_create("golden");
	int nf;

	tcase_add_loop_test(tc, test_golden, 0, N_GOLDEN);
	tcase_add_test(tc, test_golden_names);
	tcase_add_test(tc, test_good_minimal_fields);
	tcase_add_loop_test(tc, test_good_values, 0,
	    (int)(sizeof(good_values) / sizeof(good_values[0])));
	tcase_add_test(tc, test_good_utf8_and_x);
	tcase_add_loop_test(tc, test_keyid_each_position, 0, 16);
	suite_add_tcase(s, tc);

	tc = tcase_create("keys");
	tcase_add_test(tc, test_keyring_choice);
	tcase_add_test(tc, test_unknown_key_names_id);
	tcase_add_test(tc, test_key_id_last_digit);
	suite_add_tcase(s, tc);

	tc = tcase_create("mutations");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_every_bit_flip_refused);
	tcase_add_test(tc, test_every_truncation_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("values");
	tcase_add_loop_test(tc, test_values, 0,
	    (int)(sizeof(values) / sizeof(values[0])));
	tcase_add_loop_test(tc, test_messages, 0,
	    (int)(sizeof(messages) / sizeof(messages[0])));
	tcase_add_test(tc, test_free_users_boundary);
	tcase_add_test(tc, test_defaults_by_kind);
	tcase_add_test(tc, test_many_x_fields);
	tcase_add_test(tc, test_too_large_in_memory);
	suite_add_tcase(s, tc);

	tc = tcase_create("unicode");
	tcase_add_loop_test(tc, test_unicode_values, 0, N_UCHARS);
	tcase_add_loop_test(tc, test_unicode_lines, 0,
	    (int)(sizeof(uvalues) / sizeof(uvalues[0])));
	tcase_add_test(tc, test_value_check_api);
	suite_add_tcase(s, tc);

	tc = tcase_create("load");
	tcase_add_test(tc, test_load);
	tcase_add_test(tc, test_kind_name);
	tcase_add_test(tc, test_null_err);
	suite_add_tcase(s, tc);

	nf = tlib_run(s);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
