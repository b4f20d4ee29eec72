/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c - bmsub-check, the operator's CLI: global options and the command table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "cli.h"
#include "cluster.h"

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
	{ "cluster", cmd_cluster, EXIT_USAGE, "cluster init|status", "shared database: create the schema, list the nodes" },
	{ "doctor", cmd_doctor, EXIT_USAGE, "doctor [--as USER]... [--root DIR]", "check the installation as the servers meet it" },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: bmsub-check [-c CONF] [--json] [--at TIME [--force-clock]] "
	    "COMMAND [ARGS]\n\n"
	    "Commands:\n");
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-38s %s\n", commands[i].usage, commands[i].help);
	fprintf(f, "\nTIME is YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC); the commands "
	    "that write refuse one\nmore than a day ahead of the real clock "
	    "unless --force-clock is given.\nDefault CONF: %s\n",
	    BMSUB_DEFAULT_CONF);
}

static void
log_stderr(void *arg, int priority, const char *msg)
{
	(void)arg;
	if (priority <= LOG_WARNING)
		fprintf(stderr, "bmsub-check: %s\n", msg);
}

/* The command a command line names: its first word that is neither an
 * option nor a global option's value; NULL when none. */
static const char *
command_word(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 ||
		    strcmp(argv[i], "--config") == 0 ||
		    strcmp(argv[i], "--at") == 0)
			i++;
		else if (argv[i][0] != '-')
			return argv[i];
	}
	return NULL;
}

/* A usage error of monitor is a monitoring plugin's UNKNOWN (exit 3),
 * with its one line on stdout; the other commands exit 2. */
static int
usage_exit(const struct cli *c, const char *cmd, int r)
{
	if (cmd == NULL || strcmp(cmd, "monitor") != 0)
		return r;
	if (!c->json)
		printf("BMSUB UNKNOWN - usage: %s\n", cli_last_message());
	return 3;
}

/* The context and its report, then the command. Returns the exit code. */
static int
run(struct cli *c, int argc, char **argv)
{
	struct bmsub_error err;
	const char *cmd = command_word(argc, argv);
	size_t i;
	int r;

	if ((r = cli_global_options(c, &argc, argv)) != 0)
		return usage_exit(c, cmd, r);
	if (argv[0][0] == '-' && strcmp(argv[0], "--") != 0)
		return usage_exit(c, cmd, cli_usage("unknown option '%s'%s",
		    argv[0], cmd != NULL ? "" : " (and no command given)"));
	for (i = 0; i < N_COMMANDS; i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			break;
	if (i == N_COMMANDS)
		return cli_usage("unknown command '%s'", argv[0]);

	/* Silent: what the load finds is in the report, and each command
	 * tells the part it uses. */
	memset(&err, 0, sizeof(err));
	if (bmsub_ctx_new(c->conf_path, &c->ctx, &err) != 0 ||
	    bmsub_ctx_report(c->ctx, NULL, c->now, &c->rep, &err) != 0) {
		if (commands[i].config_error_exit == 3 && !c->json)
			printf("BMSUB UNKNOWN - cannot read config %s: %s\n",
			    c->conf_path, err.msg);
		cli_config_error(c->conf_path, &err);
		return commands[i].config_error_exit;
	}
	c->cfg = c->rep->config;
	return commands[i].fn(c, argc, argv);
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
	c.now = c.real_now = (int64_t)time(NULL);
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
	c.json = cli_wants_json(argc, argv);
	r = run(&c, argc, argv);
	bmsub_report_free(c.rep);
	bmsub_ctx_free(c.ctx);
	/* With --json, stdout is always exactly one object, errors included:
	 * a script parsing it must never meet an empty or text answer. */
	if (c.json && json_objects() == 0) {
		json_begin(&j, stdout);
		json_bool(&j, "ok", r == EXIT_OK);
		json_int(&j, "exit", r);
		json_str(&j, "error", r == EXIT_OK ||
		    cli_last_message()[0] == '\0' ? NULL : cli_last_message());
		json_end(&j);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_warn("write error on standard output");
		return EXIT_USAGE;
	}
	return r;
}
