/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check.h - shared pieces of bmsub-check: the CLI context, loading, JSON. */
#ifndef BMSUB_CHECK_H
#define BMSUB_CHECK_H

#include <stdint.h>
#include <stdio.h>

#include "bmsub.h"

/* Exit codes (SPEC section 6). */
#define EXIT_OK 0
#define EXIT_NO 1	/* invalid, deny, refused, cannot add, not sent */
#define EXIT_USAGE 2	/* usage or config error */

struct cli {
	const char *conf_path;		/* -c, else BMSUB_DEFAULT_CONF */
	struct bmsub_config *cfg;	/* loaded by main before the command */
	int json;			/* --json */
	int at_given;			/* --at TIME */
	int64_t now;			/* --at TIME, else time(NULL) */
	struct bmsub_log log;		/* to stderr, "bmsub-check: " prefix */
};

/* Everything a report about "now" needs, loaded read-only. */
struct cli_view {
	struct bmsub_keyring *kr;
	int lic_err;			/* 0 when lic is valid */
	struct bmsub_error lic_error;	/* detail when lic_err != 0 */
	struct bmsub_license lic;
	int st_err;			/* 0, BMSUB_E_NOT_FOUND, BMSUB_E_CORRUPT... */
	struct bmsub_error st_error;
	struct bmsub_state st;
	int rcpt_err;
	struct bmsub_strlist recipients;
	struct bmsub_eval ev;		/* bmsub_evaluate at c->now */
};

/* Loads keys, license, state and recipients named by c->cfg and evaluates
 * the policy at c->now. Problems are recorded in the view, not fatal:
 * returns 0 (an unusable keys folder is recorded as lic_err). */
int cli_view_load(struct cli *c, struct cli_view *v);
void cli_view_free(struct cli_view *v);

/* Prints "bmsub-check: <msg>\n" to stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Usage error: one line naming the problem, returns EXIT_USAGE. */
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Parses a decimal uint64 with range check; 0 or -1. */
int cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Raises the state's clock high-water mark H to c->now. A simulated time
 * (--at) ahead of the real clock is recorded too (so tests and operators
 * can walk a calendar) but says so: it keeps a rolled-back clock from
 * un-expiring until 'clock reset'. */
void cli_raise_high_water(struct cli *c, struct bmsub_state *st);

/* Minimal JSON writer: one object to stdout, strings escaped (well-formed
 * UTF-8 passed through, other bytes as \ufffd, control characters as
 * \u00XX). */
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
void json_str(struct json *j, const char *key, const char *val); /* NULL -> null */
void json_int(struct json *j, const char *key, int64_t val);
void json_uint(struct json *j, const char *key, uint64_t val);
void json_bool(struct json *j, const char *key, int val);
void json_null(struct json *j, const char *key);
/* A time as "YYYY-MM-DDTHH:MM:SSZ", or null when BMSUB_TIME_NONE. */
void json_time(struct json *j, const char *key, int64_t t);
/* Array element (key NULL inside arrays works for all of the above). */
/* How many objects json_begin has started: main prints one of its own for
 * --json when a command ends without any (usage errors, refusals). */
int json_objects(void);

/* Commands: each returns the process exit code. argv[0] is the command. */
int cmd_verify(struct cli *c, int argc, char **argv);
int cmd_status(struct cli *c, int argc, char **argv);
int cmd_decide(struct cli *c, int argc, char **argv);
int cmd_timeline(struct cli *c, int argc, char **argv);
int cmd_install(struct cli *c, int argc, char **argv);
int cmd_refresh(struct cli *c, int argc, char **argv);
int cmd_can_add(struct cli *c, int argc, char **argv);
int cmd_clock(struct cli *c, int argc, char **argv);
/* tools/check_ops.c (alerts and monitoring) */
int cmd_notify(struct cli *c, int argc, char **argv);
int cmd_recipients(struct cli *c, int argc, char **argv);
int cmd_monitor(struct cli *c, int argc, char **argv);
int cmd_metrics(struct cli *c, int argc, char **argv);

#endif
