/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check_json.c - a tiny JSON writer: one object, escaped strings. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

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

static void
escape(FILE *f, const char *s)
{
	const unsigned char *p;

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
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void
json_begin(struct json *j, FILE *f)
{
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
	char buf[32];

	if (t == BMSUB_TIME_NONE) {
		json_null(j, key);
		return;
	}
	bmsub_time_format(t, buf, sizeof(buf));
	json_str(j, key, buf);
}
