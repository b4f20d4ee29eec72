/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* b64.c - canonical standard base64 (RFC 4648 section 4, padded) and hex,
 * through libsodium's constant-time codecs. */
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "internal.h"

/*
 * The codecs need no sodium_init (they touch no global state). libsodium
 * aborts (sodium_misuse) on an output buffer it finds too small: every
 * length it is given below is the exact one the caller's contract
 * promises, and sizes no caller can allocate are refused before.
 */

void
bmsub_base64_encode(const uint8_t *in, size_t n, char *out)
{
	if (n > (SIZE_MAX - 5) / 4 * 3) {
		out[0] = '\0';
		return;
	}
	sodium_bin2base64(out, sodium_base64_ENCODED_LEN(n,
	    sodium_base64_VARIANT_ORIGINAL), in, n,
	    sodium_base64_VARIANT_ORIGINAL);
}

/*
 * Canonical only, so that one signature has exactly one spelling. With
 * VARIANT_ORIGINAL and no characters to ignore, sodium_base642bin wants
 * the exact '=' padding and refuses set bits the padding drops; it stops
 * at the first other character, so the whole input must have been
 * consumed (b64_end), which also refuses text after the padding (its
 * *bin_len is then not reset: ours is). It writes nothing past outmax.
 *
 * libsodium 1.0.18 (Debian 12) takes every byte >= 0x80 for '/' or '+':
 * its constant-time comparisons expect 0..255 and get a negative char.
 * Those bytes are refused first, without a branch on each one.
 */
int
bmsub_base64_decode(const char *in, size_t n, uint8_t *out, size_t outmax,
    size_t *outlen)
{
	const char *end = NULL;
	size_t len = 0, i;
	unsigned char high = 0;

	*outlen = 0;
	for (i = 0; i < n; i++)
		high |= (unsigned char)in[i];
	if ((high & 0x80) != 0)
		return BMSUB_E_SYNTAX;
	if (sodium_base642bin(out, outmax, in, n, NULL, &len, &end,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || end != in + n)
		return BMSUB_E_SYNTAX;
	*outlen = len;
	return BMSUB_OK;
}

void
bmsub_hex(const uint8_t *in, size_t n, char *out)
{
	if (n >= SIZE_MAX / 2) {
		out[0] = '\0';
		return;
	}
	sodium_bin2hex(out, 2 * n + 1, in, n);
}
