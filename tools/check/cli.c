/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.c - helpers the commands share: messages, numbers, options, the report, shared renderers. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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

const char *
cli_last_message(void)
{
	return last_msg;
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

int
cli_opts(struct cli *c, int argc, char **argv, unsigned allow, int max_args,
    struct cli_opts *o)
{
	int i, dashdash = 0;

	memset(o, 0, sizeof(*o));
	for (i = 1; i < argc; i++) {
		if (!dashdash && strcmp(argv[i], "--") == 0)
			dashdash = 1;
		else if (dashdash || argv[i][0] != '-' || argv[i][1] == '\0') {
			if (o->nargs >= max_args)
				return cli_usage("%s: unexpected argument %s",
				    argv[0], argv[i]);
			o->args[o->nargs++] = argv[i];
		} else if (strcmp(argv[i], "--dry-run") == 0 &&
		    (allow & CLI_OPT_DRY_RUN))
			o->dry_run = 1;
		else if (strcmp(argv[i], "--json") == 0)
			c->json = 1;
		else if (strcmp(argv[i], "--at") == 0) {
			if (i + 1 >= argc)
				return cli_usage("%s: --at needs a TIME", argv[0]);
			if (bmsub_time_parse(argv[++i], 0, &c->now) != 0)
				return cli_usage("%s: --at %s: not a time "
				    "(YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)",
				    argv[0], argv[i]);
			c->at_given = 1;
		} else if (strcmp(argv[i], "--output") == 0 &&
		    (allow & CLI_OPT_OUTPUT)) {
			if (i + 1 >= argc || argv[i + 1][0] == '\0')
				return cli_usage("%s: --output needs a FILE",
				    argv[0]);
			o->output = argv[++i];
		} else
			return cli_usage("%s: unknown option %s", argv[0],
			    argv[i]);
	}
	return 0;
}

int
cli_clock_guard(struct cli *c, const char *what)
{
	char d[BMSUB_TIME_STR_MAX];

	/* A time in the past, or within a day (time zones, a clock a little
	 * behind), writes as today: only the future H would keep is refused. */
	if (!c->at_given || c->force_clock ||
	    c->now <= c->real_now + CLI_AT_AHEAD_MAX)
		return 0;
	cli_warn("%s: --at %s is more than a day ahead of the real clock: it "
	    "would raise the clock high-water mark and block logins until "
	    "'bmsub-check clock reset' (add --force-clock to do it anyway)",
	    what, bmsub_time_str(c->now, BMSUB_TS_ISO, "-", d, sizeof(d)));
	return EXIT_USAGE;
}

struct bmsub_report *
cli_report(struct cli *c, int fresh)
{
	struct bmsub_report *rep = NULL;
	struct bmsub_error err;
	size_t i;

	if (fresh || c->rep->now != c->now) {
		memset(&err, 0, sizeof(err));
		if (bmsub_ctx_report(c->ctx, NULL, c->now, &rep, &err) != 0) {
			cli_config_error(c->conf_path, &err);
			return NULL;
		}
		bmsub_report_free(c->rep);
		c->rep = rep;
		c->cfg = rep->config;
	}
	if (!c->notes_told) {
		c->notes_told = 1;
		for (i = 0; i < c->rep->keys.notes.n; i++)
			cli_warn("%s", c->rep->keys.notes.v[i]);
	}
	return c->rep;
}

const struct bmsub_error *
cli_license_error(const struct bmsub_report *rep)
{
	return rep->keys.err != 0 ? &rep->keys.error : &rep->license.error;
}

int
cli_read_candidate(struct cli *c, const char *path, char **buf, size_t *len,
    struct bmsub_install *res, struct bmsub_error *err)
{
	const struct bmsub_report *rep;

	*buf = NULL;
	memset(res, 0, sizeof(*res));
	if ((rep = cli_report(c, 0)) == NULL) {
		*err = (struct bmsub_error){ BMSUB_E_CONFIG, 0, "" };
		return BMSUB_E_CONFIG;
	}
	/* The folder first: when no key can be trusted, that is the
	 * configuration's problem whatever the file holds. */
	if (rep->keys.err != 0) {
		*err = rep->keys.error;
		res->keys_err = res->verify_err = rep->keys.err;
		return rep->keys.err;
	}
	return bmsub_file_read(path, BMSUB_LICENSE_MAX, buf, len, err);
}

void
cli_warn_path(const char *what, const char *path, const char *msg)
{
	if (strstr(msg, path) != NULL)
		cli_warn("%s: %s", what, msg);
	else
		cli_warn("%s %s: %s", what, path, msg);
}

void
cli_config_error(const char *path, const struct bmsub_error *err)
{
	/* the library's messages name the file (and line) already */
	if (strstr(err->msg, path) != NULL)
		cli_warn("config: %s", err->msg);
	else if (err->line)
		cli_warn("config %s: line %u: %s", path, err->line, err->msg);
	else
		cli_warn("config %s: %s", path, err->msg);
}

void
cli_print_error(const char *what, int code, const struct bmsub_error *e)
{
	const char *msg = e->msg[0] ? e->msg : bmsub_strerror(code);
	size_t n = strlen(what);

	/* "FILE: not-found: FILE: No such file..." said FILE twice */
	if (strncmp(msg, what, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ')
		msg += n + 2;
	if (e->line)
		fprintf(stderr, "bmsub-check: %s: line %u: %s: %s\n", what,
		    e->line, bmsub_err_token(code), msg);
	else
		fprintf(stderr, "bmsub-check: %s: %s: %s\n", what,
		    bmsub_err_token(code), msg);
}

void
cli_json_license(struct json *j, const char *key, const struct bmsub_license *l)
{
	char id[2 * BMSUB_KEYID_LEN + 1];

	bmsub_hex(l->key_id, BMSUB_KEYID_LEN, id);
	json_key_obj(j, key);
	json_str(j, "id", l->id);
	json_str(j, "customer", l->customer);
	json_str(j, "kind", bmsub_kind_name(l->kind));
	json_time(j, "issued", l->issued);
	json_time(j, "starts", l->starts);
	json_time(j, "expires", l->expires);
	json_uint(j, "users", l->users);
	json_uint(j, "grace_days", l->grace_days);
	json_uint(j, "allowance_percent", l->allowance_percent);
	json_str(j, "key", id);
	json_close_obj(j);
}

void
cli_json_error(struct json *j, int code, const struct bmsub_error *e)
{
	json_str(j, "reason", bmsub_err_token(code));
	if (e->line)
		json_uint(j, "line", e->line);
	else
		json_null(j, "line");
	json_str(j, "message", e->msg[0] ? e->msg : bmsub_strerror(code));
}
