/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_b64.c - canonical base64 (RFC 4648 vectors, every non-canonical form refused) and hex. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmsub.h"
#include "tlib.h"

static const struct {
	const char *plain, *b64;
} rfc[] = {	/* RFC 4648 section 10 */
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

START_TEST(test_rfc_encode)
{
	char out[64];

	bmsub_base64_encode((const uint8_t *)rfc[_i].plain,
	    strlen(rfc[_i].plain), out);
	ck_assert_str_eq(out, rfc[_i].b64);
}
END_TEST

START_TEST(test_rfc_decode)
{
	uint8_t out[64];
	size_t n = 99;

	ck_assert_int_eq(bmsub_base64_decode(rfc[_i].b64, strlen(rfc[_i].b64),
	    out, sizeof(out), &n), 0);
	ck_assert_uint_eq(n, strlen(rfc[_i].plain));
	ck_assert_mem_eq(out, rfc[_i].plain, n);
}
END_TEST

/* Every one must be refused with BMSUB_E_SYNTAX and *outlen 0. */
static const char *const bad[] = {
	"Zg",		/* no padding */
	"Zg=",		/* short padding */
	"Zg===",	/* long padding */
	"Zh==",		/* unused bits set (4) */
	"Zm9=",		/* unused bits set (2) */
	"Zm8=Zm8=",	/* padding inside */
	"Zg==Zg==",
	"=Zm9",
	"Z===",
	"====",
	"Zm9v=",
	"Zm 9v",	/* whitespace */
	"Zm9v\n",
	" Zm9v",
	"Zm9v\r",
	"Zm9\tv",
	"Zm-v",		/* base64url alphabet */
	"Zm_v",
	"Zm9*",
	"Zm9v\x80Zg=",
	"Zm8",
	"Z",
	"Zm9vYg=a",
	"Zm9vY===",
	"Zm9v=",	/* text after the last quantum (libsodium's */
	"Zm9vYmFy=",	/* *bin_len is not 0 there: *outlen must be) */
	"Zm9vYmFy====",
	"Zg==Zg",
	"Zg== ",
	"Zm8=\n",
	"Zm+=",		/* unused bits set, '+' (62) */
	"Zm/=",
	"Zm9vYmFyZg",	/* no padding after whole quanta */
	"QQ=x",
	"AAAAA",
	"\xc3\xa9" "AA",	/* UTF-8 */
	"Zm9v\xff" "AA=",	/* libsodium 1.0.18 alone takes any byte >= 0x80 */
	"\x80\x80\x80\x80",	/* for '/' (its comparisons see a signed char) */
	"Zm9v\xab" "AA=",
	"Zm\xaf" "v",
};

START_TEST(test_bad)
{
	uint8_t out[64];
	size_t n = 99;

	ck_assert_int_eq(bmsub_base64_decode(bad[_i], strlen(bad[_i]), out,
	    sizeof(out), &n), BMSUB_E_SYNTAX);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_embedded_nul)
{
	uint8_t out[8];
	size_t n;

	ck_assert_int_eq(bmsub_base64_decode("Zm\0v", 4, out, sizeof(out), &n),
	    BMSUB_E_SYNTAX);
	/* a NUL after the padding: the whole n bytes must be base64 */
	ck_assert_int_eq(bmsub_base64_decode("Zg==\0", 5, out, sizeof(out),
	    &n), BMSUB_E_SYNTAX);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(bmsub_base64_decode("Zm9v\0", 5, out, sizeof(out),
	    &n), BMSUB_E_SYNTAX);
	ck_assert_uint_eq(n, 0);
	/* n, not the NUL, ends the input */
	ck_assert_int_eq(bmsub_base64_decode("Zm9vYmFy", 4, out, sizeof(out),
	    &n), 0);
	ck_assert_uint_eq(n, 3);
}
END_TEST

/* outmax is a hard limit: exact fits pass, one byte short fails, and
 * nothing is written past it. */
START_TEST(test_outmax)
{
	uint8_t out[8];
	size_t n;

	memset(out, 0xee, sizeof(out));
	ck_assert_int_eq(bmsub_base64_decode("Zm9vYmFy", 8, out, 6, &n), 0);
	ck_assert_uint_eq(n, 6);
	ck_assert_int_eq(bmsub_base64_decode("Zm9vYmFy", 8, out, 5, &n),
	    BMSUB_E_SYNTAX);
	ck_assert_int_eq(bmsub_base64_decode("Zm9vYmE=", 8, out, 5, &n), 0);
	ck_assert_int_eq(bmsub_base64_decode("Zm9vYg==", 8, out, 3, &n),
	    BMSUB_E_SYNTAX);
	ck_assert_uint_eq(out[6], 0xee);
}
END_TEST

/* Round trip of every length 0..200 over all byte values; the decoded
 * length of an encoding is exact. */
START_TEST(test_roundtrip)
{
	uint8_t in[200], out[200];
	char enc[4 * ((200 + 2) / 3) + 1];
	size_t len, n, i;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 37 + 11);
	for (len = 0; len <= sizeof(in); len++) {
		bmsub_base64_encode(in, len, enc);
		ck_assert_uint_eq(strlen(enc), 4 * ((len + 2) / 3));
		ck_assert_int_eq(bmsub_base64_decode(enc, strlen(enc), out,
		    sizeof(out), &n), 0);
		ck_assert_uint_eq(n, len);
		ck_assert_mem_eq(out, in, len);
	}
}
END_TEST

/* Each 88-character encoding of 64 bytes has one spelling: changing the
 * last data character to any other alphabet character either changes the
 * bytes or is refused, never decodes to the same bytes. */
START_TEST(test_signature_unique_spelling)
{
	static const char alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint8_t sig[64], out[64];
	char enc[89];
	size_t n, i;
	char orig;
	int accepted = 0;

	memset(sig, 0xa5, sizeof(sig));
	bmsub_base64_encode(sig, sizeof(sig), enc);
	ck_assert_uint_eq(strlen(enc), 88);
	ck_assert_str_eq(enc + 86, "==");
	orig = enc[85];
	for (i = 0; i < 64; i++) {
		enc[85] = alpha[i];
		if (bmsub_base64_decode(enc, 88, out, sizeof(out), &n) == 0) {
			accepted++;
			ck_assert(enc[85] == orig || memcmp(out, sig, 64) != 0);
		}
	}
	ck_assert_int_eq(accepted, 4);	/* 2 data bits, 4 unused bits zero */
}
END_TEST

START_TEST(test_hex)
{
	static const uint8_t in[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
	char out[2 * sizeof(in) + 1];

	bmsub_hex(in, sizeof(in), out);
	ck_assert_str_eq(out, "00017f80abff");
	bmsub_hex(in, 0, out);
	ck_assert_str_eq(out, "");
}
END_TEST

/* Every byte value, lowercase, two digits. */
START_TEST(test_hex_all)
{
	uint8_t in[256];
	char out[2 * sizeof(in) + 1], want[3];
	size_t i;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)i;
	memset(out, 'z', sizeof(out));
	bmsub_hex(in, sizeof(in), out);
	ck_assert_uint_eq(strlen(out), 2 * sizeof(in));
	for (i = 0; i < sizeof(in); i++) {
		snprintf(want, sizeof(want), "%02x", (unsigned)i);
		ck_assert_msg(memcmp(out + 2 * i, want, 2) == 0, "byte %zu", i);
	}
}
END_TEST

/* The encoder writes exactly 4*((n+2)/3) characters and the NUL: a byte
 * past what the contract asks is never touched. */
START_TEST(test_encode_bounds)
{
	static const uint8_t in[5] = { 1, 2, 3, 4, 5 };
	char out[16];
	size_t n;

	for (n = 0; n <= sizeof(in); n++) {
		memset(out, '#', sizeof(out));
		bmsub_base64_encode(in, n, out);
		ck_assert_uint_eq(strlen(out), 4 * ((n + 2) / 3));
		ck_assert_int_eq(out[4 * ((n + 2) / 3) + 1], '#');
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("b64");
	TCase *tc = tcase_create("base64");
	int nf;

	tcase_add_loop_test(tc, test_rfc_encode, 0,
	    (int)(sizeof(rfc) / sizeof(rfc[0])));
	tcase_add_loop_test(tc, test_rfc_decode, 0,
	    (int)(sizeof(rfc) / sizeof(rfc[0])));
	tcase_add_loop_test(tc, test_bad, 0,
	    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_embedded_nul);
	tcase_add_test(tc, test_outmax);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_signature_unique_spelling);
	tcase_add_test(tc, test_hex);
	tcase_add_test(tc, test_hex_all);
	tcase_add_test(tc, test_encode_bounds);
	suite_add_tcase(s, tc);
	nf = tlib_run(s);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
