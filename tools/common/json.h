/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json.h - the tools' JSON writer: one object to a stream, strings escaped. */
#ifndef BMSUB_TOOLS_JSON_H
#define BMSUB_TOOLS_JSON_H

#include <stdint.h>
#include <stdio.h>

/*
 * Hand-written rather than json-c or jansson: whatever a string holds
 * (file names from argv, messages quoting a hostile license's bytes), the
 * output must stay strict UTF-8, so ill-formed bytes become U+FFFD; those
 * libraries pass such bytes through or refuse the string.
 *
 * Well-formed UTF-8 is passed through, other bytes become \ufffd, control
 * characters \u00XX. Keys are literals of the caller's, written as they
 * are. Nesting deeper than 15 levels is not tracked.
 */
struct json {
	FILE *f;
	int need_comma[16];
	int depth;
};
void json_begin(struct json *j, FILE *f);	/* "{" */
void json_end(struct json *j);			/* "}\n" */
void json_key_obj(struct json *j, const char *key);	/* "key": { */
void json_key_arr(struct json *j, const char *key);	/* "key": [ */
void json_obj(struct json *j);			/* { inside an array */
void json_close_obj(struct json *j);
void json_close_arr(struct json *j);
/* key NULL: an array element. */
void json_str(struct json *j, const char *key, const char *val); /* NULL -> null */
void json_int(struct json *j, const char *key, int64_t val);
void json_uint(struct json *j, const char *key, uint64_t val);
void json_bool(struct json *j, const char *key, int val);
void json_null(struct json *j, const char *key);
/* A time as "YYYY-MM-DDTHH:MM:SSZ", or null when BMSUB_TIME_NONE. */
void json_time(struct json *j, const char *key, int64_t t);
/* How many objects json_begin has started in this process: a program
 * that must always print one (bmsub-check --json) prints its own when a
 * command ended without any (usage errors, refusals). */
int json_objects(void);

#endif
