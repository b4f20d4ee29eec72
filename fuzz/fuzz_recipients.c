/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_recipients.c - libFuzzer target: the alert recipients file of
 * state_dir (bm_recipients_parse, what bmsub_recipients_load reads): every
 * address it keeps passes the address check, none twice. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bmsub_strlist l;
	struct bmsub_error err;
	size_t i, j;
	char *s;

	if (size > RCPT_MAX)
		return 0;	/* the file reader refuses more */
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	/* the check of bmsub-check recipients add ADDR, on the whole text */
	if (bmsub_recipients_address_valid(s, &err) == 0 &&
	    (strlen(s) > 254 || strchr(s, '@') == NULL))
		abort();
	if (bm_recipients_parse(s, size, "fuzz", NULL, &l, &err) == 0) {
		for (i = 0; i < l.n; i++) {
			if (bmsub_recipients_address_valid(l.v[i], &err) != 0)
				abort();
			for (j = 0; j < i; j++)
				if (bmsub_recipients_same(l.v[i], l.v[j]))
					abort();
		}
		bmsub_strlist_free(&l);
	} else if (err.code == 0 || l.n != 0 || l.v != NULL) {
		abort();
	}
	free(s);
	return 0;
}
