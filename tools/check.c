/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check.c - bmsub-check, the operator's CLI: options, command table, loading. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "check.h"

static const struct {
	const char *name;
	int (*fn)(struct cli *, int, char **);
	int config_error_exit;	/* exit code when the config cannot be read */
	const char *usage;
	const char *help;
} commands[] = {
	{ "verify", cmd_verify, EXIT_USAGE, "verify FILE", "check a license against the trusted keys" },
	{ "status", cmd_status, EXIT_USAGE, "status", "license, phases, days left, users, banners, next event" },
	{ "decide", cmd_decide, EXIT_USAGE, "decide --user U --service S", "what the PAM module would answer" },
	{ "timeline", cmd_timeline, EXIT_USAGE, "timeline", "every dated event of the installed license" },
	{ "install", cmd_install, EXIT_USAGE, "install [--force] FILE", "verify, then atomically replace the license" },
	{ "refresh", cmd_refresh, EXIT_USAGE, "refresh [--users N]", "count users, update the state" },
	{ "can-add", cmd_can_add, EXIT_USAGE, "can-add [K]", "may K (default 1) more users be created" },
	{ "notify", cmd_notify, EXIT_USAGE, "notify [--dry-run]", "send the email alerts that are due" },
	{ "recipients", cmd_recipients, EXIT_USAGE, "recipients list|add ADDR|remove ADDR", "alert recipients" },
	{ "monitor", cmd_monitor, 3, "monitor", "monitoring-plugin line with perfdata" },
	{ "metrics", cmd_metrics, EXIT_USAGE, "metrics [--output FILE]", "Prometheus text format" },
	{ "clock", cmd_clock, EXIT_USAGE, "clock reset", "forget the clock high-water mark" },
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: bmsub-check [-c CONF] [--json] [--at TIME] COMMAND [ARGS]\n\n"
	    "Commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-38s %s\n", commands[i].usage, commands[i].help);
	fprintf(f, "\nTIME is YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC). "
	    "Default CONF: %s\n", BMSUB_DEFAULT_CONF);
}

/* The last problem told on stderr, for the --json fallback object. */
static char last_msg[512];

static void
vwarn(const char *fmt, va_list ap, const char *suffix)
{
	vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
	fprintf(stderr, "bmsub-check: %s%s\n", last_msg, suffix);
}

void
cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap, "");
	va_end(ap);
}

int
cli_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap, " (see bmsub-check --help)");
	va_end(ap);
	return EXIT_USAGE;
}

int
cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

void
cli_raise_high_water(struct cli *c, struct bmsub_state *st)
{
	if (st->high_water != BMSUB_TIME_NONE && st->high_water >= c->now)
		return;
	st->high_water = c->now;
	if (c->at_given && c->now > (int64_t)time(NULL) + 86400)
		cli_warn("warning: --at is ahead of the real clock: the state "
		    "now records it as the latest time seen, so earlier times "
		    "count as it until 'bmsub-check clock reset'");
}

static void
log_stderr(void *arg, int priority, const char *msg)
{
	(void)arg;
	if (priority <= LOG_WARNING)
		fprintf(stderr, "bmsub-check: %s\n", msg);
}

int
cli_view_load(struct cli *c, struct cli_view *v)
{
	struct bmsub_error err;
	int r;

	memset(v, 0, sizeof(*v));
	bmsub_state_init(&v->st);
	/* Keys that cannot be trusted leave no valid license (as at login):
	 * reported as the license's problem, not a usage error. */
	r = bmsub_keyring_load(c->cfg->keys_dir, &c->log, &v->kr, &err);
	if (r != 0) {
		v->lic_err = r;
		v->lic_error = err;
		bmsub_keyring_free(v->kr);
		v->kr = NULL;
	} else
		v->lic_err = bmsub_license_load(c->cfg->license, v->kr,
		    &v->lic, &v->lic_error);
	v->st_err = bmsub_state_load(c->cfg->state_dir, &v->st, &v->st_error);
	v->rcpt_err = bmsub_recipients_load(c->cfg->state_dir, &v->recipients,
	    &err);
	bmsub_evaluate(v->lic_err == 0 ? &v->lic : NULL, v->lic_err,
	    v->st_err == 0 ? &v->st : NULL, c->now, &v->ev);
	return 0;
}

void
cli_view_free(struct cli_view *v)
{
	bmsub_keyring_free(v->kr);
	bmsub_state_clear(&v->st);
	bmsub_strlist_free(&v->recipients);
	memset(v, 0, sizeof(*v));
}

/* Takes the global options out of argv wherever they stand (before "--"),
 * so "bmsub-check status --json" and "bmsub-check --json status" agree. */
static int
global_options(struct cli *c, int *argc, char **argv)
{
	int i, o = 0, dashdash = 0;

	for (i = 0; i < *argc; i++) {
		const char *a = argv[i];

		if (dashdash || a[0] != '-') {
			argv[o++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			dashdash = 1;
			argv[o++] = argv[i];
		} else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
			if (++i >= *argc)
				return cli_usage("%s needs a file", a);
			c->conf_path = argv[i];
		} else if (strcmp(a, "--json") == 0) {
			c->json = 1;
		} else if (strcmp(a, "--at") == 0) {
			if (++i >= *argc)
				return cli_usage("--at needs a time");
			if (bmsub_time_parse(argv[i], 0, &c->now) != 0)
				return cli_usage("--at: '%s' is not a time "
				    "(YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)", argv[i]);
			c->at_given = 1;
		} else {
			argv[o++] = argv[i];
		}
	}
	argv[o] = NULL;
	*argc = o;
	return 0;
}

/* Config, then the command. Returns the exit code. */
static int
run(struct cli *c, int argc, char **argv)
{
	struct bmsub_error err;
	size_t i;
	int r;

	if ((r = global_options(c, &argc, argv)) != 0)
		return r;
	if (argc < 1)
		return cli_usage("no command given");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			break;
	if (i == sizeof(commands) / sizeof(commands[0]))
		return cli_usage("unknown command '%s'", argv[0]);

	if (bmsub_config_load(c->conf_path, &c->cfg, &err) != 0) {
		if (commands[i].config_error_exit == 3 && !c->json)
			printf("BMSUB UNKNOWN - cannot read config %s: %s\n",
			    c->conf_path, err.msg);
		/* the library's messages name the file (and line) already */
		if (strstr(err.msg, c->conf_path) != NULL)
			cli_warn("config: %s", err.msg);
		else if (err.line)
			cli_warn("config %s: line %u: %s", c->conf_path,
			    err.line, err.msg);
		else
			cli_warn("config %s: %s", c->conf_path, err.msg);
		return commands[i].config_error_exit;
	}
	r = commands[i].fn(c, argc, argv);
	bmsub_config_free(c->cfg);
	c->cfg = NULL;
	return r;
}

/* --json is honoured even when the error comes before the option parser
 * reaches it ("bmsub-check --at bogus status --json"). */
static int
wants_json(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0 ||
		    strcmp(argv[i], "--at") == 0)
			i++;	/* a value, even one spelled "--json" */
		else if (strcmp(argv[i], "--json") == 0)
			return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct cli c;
	struct json j;
	int r;

	memset(&c, 0, sizeof(c));
	c.conf_path = BMSUB_DEFAULT_CONF;
	c.log.fn = log_stderr;
	c.now = (int64_t)time(NULL);
	argc--;
	argv++;
	if (argc >= 1 && (strcmp(argv[0], "-h") == 0 ||
	    strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "help") == 0)) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc >= 1 && strcmp(argv[0], "--version") == 0) {
		printf("bmsub-check %s\n", BMSUB_VERSION);
		return EXIT_OK;
	}
	c.json = wants_json(argc, argv);
	r = run(&c, argc, argv);
	/* With --json, stdout is always exactly one object, errors included:
	 * a script parsing it must never meet an empty or text answer. */
	if (c.json && json_objects() == 0) {
		json_begin(&j, stdout);
		json_bool(&j, "ok", r == EXIT_OK);
		json_int(&j, "exit", r);
		json_str(&j, "error", r == EXIT_OK || last_msg[0] == '\0' ?
		    NULL : last_msg);
		json_end(&j);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_warn("write error on standard output");
		return EXIT_USAGE;
	}
	return r;
}
