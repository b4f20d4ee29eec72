/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_form.c - libFuzzer target for bmsub-web's urlencoded form parser
 * (tools/web/form.c), with the fields of both forms. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct web_field f[4];
	char why[200];
	size_t i;

	memset(f, 0, sizeof(f));
	f[0].name = "token";
	f[0].max = WEB_TOKEN_MAX;
	f[1].name = "op";
	f[1].max = WEB_OP_MAX;
	f[2].name = "address";
	f[2].max = WEB_ADDR_MAX;
	f[3].name = "license";
	f[3].max = BMSUB_LICENSE_MAX;
	f[3].flags = WEB_F_MULTILINE;
	if (web_form_parse((const char *)data, size, f, 4, why,
	    sizeof(why)) == 0) {
		for (i = 0; i < 4; i++)
			if (f[i].value != NULL && (strlen(f[i].value) !=
			    f[i].len || f[i].len > f[i].max ||
			    !web_utf8_valid((unsigned char *)f[i].value,
			    f[i].len)))
				abort();
		web_form_free(f, 4);
	}
	return 0;
}
