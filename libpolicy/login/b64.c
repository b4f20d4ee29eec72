/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* b64.c - canonical standard base64 (RFC 4648 section 4, padded) and hex. */
#include <string.h>

#include "internal.h"

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
bmsub_base64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t i, o = 0;
	uint32_t v;

	for (i = 0; i + 3 <= n; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64chars[(v >> 18) & 63];
		out[o++] = b64chars[(v >> 12) & 63];
		out[o++] = b64chars[(v >> 6) & 63];
		out[o++] = b64chars[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o++] = b64chars[(v >> 18) & 63];
		out[o++] = b64chars[(v >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = b64chars[(v >> 18) & 63];
		out[o++] = b64chars[(v >> 12) & 63];
		out[o++] = b64chars[(v >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
}

/* Value of one alphabet character, -1 for anything else (including '='). */
static int
b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Canonical only, so that one signature has exactly one spelling: the
 * length is a multiple of 4, '=' appears only as the last one or two
 * characters of the last quantum, and the bits the padding drops are
 * zero. Nothing is written past outmax; on error *outlen is 0.
 */
int
bmsub_base64_decode(const char *in, size_t n, uint8_t *out, size_t outmax,
    size_t *outlen)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i, o = 0, pad = 0, need;
	int a, b, c, d;

	*outlen = 0;
	if (n % 4 != 0)
		return BMSUB_E_SYNTAX;
	if (n > 0 && s[n - 1] == '=')
		pad = (n > 1 && s[n - 2] == '=') ? 2 : 1;
	need = n / 4 * 3 - pad;
	if (need > outmax)
		return BMSUB_E_SYNTAX;
	for (i = 0; i < n; i += 4) {
		int last = (i + 4 == n);

		a = b64val(s[i]);
		b = b64val(s[i + 1]);
		c = (last && pad == 2) ? 0 : b64val(s[i + 2]);
		d = (last && pad >= 1) ? 0 : b64val(s[i + 3]);
		if (a < 0 || b < 0 || c < 0 || d < 0)
			return BMSUB_E_SYNTAX;
		if (last && pad == 2 && (b & 0x0f) != 0)
			return BMSUB_E_SYNTAX;
		if (last && pad == 1 && (c & 0x03) != 0)
			return BMSUB_E_SYNTAX;
		out[o++] = (uint8_t)(a << 2 | b >> 4);
		if (last && pad == 2)
			break;
		out[o++] = (uint8_t)((b & 0x0f) << 4 | c >> 2);
		if (last && pad == 1)
			break;
		out[o++] = (uint8_t)((c & 0x03) << 6 | d);
	}
	*outlen = o;
	return BMSUB_OK;
}

void
bmsub_hex(const uint8_t *in, size_t n, char *out)
{
	static const char hexd[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hexd[in[i] >> 4];
		out[2 * i + 1] = hexd[in[i] & 15];
	}
	out[2 * n] = '\0';
}
