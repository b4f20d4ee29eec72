/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c - bmsub-web, the FastCGI responder: /auth for nginx auth_request,
 * /denied, the subscription page and its forms. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <sodium.h>

#include "web.h"

#define DEFAULT_KEY BMSUB_STATEDIR "-web/csrf.key"	/* StateDirectory= */
#define DEFAULT_PRIV "/run/bmsub-web-priv.sock"
#define SERVICE "bmsub-web"
#define TOKEN_TTL (12 * 3600)
#define THREADS 4	/* requests served at once: the context is thread-safe */

struct web {
	const char *conf;
	const char *priv_socket;
	struct bmsub_ctx *ctx;
	unsigned char key[32];
};

static void
log_stderr(void *arg, int priority, const char *msg)
{
	(void)arg;
	if (priority <= LOG_WARNING)
		fprintf(stderr, "bmsub-web: %s\n", msg);
}
static const struct bmsub_log logsink = { log_stderr, NULL };

/* ------------------------------------------------------------------ */
/* CSRF: "<time hex>.<HMAC-SHA256(key, user, time) hex>" */

static int
key_load(const char *path, unsigned char key[32])
{
	int fd, r = -1;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		randombytes_buf(key, 32);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, key, 32) != 32 || fsync(fd) != 0) {
			fprintf(stderr, "bmsub-web: cannot create the CSRF key "
			    "%s: %s\n", path, strerror(errno));
			goto out;
		}
		r = 0;
		goto out;
	}
	if (fd < 0) {
		fprintf(stderr, "bmsub-web: cannot read the CSRF key %s: %s\n",
		    path, strerror(errno));
		goto out;
	}
	if ((n = read(fd, key, 32)) != 32) {
		fprintf(stderr, "bmsub-web: CSRF key %s is not 32 bytes "
		    "(remove it: a new one is made)\n", path);
		goto out;
	}
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	return r;
}

static void
token_mac(const struct web *w, const char *user, const char *ts,
    char hex[65])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[32];

	crypto_auth_hmacsha256_init(&st, w->key, sizeof(w->key));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"bmsub-web "
	    "csrf\n", 15);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)user,
	    strlen(user) + 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts,
	    strlen(ts));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(hex, 65, mac, sizeof(mac));
}

static void
token_make(const struct web *w, const char *user, int64_t now, char *out,
    size_t n)
{
	char ts[24], hex[65];

	snprintf(ts, sizeof(ts), "%llx", (unsigned long long)now);
	token_mac(w, user, ts, hex);
	snprintf(out, n, "%s.%s", ts, hex);
}

static int
token_ok(const struct web *w, const char *user, const char *tok,
    int64_t now)
{
	char ts[24], hex[65], *end;
	const char *dot;
	unsigned long long t;
	size_t tl;

	if (tok == NULL || (dot = strchr(tok, '.')) == NULL)
		return 0;
	tl = (size_t)(dot - tok);
	if (tl == 0 || tl >= sizeof(ts) || strlen(dot + 1) != 64)
		return 0;
	memcpy(ts, tok, tl);
	ts[tl] = '\0';
	errno = 0;
	t = strtoull(ts, &end, 16);
	if (errno != 0 || *end != '\0' || (int64_t)t > now ||
	    now - (int64_t)t > TOKEN_TTL)
		return 0;
	token_mac(w, user, ts, hex);
	return sodium_memcmp(hex, dot + 1, 64) == 0;
}

/* ------------------------------------------------------------------ */
/* Responses */

static void
respond(FCGX_Request *rq, const char *status, const char *headers,
    const struct web_buf *body, const char *ctype)
{
	FCGX_FPrintF(rq->out, "Status: %s\r\n", status);
	if (headers != NULL)
		FCGX_PutS(headers, rq->out);
	if (body != NULL && body->len > 0 && !body->oom) {
		FCGX_FPrintF(rq->out, "Content-Type: %s\r\n"
		    "Cache-Control: no-store\r\nX-Frame-Options: DENY\r\n"
		    "X-Content-Type-Options: nosniff\r\n"
		    "Content-Security-Policy: default-src 'none'; style-src "
		    "'unsafe-inline'; img-src 'self'; form-action 'self'; "
		    "frame-ancestors 'none'\r\n\r\n", ctype);
		FCGX_PutStr(body->p, (int)body->len, rq->out);
	} else
		FCGX_PutS("\r\n", rq->out);
}

static void
respond_error(FCGX_Request *rq, const char *status, const char *text,
    const char *extra)
{
	struct web_buf b = { 0 };

	web_error_page(&b, status, text);
	respond(rq, status, extra, &b, "text/html; charset=utf-8");
	web_buf_free(&b);
}

static const char *
param(FCGX_Request *rq, const char *name)
{
	const char *v = FCGX_GetParam(name, rq->envp);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* PATH_INFO, else DOCUMENT_URI minus SCRIPT_NAME (SPEC 9). */
static const char *
req_path(FCGX_Request *rq)
{
	const char *pi = param(rq, "PATH_INFO"), *du, *sn;
	size_t sl;

	if (pi != NULL)
		return pi;
	if ((du = param(rq, "DOCUMENT_URI")) == NULL)
		return "/";
	if ((sn = param(rq, "SCRIPT_NAME")) != NULL) {
		sl = strlen(sn);
		if (strncmp(du, sn, sl) == 0)
			du += sl;
	}
	return *du != '\0' ? du : "/";
}

/* Whether uri (query cut) is admin_url's path or below it. */
static int
under_admin_url(const char *admin_url, const char *uri)
{
	const char *p, *q;
	size_t pl, ul;

	if (admin_url == NULL || uri == NULL)
		return 0;
	p = admin_url;
	if ((q = strstr(p, "://")) != NULL) {
		p = strchr(q + 3, '/');
		if (p == NULL)
			p = "/";
	}
	pl = strcspn(p, "?#");
	ul = strcspn(uri, "?#");
	while (pl > 1 && p[pl - 1] == '/')
		pl--;
	if (pl == 1 && p[0] == '/')
		return 1;
	if (ul < pl || strncmp(uri, p, pl) != 0)
		return 0;
	return ul == pl || uri[pl] == '/';
}

static int
decide(struct web *w, const char *user, enum bmsub_category cat,
    struct bmsub_result *res)
{
	struct bmsub_request q = { user, SERVICE, (int)cat, time(NULL) };
	struct bmsub_error e;
	int r;

	memset(&e, 0, sizeof(e));
	if ((r = bmsub_ctx_decide(w->ctx, &logsink, &q, res, &e)) != 0)
		fprintf(stderr, "bmsub-web: %s\n", e.msg);
	return r;
}

static void
handle_auth(struct web *w, FCGX_Request *rq, const char *user)
{
	struct bmsub_result res;
	struct web_buf h = { 0 };
	const char *status, *decision, *uri;

	if (user == NULL) {
		respond(rq, "401 Unauthorized", "X-Bmsub-Decision: deny\r\n"
		    "X-Bmsub-Phase: unknown\r\nX-Bmsub-Message: no user\r\n",
		    NULL, NULL);
		return;
	}
	if (decide(w, user, BMSUB_CAT_WEBMAIL, &res) != 0) {
		respond(rq, "500 Internal Server Error", NULL, NULL, NULL);
		return;
	}
	uri = param(rq, "BMSUB_ORIGINAL_URI");
	decision = bmsub_decision_name(res.verdict.decision);
	switch (res.verdict.decision) {
	case BMSUB_ALLOW:
		status = "204 No Content";
		break;
	case BMSUB_REDIRECT:
		if (under_admin_url(res.verdict.redirect, uri)) {
			status = "204 No Content";
			decision = "allow";
		} else
			status = "403 Forbidden";	/* see conf/nginx */
		break;
	default:
		status = "403 Forbidden";
		break;
	}
	web_buf_str(&h, "X-Bmsub-Decision: ");
	web_buf_str(&h, decision);
	web_buf_str(&h, "\r\nX-Bmsub-Phase: ");
	web_buf_pct(&h, res.verdict.phase);
	web_buf_str(&h, "\r\n");
	if (strcmp(decision, "redirect") == 0) {
		web_buf_str(&h, "X-Bmsub-Redirect: ");
		web_buf_pct(&h, res.verdict.redirect);
		web_buf_str(&h, "\r\n");
	}
	if (res.verdict.decision == BMSUB_DENY) {
		web_buf_str(&h, "X-Bmsub-Message: ");
		web_buf_pct(&h, res.verdict.message);
		web_buf_str(&h, "\r\n");
	}
	if (res.verdict.banner[0] != '\0' && status[0] == '2') {
		web_buf_str(&h, "X-Bmsub-Banner: ");
		web_buf_pct(&h, res.verdict.banner);
		/* ready for nginx's sub_filter: escaped, ASCII only */
		web_buf_str(&h, "\r\nX-Bmsub-Banner-Html: <div id=\"bmsub-banner\" "
		    "role=\"alert\" style=\"position:fixed;top:0;left:0;right:0;"
		    "z-index:2147483647;background:#fff3cd;color:#1c1c1c;border-"
		    "bottom:1px solid #e0c36c;padding:.5em 1em;font:15px/1.4 "
		    "system-ui,sans-serif;text-align:center\">");
		web_buf_html_ascii(&h, res.verdict.banner);
		web_buf_str(&h, "</div>\r\n");
	}
	if (h.oom)
		respond(rq, "500 Internal Server Error", NULL, NULL, NULL);
	else
		respond(rq, status, h.p, NULL, NULL);
	web_buf_free(&h);
}

static void
handle_denied(struct web *w, FCGX_Request *rq, const char *user)
{
	struct bmsub_result res;
	struct web_buf b = { 0 };

	if (user == NULL) {
		respond_error(rq, "401 Unauthorized", "Not signed in.", NULL);
		return;
	}
	if (decide(w, user, BMSUB_CAT_WEBMAIL, &res) != 0) {
		respond_error(rq, "500 Internal Server Error", "The "
		    "subscription configuration cannot be read.", NULL);
		return;
	}
	if (res.verdict.decision != BMSUB_DENY) {
		web_error_page(&b, "Access open", "Your access is not "
		    "suspended.");
		respond(rq, "200 OK", NULL, &b, "text/html; charset=utf-8");
	} else {
		web_denied_page(&b, res.verdict.message, res.verdict.phase);
		respond(rq, "403 Forbidden", NULL, &b,
		    "text/html; charset=utf-8");
	}
	web_buf_free(&b);
}

/* The report, when user is an administrator; else an answer is sent. */
static struct bmsub_report *
admin_report(struct web *w, FCGX_Request *rq, const char *user)
{
	struct bmsub_report *rep = NULL;
	struct bmsub_error e;
	int is_admin = 0;

	memset(&e, 0, sizeof(e));
	if (user == NULL) {
		respond_error(rq, "401 Unauthorized", "Not signed in.", NULL);
		return NULL;
	}
	if (bmsub_ctx_report(w->ctx, &logsink, time(NULL), &rep, &e) != 0) {
		fprintf(stderr, "bmsub-web: %s\n", e.msg);
		respond_error(rq, "500 Internal Server Error", "The "
		    "subscription configuration cannot be read.", NULL);
		return NULL;
	}
	if (bmsub_is_admin(rep->config, user, &is_admin, &e) != 0 ||
	    !is_admin) {
		bmsub_report_free(rep);
		respond_error(rq, "403 Forbidden", "The subscription page is "
		    "for subscription administrators only.", NULL);
		return NULL;
	}
	return rep;
}

static void
send_page(struct web *w, FCGX_Request *rq, const char *user,
    const char *status, const struct web_notice *n)
{
	struct bmsub_report *rep;
	struct web_buf b = { 0 };
	char tok[128];

	if ((rep = admin_report(w, rq, user)) == NULL)
		return;
	token_make(w, user, time(NULL), tok, sizeof(tok));
	web_page(&b, rep, user, tok, n);
	if (b.oom)
		respond(rq, "500 Internal Server Error", NULL, NULL, NULL);
	else
		respond(rq, status, NULL, &b, "text/html; charset=utf-8");
	web_buf_free(&b);
	bmsub_report_free(rep);
}

/* Reads a POST body of the form type within the caps (multipart/form-data
 * too when multipart is not NULL: *multipart says which came); 0 or an
 * answer sent. */
static int
read_body(FCGX_Request *rq, char **out, size_t *outlen, int *multipart)
{
	const char *ct = param(rq, "CONTENT_TYPE"), *cl = param(rq,
	    "CONTENT_LENGTH");
	unsigned long n;
	char *end, *buf;
	int got, mp;

	*out = NULL;
	mp = ct != NULL && multipart != NULL && strncasecmp(ct,
	    "multipart/form-data", 19) == 0 && (ct[19] == ';' || ct[19] == ' ' ||
	    ct[19] == '\0');
	if (multipart != NULL)
		*multipart = mp;
	if (!mp && (ct == NULL || (strcasecmp(ct,
	    "application/x-www-form-urlencoded") != 0 && strncasecmp(ct,
	    "application/x-www-form-urlencoded;", 34) != 0))) {
		respond_error(rq, "415 Unsupported Media Type", multipart ?
		    "Send the form as application/x-www-form-urlencoded or "
		    "multipart/form-data." : "Send the form as "
		    "application/x-www-form-urlencoded.", NULL);
		return -1;
	}
	if (cl == NULL || cl[0] < '0' || cl[0] > '9') {
		respond_error(rq, "411 Length Required", "No body length.",
		    NULL);
		return -1;
	}
	errno = 0;
	n = strtoul(cl, &end, 10);
	if (errno != 0 || *end != '\0' || n > WEB_BODY_MAX) {
		respond_error(rq, "413 Content Too Large", "The form is too "
		    "large.", NULL);
		return -1;
	}
	if (n == 0) {
		respond_error(rq, "400 Bad Request", "Empty form.", NULL);
		return -1;
	}
	if ((buf = malloc(n + 1)) == NULL) {
		respond(rq, "500 Internal Server Error", NULL, NULL, NULL);
		return -1;
	}
	got = FCGX_GetStr(buf, (int)n, rq->in);
	if (got < 0 || (unsigned long)got != n) {
		free(buf);
		respond_error(rq, "400 Bad Request", "Short body.", NULL);
		return -1;
	}
	buf[n] = '\0';
	*out = buf;
	*outlen = n;
	return 0;
}

static void
handle_post(struct web *w, FCGX_Request *rq, const char *user, int license)
{
	struct web_field f[3];
	struct web_notice notice;
	struct bmsub_report *rep;
	char *body = NULL, why[200];
	size_t len = 0, nf;
	int r, mp = 0;

	memset(&notice, 0, sizeof(notice));
	memset(f, 0, sizeof(f));
	/* the role first: a non-administrator learns nothing more */
	if ((rep = admin_report(w, rq, user)) == NULL)
		return;
	bmsub_report_free(rep);
	/* the license may come as a file upload (multipart), pasted into
	 * the same form, or alone as an urlencoded form */
	if (read_body(rq, &body, &len, license ? &mp : NULL) != 0)
		return;
	f[0].name = "token";
	f[0].max = WEB_TOKEN_MAX;
	if (license) {
		f[1].name = "license";
		f[1].max = BMSUB_LICENSE_MAX;
		f[1].flags = WEB_F_MULTILINE;
		f[2].name = "license_file";
		f[2].max = BMSUB_LICENSE_MAX;
		f[2].flags = WEB_F_MULTILINE | WEB_F_FILE;
		nf = mp ? 3 : 2;
	} else {
		f[1].name = "op";
		f[1].max = WEB_OP_MAX;
		f[2].name = "address";
		f[2].max = WEB_ADDR_MAX;
		nf = 3;
	}
	if ((mp ? web_multipart_parse(param(rq, "CONTENT_TYPE"), body, len, f,
	    nf, why, sizeof(why)) : web_form_parse(body, len, f, nf, why,
	    sizeof(why))) != 0) {
		respond_error(rq, "400 Bad Request", why, NULL);
		goto out;
	}
	if (!token_ok(w, user, f[0].value, time(NULL))) {
		respond_error(rq, "403 Forbidden", "Missing or stale form "
		    "token: reload the page and try again.", NULL);
		goto out;
	}
	if (license && nf == 3 && f[2].len > 0) {
		/* the upload takes the pasted field's place */
		if (f[1].len > 0) {
			respond_error(rq, "400 Bad Request", "Paste the license "
			    "or upload its file, not both.", NULL);
			goto out;
		}
		free(f[1].value);
		f[1] = f[2];	/* transferred */
		f[2].value = NULL;
		f[2].len = 0;
		nf = 2;
	} else if (license)
		nf = 2;
	for (size_t i = 1; i < nf; i++)
		if (f[i].value == NULL || f[i].len == 0) {
			snprintf(why, sizeof(why), "Missing form field '%s'.",
			    f[i].name);
			respond_error(rq, "400 Bad Request", why, NULL);
			goto out;
		}
	if (license)
		r = web_priv_call(w->priv_socket, WEB_PRIV_LICENSE, user,
		    f[1].value, f[1].len, notice.text, sizeof(notice.text));
	else if (strcmp(f[1].value, "add") == 0 ||
	    strcmp(f[1].value, "remove") == 0)
		r = web_priv_call(w->priv_socket, f[1].value[0] == 'a' ?
		    WEB_PRIV_RCPT_ADD : WEB_PRIV_RCPT_REMOVE, user, f[2].value,
		    f[2].len, notice.text, sizeof(notice.text));
	else {
		respond_error(rq, "400 Bad Request", "op is add or remove.",
		    NULL);
		goto out;
	}
	if (r < 0) {
		fprintf(stderr, "bmsub-web: %s\n", notice.text);
		respond_error(rq, "503 Service Unavailable", notice.text, NULL);
		goto out;
	}
	notice.error = r != 0;
	send_page(w, rq, user, r == 0 ? "200 OK" : "400 Bad Request", &notice);
out:
	web_form_free(f, sizeof(f) / sizeof(f[0]));
	free(body);
}

static void
handle(struct web *w, FCGX_Request *rq)
{
	const char *method = param(rq, "REQUEST_METHOD");
	const char *user = param(rq, "REMOTE_USER"), *path = req_path(rq);
	int get = method != NULL && (strcmp(method, "GET") == 0 ||
	    strcmp(method, "HEAD") == 0);
	int post = method != NULL && strcmp(method, "POST") == 0;

	if (user != NULL && strlen(user) > 256)
		user = NULL;
	if (strcmp(path, "/auth") == 0) {
		if (!get)
			respond(rq, "405 Method Not Allowed",
			    "Allow: GET, HEAD\r\n", NULL, NULL);
		else
			handle_auth(w, rq, user);
	} else if (strcmp(path, "/denied") == 0) {
		if (!get)
			respond_error(rq, "405 Method Not Allowed", "GET only.",
			    "Allow: GET, HEAD\r\n");
		else
			handle_denied(w, rq, user);
	} else if (strcmp(path, "/") == 0) {
		if (!get)
			respond_error(rq, "405 Method Not Allowed", "GET only.",
			    "Allow: GET, HEAD\r\n");
		else
			send_page(w, rq, user, "200 OK", NULL);
	} else if (strcmp(path, "/recipients") == 0 ||
	    strcmp(path, "/license") == 0) {
		if (!post)
			respond_error(rq, "405 Method Not Allowed", "POST only.",
			    "Allow: POST\r\n");
		else
			handle_post(w, rq, user, path[1] == 'l');
	} else
		respond_error(rq, "404 Not Found", "No such page.", NULL);
}

static void
usage(FILE *f)
{
	fprintf(f, "Usage: bmsub-web [-c CONF] [--key FILE] [--priv-socket PATH]\n"
	    "       bmsub-web --privileged [-c CONF] [--allow-user USER]\n"
	    "The FastCGI socket is file descriptor 0 (spawn-fcgi) or the one "
	    "systemd passes.\nDefault CONF: %s, key %s, helper socket %s.\n",
	    BMSUB_DEFAULT_CONF, DEFAULT_KEY, DEFAULT_PRIV);
}

static pthread_mutex_t accept_lock = PTHREAD_MUTEX_INITIALIZER;
static int listen_fd;

/* One FastCGI connection at a time per thread (libfcgi's threaded model). */
static void *
serve(void *arg)
{
	struct web *w = arg;
	FCGX_Request rq;
	int r;

	if (FCGX_InitRequest(&rq, listen_fd, 0) != 0)
		return NULL;
	for (;;) {
		pthread_mutex_lock(&accept_lock);
		r = FCGX_Accept_r(&rq);
		pthread_mutex_unlock(&accept_lock);
		if (r < 0)
			break;
		handle(w, &rq);
		FCGX_Finish_r(&rq);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	struct web w;
	struct bmsub_error e;
	struct sigaction sa;
	pthread_t th[THREADS];
	size_t nth = 0;
	const char *key = DEFAULT_KEY, *allow = "bmsub-web", *lp, *lf;
	int i, privileged = 0, fd = 0;

	memset(&w, 0, sizeof(w));
	w.conf = BMSUB_DEFAULT_CONF;
	w.priv_socket = DEFAULT_PRIV;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			printf("bmsub-web %s\n", BMSUB_VERSION);
			return 0;
		} else if (strcmp(a, "--privileged") == 0)
			privileged = 1;
		else if (v != NULL && strcmp(a, "-c") == 0)
			w.conf = v, i++;
		else if (v != NULL && strcmp(a, "--key") == 0)
			key = v, i++;
		else if (v != NULL && strcmp(a, "--priv-socket") == 0)
			w.priv_socket = v, i++;
		else if (v != NULL && strcmp(a, "--allow-user") == 0)
			allow = v, i++;
		else {
			fprintf(stderr, "bmsub-web: bad argument '%s'\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "bmsub-web: libsodium cannot start\n");
		return 1;
	}
	if (privileged)
		return web_priv_serve(w.conf, allow);
	if (geteuid() == 0 || getuid() == 0) {
		fprintf(stderr, "bmsub-web: refusing to run as root: run it as "
		    "its own user (bmsub-web(8))\n");
		return 2;
	}
	if (key_load(key, w.key) != 0)
		return 1;
	memset(&e, 0, sizeof(e));
	if (bmsub_ctx_new(w.conf, &w.ctx, &e) != 0) {
		fprintf(stderr, "bmsub-web: %s\n", e.msg);
		return 1;
	}
	/* systemd socket activation: LISTEN_FDS=1 for us, the socket is fd 3 */
	lp = getenv("LISTEN_PID");
	lf = getenv("LISTEN_FDS");
	if (lp != NULL && lf != NULL && strcmp(lf, "1") == 0) {
		char *end;
		long pid = strtol(lp, &end, 10);

		if (*end == '\0' && pid == (long)getpid())
			fd = 3;
	}
	listen_fd = fd;
	if (FCGX_Init() != 0) {
		fprintf(stderr, "bmsub-web: FastCGI cannot start\n");
		return 1;
	}
	/* libfcgi catches SIGTERM to end at the next accept, which the
	 * thread blocked in accept(2) may never reach (systemctl stop would
	 * wait for its timeout): end at once instead. Nothing is left half
	 * done: changes go through the privileged helper, atomically. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) != 0) {
		fprintf(stderr, "bmsub-web: sigaction: %s\n", strerror(errno));
		return 1;
	}
	for (nth = 0; nth < THREADS - 1; nth++)
		if (pthread_create(&th[nth], NULL, serve, &w) != 0)
			break;
	serve(&w);
	while (nth > 0)
		pthread_join(th[--nth], NULL);
	bmsub_ctx_free(w.ctx);
	sodium_memzero(w.key, sizeof(w.key));
	return 0;
}
