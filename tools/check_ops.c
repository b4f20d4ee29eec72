/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check_ops.c - bmsub-check notify, recipients, monitor and metrics: alerts and monitoring. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

/* Monitoring-plugin exit codes. */
#define MON_OK 0
#define MON_WARNING 1
#define MON_CRITICAL 2
#define MON_UNKNOWN 3

/* Options shared by the commands here; main may have taken --at and
 * --json already, they are accepted again after the command name. */
struct ops_opts {
	int dry_run;
	const char *output;
	int nargs;
	char *args[2];
};

static int
parse_opts(struct cli *c, int argc, char **argv, int allow_dry,
    int allow_output, int max_args, struct ops_opts *o)
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
		} else if (strcmp(argv[i], "--dry-run") == 0 && allow_dry)
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
		} else if (strcmp(argv[i], "--output") == 0 && allow_output) {
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

/* This host's name, reduced to letters, digits, dots and hyphens. */
static void
host_name(char *buf, size_t size)
{
	char raw[256];
	size_t i, j = 0;

	if (gethostname(raw, sizeof(raw)) != 0)
		raw[0] = '\0';
	raw[sizeof(raw) - 1] = '\0';
	for (i = 0; raw[i] != '\0' && j + 1 < size; i++) {
		char ch = raw[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '.' || ch == '-')
			buf[j++] = ch;
	}
	buf[j] = '\0';
	if (j == 0 || buf[0] == '.' || buf[j - 1] == '.')
		snprintf(buf, size, "localhost");
}

/* "<20261122T201927.1a2b3c4d5e6f7081@host>" */
static void
message_id(int64_t now, const char *host, char *buf, size_t size)
{
	static unsigned counter;
	uint64_t rnd = 0;
	char iso[32], stamp[32];
	size_t i, j = 0;

	if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		rnd = ((uint64_t)getpid() << 32) ^ (uint64_t)now;
	rnd += counter++;
	bmsub_time_format(now, iso, sizeof(iso));
	for (i = 0; iso[i] != '\0' && j + 1 < sizeof(stamp); i++)
		if (iso[i] != '-' && iso[i] != ':' && iso[i] != 'Z')
			stamp[j++] = iso[i];
	stamp[j] = '\0';
	snprintf(buf, size, "<%s.%016" PRIx64 ".bmsub@%s>", stamp, rnd, host);
}

/* How long sendmail may take: it normally hands the message to the local
 * queue in milliseconds, but a relay-only sendmail (msmtp, ssmtp) can hang
 * on the network, and notify holds the state lock meanwhile (refresh and
 * recipients wait on it). $BMSUB_SENDMAIL_TIMEOUT (seconds, 1-3600)
 * overrides it. */
#define SENDMAIL_TIMEOUT 120
#define SENDMAIL_TIMEOUT_MAX 3600

static unsigned
sendmail_timeout(void)
{
	const char *s = getenv("BMSUB_SENDMAIL_TIMEOUT");
	unsigned long v;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return SENDMAIL_TIMEOUT;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > SENDMAIL_TIMEOUT_MAX)
		return SENDMAIL_TIMEOUT;
	return (unsigned)v;
}

/* Milliseconds left until deadline (CLOCK_MONOTONIC), 0 when past. */
static int
ms_left(const struct timespec *deadline)
{
	struct timespec now;
	int64_t ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (int64_t)(deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms <= 0 ? 0 : ms > INT32_MAX ? INT32_MAX : (int)ms;
}

/*
 * Runs "sendmail -t -oi" with msg on its standard input (its standard
 * output goes to our stderr so that --json stays clean). 0 when it exited
 * 0; -1 otherwise, with the reason in why. A sendmail still running after
 * the timeout is killed and counts as a failure: nothing is recorded and
 * the alert is retried at the next run (a copy it had queued before
 * hanging may then arrive twice).
 */
static int
run_sendmail(const char *prog, const char *msg, char *why, size_t whysize)
{
	struct sigaction ign, old;
	struct timespec deadline, nap = { 0, 20 * 1000 * 1000 };
	struct pollfd pfd;
	unsigned timeout = sendmail_timeout();
	int p[2] = { -1, -1 }, status = 0, r = -1, timed_out = 0, n;
	size_t len = strlen(msg), off = 0;
	ssize_t w;
	pid_t pid, got;

	if (access(prog, X_OK) != 0) {
		snprintf(why, whysize, "%s: %s", prog, strerror(errno));
		return -1;
	}
	if (pipe2(p, O_CLOEXEC) != 0) {
		snprintf(why, whysize, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		snprintf(why, whysize, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		if (dup2(p[0], 0) < 0 || dup2(2, 1) < 0)
			_exit(126);
		execl(prog, prog, "-t", "-oi", (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (time_t)timeout;
	/* sendmail may stop reading early: a write error, not a signal */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old);
	/* non-blocking: a sendmail that does not read cannot stall us */
	(void)fcntl(p[1], F_SETFL, fcntl(p[1], F_GETFL) | O_NONBLOCK);
	while (off < len && !timed_out) {
		pfd.fd = p[1];
		pfd.events = POLLOUT;
		pfd.revents = 0;
		if ((n = poll(&pfd, 1, ms_left(&deadline))) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (n == 0) {
			timed_out = 1;
			break;
		}
		w = write(p[1], msg + off, len - off);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(p[1]);
	sigaction(SIGPIPE, &old, NULL);
	for (;;) {
		if ((got = waitpid(pid, &status, WNOHANG)) == pid)
			break;
		if (got < 0 && errno != EINTR) {
			snprintf(why, whysize, "waitpid: %s", strerror(errno));
			return -1;
		}
		if (timed_out || ms_left(&deadline) == 0) {
			timed_out = 1;
			(void)kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			break;
		}
		nanosleep(&nap, NULL);
	}
	if (timed_out)
		snprintf(why, whysize, "%s did not finish within %u seconds: "
		    "killed", prog, timeout);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && off == len)
		r = 0;
	else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		snprintf(why, whysize, "%s exited with status %d", prog,
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(why, whysize, "%s killed by signal %d", prog,
		    WTERMSIG(status));
	else
		snprintf(why, whysize, "%s did not read the whole message",
		    prog);
	return r;
}

/* ------------------------------------------------------------------ */
/* notify */

int
cmd_notify(struct cli *c, int argc, char **argv)
{
	int rc = EXIT_USAGE, lock = -1, r;
	struct ops_opts o;
	struct cli_view v;
	struct bmsub_alert due[BMSUB_ALERTS_MAX];
	struct bmsub_mail_params mp;
	struct bmsub_error e;
	struct json j;
	const struct bmsub_license *lic;
	char host[256], from[300], mid[400], why[300];
	char *msg = NULL;
	size_t n, k;
	int have_view = 0, failed = 0;

	memset(&v, 0, sizeof(v));
	if ((rc = parse_opts(c, argc, argv, 1, 0, 0, &o)) != 0)
		return rc;
	rc = EXIT_USAGE;
	if (c->cfg == NULL)
		return cli_usage("notify: no configuration");
	if (c->cfg->sendmail == NULL || c->cfg->sendmail[0] != '/')
		return cli_usage("notify.sendmail must be an absolute path");
	host_name(host, sizeof(host));
	if (c->cfg->notify_from != NULL) {
		if (bmsub_recipients_address_valid(c->cfg->notify_from,
		    &e) != 0)
			return cli_usage("notify.from \"%s\": %s",
			    c->cfg->notify_from, e.msg);
		snprintf(from, sizeof(from), "%s", c->cfg->notify_from);
	} else
		snprintf(from, sizeof(from), "bmsub@%s", host);

	/* lock -> load -> decide -> (send -> record -> save)* -> unlock */
	if (!o.dry_run && bmsub_state_lock(c->cfg->state_dir, &lock, &e) != 0) {
		cli_warn("notify: %s: %s", c->cfg->state_dir, e.msg);
		goto out;
	}
	if (cli_view_load(c, &v) != 0)
		goto out;
	have_view = 1;
	if (v.st_err != 0 && v.st_err != BMSUB_E_NOT_FOUND) {
		if (v.st_err != BMSUB_E_CORRUPT) {
			cli_warn("notify: state unreadable (%s): %s",
			    bmsub_err_token(v.st_err), v.st_error.msg);
			goto out;
		}
		/* Rewritten below: a refresh restores the count. */
		cli_warn("notify: state damaged, starting afresh: %s",
		    v.st_error.msg);
		bmsub_state_clear(&v.st);
		bmsub_state_init(&v.st);
	}
	if (v.rcpt_err != 0)
		cli_warn("notify: recipients unreadable (%s)",
		    bmsub_err_token(v.rcpt_err));
	lic = v.lic_err == 0 ? &v.lic : NULL;
	n = bmsub_alerts_due(lic, &v.ev, &v.st, due);

	memset(&mp, 0, sizeof(mp));
	mp.from = from;
	mp.to = &v.recipients;
	mp.hostname = host;
	mp.admin_url = c->cfg->admin_url;
	mp.date = c->now;
	mp.message_id = mid;

	if (c->json) {
		json_begin(&j, stdout);
		json_time(&j, "at", c->now);
		json_bool(&j, "dry_run", o.dry_run);
		json_uint(&j, "recipients", v.recipients.n);
		json_key_arr(&j, "alerts");
	}
	for (k = 0; k < n; k++) {
		const char *err_text = NULL;
		int sent = 0;

		free(msg);
		msg = NULL;
		message_id(c->now, host, mid, sizeof(mid));
		if (v.recipients.n == 0) {
			err_text = "no recipient";
			cli_warn("notify: alert %s is due but there is no "
			    "recipient (bmsub-check recipients add ADDR)",
			    due[k].key);
			failed = 1;
		} else if (bmsub_mail_compose(&due[k], lic, &v.ev, &mp, &msg,
		    &e) != 0) {
			err_text = e.msg;
			cli_warn("notify: %s: %s", due[k].key, e.msg);
			failed = 1;
		} else if (o.dry_run) {
			if (!c->json)
				printf("----- %s (dry run, not sent) -----\n%s",
				    due[k].key, msg);
		} else if (run_sendmail(c->cfg->sendmail, msg, why,
		    sizeof(why)) != 0) {
			err_text = why;
			cli_warn("notify: %s not sent: %s", due[k].key, why);
			failed = 1;
		} else {
			sent = 1;
			/* Recorded at once: a crash can repeat one alert at
			 * worst, never lose one. */
			if ((r = bmsub_state_sent_set(&v.st, due[k].key,
			    v.ev.effective)) != 0 ||
			    (r = bmsub_state_save(c->cfg->state_dir, &v.st,
			    &e)) != 0) {
				cli_warn("notify: %s sent but not recorded: %s",
				    due[k].key, r == e.code ? e.msg :
				    bmsub_strerror(r));
				failed = 1;
			} else if (!c->json)
				printf("sent %s to %zu recipient%s\n",
				    due[k].key, v.recipients.n,
				    v.recipients.n == 1 ? "" : "s");
		}
		if (c->json) {
			json_obj(&j);
			json_str(&j, "alert", bmsub_alert_name(due[k].kind));
			json_str(&j, "key", due[k].key);
			json_time(&j, "last_sent", due[k].last_sent);
			json_bool(&j, "sent", sent);
			json_str(&j, "error", err_text);
			if (o.dry_run)
				json_str(&j, "message", msg);
			json_close_obj(&j);
		}
	}
	if (c->json) {
		json_close_arr(&j);
		json_end(&j);
	} else if (n == 0)
		printf("no alert due\n");

	if (!o.dry_run) {
		bmsub_alerts_prune(lic, &v.ev, &v.st);
		v.st.last_notify = c->now;
		cli_raise_high_water(c, &v.st);
		if (bmsub_state_save(c->cfg->state_dir, &v.st, &e) != 0) {
			cli_warn("notify: saving the state: %s", e.msg);
			failed = 1;
		}
	}
	rc = failed ? EXIT_NO : EXIT_OK;
 out:
	free(msg);
	if (have_view)
		cli_view_free(&v);
	if (lock >= 0)
		bmsub_state_unlock(lock);
	return rc;
}

/* ------------------------------------------------------------------ */
/* recipients */

/* The domain of addr is one of local_domains or below one of them. */
static int
is_local(const struct bmsub_config *cfg, const char *addr)
{
	const char *dom = strrchr(addr, '@');
	size_t i, dl, ll;

	if (dom == NULL)
		return 0;
	dom++;
	dl = strlen(dom);
	for (i = 0; i < cfg->local_domains.n; i++) {
		const char *ld = cfg->local_domains.v[i];

		ll = strlen(ld);
		if (strcasecmp(dom, ld) == 0 || (dl > ll &&
		    dom[dl - ll - 1] == '.' && strcasecmp(dom + dl - ll,
		    ld) == 0))
			return 1;
	}
	return 0;
}

int
cmd_recipients(struct cli *c, int argc, char **argv)
{
	struct ops_opts o;
	struct bmsub_strlist l = { NULL, 0 };
	struct bmsub_error e;
	struct json j;
	const char *sub;
	size_t i;
	int rc, any_local = 0, r;

	if ((rc = parse_opts(c, argc, argv, 0, 0, 2, &o)) != 0)
		return rc;
	if (c->cfg == NULL)
		return cli_usage("recipients: no configuration");
	if (o.nargs == 0)
		return cli_usage("recipients: list, add ADDR or remove ADDR");
	sub = o.args[0];
	if (strcmp(sub, "list") == 0) {
		if (o.nargs != 1)
			return cli_usage("recipients list takes no argument");
		if ((r = bmsub_recipients_load(c->cfg->state_dir, &l, &e)) != 0) {
			cli_warn("recipients: %s", e.msg);
			return EXIT_NO;
		}
		for (i = 0; i < l.n; i++)
			any_local |= is_local(c->cfg, l.v[i]);
		if (l.n == 0)
			cli_warn("no alert recipient: no email alert can be "
			    "sent and administrators see a banner");
		else if (c->cfg->local_domains.n > 0 && !any_local)
			cli_warn("no recipient is in notify.local_domains: "
			    "alerts to outside addresses may be filtered as "
			    "spam");
		if (c->json) {
			json_begin(&j, stdout);
			json_key_arr(&j, "recipients");
			for (i = 0; i < l.n; i++) {
				json_obj(&j);
				json_str(&j, "address", l.v[i]);
				json_bool(&j, "local", is_local(c->cfg,
				    l.v[i]));
				json_close_obj(&j);
			}
			json_close_arr(&j);
			json_bool(&j, "any_local", any_local);
			json_end(&j);
		} else
			for (i = 0; i < l.n; i++)
				printf("%s\n", l.v[i]);
		bmsub_strlist_free(&l);
		return EXIT_OK;
	}
	if (strcmp(sub, "add") != 0 && strcmp(sub, "remove") != 0)
		return cli_usage("recipients: unknown subcommand %s "
		    "(list, add ADDR, remove ADDR)", sub);
	if (o.nargs != 2)
		return cli_usage("recipients %s needs one ADDR", sub);
	r = sub[0] == 'a' ?
	    bmsub_recipients_add(c->cfg->state_dir, o.args[1], &e) :
	    bmsub_recipients_remove(c->cfg->state_dir, o.args[1], &e);
	if (r != 0) {
		cli_warn("recipients %s '%s': %s (%s)", sub, o.args[1], e.msg,
		    bmsub_err_token(r));
		return EXIT_NO;
	}
	if (sub[0] == 'a' && c->cfg->local_domains.n > 0 &&
	    !is_local(c->cfg, o.args[1]))
		cli_warn("%s is not in notify.local_domains: alerts to it may "
		    "be filtered as spam", o.args[1]);
	if (c->json) {
		json_begin(&j, stdout);
		json_str(&j, sub[0] == 'a' ? "added" : "removed", o.args[1]);
		json_end(&j);
	} else
		printf("%s %s\n", sub[0] == 'a' ? "added" : "removed",
		    o.args[1]);
	return EXIT_OK;
}

/* ------------------------------------------------------------------ */
/*
 * monitor: one monitoring-plugin line, "BMSUB <STATUS> - <text> | perfdata".
 *  OK (0)        date phase ok and count within (or not counted yet: a
 *                missing state only means the count is unknown)
 *  WARNING (1)   notice, warning, over, no alert recipient (or an
 *                unreadable recipients file), clock behind the license or
 *                the state's high-water mark
 *  CRITICAL (2)  grace, blocked, invalid (no license, bad, not yet valid),
 *                over-blocked
 *  UNKNOWN (3)   the config (main prints the line) or the trusted keys
 *                cannot be read, the state exists but cannot be read, or a
 *                bad option. CRITICAL outranks UNKNOWN, which outranks
 *                WARNING: a blocked platform is reported as such even when
 *                the count is unknown.
 * perfdata (monitoring-plugins ranges): days_left=D;W:;0: (warn below W,
 * the days from notice to expiry, 0 for a trial; critical below 0) and
 * users=C;N;M (above N, above M; C "U" when not counted).
 */

static const char *const mon_names[4] = {
	"OK", "WARNING", "CRITICAL", "UNKNOWN"
};

/* CRITICAL outranks UNKNOWN, which outranks WARNING. */
static int
mon_worse(int a, int b)
{
	static const int rank[4] = { 0, 1, 3, 2 };

	return rank[b] > rank[a] ? b : a;
}

static void
day_of(int64_t t, char *buf, size_t size)
{
	if (t == BMSUB_TIME_NONE)
		snprintf(buf, size, "never");
	else
		bmsub_date_format(t, buf, size);
}

int
cmd_monitor(struct cli *c, int argc, char **argv)
{
	struct ops_opts o;
	struct cli_view v;
	const struct bmsub_eval *ev = &v.ev;
	char text[1024] = "", perf[256] = "", d1[16], d2[16];
	size_t tl = 0;
	int st = MON_OK, rc;

#define ADD(...) do { \
	int w_ = snprintf(text + tl, sizeof(text) - tl, __VA_ARGS__); \
	if (w_ > 0) tl = tl + (size_t)w_ < sizeof(text) ? tl + (size_t)w_ : \
	    sizeof(text) - 1; \
} while (0)

	memset(&v, 0, sizeof(v));
	if ((rc = parse_opts(c, argc, argv, 0, 0, 0, &o)) != 0)
		return MON_UNKNOWN;
	if (c->cfg == NULL) {
		printf("BMSUB UNKNOWN - configuration %s unreadable\n",
		    c->conf_path != NULL ? c->conf_path : BMSUB_DEFAULT_CONF);
		return MON_UNKNOWN;
	}
	if (cli_view_load(c, &v) != 0) {
		printf("BMSUB UNKNOWN - trusted keys %s unreadable\n",
		    c->cfg->keys_dir);
		return MON_UNKNOWN;
	}

	/* the date phase, named with the license */
	day_of(ev->expires != BMSUB_TIME_NONE ? ev->expires - 1 :
	    BMSUB_TIME_NONE, d1, sizeof(d1));
	day_of(ev->block_at, d2, sizeof(d2));
	if (v.lic_err == 0)
		ADD("%s license %s (%s) ", bmsub_kind_name(v.lic.kind),
		    v.lic.id, v.lic.customer);
	switch (ev->date_phase) {
	case BMSUB_DATE_OK:
	case BMSUB_DATE_NOTICE:
	case BMSUB_DATE_WARNING:
		ADD("expires %s, %" PRId64 " day%s left", d1, ev->days_left,
		    ev->days_left == 1 ? "" : "s");
		if (ev->date_phase != BMSUB_DATE_OK)
			st = MON_WARNING;
		break;
	case BMSUB_DATE_GRACE:
		ADD("EXPIRED %s, grace: logins blocked from %s", d1, d2);
		st = MON_CRITICAL;
		break;
	case BMSUB_DATE_BLOCKED:
		ADD("%s %s, logins BLOCKED since %s", v.lic.kind ==
		    BMSUB_KIND_TRIAL ? "trial ENDED" : "EXPIRED", d1, d2);
		st = MON_CRITICAL;
		break;
	case BMSUB_DATE_INVALID:
	default:
		if (v.lic_err == 0)
			ADD("not valid yet (%s), logins BLOCKED",
			    bmsub_err_token(ev->license_err));
		else
			ADD("no valid license (%s), logins BLOCKED",
			    bmsub_err_token(v.lic_err));
		st = MON_CRITICAL;
		break;
	}

	/* the count phase */
	day_of(ev->over_block_at, d2, sizeof(d2));
	if (v.st_err != 0 && v.st_err != BMSUB_E_NOT_FOUND) {
		ADD("; state unreadable (%s), users unknown",
		    bmsub_err_token(v.st_err));
		st = mon_worse(st, MON_UNKNOWN);
	} else if (!ev->have_count)
		ADD("; users not counted yet");
	else if (v.lic_err != 0)
		ADD("; %" PRIu64 " users", ev->count);
	else {
		ADD("; %" PRIu64 "/%" PRIu64 " users", ev->count, ev->users);
		if (ev->count_phase == BMSUB_COUNT_OVER) {
			ADD(" (over, logins blocked from %s)", d2);
			st = mon_worse(st, MON_WARNING);
		} else if (ev->count_phase == BMSUB_COUNT_OVER_BLOCKED) {
			ADD(" (OVER, logins BLOCKED since %s)", d2);
			st = mon_worse(st, MON_CRITICAL);
		}
		if (ev->ceiling_reached)
			ADD(", ceiling %" PRIu64 " reached", ev->ceiling);
	}

	/* what else an operator must fix */
	if (v.rcpt_err != 0) {
		ADD("; recipients unreadable (%s)", bmsub_err_token(v.rcpt_err));
		st = mon_worse(st, MON_WARNING);
	} else if (v.recipients.n == 0) {
		ADD("; no alert recipient");
		st = mon_worse(st, MON_WARNING);
	}
	if (ev->clock_behind_license || ev->clock_behind_state) {
		ADD("; clock behind the %s", ev->clock_behind_license ?
		    "license" : "last recorded time");
		st = mon_worse(st, MON_WARNING);
	}

	/* perfdata: value;warn;crit */
	if (v.lic_err == 0) {
		int64_t warn = ev->notice_at != BMSUB_TIME_NONE ?
		    (ev->expires - ev->notice_at) / 86400 : 0;
		size_t pl;

		/* "W:" alerts below W (a bare "W" would mean outside 0..W,
		 * i.e. when MORE days are left) */
		snprintf(perf, sizeof(perf), "days_left=%" PRId64 ";%" PRId64
		    ":;0:", ev->days_left, warn);
		pl = strlen(perf);
		if (ev->have_count)
			snprintf(perf + pl, sizeof(perf) - pl, " users=%"
			    PRIu64 ";%" PRIu64 ";%" PRIu64, ev->count,
			    ev->users, ev->ceiling);
		else
			snprintf(perf + pl, sizeof(perf) - pl, " users=U;%"
			    PRIu64 ";%" PRIu64, ev->users, ev->ceiling);
	} else if (ev->have_count)
		snprintf(perf, sizeof(perf), "users=%" PRIu64, ev->count);

	if (c->json) {
		struct json j;
		char line[1400];

		snprintf(line, sizeof(line), "BMSUB %s - %s%s%s", mon_names[st],
		    text, perf[0] != '\0' ? " | " : "", perf);
		json_begin(&j, stdout);
		json_str(&j, "status", mon_names[st]);
		json_int(&j, "exit", st);
		json_str(&j, "date_phase", bmsub_date_phase_name(ev->date_phase));
		json_str(&j, "count_phase",
		    bmsub_count_phase_name(ev->count_phase));
		if (v.lic_err == 0)
			json_int(&j, "days_left", ev->days_left);
		else
			json_null(&j, "days_left");
		json_str(&j, "line", line);
		json_end(&j);
	} else
		printf("BMSUB %s - %s%s%s\n", mon_names[st], text,
		    perf[0] != '\0' ? " | " : "", perf);
	cli_view_free(&v);
	return st;
#undef ADD
}

/* ------------------------------------------------------------------ */
/* metrics */

/* Prometheus label value: backslash, quote and newline escaped. */
static void
prom_label(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void
prom_head(FILE *f, const char *name, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* One sample, or none when the value is not known. */
static void
prom_int(FILE *f, const char *name, const char *help, int known, int64_t val)
{
	prom_head(f, name, help);
	if (known)
		fprintf(f, "%s %" PRId64 "\n", name, val);
}

static void
write_metrics(FILE *f, const struct cli_view *v)
{
	static const struct {
		const char *name;
		int date;	/* 1: a date phase, 0: a count phase */
		int value;
	} phases[] = {
		{ "ok", 1, BMSUB_DATE_OK },
		{ "notice", 1, BMSUB_DATE_NOTICE },
		{ "warning", 1, BMSUB_DATE_WARNING },
		{ "grace", 1, BMSUB_DATE_GRACE },
		{ "blocked", 1, BMSUB_DATE_BLOCKED },
		{ "invalid", 1, BMSUB_DATE_INVALID },
		{ "within", 0, BMSUB_COUNT_WITHIN },
		{ "over", 0, BMSUB_COUNT_OVER },
		{ "over-blocked", 0, BMSUB_COUNT_OVER_BLOCKED },
	};
	const struct bmsub_eval *ev = &v->ev;
	int valid = v->lic_err == 0, inforce = ev->date_phase !=
	    BMSUB_DATE_INVALID;
	size_t i;

	prom_int(f, "bmsub_license_valid", "1 when a valid license is in "
	    "force, 0 when logins are blocked for want of one.", 1,
	    valid && inforce);
	prom_head(f, "bmsub_license_info", "The installed license that "
	    "verifies (always 1).");
	if (valid) {
		fputs("bmsub_license_info{id=\"", f);
		prom_label(f, v->lic.id);
		fputs("\",customer=\"", f);
		prom_label(f, v->lic.customer);
		fprintf(f, "\",kind=\"%s\"} 1\n", bmsub_kind_name(v->lic.kind));
	}
	prom_int(f, "bmsub_license_expiry_timestamp_seconds", "When the "
	    "license expires (E, the first second not covered).", valid,
	    ev->expires);
	prom_int(f, "bmsub_license_days_left", "Whole days until the license "
	    "expires, negative once expired.", valid, ev->days_left);
	prom_int(f, "bmsub_users_counted", "Licensed users counted at the "
	    "last refresh.", ev->have_count, (int64_t)ev->count);
	prom_int(f, "bmsub_users_licensed", "Users the license allows (N).",
	    valid, (int64_t)ev->users);
	prom_int(f, "bmsub_users_ceiling", "Users beyond which none can be "
	    "created (M = N + allowance).", valid, (int64_t)ev->ceiling);
	prom_head(f, "bmsub_phase", "1 for the current date phase and count "
	    "phase, 0 for the others.");
	for (i = 0; i < sizeof(phases) / sizeof(phases[0]); i++)
		fprintf(f, "bmsub_phase{phase=\"%s\"} %d\n", phases[i].name,
		    phases[i].date ? (int)ev->date_phase == phases[i].value :
		    (int)ev->count_phase == phases[i].value);
	prom_int(f, "bmsub_over_since_timestamp_seconds", "Since when more "
	    "users than licensed are counted (O).", ev->over_since !=
	    BMSUB_TIME_NONE, ev->over_since);
	prom_int(f, "bmsub_last_refresh_timestamp_seconds", "Last user count "
	    "(bmsub-check refresh).", v->st.last_refresh != BMSUB_TIME_NONE,
	    v->st.last_refresh);
	prom_int(f, "bmsub_last_notify_timestamp_seconds", "Last run of "
	    "bmsub-check notify.", v->st.last_notify != BMSUB_TIME_NONE,
	    v->st.last_notify);
	prom_int(f, "bmsub_alert_recipients", "Alert recipients configured.",
	    v->rcpt_err == 0, (int64_t)v->recipients.n);
	prom_int(f, "bmsub_state_readable", "0 when the state file exists "
	    "but cannot be read.", 1, v->st_err == 0 ||
	    v->st_err == BMSUB_E_NOT_FOUND);
}

/* Writes to a temp file beside path, then renames it over path: the
 * textfile collector never reads half a file. */
static int
metrics_to_file(const char *path, const struct cli_view *v)
{
	char *tmp = NULL, *slash;
	const char *base;
	FILE *f = NULL;
	int fd = -1, rc = EXIT_NO;

	slash = strrchr(path, '/');
	base = slash != NULL ? slash + 1 : path;
	if (base[0] == '\0')
		return cli_usage("metrics: --output %s: not a file name", path);
	if (asprintf(&tmp, "%.*s.%s.XXXXXX", (int)(base - path), path,
	    base) < 0)
		return EXIT_NO;
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		cli_warn("metrics: %s: %s", tmp, strerror(errno));
		free(tmp);
		return EXIT_NO;
	}
	if (fchmod(fd, 0644) != 0 || (f = fdopen(fd, "w")) == NULL) {
		cli_warn("metrics: %s: %s", tmp, strerror(errno));
		close(fd);
		goto out;
	}
	write_metrics(f, v);
	if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0) {
		cli_warn("metrics: %s: %s", tmp, strerror(errno));
		fclose(f);
		goto out;
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		cli_warn("metrics: %s: %s", path, strerror(errno));
		goto out;
	}
	rc = EXIT_OK;
 out:
	if (rc != EXIT_OK)
		unlink(tmp);
	free(tmp);
	return rc;
}

int
cmd_metrics(struct cli *c, int argc, char **argv)
{
	struct ops_opts o;
	struct cli_view v;
	int rc;

	memset(&v, 0, sizeof(v));
	if ((rc = parse_opts(c, argc, argv, 0, 1, 0, &o)) != 0)
		return rc;
	if (c->cfg == NULL)
		return cli_usage("metrics: no configuration");
	if (c->json)
		return cli_usage("metrics writes the Prometheus text format: "
		    "--json does not apply");
	if (cli_view_load(c, &v) != 0)
		return EXIT_USAGE;
	if (o.output != NULL)
		rc = metrics_to_file(o.output, &v);
	else {
		write_metrics(stdout, &v);
		rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_NO;
	}
	cli_view_free(&v);
	return rc;
}
