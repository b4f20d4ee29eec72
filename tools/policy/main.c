/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c - bmsub-policy: a Postfix policy delegation service (SPEC
 * section 10) on stdin/stdout, run by spawn(8), one process for every
 * request of one smtpd connection to it. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "bmsub.h"
#include "proto.h"

#define EXIT_OK 0
#define EXIT_IO 1
#define EXIT_USAGE 2

static int log_stderr;

static void
logmsg(int priority, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
logmsg(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (log_stderr) {
		fprintf(stderr, "bmsub-policy: ");
		vfprintf(stderr, fmt, ap);
		fprintf(stderr, "\n");
	} else
		vsyslog(priority, fmt, ap);
	va_end(ap);
}

/* The library's messages (a license or state loaded, a file refused). */
static void
lib_log(void *arg, int priority, const char *msg)
{
	(void)arg;
	if (priority <= LOG_NOTICE)
		logmsg(priority, "%s", msg);
}

static int
usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "bmsub-policy: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nusage: bmsub-policy [-c CONF] [-e]\n");
	va_end(ap);
	return EXIT_USAGE;
}

static int
write_all(const char *s, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(STDOUT_FILENO, s, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Answers one request: the action line and the empty line. */
static int
answer(const char *action)
{
	char buf[BMSUB_BANNER_MAX + 128];
	int n;

	n = snprintf(buf, sizeof(buf), "action=%s\n\n", action);
	if (n < 0 || (size_t)n >= sizeof(buf))
		n = snprintf(buf, sizeof(buf), "action=DEFER_IF_PERMIT "
		    "bmsub-policy: answer too long\n\n");
	return write_all(buf, (size_t)n);
}

/*
 * A well-formed request: DUNNO without SASL login (incoming mail is never
 * touched), else the decision for category smtp. A configuration that
 * cannot be used defers authenticated mail only (fail closed, but not
 * for ever: 4xx), never incoming mail.
 */
static int
decide(struct bmsub_ctx *ctx, const struct bp_parser *p)
{
	struct bmsub_request rq;
	struct bmsub_result res;
	struct bmsub_error err;
	struct bmsub_log log = { lib_log, NULL };
	char action[BMSUB_BANNER_MAX + 64];
	int r;

	if (!p->have_user)
		return answer("DUNNO");
	memset(&rq, 0, sizeof(rq));
	rq.user = p->user;
	rq.service = "smtp";
	rq.category = BMSUB_CAT_SMTP;
	rq.now = (int64_t)time(NULL);
	memset(&err, 0, sizeof(err));
	if ((r = bmsub_ctx_decide(ctx, &log, &rq, &res, &err)) != 0) {
		logmsg(LOG_ERR, "%s (%s); deferring mail from %s",
		    err.msg[0] ? err.msg : bmsub_strerror(r),
		    bmsub_err_token(r), p->user);
		return answer("DEFER_IF_PERMIT 4.7.0 subscription policy "
		    "unavailable, try again later");
	}
	if (res.verdict.decision != BMSUB_DENY)
		return answer("DUNNO");
	logmsg(LOG_NOTICE, "deny user=%s client=%s state=%s category=smtp "
	    "phase=%s reason=%s", p->user, p->client[0] ? p->client : "-",
	    p->state[0] ? p->state : "-", res.verdict.phase,
	    res.verdict.reason);
	snprintf(action, sizeof(action), "554 5.7.1 %s", res.verdict.message);
	return answer(action);
}

static int
serve(struct bmsub_ctx *ctx)
{
	struct bp_parser *p;
	char buf[8192], action[128];
	size_t off, used;
	ssize_t n;
	enum bp_event ev;
	int rc = EXIT_OK;

	if ((p = malloc(sizeof(*p))) == NULL) {
		logmsg(LOG_ERR, "out of memory");
		return EXIT_IO;
	}
	bp_init(p);
	for (;;) {
		if ((n = read(STDIN_FILENO, buf, sizeof(buf))) < 0) {
			if (errno == EINTR)
				continue;
			logmsg(LOG_ERR, "read: %s", strerror(errno));
			rc = EXIT_IO;
			break;
		}
		if (n == 0) {
			if (bp_pending(p))
				logmsg(LOG_WARNING, "input ended inside a "
				    "request: not answered");
			break;
		}
		for (off = 0; off < (size_t)n; off += used) {
			ev = bp_feed(p, buf + off, (size_t)n - off, &used);
			if (ev == BP_MORE)
				continue;
			if (ev == BP_BAD) {
				logmsg(LOG_WARNING, "malformed request #%lu: "
				    "%s", p->requests, p->err);
				snprintf(action, sizeof(action),
				    "DEFER_IF_PERMIT 4.7.0 bmsub-policy: "
				    "malformed request: %s", p->err);
				if (answer(action) != 0)
					goto wfail;
			} else if (decide(ctx, p) != 0)
				goto wfail;
		}
	}
	free(p);
	return rc;
 wfail:
	logmsg(LOG_ERR, "write: %s", strerror(errno));
	free(p);
	return EXIT_IO;
}

int
main(int argc, char **argv)
{
	const char *conf = BMSUB_DEFAULT_CONF;
	struct bmsub_ctx *ctx = NULL;
	struct bmsub_error err;
	int c, rc;

	while ((c = getopt(argc, argv, "c:eh")) != -1) {
		switch (c) {
		case 'c':
			if (*optarg == '\0')
				return usage("-c needs a file");
			conf = optarg;
			break;
		case 'e':
			log_stderr = 1;
			break;
		case 'h':
			printf("usage: bmsub-policy [-c CONF] [-e]\n");
			return EXIT_OK;
		default:
			return usage("unknown option");
		}
	}
	if (optind != argc)
		return usage("unexpected argument '%s'", argv[optind]);
	/* it reads what Postfix relays from the network: least privilege,
	 * as spawn(8) itself insists (user= is never root) */
	if (geteuid() == 0 || getuid() == 0)
		return usage("refusing to run as root: run it as an "
		    "unprivileged user (master.cf: spawn user=nobody)");
	signal(SIGPIPE, SIG_IGN);
	if (!log_stderr)
		openlog("bmsub-policy", LOG_PID, LOG_MAIL);
	memset(&err, 0, sizeof(err));
	if (bmsub_ctx_new(conf, &ctx, &err) != 0) {
		logmsg(LOG_ERR, "%s", err.msg);
		return EXIT_IO;
	}
	rc = serve(ctx);
	bmsub_ctx_free(ctx);
	return rc;
}
