/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_pubkey.c - libFuzzer target: a trusted key file of keys_dir, an
 * Ed25519 SubjectPublicKeyInfo PEM (SPEC 1); the parser and the keyring
 * agree on what they accept. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bmsub.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bmsub_keyring *kr;
	struct bmsub_error err;
	uint8_t pk[32];
	int r1, r2;

	r1 = bmsub_pubkey_parse_pem((const char *)data, size, pk, &err);
	if (r1 != 0 && err.code == 0)
		abort();
	if ((kr = bmsub_keyring_new()) == NULL)
		return 0;
	r2 = bmsub_keyring_add_pem(kr, (const char *)data, size, &err);
	if ((r1 == 0) != (r2 == 0) && r2 != BMSUB_E_NOMEM)
		abort();
	if (bmsub_keyring_count(kr) != (r2 == 0 ? 1u : 0u))
		abort();
	bmsub_keyring_free(kr);
	return 0;
}
