/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_policy.c - libFuzzer target for bmsub-policy's reader of the
 * Postfix policy delegation protocol (tools/policy/proto.c): the input is
 * cut into chunks whose sizes the first byte picks, as reads may cut it,
 * and the reader's promises are checked after every request. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../tools/policy/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct bp_parser p;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t chunk, off = 0, n, used, got, i;
	enum bp_event ev;

	if (size < 1)
		return 0;
	chunk = (size_t)data[0] + 1;
	data++;
	size--;
	bp_init(&p);
	while (off < size) {
		n = size - off < chunk ? size - off : chunk;
		got = 0;
		while (got < n) {
			ev = bp_feed(&p, (const char *)data + off + got,
			    n - got, &used);
			if (used == 0 && ev == BP_MORE)
				abort();	/* no progress */
			if (used > n - got)
				abort();
			got += used;
			if (ev == BP_REQUEST && (p.err != NULL ||
			    !p.have_request))
				abort();
			if (ev == BP_BAD && p.err == NULL)
				abort();
			if (ev != BP_MORE) {
				if (strlen(p.user) > BP_USER_MAX ||
				    p.nattr > BP_ATTRS_MAX)
					abort();
				for (i = 0; p.user[i] != '\0'; i++)
					if ((unsigned char)p.user[i] < 0x20 ||
					    p.user[i] == 0x7f)
						abort();
				if (ev == BP_REQUEST && p.have_user !=
				    (p.user[0] != '\0'))
					abort();
			}
		}
		off += n;
	}
	(void)bp_pending(&p);
	return 0;
}
