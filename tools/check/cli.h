/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.h - what bmsub-check's command files share: the CLI context, helpers, the commands. */
#ifndef BMSUB_CHECK_CLI_H
#define BMSUB_CHECK_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bmsub.h"
#include "../common/json.h"

/* Exit codes (SPEC section 6). */
#define EXIT_OK 0
#define EXIT_NO 1	/* invalid, deny, refused, cannot add, not sent */
#define EXIT_USAGE 2	/* usage or config error */

struct cli {
	const char *conf_path;		/* -c, else BMSUB_DEFAULT_CONF */
	int json;			/* --json */
	int at_given;			/* --at TIME */
	int force_clock;		/* --force-clock */
	int64_t now;			/* --at TIME, else time(NULL) */
	int64_t real_now;		/* time(NULL) when the program started */
	struct bmsub_log log;		/* to stderr, "bmsub-check: " prefix */
	struct bmsub_ctx *ctx;		/* the context, as the module has one */
	struct bmsub_report *rep;	/* taken by main before the command */
	const struct bmsub_config *cfg;	/* rep->config */
	int notes_told;			/* the keys' warnings were shown */
};

/*
 * The report for the command: main's, or a new one when fresh (taken
 * after the state lock, so that it shows what the lock protects) or when
 * --at changed. The first call tells the keys folder's warnings on stderr
 * (a key file skipped...), as every command that reads the keys did.
 * NULL when the configuration became unusable meanwhile (told).
 */
struct bmsub_report *cli_report(struct cli *c, int fresh);
/* The license's problem as commands show it: a keys folder that cannot be
 * used is named rather than "no trusted key". */
const struct bmsub_error *cli_license_error(const struct bmsub_report *rep);

/* "s" unless n is 1: "1 user", "2 users", "0 days". */
static inline const char *
cli_s(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/* Prints "bmsub-check: <msg>\n" to stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Usage error: one line naming the problem, returns EXIT_USAGE. */
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The last message cli_warn or cli_usage told, for --json's fallback. */
const char *cli_last_message(void);
/* Parses a decimal uint64 with range check; 0 or -1. */
int cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* "bmsub-check: WHAT PATH: MSG", or "WHAT: MSG" when MSG names PATH
 * already (the library's messages name their file): each thing once. */
void cli_warn_path(const char *what, const char *path, const char *msg);
/* The configuration cannot be used: one line naming the file once. */
void cli_config_error(const char *path, const struct bmsub_error *err);
/* "bmsub-check: WHAT: [line N: ]TOKEN: MESSAGE" on stderr, MESSAGE's own
 * leading "WHAT: " left out. */
void cli_print_error(const char *what, int code, const struct bmsub_error *e);
/* The license object of --json output, and a reason/line/message triple. */
void cli_json_license(struct json *j, const char *key,
    const struct bmsub_license *l);
void cli_json_error(struct json *j, int code, const struct bmsub_error *e);

/* A candidate license file for verify and install: the keys folder
 * first (unusable: its error, res->keys_err set), then the file
 * (bmsub_file_read). 0 and *buf (malloc'ed) or the error in err. */
int cli_read_candidate(struct cli *c, const char *path, char **buf,
    size_t *len, struct bmsub_install *res, struct bmsub_error *err);

/* How far ahead of the real clock a writing command takes --at without
 * --force-clock (SPEC section 6): one day. */
#define CLI_AT_AHEAD_MAX 86400
/* Called by each command that writes, before it changes anything: an --at
 * more than CLI_AT_AHEAD_MAX ahead of the real clock is refused (told,
 * EXIT_USAGE) unless --force-clock was given. 0 when the command may go on. */
int cli_clock_guard(struct cli *c, const char *what);

/* Raises the state's clock high-water mark H to c->now. A simulated time
 * (--at) ahead of the real clock is recorded too (so tests and operators
 * can walk a calendar) but says so: it keeps a rolled-back clock from
 * un-expiring until 'clock reset'. */
void cli_saw_time(struct cli *c, struct bmsub_state *st);
/* Tells that --at was recorded ahead of the real clock; for a raised H. */
void cli_ahead_warning(struct cli *c);
/* Opens the state for a change: lock, then load; missing is fine, corrupt
 * is kept as state.corrupt and replaced. Any other failure is refused:
 * EXIT_NO (told), the state left as it is. */
int cli_state_begin(struct cli *c, int *lockfd, struct bmsub_state *st);
/* Saves and unlocks; EXIT_NO (told) when the save failed. */
int cli_state_commit(struct cli *c, int lockfd, struct bmsub_state *st);

/* args.c: takes the global options (-c, --json, --at, --force-clock) out
 * of argv (*argc of them, argv[*argc] set to NULL) wherever they stand
 * before "--", into c; EXIT_USAGE (told) for a bad one or when no
 * command is left, else 0. */
int cli_global_options(struct cli *c, int *argc, char **argv);
/* Whether --json is among the global options (looked for before the
 * parser, so that even its errors come as JSON). */
int cli_wants_json(int argc, char **argv);

/* Options of notify, recipients, monitor and metrics: main took --at and
 * --json already; they are accepted again after the command name. */
struct cli_opts {
	int dry_run;
	const char *output;
	int nargs;
	char *args[2];
};
#define CLI_OPT_DRY_RUN 0x1
#define CLI_OPT_OUTPUT 0x2
int cli_opts(struct cli *c, int argc, char **argv, unsigned allow,
    int max_args, struct cli_opts *o);

/* sendmail.c: runs "sendmail -t -oi" with msg on its standard input; 0,
 * or -1 with the reason in why. */
int cli_sendmail(const char *prog, const char *msg, char *why, size_t whysize);
/* The seconds cli_sendmail lets sendmail run ($BMSUB_SENDMAIL_TIMEOUT). */
unsigned cli_sendmail_timeout(void);

/* Commands, one file each: each returns the process exit code; argv[0]
 * is the command. */
int cmd_verify(struct cli *c, int argc, char **argv);
int cmd_status(struct cli *c, int argc, char **argv);
int cmd_decide(struct cli *c, int argc, char **argv);
int cmd_timeline(struct cli *c, int argc, char **argv);
int cmd_install(struct cli *c, int argc, char **argv);
int cmd_refresh(struct cli *c, int argc, char **argv);
int cmd_can_add(struct cli *c, int argc, char **argv);
int cmd_notify(struct cli *c, int argc, char **argv);
int cmd_recipients(struct cli *c, int argc, char **argv);
int cmd_monitor(struct cli *c, int argc, char **argv);
int cmd_metrics(struct cli *c, int argc, char **argv);
int cmd_clock(struct cli *c, int argc, char **argv);
int cmd_doctor(struct cli *c, int argc, char **argv);

#endif
