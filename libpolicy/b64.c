/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* b64.c - canonical base64 and hex (STUB: to be written). */
#include "internal.h"
void bmsub_base64_encode(const uint8_t *in, size_t n, char *out) { (void)in; (void)n; out[0] = '\0'; }
int bmsub_base64_decode(const char *in, size_t n, uint8_t *out, size_t outmax, size_t *outlen) { (void)in; (void)n; (void)out; (void)outmax; *outlen = 0; return BMSUB_E_INTERNAL; }
void bmsub_hex(const uint8_t *in, size_t n, char *out) { (void)in; (void)n; out[0] = '\0'; }
