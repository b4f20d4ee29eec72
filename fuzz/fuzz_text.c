/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_text.c - libFuzzer target for the other parsers fed by files: the
 * configuration, the state file, the roster, public key PEMs, times and
 * the users file of state_dir (SPEC 10).
 * The first byte picks the parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bmsub_config *cfg = NULL;
	struct bmsub_state st;
	struct bmsub_error err;
	struct bmsub_strlist none = { NULL, 0 };
	uint8_t pk[32];
	struct bm_users u;
	uint64_t count;
	int64_t t;
	char *s;

	if (size < 1)
		return 0;
	if ((s = malloc(size)) == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 6) {
	case 0:
		if (bm_config_parse(s, "fuzz", &cfg, &err) == 0)
			bmsub_config_free(cfg);
		break;
	case 1:
		bmsub_state_init(&st);
		(void)bm_state_parse(s, size - 1, &st, &err);
		bmsub_state_clear(&st);
		break;
	case 2:
		(void)bm_roster_count(s, size - 1, "fuzz", &none, &count, &err);
		break;
	case 3:
		(void)bmsub_pubkey_parse_pem(s, size - 1, pk, &err);
		break;
	case 4:
		(void)bmsub_time_parse(s, data[0] & 0x80, &t);
		break;
	case 5:
		if (bm_users_parse(s, size - 1, "fuzz", &u, &err) == 0) {
			/* every lookup stays inside the validated lines */
			(void)bm_users_find(&u, "alice");
			(void)bm_users_find(&u, "");
			(void)bm_users_find(&u, "\xff\xff");
			bm_users_free(&u);	/* frees s */
			return 0;
		}
		break;
	}
	free(s);
	return 0;
}
