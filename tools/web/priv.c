/* SPDX-License-Identifier: GPL-2.0-or-later */
/* priv.c - bmsub-web --privileged: the root side that replaces the license
 * and the recipients for the responder, and the responder's client of it.
 *
 * Protocol on a Unix stream socket, one request a connection:
 *   "OP LEN USER\n" then LEN bytes; OP is rcpt-add, rcpt-remove or license,
 *   USER the administrator (for the log only).
 * Reply: one line, "ok TEXT" or "no TEXT". */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "web.h"

#define HDR_MAX 400
#define IO_TIMEOUT_S 15

static const char *const op_names[] = { "rcpt-add", "rcpt-remove", "license" };

static void
set_timeouts(int fd)
{
	struct timeval tv = { IO_TIMEOUT_S, 0 };

	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int
write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
read_all(int fd, char *p, size_t n)
{
	while (n > 0) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int
web_priv_call(const char *socket_path, enum web_priv_op op,
    const char *user, const char *data, size_t len, char *out, size_t outsz)
{
	struct sockaddr_un sa;
	char hdr[HDR_MAX], reply[700];
	size_t got = 0;
	int fd = -1, r = -1, n;

	snprintf(out, outsz, "the privileged helper did not answer");
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(socket_path) >= sizeof(sa.sun_path)) {
		snprintf(out, outsz, "helper socket path too long");
		goto out;
	}
	memcpy(sa.sun_path, socket_path, strlen(socket_path));
	n = snprintf(hdr, sizeof(hdr), "%s %zu %s\n", op_names[op], len, user);
	if (n < 0 || (size_t)n >= sizeof(hdr))
		goto out;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		goto out;
	set_timeouts(fd);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		snprintf(out, outsz, "cannot reach the privileged helper at "
		    "%s: %s", socket_path, strerror(errno));
		goto out;
	}
	if (write_all(fd, hdr, (size_t)n) != 0 ||
	    write_all(fd, data, len) != 0)
		goto out;
	(void)shutdown(fd, SHUT_WR);
	while (got < sizeof(reply) - 1) {
		ssize_t rd = read(fd, reply + got, sizeof(reply) - 1 - got);

		if (rd < 0 && errno == EINTR)
			continue;
		if (rd <= 0)
			break;
		got += (size_t)rd;
	}
	reply[got] = '\0';
	if (got == 0 || reply[got - 1] != '\n')
		goto out;
	reply[got - 1] = '\0';
	if (strncmp(reply, "ok ", 3) == 0) {
		snprintf(out, outsz, "%s", reply + 3);
		r = 0;
	} else if (strncmp(reply, "no ", 3) == 0) {
		snprintf(out, outsz, "%s", reply + 3);
		r = 1;
	}
out:
	if (fd >= 0)
		close(fd);
	return r;
}

/* ------------------------------------------------------------------ */

static void
reply(int fd, int ok, const char *user, const char *op, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
reply(int fd, int ok, const char *user, const char *op, const char *fmt, ...)
{
	char text[600], line[620];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	for (char *p = text; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	fprintf(stderr, "bmsub-web: %s %s by %s: %s\n", op,
	    ok ? "done" : "refused", user, text);
	n = snprintf(line, sizeof(line), "%s %s\n", ok ? "ok" : "no", text);
	if (n > 0)
		(void)write_all(fd, line, strlen(line));
}

static int
peer_allowed(int fd, uid_t allow_uid, int have_allow)
{
	struct ucred cr;
	socklen_t sl = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &sl) != 0)
		return 0;
	return cr.uid == 0 || (have_allow && cr.uid == allow_uid);
}

static void
do_recipients(int fd, const char *conf, const char *user, int add,
    const char *addr)
{
	const char *op = add ? "recipients add" : "recipients remove";
	struct bmsub_config *cfg = NULL;
	struct bmsub_error e;
	int r;

	memset(&e, 0, sizeof(e));
	if ((r = bmsub_config_load(conf, &cfg, &e)) != 0) {
		reply(fd, 0, user, op, "configuration: %s", e.msg);
		return;
	}
	r = add ? bmsub_recipients_add(cfg->state_dir, addr, &e) :
	    bmsub_recipients_remove(cfg->state_dir, addr, &e);
	if (r != 0)
		reply(fd, 0, user, op, "%s: %s (%s)", addr, e.msg,
		    bmsub_err_token(r));
	else
		reply(fd, 1, user, op, "%s %s", add ? "added" : "removed",
		    addr);
	bmsub_config_free(cfg);
}

static void
do_license(int fd, const char *conf, const char *user, const char *text,
    size_t len)
{
	struct bmsub_ctx *ctx = NULL;
	struct bmsub_install res;
	struct bmsub_error e;
	char d[BMSUB_TIME_STR_MAX];
	int r;

	memset(&e, 0, sizeof(e));
	memset(&res, 0, sizeof(res));
	if ((r = bmsub_ctx_new(conf, &ctx, &e)) != 0) {
		reply(fd, 0, user, "install", "%s", e.msg);
		return;
	}
	r = bmsub_ctx_license_install(ctx, NULL, text, len, time(NULL), 0,
	    &res, &e);
	if (!res.verified)
		reply(fd, 0, user, "install", "not installed: %s (%s)",
		    e.msg[0] ? e.msg : bmsub_strerror(r), bmsub_err_token(r));
	else if (res.refused != NULL)
		reply(fd, 0, user, "install", "not installed: license %s is "
		    "refused (%s)", res.lic.id, res.refused);
	else if (r != 0 || !res.installed)
		reply(fd, 0, user, "install", "not installed: %s (%s)", e.msg,
		    bmsub_err_token(r));
	else
		reply(fd, 1, user, "install", "installed %s license %s "
		    "(%" PRIu32 " users, through %s); it applies from the next "
		    "login", bmsub_kind_name(res.lic.kind), res.lic.id,
		    res.lic.users, bmsub_time_str(res.lic.expires,
		    BMSUB_TS_LAST_DAY, "-", d, sizeof(d)));
	bmsub_ctx_free(ctx);
}

static void
serve_one(int fd, const char *conf, uid_t allow_uid, int have_allow)
{
	char hdr[HDR_MAX], *sp1, *sp2, *end, *data = NULL;
	const char *user = "-";
	unsigned long len;
	size_t n = 0;
	int op = -1;

	set_timeouts(fd);
	if (!peer_allowed(fd, allow_uid, have_allow)) {
		reply(fd, 0, "-", "connect", "peer is not the responder's user");
		return;
	}
	while (n < sizeof(hdr) - 1) {
		if (read_all(fd, hdr + n, 1) != 0)
			return;
		if (hdr[n] == '\n')
			break;
		n++;
	}
	if (n == sizeof(hdr) - 1)
		return;
	hdr[n] = '\0';
	if ((sp1 = strchr(hdr, ' ')) == NULL ||
	    (sp2 = strchr(sp1 + 1, ' ')) == NULL)
		goto bad;
	*sp1 = *sp2 = '\0';
	for (size_t i = 0; i < 3; i++)
		if (strcmp(hdr, op_names[i]) == 0)
			op = (int)i;
	user = sp2 + 1;
	if (op < 0 || *user == '\0' || sp1[1] < '0' || sp1[1] > '9')
		goto bad;
	errno = 0;
	len = strtoul(sp1 + 1, &end, 10);
	if (errno != 0 || *end != '\0' || len == 0 ||
	    len > BMSUB_LICENSE_MAX || (op != WEB_PRIV_LICENSE &&
	    len > WEB_ADDR_MAX))
		goto bad;
	if ((data = malloc(len + 1)) == NULL || read_all(fd, data, len) != 0)
		goto bad;
	data[len] = '\0';
	if (memchr(data, '\0', len) != NULL)
		goto bad;
	if (op == WEB_PRIV_LICENSE)
		do_license(fd, conf, user, data, len);
	else
		do_recipients(fd, conf, user, op == WEB_PRIV_RCPT_ADD, data);
	free(data);
	return;
bad:
	free(data);
	reply(fd, 0, user, "request", "malformed request");
}

int
web_priv_serve(const char *conf, const char *allow_user)
{
	struct passwd *pw;
	uid_t allow_uid = 0;
	int listening = 0, have_allow = 0;
	socklen_t sl = sizeof(listening);

	if (allow_user != NULL && (pw = getpwnam(allow_user)) != NULL) {
		allow_uid = pw->pw_uid;
		have_allow = 1;
	}
	if (getsockopt(0, SOL_SOCKET, SO_ACCEPTCONN, &listening, &sl) != 0) {
		fprintf(stderr, "bmsub-web: --privileged needs a socket on "
		    "standard input (bmsub-web-priv.socket)\n");
		return 2;
	}
	if (!listening) {
		serve_one(0, conf, allow_uid, have_allow);
		return 0;
	}
	for (;;) {
		int c = accept4(0, NULL, NULL, SOCK_CLOEXEC);

		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			fprintf(stderr, "bmsub-web: accept: %s\n",
			    strerror(errno));
			return 1;
		}
		serve_one(c, conf, allow_uid, have_allow);
		close(c);
	}
}
