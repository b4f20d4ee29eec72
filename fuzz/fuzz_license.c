/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_license.c - libFuzzer target: the license parser and verifier must
 * reject or accept any bytes without crashing, hanging or reading out of
 * bounds, and an accepted license must satisfy the SPEC's field rules. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bmsub.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char vendor1_pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAvng6OMPJ186YW+EZieNgtvRp/tlNlspdS2CjkJzxUtc=\n"
    "-----END PUBLIC KEY-----\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bmsub_keyring *kr;
	struct bmsub_license lic;
	struct bmsub_error err;

	if (kr == NULL) {
		kr = bmsub_keyring_new();
		if (kr == NULL || bmsub_keyring_add_pem(kr, vendor1_pem,
		    strlen(vendor1_pem), &err) != 0)
			abort();
	}
	if (bmsub_license_parse((const char *)data, size, &lic, &err) == 0) {
		if (lic.users < 1 || lic.users > BMSUB_USERS_MAX ||
		    lic.expires < lic.issued || lic.grace_days > 365 ||
		    lic.allowance_percent > 100 || lic.id[0] == '\0' ||
		    lic.customer[0] == '\0' ||
		    lic.signed_off + lic.signed_len > size)
			abort();
	} else if (err.code == 0) {
		abort();
	}
	(void)bmsub_license_verify((const char *)data, size, kr, &lic, &err);
	return 0;
}
