/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_form.c - libFuzzer target for bmsub-web's form parsers
 * (tools/web/form.c), urlencoded and multipart (boundary XyZ), with the
 * fields of both forms and the license upload. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every value a parser returned is within its field's rules. */
static void
values_ok(struct web_field *f, size_t nf)
{
	size_t i;

	for (i = 0; i < nf; i++)
		if (f[i].value != NULL && (strlen(f[i].value) != f[i].len ||
		    f[i].len > f[i].max || !web_utf8_valid((unsigned char *)
		    f[i].value, f[i].len)))
			abort();
	web_form_free(f, nf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct web_field f[5];
	char why[200];

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
	f[4].name = "license_file";
	f[4].max = BMSUB_LICENSE_MAX;
	f[4].flags = WEB_F_MULTILINE | WEB_F_FILE;
	if (web_form_parse((const char *)data, size, f, 4, why,
	    sizeof(why)) == 0)
		values_ok(f, 4);
	if (web_multipart_parse("multipart/form-data; boundary=XyZ",
	    (const char *)data, size, f, 5, why, sizeof(why)) == 0)
		values_ok(f, 5);
	return 0;
}
