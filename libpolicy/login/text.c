/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* text.c - the one text builder: a bounded buffer (banners, messages,
 * timeline lines) or a growing one (mail, state file), never overflowing. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define GROW_START 256

void
bm_text_fixed(struct bm_text *t, char *buf, size_t size)
{
	memset(t, 0, sizeof(*t));
	t->buf = buf;
	t->size = size;
	if (size > 0)
		buf[0] = '\0';
}

void
bm_text_dynamic(struct bm_text *t)
{
	memset(t, 0, sizeof(*t));
	t->grow = 1;
}

/* Makes room for need more bytes plus the NUL; 0 or -1 (truncate). */
static int
reserve(struct bm_text *t, size_t need)
{
	size_t cap;
	char *p;

	if (t->len + need < t->size)
		return 0;
	if (!t->grow || t->failed)
		return -1;
	cap = t->size == 0 ? GROW_START : t->size;
	while (cap <= t->len + need) {
		if (cap > SIZE_MAX / 2)
			goto fail;
		cap *= 2;
	}
	if ((p = realloc(t->buf, cap)) == NULL)
		goto fail;
	t->buf = p;
	t->size = cap;
	return 0;
 fail:
	t->failed = 1;
	return -1;
}

void
bm_text_vadd(struct bm_text *t, const char *fmt, va_list ap)
{
	va_list cp;
	int r;

	if (t->failed || (t->grow ? 0 : t->len + 1 >= t->size))
		return;
	va_copy(cp, ap);
	r = vsnprintf(t->buf != NULL ? t->buf + t->len : NULL,
	    t->buf != NULL ? t->size - t->len : 0, fmt, cp);
	va_end(cp);
	if (r < 0) {
		t->failed = 1;
		if (t->buf != NULL)
			t->buf[t->len] = '\0';
		return;
	}
	if (t->buf != NULL && (size_t)r < t->size - t->len) {
		t->len += (size_t)r;
		return;
	}
	if (reserve(t, (size_t)r) != 0) {
		/* bounded: keep what fitted, remember the cut */
		if (!t->grow && t->size > 0) {
			t->len = t->size - 1;
			t->truncated = 1;
		}
		return;
	}
	vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
	t->len += (size_t)r;
}

void
bm_text_add(struct bm_text *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bm_text_vadd(t, fmt, ap);
	va_end(ap);
}

void
bm_text_sep(struct bm_text *t, const char *sep)
{
	if (t->len > 0)
		bm_text_add(t, "%s", sep);
}

/*
 * Makes a finished text safe for people's terminals, syslog and PAM
 * conversations: control bytes become '?', and a UTF-8 sequence cut by
 * truncation is dropped rather than left half-written.
 */
void
bm_text_finish(struct bm_text *t)
{
	size_t i, start;
	unsigned char c;
	unsigned need;

	if (t->buf == NULL)
		return;
	for (i = 0; i < t->len; i++) {
		c = (unsigned char)t->buf[i];
		if (c < 0x20 || c == 0x7f)
			t->buf[i] = '?';
		/* C1 controls, U+0080..U+009F, are C2 80..C2 9F in UTF-8. */
		if (c == 0xc2 && i + 1 < t->len &&
		    (unsigned char)t->buf[i + 1] >= 0x80 &&
		    (unsigned char)t->buf[i + 1] <= 0x9f) {
			t->buf[i] = '?';
			t->buf[i + 1] = '?';
		}
	}
	/* Find the last lead byte and check its sequence is complete. */
	start = t->len;
	while (start > 0 && t->len - start < 3 &&
	    ((unsigned char)t->buf[start - 1] & 0xc0) == 0x80)
		start--;
	if (start == 0)
		return;
	c = (unsigned char)t->buf[start - 1];
	if (c < 0xc0)
		return;
	need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
	if (t->len - (start - 1) < need) {
		t->len = start - 1;
		t->buf[t->len] = '\0';
	}
}

int
bm_text_take(struct bm_text *t, char **out, size_t *outlen)
{
	*out = NULL;
	if (outlen != NULL)
		*outlen = 0;
	if (!t->grow)
		return BMSUB_E_INVALID;
	if (t->failed || reserve(t, 0) != 0) {
		bm_text_free(t);
		return BMSUB_E_NOMEM;
	}
	t->buf[t->len] = '\0';
	*out = t->buf;	/* transferred */
	if (outlen != NULL)
		*outlen = t->len;
	memset(t, 0, sizeof(*t));
	t->grow = 1;
	return BMSUB_OK;
}

void
bm_text_free(struct bm_text *t)
{
	if (t->grow)
		free(t->buf);
	memset(t, 0, sizeof(*t));
}
