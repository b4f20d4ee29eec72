/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_roster.c - libFuzzer target: users.roster, one login a line (SPEC
 * 2), counted with an exclusion list; a count never exceeds the lines. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *ex[] = { "svc", "alice" };
	struct bmsub_strlist exclude = { ex, 2 }, none = { NULL, 0 };
	struct bmsub_error err;
	uint64_t count, all, lines = 1;
	size_t i;
	char *s;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (bm_roster_count(s, size, "fuzz", &none, &all, &err) == 0) {
		if (all > lines)
			abort();
		if (bm_roster_count(s, size, "fuzz", &exclude, &count,
		    &err) != 0 || count > all || all - count > 2)
			abort();
	} else if (err.code == 0) {
		abort();
	}
	free(s);
	return 0;
}
