/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pam_bmsub.c - subscription gate at login: asks libbmsub whether this user
 * may log in to this service now (account, or auth), and tells the service
 * about redirects and banners through the PAM environment.
 */
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <security/pam_modules.h>
#include <security/pam_ext.h>

#include "bmsub.h"
#include "internal.h"

/* Built with -fvisibility=hidden: the map exports only these. */
#define PAM_BMSUB_EXPORT PAM_EXTERN __attribute__((visibility("default")))

#define ENV_DECISION "BMSUB_DECISION"
#define ENV_PHASE "BMSUB_PHASE"
#define ENV_REDIRECT "BMSUB_REDIRECT"
#define ENV_BANNER "BMSUB_BANNER"

/* Which entry point asks: the refusal code differs. */
#define FOR_ACCOUNT 0
#define FOR_AUTH 1

struct options {
	const char *conf;	/* conf=, absolute */
	int category;		/* service=, or -1: from PAM_SERVICE */
	int debug;
	int quiet;
	unsigned seen;		/* SEEN_* bits: each argument at most once */
};
#define SEEN_CONF 0x1
#define SEEN_SERVICE 0x2
#define SEEN_DEBUG 0x4
#define SEEN_QUIET 0x8

/* Log sink for the library: pam_syslog within this transaction. */
struct sink {
	pam_handle_t *pamh;
	int debug;
};

/* The value after prefix, or NULL; the length comes from the literal. */
#define ARG_VALUE(arg, lit) arg_value((arg), (lit), sizeof(lit) - 1)

static const char *
arg_value(const char *arg, const char *prefix, size_t len)
{
	return strncmp(arg, prefix, len) == 0 ? arg + len : NULL;
}

static int
once(pam_handle_t *pamh, struct options *opt, unsigned bit, const char *arg)
{
	if (opt->seen & bit) {
		pam_syslog(pamh, LOG_ERR, "argument given twice: %s", arg);
		return -1;
	}
	opt->seen |= bit;
	return 0;
}

static int
parse_args(pam_handle_t *pamh, int argc, const char **argv,
    struct options *opt)
{
	const char *v;
	enum bmsub_category cat;
	int i;

	memset(opt, 0, sizeof(*opt));
	opt->conf = BMSUB_DEFAULT_CONF;
	opt->category = -1;

	for (i = 0; i < argc; i++) {
		if ((v = ARG_VALUE(argv[i], "conf=")) != NULL) {
			if (once(pamh, opt, SEEN_CONF, argv[i]) != 0)
				return -1;
			/* relative would depend on the daemon's cwd */
			if (*v != '/') {
				pam_syslog(pamh, LOG_ERR,
				    "conf= needs an absolute path: %s", argv[i]);
				return -1;
			}
			opt->conf = v;
		} else if ((v = ARG_VALUE(argv[i], "service=")) != NULL) {
			if (once(pamh, opt, SEEN_SERVICE, argv[i]) != 0)
				return -1;
			if (bmsub_category_parse(v, &cat) != 0) {
				pam_syslog(pamh, LOG_ERR, "unknown service"
				    " category: %s (imap, eas, webmail, smtp,"
				    " admin, other)", argv[i]);
				return -1;
			}
			opt->category = (int)cat;
		} else if (strcmp(argv[i], "debug") == 0) {
			if (once(pamh, opt, SEEN_DEBUG, argv[i]) != 0)
				return -1;
			opt->debug = 1;
		} else if (strcmp(argv[i], "quiet") == 0) {
			if (once(pamh, opt, SEEN_QUIET, argv[i]) != 0)
				return -1;
			opt->quiet = 1;
		} else {
			pam_syslog(pamh, LOG_ERR, "unknown argument: %s",
			    argv[i]);
			return -1;
		}
	}
	return 0;
}

static void
sink_fn(void *arg, int priority, const char *msg)
{
	const struct sink *s = arg;

	if (priority >= LOG_DEBUG && !s->debug)
		return;
	pam_syslog(s->pamh, priority, "%s", msg);
}

static int
env_set(pam_handle_t *pamh, const char *name, const char *value)
{
	char buf[sizeof(((struct bmsub_verdict *)0)->banner) + 64];
	size_t nl = strlen(name), vl = strlen(value);

	/* "NAME=VALUE" by hand: snprintf was a third of a login's cost */
	if (nl + 1 + vl >= sizeof(buf))
		return PAM_BUF_ERR;
	memcpy(buf, name, nl);
	buf[nl] = '=';
	memcpy(buf + nl + 1, value, vl + 1);
	return pam_putenv(pamh, buf);
}

static int
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static void
env_unset(pam_handle_t *pamh, const char *name)
{
	if (pam_getenv(pamh, name) != NULL)
		(void)pam_putenv(pamh, name);
}

/* Removes our variables left by an earlier call in this transaction. */
static void
env_clear(pam_handle_t *pamh)
{
	env_unset(pamh, ENV_DECISION);
	env_unset(pamh, ENV_PHASE);
	env_unset(pamh, ENV_REDIRECT);
	env_unset(pamh, ENV_BANNER);
}

static int
env_publish(pam_handle_t *pamh, const struct bmsub_result *res)
{
	const struct bmsub_verdict *v = &res->verdict;
	int r;

	/* each of the four replaced or removed: nothing of an earlier call
	 * of this transaction stays (gate clears them on a refusal); the
	 * lookups first, while the list is shortest */
	if (v->decision != BMSUB_REDIRECT || v->redirect == NULL)
		env_unset(pamh, ENV_REDIRECT);
	if (v->banner[0] == '\0')
		env_unset(pamh, ENV_BANNER);
	if ((r = env_set(pamh, ENV_DECISION,
	    bmsub_decision_name(v->decision))) != PAM_SUCCESS ||
	    (r = env_set(pamh, ENV_PHASE, v->phase != NULL ? v->phase : "")) !=
	    PAM_SUCCESS)
		return r;
	if (v->decision == BMSUB_REDIRECT && v->redirect != NULL &&
	    (r = env_set(pamh, ENV_REDIRECT, v->redirect)) != PAM_SUCCESS)
		return r;
	if (v->banner[0] != '\0' &&
	    (r = env_set(pamh, ENV_BANNER, v->banner)) != PAM_SUCCESS)
		return r;
	return PAM_SUCCESS;
}

/* The user being logged in: PAM_SUCCESS, or the code to return. */
static int
get_user(pam_handle_t *pamh, const char **user)
{
	int r;

	*user = NULL;
	if ((r = pam_get_user(pamh, user, NULL)) != PAM_SUCCESS) {
		pam_syslog(pamh, LOG_NOTICE, "cannot determine the user: %s",
		    pam_strerror(pamh, r));
		return r == PAM_CONV_AGAIN ? PAM_INCOMPLETE : PAM_USER_UNKNOWN;
	}
	if (*user == NULL || **user == '\0') {
		pam_syslog(pamh, LOG_NOTICE, "empty user name refused");
		return PAM_USER_UNKNOWN;
	}
	/* no login has one, and it would forge lines in the log */
	if (has_control(*user)) {
		pam_syslog(pamh, LOG_NOTICE, "user name with control characters"
		    " refused");
		return PAM_USER_UNKNOWN;
	}
	return PAM_SUCCESS;
}

/*
 * Logs the verdict and tells the user (unless quiet or PAM_SILENT):
 * PAM_SUCCESS to let them in, or the refusal code for for_what.
 */
static int
tell(pam_handle_t *pamh, int flags, const struct options *opt,
    const char *user, const char *service, const struct bmsub_result *res,
    int for_what)
{
	const struct bmsub_verdict *v = &res->verdict;
	const char *cat = bmsub_category_name(res->category);
	int talk = !opt->quiet && !(flags & PAM_SILENT) && v->message[0] != '\0';

	switch (v->decision) {
	case BMSUB_DENY:
		pam_syslog(pamh, LOG_NOTICE, "deny user=%s service=%s"
		    " category=%s phase=%s reason=%s", user, service, cat,
		    v->phase, v->reason);
		if (talk)
			(void)pam_error(pamh, "%s", v->message);
		return for_what == FOR_AUTH ? PAM_AUTH_ERR : PAM_PERM_DENIED;
	case BMSUB_REDIRECT:
		pam_syslog(pamh, LOG_NOTICE, "redirect user=%s service=%s"
		    " category=%s phase=%s reason=%s url=%s", user, service,
		    cat, v->phase, v->reason,
		    v->redirect != NULL ? v->redirect : "-");
		if (talk)
			(void)pam_info(pamh, "%s", v->message);
		return PAM_SUCCESS;
	case BMSUB_ALLOW:
		if (opt->debug)
			pam_syslog(pamh, LOG_DEBUG, "allow user=%s service=%s"
			    " category=%s phase=%s reason=%s admin=%s%s",
			    user, service, cat, v->phase, v->reason,
			    res->role_looked_up ? (res->is_admin ? "yes" :
			    "no") : "not-needed",
			    v->banner[0] != '\0' ? " banner" : "");
		return PAM_SUCCESS;
	default:
		pam_syslog(pamh, LOG_ERR, "unexpected decision %d for %s",
		    (int)v->decision, user);
		return PAM_SERVICE_ERR;
	}
}

/*
 * What gate does but the clearing: decides, logs, talks and publishes the
 * environment, and returns the PAM code for_what must return.
 */
static int
gate_body(pam_handle_t *pamh, int flags, int argc, const char **argv,
    int for_what)
{
	struct options opt;
	struct bmsub_request rq;
	struct bmsub_result res;
	struct bmsub_error err;
	struct bmsub_log log;
	struct sink sink;
	struct bmsub_ctx *ctx;
	const void *item = NULL;
	const char *user = NULL, *service;
	int r;

	if (parse_args(pamh, argc, argv, &opt) != 0)
		return PAM_SERVICE_ERR;
	if ((r = get_user(pamh, &user)) != PAM_SUCCESS)
		return r;
	if (pam_get_item(pamh, PAM_SERVICE, &item) != PAM_SUCCESS ||
	    item == NULL)
		item = "";
	service = item;

	/* one context per config path, shared by every transaction of this
	 * process: a daemon does not re-read the files per login */
	bm_err_clear(&err);
	if (bm_ctx_shared(opt.conf, &ctx, &err) != 0) {
		pam_syslog(pamh, LOG_ERR, "%s: %s", opt.conf, err.msg);
		return PAM_SERVICE_ERR;
	}
	sink.pamh = pamh;
	sink.debug = opt.debug;
	log.fn = sink_fn;
	log.arg = &sink;
	memset(&rq, 0, sizeof(rq));
	rq.user = user;
	rq.service = service;
	rq.category = opt.category;
	rq.now = (int64_t)time(NULL);	/* the module's only clock read */
	if ((r = bmsub_ctx_decide(ctx, &log, &rq, &res, &err)) != 0) {
		/* the library's config messages name the file and line
		 * already: say them once */
		if (strstr(err.msg, opt.conf) != NULL)
			pam_syslog(pamh, LOG_ERR, "%s (%s); refusing %s",
			    err.msg, bmsub_err_token(r), user);
		else if (err.line != 0)
			pam_syslog(pamh, LOG_ERR, "%s: line %u: %s (%s); refusing"
			    " %s", opt.conf, err.line, err.msg,
			    bmsub_err_token(r), user);
		else
			pam_syslog(pamh, LOG_ERR, "%s: %s (%s); refusing %s",
			    opt.conf, err.msg, bmsub_err_token(r), user);
		return PAM_SERVICE_ERR;
	}
	if ((r = tell(pamh, flags, &opt, user, service, &res, for_what)) !=
	    PAM_SUCCESS)
		return r;
	if ((r = env_publish(pamh, &res)) != PAM_SUCCESS) {
		pam_syslog(pamh, LOG_ERR, "cannot set the PAM environment: %s",
		    pam_strerror(pamh, r));
		return PAM_BUF_ERR;
	}
	return for_what == FOR_AUTH ? PAM_IGNORE : PAM_SUCCESS;
}

/*
 * The common body of account and auth. Whatever an earlier call of this
 * transaction published (auth, then account) must not outlive a refusal,
 * whichever path refuses: cleared after any answer but a let-in, which
 * replaced or removed each variable (env_publish). Clearing first, at
 * every call, cost four lookups per login.
 */
static int
gate(pam_handle_t *pamh, int flags, int argc, const char **argv,
    int for_what)
{
	int ok = for_what == FOR_AUTH ? PAM_IGNORE : PAM_SUCCESS;
	int r = gate_body(pamh, flags, argc, argv, for_what);

	if (r != ok)
		env_clear(pamh);
	return r;
}

PAM_BMSUB_EXPORT int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	return gate(pamh, flags, argc, argv, FOR_AUTH);
}

PAM_BMSUB_EXPORT int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_IGNORE;
}

PAM_BMSUB_EXPORT int
pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	return gate(pamh, flags, argc, argv, FOR_ACCOUNT);
}
