/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_state.c - libFuzzer target: the state file reader (state_dir/state)
 * refuses any damaged text with an error, and what it accepts the writer
 * writes back to the same state (bm_state_format, then parsed again). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bmsub_state st, st2;
	struct bmsub_error err;
	char *out = NULL, *s;
	size_t outlen = 0, i;

	/* the file reader hands over a NUL-terminated copy */
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	bmsub_state_init(&st);
	if (bm_state_parse(s, size, &st, &err) == 0) {
		if (bm_state_format(&st, &out, &outlen, &err) != 0)
			abort();	/* the reader took what the writer refuses */
		bmsub_state_init(&st2);
		if (bm_state_parse(out, outlen, &st2, &err) != 0)
			abort();	/* the writer wrote what the reader refuses */
		if (st2.have_count != st.have_count ||
		    st2.count != st.count || st2.over_since != st.over_since ||
		    st2.high_water != st.high_water ||
		    st2.last_refresh != st.last_refresh ||
		    st2.last_notify != st.last_notify ||
		    st2.node_clock != st.node_clock ||
		    st2.n_sent != st.n_sent)
			abort();
		for (i = 0; i < st.n_sent; i++)
			if (strcmp(st.sent[i].key, st2.sent[i].key) != 0 ||
			    st.sent[i].at != st2.sent[i].at)
				abort();
		bmsub_state_clear(&st2);
		free(out);
	} else if (err.code == 0) {
		abort();
	}
	bmsub_state_clear(&st);
	free(s);
	return 0;
}
