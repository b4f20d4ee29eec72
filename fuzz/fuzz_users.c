/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_users.c - libFuzzer target: the users file of state_dir (SPEC 10,
 * the hosted and external sets); every lookup of an accepted file stays
 * inside its validated lines. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bmsub_error err;
	struct bm_users u;
	char *s;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	bm_users_init(&u);
	if (bm_users_parse(s, size, "fuzz", &u, &err) == 0) {
		if (u.lo > u.hi || u.hi > u.len)
			abort();
		(void)bm_users_find(&u, "alice");
		(void)bm_users_find(&u, "");
		(void)bm_users_find(&u, "\xff\xff");
		bm_users_free(&u);	/* frees s */
		return 0;
	}
	if (err.code == 0)
		abort();
	free(s);
	return 0;
}
