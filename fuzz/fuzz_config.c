/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_config.c - libFuzzer target: the configuration parser (libconfig
 * text, SPEC 2) accepts or refuses any bytes with an error code, never a
 * crash, a leak or a partial result. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bmsub_config *cfg = NULL;
	struct bmsub_error err;
	char *s;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (bm_config_parse(s, "fuzz", &cfg, &err) == 0) {
		if (cfg == NULL)
			abort();
		/* what every login asks of an accepted config */
		(void)bmsub_config_category(cfg, "imap");
		(void)bmsub_config_category(cfg, "");
		bmsub_config_free(cfg);
	} else if (err.code == 0 || cfg != NULL) {
		abort();
	}
	free(s);
	return 0;
}
