/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json.c - the tools' JSON writer: one object, escaped strings (json.h says why hand-written). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bmsub.h"
#include "json.h"

static void
sep(struct json *j, const char *key)
{
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	j->need_comma[j->depth] = 1;
	if (key != NULL) {
		fputc('"', j->f);
		fputs(key, j->f);	/* keys are literals of ours */
		fputs("\":", j->f);
	}
}

static void
push(struct json *j, int c)
{
	fputc(c, j->f);
	if (j->depth < (int)(sizeof(j->need_comma) / sizeof(j->need_comma[0])) - 1)
		j->depth++;
	j->need_comma[j->depth] = 0;
}

static void
pop(struct json *j, int c)
{
	fputc(c, j->f);
	if (j->depth > 0)
		j->depth--;
}

/* Length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong
 * form, no surrogate, nothing above U+10FFFF), 0 if there is none. */
static size_t
utf8_seq(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t more, k;

	if (*p >= 0xc2 && *p <= 0xdf)
		more = 1;
	else if (*p >= 0xe0 && *p <= 0xef) {
		more = 2;
		if (*p == 0xe0)
			lo = 0xa0;
		else if (*p == 0xed)
			hi = 0x9f;
	} else if (*p >= 0xf0 && *p <= 0xf4) {
		more = 3;
		if (*p == 0xf0)
			lo = 0x90;
		else if (*p == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	/* the NUL terminator fails the range test, so this never reads
	 * past the end of the string */
	for (k = 1; k <= more; k++) {
		if (p[k] < lo || p[k] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return more + 1;
}

/*
 * JSON text must be UTF-8 (RFC 8259 section 8.1), but what we print is not
 * always ours: file names and user names from argv, messages quoting a
 * hostile license's bytes (cut at 64 bytes, maybe inside a character). A
 * byte that does not start a well-formed sequence becomes U+FFFD.
 */
static void
escape(FILE *f, const char *s)
{
	const unsigned char *p;
	size_t n;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else if (*p < 0x80)
				fputc(*p, f);
			else if ((n = utf8_seq(p)) == 0)
				fputs("\\ufffd", f);
			else {
				fwrite(p, 1, n, f);
				p += n - 1;
			}
		}
	}
	fputc('"', f);
}

static int objects;

int
json_objects(void)
{
	return objects;
}

void
json_begin(struct json *j, FILE *f)
{
	objects++;
	memset(j, 0, sizeof(*j));
	j->f = f;
	push(j, '{');
}

void
json_end(struct json *j)
{
	pop(j, '}');
	fputc('\n', j->f);
}

void
json_key_obj(struct json *j, const char *key)
{
	sep(j, key);
	push(j, '{');
}

void
json_key_arr(struct json *j, const char *key)
{
	sep(j, key);
	push(j, '[');
}

void
json_obj(struct json *j)
{
	sep(j, NULL);
	push(j, '{');
}

void
json_close_obj(struct json *j)
{
	pop(j, '}');
}

void
json_close_arr(struct json *j)
{
	pop(j, ']');
}

void
json_str(struct json *j, const char *key, const char *val)
{
	sep(j, key);
	if (val == NULL)
		fputs("null", j->f);
	else
		escape(j->f, val);
}

void
json_int(struct json *j, const char *key, int64_t val)
{
	sep(j, key);
	fprintf(j->f, "%" PRId64, val);
}

void
json_uint(struct json *j, const char *key, uint64_t val)
{
	sep(j, key);
	fprintf(j->f, "%" PRIu64, val);
}

void
json_bool(struct json *j, const char *key, int val)
{
	sep(j, key);
	fputs(val ? "true" : "false", j->f);
}

void
json_null(struct json *j, const char *key)
{
	sep(j, key);
	fputs("null", j->f);
}

void
json_time(struct json *j, const char *key, int64_t t)
{
	char buf[BMSUB_TIME_STR_MAX];

	if (t == BMSUB_TIME_NONE) {
		json_null(j, key);
		return;
	}
	json_str(j, key, bmsub_time_str(t, BMSUB_TS_ISO, NULL, buf,
	    sizeof(buf)));
}
