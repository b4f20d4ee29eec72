/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doctor.c - bmsub-check doctor: the installation as the mail servers will meet it. */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cluster.h"

#ifndef BMSUB_PAMDIR
#define BMSUB_PAMDIR "/usr/lib/security"
#endif

/*
 * Each check gives ok, warn or fail, a stable name and what to do.
 * fail: logins break, a blocked user gets in, or nobody learns of an
 * expiry; warn: worth a look but can be right on purpose (an unmapped
 * service, no timer when a scheduler of one's own runs the commands).
 * Exit 1 when any check fails; warnings alone exit 0.
 */
enum { ST_OK, ST_WARN, ST_FAIL };
static const char *const st_names[] = { "ok", "warn", "fail" };

#define DOC_AS_MAX 16
#define DOC_MSG_MAX 2048
#define DOVECONF_MAX (1024 * 1024)

struct doc {
	struct cli *c;
	const char *root;		/* --root without trailing '/', "" */
	const char *as[DOC_AS_MAX];	/* --as USER... */
	int n_as;
	char nginx_user[64];		/* "user" of nginx.conf, www-data */
	int nginx_gated;		/* a stack nginx uses names the module */
	struct web_nginx {		/* bmsub-web in nginx's files */
		int page;		/* bmsub-web.conf, or a fastcgi_pass to it */
		int gate;		/* bmsub-gate.conf, or auth_request */
		char page_in[256];	/* the file that includes or holds them */
		char gate_in[256];
		char sock[256];		/* its fastcgi_pass unix: path */
		char missing[4096];	/* an included snippet that is not there */
		int files;		/* snippet files read outside /etc/nginx */
	} wn;
	struct json j;
	int n[3];
};

static void
emit(struct doc *d, int st, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
emit(struct doc *d, int st, const char *name, const char *fmt, ...)
{
	char msg[DOC_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d->n[st]++;
	if (d->c->json) {
		json_obj(&d->j);
		json_str(&d->j, "check", name);
		json_str(&d->j, "status", st_names[st]);
		json_str(&d->j, "message", msg);
		json_close_obj(&d->j);
	} else
		printf("%-4s  %-18s %s\n", st_names[st], name, msg);
}

/* A finding appended to a check's message: the worst status wins. */
struct finding {
	int st;
	size_t len;
	char msg[DOC_MSG_MAX];
};

static void
note(struct finding *f, int st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
note(struct finding *f, int st, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (st > f->st)
		f->st = st;
	if (f->len + 3 >= sizeof(f->msg))
		return;
	if (f->len > 0) {
		memcpy(f->msg + f->len, "; ", 3);
		f->len += 2;
	}
	va_start(ap, fmt);
	n = vsnprintf(f->msg + f->len, sizeof(f->msg) - f->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		f->len += (size_t)n < sizeof(f->msg) - f->len ? (size_t)n :
		    sizeof(f->msg) - f->len - 1;
}

/* The server file path under --root. */
static const char *
rp(const struct doc *d, const char *path, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s", d->root, path);
	return buf;
}

/* Opens a system file for reading without blocking on a FIFO or device:
 * NULL and errno ENOENT when missing, another errno otherwise. */
static FILE *
open_text(const char *path)
{
	struct stat sb;
	FILE *f;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
		return NULL;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	if ((f = fdopen(fd, "r")) == NULL)
		close(fd);
	return f;
}

/* Words of a line, shell-like enough for PAM, cron and default files:
 * blanks separate, '#' at a word's start ends the line. Modifies s. */
static int
split_words(char *s, char **w, int max)
{
	int n = 0;

	while (n < max) {
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		if (*s == '\0' || *s == '#')
			break;
		w[n++] = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			s++;
		if (*s)
			*s++ = '\0';
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* PAM stacks */

struct pline {
	char file[128];		/* the file it came from */
	unsigned lineno;
	char type[16];		/* auth, account, password, session */
	int dash;		/* "-account": skipped when the module is
				 * missing, without a word */
	char control[128];
	char module[256];
	char args[512];
	int frame;		/* 0 top and include, n: the n-th substack */
};

struct pstack {
	struct pline *v;
	size_t n, cap;
	int frames;
	int files;		/* files read: includes fan out */
	int error;		/* an include could not be read */
	char errmsg[256];
};

static void
lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static int
is_bmsub(const char *module)
{
	const char *b = strrchr(module, '/');

	return strcmp(b != NULL ? b + 1 : module, "pam_bmsub.so") == 0;
}

/* The module's base name without ".so". */
static void
module_base(const char *module, char *out, size_t size)
{
	const char *b = strrchr(module, '/');
	size_t n;

	snprintf(out, size, "%s", b != NULL ? b + 1 : module);
	n = strlen(out);
	if (n > 3 && strcmp(out + n - 3, ".so") == 0)
		out[n - 3] = '\0';
}

/* The modules that check a password in auth (the ones Debian ships and
 * the usual directory clients; pam_matrix is cwrap's, for tests). */
static int
is_password_module(const char *module)
{
	static const char *const pw[] = {
		"pam_unix", "pam_sss", "pam_ldap", "pam_krb5", "pam_winbind",
		"pam_userdb", "pam_pwdfile", "pam_radius_auth", "pam_mysql",
		"pam_pgsql", "pam_tacplus", "pam_matrix", NULL
	};
	char b[256];
	size_t i;

	module_base(module, b, sizeof(b));
	for (i = 0; pw[i] != NULL; i++)
		if (strcmp(b, pw[i]) == 0)
			return 1;
	return 0;
}

static int
pstack_add(struct pstack *s, const struct pline *l)
{
	struct pline *nv;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;

		if (cap > 4096 || (nv = realloc(s->v, cap * sizeof(*nv))) == NULL)
			return -1;
		s->v = nv;
		s->cap = cap;
	}
	s->v[s->n++] = *l;
	return 0;
}

/*
 * Reads service file name (a name in /etc/pam.d, or an absolute path, as
 * Linux-PAM's include takes it) into s, expanding @include, include and
 * substack; only lines of type only (NULL: all) are kept.
 */
static void
pam_read(const struct doc *d, const char *name, const char *only, int frame,
    int depth, struct pstack *s)
{
	char path[4096], *line = NULL, *w[6];
	size_t cap = 0;
	unsigned lineno = 0;
	FILE *f;

	if (depth > 8 || ++s->files > 256) {
		s->error = 1;
		snprintf(s->errmsg, sizeof(s->errmsg), "includes nested too "
		    "deep or too many at %s", name);
		return;
	}
	if (name[0] == '/')
		rp(d, name, path, sizeof(path));
	else {
		char rel[4096];

		snprintf(rel, sizeof(rel), "/etc/pam.d/%s", name);
		rp(d, rel, path, sizeof(path));
	}
	if ((f = open_text(path)) == NULL) {
		s->error = 1;
		if (snprintf(s->errmsg, sizeof(s->errmsg), "cannot read %s: %s",
		    path, strerror(errno)) >= (int)sizeof(s->errmsg))
			s->errmsg[sizeof(s->errmsg) - 2] = '.';
		return;
	}
	while (getline(&line, &cap, f) > 0) {
		struct pline l;
		char *p, *ctl_end, *lend;
		const char *type;
		int n;

		lineno++;
		memset(&l, 0, sizeof(l));
		/* [ ... ] controls hold blanks: cut it out before splitting */
		p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p == '\0' || *p == '\n')
			continue;
		lend = p + strlen(p);
		n = split_words(p, w, 2);
		if (n >= 2 && strcmp(w[0], "@include") == 0) {
			pam_read(d, w[1], only, frame, depth + 1, s);
			continue;
		}
		if (n < 2)
			continue;
		type = w[0];
		if ((l.dash = type[0] == '-'))
			type++;
		snprintf(l.file, sizeof(l.file), "%s", name);
		l.lineno = lineno;
		/* libpam takes types and simple controls in any case */
		snprintf(l.type, sizeof(l.type), "%s", type);
		lower(l.type);
		l.frame = frame;
		/* split_words stopped after 2 words: w[1] is the control's
		 * first word, the rest of the line follows it */
		p = w[1] + strlen(w[1]);
		if (p < lend)
			p++;
		if (w[1][0] == '[' && strchr(w[1], ']') == NULL &&
		    (ctl_end = strchr(p, ']')) != NULL) {
			*ctl_end = '\0';
			snprintf(l.control, sizeof(l.control), "%s %s]", w[1], p);
			p = ctl_end + 1;
		} else {
			snprintf(l.control, sizeof(l.control), "%s", w[1]);
			if (l.control[0] != '[')
				lower(l.control);
		}
		n = split_words(p, w, 1);
		if (n < 1)
			continue;
		snprintf(l.module, sizeof(l.module), "%s", w[0]);
		p = w[0] + strlen(w[0]);
		if (p < lend)
			p++;
		while (*p == ' ' || *p == '\t')
			p++;
		snprintf(l.args, sizeof(l.args), "%s", p);
		p = l.args + strlen(l.args);
		while (p > l.args && (p[-1] == '\n' || p[-1] == ' ' ||
		    p[-1] == '\t' || p[-1] == '\r'))
			*--p = '\0';
		if (only != NULL && strcmp(l.type, only) != 0)
			continue;
		if (strcmp(l.control, "include") == 0) {
			pam_read(d, l.module, l.type, frame, depth + 1, s);
			continue;
		}
		if (strcmp(l.control, "substack") == 0) {
			pam_read(d, l.module, l.type, ++s->frames, depth + 1, s);
			continue;
		}
		if (pstack_add(s, &l) != 0) {
			s->error = 1;
			snprintf(s->errmsg, sizeof(s->errmsg), "too many lines");
			break;
		}
	}
	free(line);
	fclose(f);
}

/* The value of NAME= among a line's arguments, copied; 0 when absent. */
static int
pam_arg(const char *args, const char *name, char *out, size_t size)
{
	char buf[512], *w[32];
	size_t nl = strlen(name);
	int i, n;

	snprintf(buf, sizeof(buf), "%s", args);
	n = split_words(buf, w, 32);
	for (i = 0; i < n; i++)
		if (strncmp(w[i], name, nl) == 0) {
			snprintf(out, size, "%s", w[i] + nl);
			return 1;
		}
	return 0;
}

/* How many modules a successful line skips: -1 it ends the stack
 * ("sufficient", success=done), 0 none, n for success=n. */
static int
pam_success_jump(const char *control)
{
	const char *p;
	char *end;
	long v;

	if (strcmp(control, "sufficient") == 0)
		return -1;
	if (control[0] != '[' || (p = strstr(control, "success=")) == NULL ||
	    (p != control + 1 && p[-1] != ' '))
		return 0;
	p += sizeof("success=") - 1;
	if (strncmp(p, "done", 4) == 0)
		return -1;
	v = strtol(p, &end, 10);
	return end != p && v > 0 && v < 1000 ? (int)v : 0;
}

/* One nginx statement: "user NAME" of nginx.conf (top), the services
 * "auth_pam_service_name NAME" names, and bmsub-web's snippets
 * (included, or copied in: their fastcgi_pass and auth_request). */
static void nginx_file(const struct doc *d, const char *path, int top,
    char *user, size_t usize, struct bmsub_strlist *svcs, struct web_nginx *wn);

static void
nginx_statement(const struct doc *d, const char *path, char *stmt, int top,
    char *user, size_t usize, struct bmsub_strlist *svcs,
    struct web_nginx *wn)
{
	char *w[2], **nv, inc[4096];
	const char *base;
	struct stat sb;
	int k;

	if (split_words(stmt, w, 2) < 2)
		return;
	for (k = 0; k < 2; k++) {
		size_t l = strlen(w[k]);

		while (l > 0 && (w[k][l - 1] == '"' || w[k][l - 1] == '\''))
			w[k][--l] = '\0';
		while (w[k][0] == '"' || w[k][0] == '\'')
			w[k]++;
	}
	if (top && strcmp(w[0], "user") == 0)
		snprintf(user, usize, "%s", w[1]);
	else if (strcmp(w[0], "auth_pam_service_name") == 0 && svcs->n < 64 &&
	    (nv = realloc(svcs->v, (svcs->n + 1) * sizeof(*nv))) != NULL) {
		svcs->v = nv;
		if ((svcs->v[svcs->n] = strdup(w[1])) != NULL)
			svcs->n++;
	} else if (strcmp(w[0], "auth_request") == 0 &&
	    strcmp(w[1], "/bmsub-auth") == 0) {
		if (!wn->gate++)
			snprintf(wn->gate_in, sizeof(wn->gate_in), "%s", path);
	} else if (strcmp(w[0], "fastcgi_pass") == 0 &&
	    strncmp(w[1], "unix:", 5) == 0 && strstr(w[1], "bmsub-web") != NULL) {
		if (!wn->page++)
			snprintf(wn->page_in, sizeof(wn->page_in), "%s", path);
		if (wn->sock[0] == '\0')
			snprintf(wn->sock, sizeof(wn->sock), "%s", w[1] + 5);
	} else if (strcmp(w[0], "include") == 0) {
		base = strrchr(w[1], '/') != NULL ? strrchr(w[1], '/') + 1 : w[1];
		if (strcmp(base, "bmsub-web.conf") != 0 &&
		    strcmp(base, "bmsub-gate.conf") != 0)
			return;
		if (base[6] == 'w' && !wn->page++)
			snprintf(wn->page_in, sizeof(wn->page_in), "%s", path);
		if (base[6] == 'g' && !wn->gate++)
			snprintf(wn->gate_in, sizeof(wn->gate_in), "%s", path);
		/* nginx does not start without it; one outside /etc/nginx
		 * (the examples folder) is read too */
		if (w[1][0] != '/')
			return;
		rp(d, w[1], inc, sizeof(inc));
		if (stat(inc, &sb) != 0) {
			if (wn->missing[0] == '\0')
				snprintf(wn->missing, sizeof(wn->missing), "%s",
				    inc);
		} else if (strncmp(w[1], "/etc/nginx/", 11) != 0 &&
		    wn->files++ < 8)
			nginx_file(d, inc, 0, user, usize, svcs, wn);
	}
}

static void
nginx_file(const struct doc *d, const char *path, int top, char *user,
    size_t usize, struct bmsub_strlist *svcs, struct web_nginx *wn)
{
	char *line = NULL, *stmt, *next, *q;
	size_t cap = 0;
	FILE *f;

	if ((f = open_text(path)) == NULL)
		return;
	while (getline(&line, &cap, f) > 0) {
		/* statements end at ';', '{' and '}', several to a line
		 * ("location /m/ { auth_pam_service_name m; }") */
		if ((q = strchr(line, '#')) != NULL)
			*q = '\0';
		for (q = line; *q; q++)
			if (*q == '{' || *q == '}')
				*q = ';';
		for (stmt = line; stmt != NULL; stmt = next) {
			if ((next = strchr(stmt, ';')) != NULL)
				*next++ = '\0';
			nginx_statement(d, path, stmt, top, user, usize, svcs,
			    wn);
		}
	}
	free(line);
	fclose(f);
}

/* The user nginx runs its PAM stacks as and the services it names, from
 * every file under /etc/nginx (Debian's default user: www-data), and
 * where bmsub-web's snippets are. Names in alphabetical order, so that
 * the files named (the first to include a snippet) do not depend on the
 * file system's order: sites-enabled/ comes before snippets/. */
static void
nginx_scan(const struct doc *d, const char *dir, int depth, char *user,
    size_t usize, struct bmsub_strlist *svcs, struct web_nginx *wn)
{
	char path[4096];
	struct dirent **names = NULL;
	int i, n;

	if (depth > 4 || (n = scandir(dir, &names, NULL, alphasort)) < 0)
		return;
	for (i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		struct stat sb;

		if (name[0] == '.' || snprintf(path, sizeof(path), "%s/%s",
		    dir, name) >= (int)sizeof(path) || stat(path, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode))
			nginx_scan(d, path, depth + 1, user, usize, svcs, wn);
		else
			nginx_file(d, path, depth == 0 &&
			    strcmp(name, "nginx.conf") == 0, user, usize,
			    svcs, wn);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int
in_group(const char *user, const char *group)
{
	struct passwd *pw = getpwnam(user);
	struct group *gr = getgrnam(group);
	gid_t g[256];
	int n = 256, i;

	if (pw == NULL || gr == NULL)
		return 0;
	if (pw->pw_gid == gr->gr_gid)
		return 1;
	if (getgrouplist(user, pw->pw_gid, g, &n) < 0)
		return 0;
	for (i = 0; i < n; i++)
		if (g[i] == gr->gr_gid)
			return 1;
	return 0;
}

static int
listed(const struct bmsub_strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

/* One service's stack: where pam_bmsub stands, how it is reached. */
static void
pam_judge(struct doc *d, const char *svc, const struct pstack *s,
    const char *nginx_user, const struct bmsub_strlist *nginx_svcs)
{
	const struct bmsub_config *cfg = d->c->cfg;
	struct finding f = { ST_OK, 0, "" };
	char name[160], val[512], path[4096], cat_s[32];
	const struct pline *acct = NULL, *pw = NULL;
	enum bmsub_category cat;
	size_t i, k;
	int in_auth = 0, uses_unix = 0;

	if (snprintf(name, sizeof(name), "pam:%s", svc) >= (int)sizeof(name))
		name[sizeof(name) - 2] = '.';
	if (s->error)
		note(&f, ST_FAIL, "%s: fix it, libpam refuses a stack it cannot "
		    "read", s->errmsg);
	if (strncmp(svc, "common-", 7) == 0)
		note(&f, ST_FAIL, "/etc/pam.d/%s is included by console, SSH "
		    "and su logins: put pam_bmsub.so in the mail services' "
		    "own stacks only", svc);
	/* auth: the password check, and pam_bmsub before it */
	for (i = 0; i < s->n; i++) {
		const struct pline *l = &s->v[i];
		char b[64];

		if (strcmp(l->type, "auth") != 0)
			continue;
		module_base(l->module, b, sizeof(b));
		if (strcmp(b, "pam_unix") == 0)
			uses_unix = 1;
		if (pw == NULL && is_password_module(l->module))
			pw = l;
		if (!is_bmsub(l->module))
			continue;
		in_auth = 1;
		if (pw == NULL)
			note(&f, ST_FAIL, "%s line %u: pam_bmsub.so in auth before "
			    "the password check: it tells anyone trying "
			    "passwords who is blocked; move it to 'account "
			    "required pam_bmsub.so' after the password check",
			    l->file, l->lineno);
	}
	/* account: the first pam_bmsub line; the account lines before it
	 * in its frame (success=N counts those) may skip it */
	for (i = 0; i < s->n && acct == NULL; i++)
		if (strcmp(s->v[i].type, "account") == 0 &&
		    is_bmsub(s->v[i].module))
			acct = &s->v[i];
	if (acct == NULL) {
		note(&f, ST_FAIL, "pam_bmsub.so is %s the account phase: add "
		    "'account required pam_bmsub.so' after the password check "
		    "(servers call acct_mgmt after the password)", in_auth ?
		    "only in auth, not in" : "not in");
	} else {
		for (i = 0; i < s->n; i++) {
			const struct pline *l = &s->v[i];
			int jump;

			if (strcmp(l->type, "account") != 0 ||
			    l->frame != acct->frame)
				continue;
			if (l == acct)
				break;
			jump = pam_success_jump(l->control);
			if (jump < 0)
				note(&f, ST_FAIL, "%s line %u: '%s %s' ends the "
				    "account phase before pam_bmsub.so runs: "
				    "make it required, or put pam_bmsub.so "
				    "before it", l->file, l->lineno, l->control,
				    l->module);
			else if (jump > 0) {
				/* how many account lines of this frame lie
				 * between l and acct */
				long between = 0;

				for (k = i + 1; k < s->n && &s->v[k] != acct; k++)
					if (strcmp(s->v[k].type, "account") == 0 &&
					    s->v[k].frame == acct->frame)
						between++;
				if (jump > between)
					note(&f, ST_FAIL, "%s line %u: '%s %s' "
					    "jumps over pam_bmsub.so on success: "
					    "put pam_bmsub.so after the line it "
					    "jumps to", l->file, l->lineno,
					    l->control, l->module);
			}
		}
		if (strcmp(acct->control, "required") != 0 &&
		    strcmp(acct->control, "requisite") != 0)
			note(&f, strcmp(acct->control, "optional") == 0 ||
			    strcmp(acct->control, "sufficient") == 0 ? ST_FAIL :
			    ST_WARN, "%s line %u: control '%s': a denial may be "
			    "ignored; use 'required'", acct->file, acct->lineno,
			    acct->control);
		if (pw == NULL)
			note(&f, ST_WARN, "no password module (pam_unix, pam_sss, "
			    "pam_ldap...) found in auth: make sure the password "
			    "is checked before pam_bmsub.so answers");
		/* where libpam loads the module from */
		if (acct->module[0] == '/')
			rp(d, acct->module, path, sizeof(path));
		else {
			char rel[4096];

			snprintf(rel, sizeof(rel), "%s/%s", BMSUB_PAMDIR,
			    acct->module);
			rp(d, rel, path, sizeof(path));
		}
		if (access(path, R_OK) != 0)
			note(&f, ST_FAIL, "%s line %u: %s: %s: %s; install the "
			    "module there", acct->file, acct->lineno, path,
			    strerror(errno), acct->dash ? "'-account' makes "
			    "libpam skip it without a word: every login is "
			    "let in ungated" : "every login of this service "
			    "fails");
		else if (acct->dash)
			note(&f, ST_WARN, "%s line %u: '-account': should the "
			    "module go missing, libpam skips it without a word "
			    "and lets every login in; drop the '-'", acct->file,
			    acct->lineno);
		/* the category and the configuration it reads */
		/* service=other is a choice; an unmapped name maybe not */
		if (pam_arg(acct->args, "service=", cat_s, sizeof(cat_s))) {
			if (bmsub_category_parse(cat_s, &cat) != 0)
				note(&f, ST_FAIL, "%s line %u: service=%s is no "
				    "category: every login fails", acct->file,
				    acct->lineno, cat_s);
		} else if ((cat = bmsub_config_category(cfg, svc)) ==
		    BMSUB_CAT_OTHER)
			note(&f, ST_WARN, "service %s maps to category other "
			    "(gated, but no web redirect and no per-service "
			    "rules): add it to services.imap, eas, webmail, smtp "
			    "or admin in %s, or service=CATEGORY on the line",
			    svc, d->c->conf_path);
		if (!pam_arg(acct->args, "conf=", val, sizeof(val)))
			snprintf(val, sizeof(val), "%s", BMSUB_DEFAULT_CONF);
		if (strcmp(val, d->c->conf_path) != 0)
			note(&f, ST_WARN, "this stack reads %s, not %s: run "
			    "bmsub-check -c %s doctor as well", val,
			    d->c->conf_path, val);
		if (f.len == 0)
			note(&f, ST_OK, "account %s (%s line %u) after %s, "
			    "category %s", acct->control, acct->file,
			    acct->lineno, pw != NULL ? pw->module :
			    "the auth stack", bmsub_category_name(cat));
	}
	/* nginx checks passwords as its own user: pam_unix must read
	 * /etc/shadow */
	if (listed(nginx_svcs, svc) || strcmp(svc, "nginx") == 0) {
		d->nginx_gated = 1;
		if (uses_unix && !in_group(nginx_user, "shadow"))
			note(&f, ST_WARN, "nginx runs this stack as %s, which "
			    "is not in group shadow: pam_unix fails every "
			    "password (adduser %s shadow, then restart nginx)",
			    nginx_user, nginx_user);
	}
	emit(d, f.st, name, "%s", f.msg);
}

static void
check_pam(struct doc *d)
{
	struct bmsub_strlist nginx_svcs = { NULL, 0 };
	char dir[4096], *nginx_user = d->nginx_user;
	struct dirent **names = NULL;
	int i, n, found = 0;

	snprintf(d->nginx_user, sizeof(d->nginx_user), "www-data");
	rp(d, "/etc/nginx", dir, sizeof(dir));
	nginx_scan(d, dir, 0, nginx_user, sizeof(d->nginx_user), &nginx_svcs,
	    &d->wn);
	rp(d, "/etc/pam.d", dir, sizeof(dir));
	if ((n = scandir(dir, &names, NULL, alphasort)) < 0) {
		emit(d, ST_FAIL, "pam", "%s: %s: no login can be gated", dir,
		    strerror(errno));
		bmsub_strlist_free(&nginx_svcs);
		return;
	}
	for (i = 0; i < n; i++) {
		struct pstack s;
		const char *svc = names[i]->d_name;
		size_t k;
		int names_it = 0;

		if (svc[0] == '.' || strchr(svc, '~') != NULL)
			continue;
		memset(&s, 0, sizeof(s));
		pam_read(d, svc, NULL, 0, 0, &s);
		for (k = 0; k < s.n; k++)
			names_it |= is_bmsub(s.v[k].module);
		if (names_it) {
			found++;
			pam_judge(d, svc, &s, nginx_user, &nginx_svcs);
		}
		free(s.v);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	bmsub_strlist_free(&nginx_svcs);
	if (found == 0)
		emit(d, ST_FAIL, "pam", "no stack in %s names pam_bmsub.so: no "
		    "login is gated; add 'account required pam_bmsub.so' to "
		    "each mail service's stack (examples: pam.d/ in the bmsub "
		    "examples, /usr/share/doc/bmsub/examples on Debian)", dir);
}

/* ------------------------------------------------------------------ */
/* The module file, the state folder, the files as the current user */

static void
check_module(struct doc *d)
{
	char path[4096];
	struct stat sb;

	rp(d, BMSUB_PAMDIR "/pam_bmsub.so", path, sizeof(path));
	if (stat(path, &sb) != 0)
		emit(d, ST_FAIL, "module", "%s: %s: libpam loads pam_bmsub.so "
		    "from %s; make install puts it there", path,
		    strerror(errno), BMSUB_PAMDIR);
	else if (!S_ISREG(sb.st_mode))
		emit(d, ST_FAIL, "module", "%s is not a regular file", path);
	else if (sb.st_mode & 022)
		emit(d, ST_FAIL, "module", "%s is writable by group or others: "
		    "chmod 0644 it (whoever writes it runs code in every "
		    "server)", path);
	else
		emit(d, ST_OK, "module", "%s, where libpam loads it from", path);
}

static const char *
me(void)
{
	struct passwd *pw = getpwuid(geteuid());

	return pw != NULL ? pw->pw_name : "this user";
}

/* The writers (refresh, notify, install, recipients) write state_dir as
 * root or the user running them: try it, through the library's writer. */
static void
check_state_dir(struct doc *d)
{
	const char *dir = d->c->cfg->state_dir;
	struct bmsub_error err;
	struct stat sb;
	char path[4096];

	if (stat(dir, &sb) != 0) {
		emit(d, ST_FAIL, "state-dir", "%s: %s: refresh, notify and "
		    "recipients fail; create it: install -d -m 0755 %s", dir,
		    strerror(errno), dir);
		return;
	}
	if (!S_ISDIR(sb.st_mode)) {
		emit(d, ST_FAIL, "state-dir", "%s is not a folder", dir);
		return;
	}
	if (sb.st_mode & 022) {
		emit(d, ST_FAIL, "state-dir", "%s is writable by group or "
		    "others: anyone could forge the state; chmod 0755 it", dir);
		return;
	}
	snprintf(path, sizeof(path), "%s/.bmsub-doctor", dir);
	memset(&err, 0, sizeof(err));
	if (bmsub_file_write_atomic(path, "", 0, 0600, &err) != 0) {
		emit(d, ST_FAIL, "state-dir", "%s cannot be written by %s: %s "
		    "(%s): the writers run as %s", dir, me(), err.msg,
		    bmsub_err_token(err.code), me());
		return;
	}
	unlink(path);
	emit(d, ST_OK, "state-dir", "%s is writable by %s", dir, me());
}

static void
check_keys(struct doc *d)
{
	const struct bmsub_report *rep = d->c->rep;
	const char *dir = d->c->cfg->keys_dir;
	struct finding f = { ST_OK, 0, "" };
	struct dirent *de;
	size_t i;
	DIR *dd;

	if (rep->keys.err != 0) {
		emit(d, ST_FAIL, "keys", "%s (%s): no key is trusted, every "
		    "license is refused", rep->keys.error.msg,
		    bmsub_err_token(rep->keys.err));
		return;
	}
	for (i = 0; i < rep->keys.notes.n; i++)
		note(&f, ST_WARN, "%s", rep->keys.notes.v[i]);
	/* the loader reads NAME.pem only: name what it passes over */
	if ((dd = opendir(dir)) != NULL) {
		while ((de = readdir(dd)) != NULL) {
			size_t n = strlen(de->d_name);

			if (de->d_name[0] == '.' || (n > 4 &&
			    strcmp(de->d_name + n - 4, ".pem") == 0))
				continue;
			if (n > 4 && strcmp(de->d_name + n - 4, ".pub") == 0)
				note(&f, ST_WARN, "%s/%s is ignored (only "
				    "NAME.pem files are read): rename it "
				    "%.*s.pem if it is a trusted key", dir,
				    de->d_name, (int)(n - 4), de->d_name);
			else
				note(&f, ST_WARN, "%s/%s is ignored (only "
				    "NAME.pem files are read): rename it NAME.pem "
				    "if it is a trusted key, else remove it", dir,
				    de->d_name);
		}
		closedir(dd);
	}
	if (rep->keys.count == 0)
		note(&f, ST_FAIL, "no trusted key in %s: copy the vendor's "
		    "public key there as NAME.pem", dir);
	else if (f.len == 0)
		note(&f, ST_OK, "%zu trusted key%s in %s", rep->keys.count,
		    cli_s(rep->keys.count), dir);
	emit(d, f.st, "keys", "%s", f.msg);
}

static void
check_license(struct doc *d)
{
	const struct bmsub_report *rep = d->c->rep;
	const struct bmsub_license *l = &rep->license.lic;
	char last[BMSUB_TIME_STR_MAX];

	if (rep->license.err == BMSUB_E_NO_LICENSE)
		emit(d, ST_FAIL, "license", "no license at %s: every login is "
		    "refused; bmsub-check install FILE", d->c->cfg->license);
	else if (rep->license.err != 0)
		emit(d, ST_FAIL, "license", "%s (%s): every login is refused; "
		    "install a valid license (bmsub-check verify FILE)",
		    cli_license_error(rep)->msg,
		    bmsub_err_token(rep->license.err));
	else
		emit(d, ST_OK, "license", "%s license %s (%s), %u users, valid "
		    "through %s, phase %s", bmsub_kind_name(l->kind), l->id,
		    l->customer, l->users, bmsub_time_str(l->expires,
		    BMSUB_TS_LAST_DAY, "never", last, sizeof(last)),
		    bmsub_date_phase_name(rep->eval.date_phase));
}

static void
check_state(struct doc *d)
{
	const struct bmsub_report *rep = d->c->rep;

	if (rep->state.err == BMSUB_E_NOT_FOUND)
		emit(d, ST_WARN, "state", "no state in %s yet: users are not "
		    "counted; run bmsub-check refresh (the refresh timer does "
		    "it hourly)", d->c->cfg->state_dir);
	else if (rep->state.err != 0)
		emit(d, ST_FAIL, "state", "%s (%s): the count is unknown; %s",
		    rep->state.error.msg, bmsub_err_token(rep->state.err),
		    rep->state.err == BMSUB_E_CORRUPT ? "run bmsub-check refresh "
		    "(it keeps the damaged file as state.corrupt)" :
		    "fix its owner and mode (0644, root)");
	else
		emit(d, ST_OK, "state", "%s/state readable%s",
		    d->c->cfg->state_dir, rep->state.st.have_count ?
		    ", users counted" : ", users not counted yet");
}

static void
check_recipients(struct doc *d)
{
	const struct bmsub_report *rep = d->c->rep;

	if (rep->recipients.err != 0)
		emit(d, ST_FAIL, "recipients", "%s (%s): no alert can be sent",
		    rep->recipients.error.msg,
		    bmsub_err_token(rep->recipients.err));
	else if (rep->recipients.list.n == 0)
		emit(d, ST_FAIL, "recipients", "no alert recipient: nobody is "
		    "told before logins are blocked; bmsub-check recipients "
		    "add ADDR");
	else
		emit(d, ST_OK, "recipients", "%zu recipient%s (%s%s)",
		    rep->recipients.list.n, cli_s(rep->recipients.list.n),
		    rep->recipients.list.v[0], rep->recipients.list.n > 1 ?
		    ", ..." : "");
}

/* The policy's clock: H far ahead of the real clock judges logins at
 * H - 1 day; a license issued in the future says the clock is behind. */
static void
check_clock(struct doc *d)
{
	const struct bmsub_report *rep = d->c->rep;
	const struct bmsub_eval *ev = &rep->eval;
	char a[BMSUB_TIME_STR_MAX], b[BMSUB_TIME_STR_MAX];
	int64_t h = rep->state.st.high_water, now = d->c->real_now;

	if (ev->clock_behind_state)
		emit(d, ST_FAIL, "clock", "the state's clock high-water mark "
		    "is %s, %lld day%s ahead of the clock (%s): logins are "
		    "judged as of then; if the clock is right (NTP), run "
		    "bmsub-check clock reset", bmsub_time_str(h, BMSUB_TS_ISO,
		    "-", a, sizeof(a)), (long long)((h - now) / 86400),
		    cli_s((uint64_t)((h - now) / 86400)), bmsub_time_str(now,
		    BMSUB_TS_ISO, "-", b, sizeof(b)));
	else if (ev->clock_behind_license)
		emit(d, ST_WARN, "clock", "the license was issued %s, after "
		    "the clock (%s): set the clock right (NTP)",
		    bmsub_time_str(rep->license.lic.issued, BMSUB_TS_ISO, "-", a,
		    sizeof(a)), bmsub_time_str(now, BMSUB_TS_ISO, "-", b,
		    sizeof(b)));
	else
		emit(d, ST_OK, "clock", "%s, not behind the license nor the "
		    "state (high-water mark %s)", bmsub_time_str(now,
		    BMSUB_TS_ISO, "-", a, sizeof(a)), bmsub_time_str(h,
		    BMSUB_TS_ISO, "none", b, sizeof(b)));
}

/* Cluster mode (SPEC 8): the database reachable, this node's clock
 * against the database's, the local mirror's age. */
static void
check_cluster(struct doc *d)
{
	const struct bmsub_report *rep = d->c->rep;
	int64_t t, offset, lr = rep->state.st.last_refresh;
	PGconn *db;

	if (!cluster_enabled(d->c))
		return;
	if ((db = db_connect(d->c, "doctor")) == NULL) {
		emit(d, ST_FAIL, "cluster", "database unreachable (above): "
		    "logins go on from the local mirror, refresh and notify "
		    "fail");
		return;
	}
	if (db_now(d->c, db, "doctor", &t, &offset) != 0)
		emit(d, ST_FAIL, "cluster", "the database does not answer");
	else if (offset > CLUSTER_SKEW_MAX || offset < -CLUSTER_SKEW_MAX)
		emit(d, ST_FAIL, "cluster", "node %s: clock off by %+lld s "
		    "from the database's: fix it (NTP)", cluster_node(d->c),
		    (long long)offset);
	else if (lr == BMSUB_TIME_NONE || d->c->real_now - lr > 7200)
		emit(d, ST_WARN, "cluster", "the local mirror is %s: run "
		    "bmsub-check refresh (timer)", lr == BMSUB_TIME_NONE ?
		    "never refreshed" : "over 2 hours old");
	else if (cli_sendmail_timeout() + 60 >
	    (unsigned)d->c->cfg->cluster_claim_lease_seconds)
		emit(d, ST_WARN, "cluster", "cluster.claim_lease_seconds (%d) "
		    "is not a minute longer than the sendmail timeout (%u s): "
		    "an alert may be sent twice", d->c->cfg->
		    cluster_claim_lease_seconds, cli_sendmail_timeout());
	else
		emit(d, ST_OK, "cluster", "node %s: database reachable, clock "
		    "%+lld s, mirror refreshed", cluster_node(d->c),
		    (long long)offset);
	PQfinish(db);
}

/* ------------------------------------------------------------------ */
/* The files as another user: load them through the library, as the PAM
 * module does inside that user's server. */

struct as_result {
	int ran;			/* the child got as far as loading */
	char why[256];			/* when not: why */
	int cfg_err, keys_err, lic_err, state_err, rcpt_err;
	struct bmsub_error cfg, keys, lic, state, rcpt;
};

static void
as_child(const char *conf, const struct passwd *pw, int64_t now, int fd)
{
	struct as_result res;
	struct bmsub_ctx *ctx = NULL;
	struct bmsub_report *rep = NULL;
	struct bmsub_error err;
	size_t off = 0;
	ssize_t w;

	memset(&res, 0, sizeof(res));
	memset(&err, 0, sizeof(err));
	if (getuid() != pw->pw_uid || geteuid() != pw->pw_uid) {
		if (initgroups(pw->pw_name, pw->pw_gid) != 0 ||
		    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) != 0 ||
		    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) != 0) {
			snprintf(res.why, sizeof(res.why), "cannot become %s: %s",
			    pw->pw_name, strerror(errno));
			goto send;
		}
	}
	if (geteuid() != pw->pw_uid || getuid() != pw->pw_uid) {
		snprintf(res.why, sizeof(res.why), "still not %s", pw->pw_name);
		goto send;
	}
	res.ran = 1;
	if ((res.cfg_err = bmsub_ctx_new(conf, &ctx, &err)) != 0 ||
	    (res.cfg_err = bmsub_ctx_report(ctx, NULL, now, &rep, &err)) != 0) {
		res.cfg = err;
		goto send;
	}
	res.keys_err = rep->keys.err;
	res.keys = rep->keys.error;
	res.lic_err = rep->license.err;
	res.lic = rep->license.error;
	res.state_err = rep->state.err;
	res.state = rep->state.error;
	res.rcpt_err = rep->recipients.err;
	res.rcpt = rep->recipients.error;
 send:
	while (off < sizeof(res)) {
		if ((w = write(fd, (char *)&res + off, sizeof(res) - off)) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		off += (size_t)w;
	}
	bmsub_report_free(rep);
	bmsub_ctx_free(ctx);
	_exit(0);
}

static int
as_run(const char *conf, const struct passwd *pw, int64_t now,
    struct as_result *res)
{
	int p[2], status;
	size_t off = 0;
	ssize_t r;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		as_child(conf, pw, now, p[1]);
	}
	close(p[1]);
	while (off < sizeof(*res)) {
		if ((r = read(p[0], (char *)res + off, sizeof(*res) - off)) < 0 &&
		    errno == EINTR)
			continue;
		if (r <= 0)
			break;
		off += (size_t)r;
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (off != sizeof(*res)) {
		memset(res, 0, sizeof(*res));
		snprintf(res->why, sizeof(res->why), "the check as %s ended "
		    "early", pw->pw_name);
	}
	res->why[sizeof(res->why) - 1] = '\0';
	return 0;
}

static void
as_part(struct finding *f, const char *what, int code,
    const struct bmsub_error *e, int st)
{
	if (code == 0)
		return;
	note(f, st, "%s: %s (%s)", what, e->msg[0] ? e->msg :
	    bmsub_strerror(code), bmsub_err_token(code));
}

static void
check_as(struct doc *d, const char *user)
{
	struct finding f = { ST_OK, 0, "" };
	struct as_result res;
	struct passwd *pwp, pw;
	char name[96], login[64];

	snprintf(name, sizeof(name), "load:%s", user);
	if ((pwp = getpwnam(user)) == NULL) {
		emit(d, ST_FAIL, name, "no such user");
		return;
	}
	/* getpwnam's buffer is the next lookup's: keep what is used */
	memset(&pw, 0, sizeof(pw));
	snprintf(login, sizeof(login), "%s", pwp->pw_name);
	pw.pw_name = login;
	pw.pw_uid = pwp->pw_uid;
	pw.pw_gid = pwp->pw_gid;
	if (as_run(d->c->conf_path, &pw, d->c->real_now, &res) != 0) {
		emit(d, ST_FAIL, name, "cannot start the check: %s",
		    strerror(errno));
		return;
	}
	if (!res.ran) {
		emit(d, ST_FAIL, name, "%s", res.why);
		return;
	}
	res.cfg.msg[sizeof(res.cfg.msg) - 1] = '\0';
	res.keys.msg[sizeof(res.keys.msg) - 1] = '\0';
	res.lic.msg[sizeof(res.lic.msg) - 1] = '\0';
	res.state.msg[sizeof(res.state.msg) - 1] = '\0';
	res.rcpt.msg[sizeof(res.rcpt.msg) - 1] = '\0';
	if (res.cfg_err != 0) {
		note(&f, ST_FAIL, "config: %s (%s): every login of a server "
		    "running as %s fails (PAM_SERVICE_ERR)", res.cfg.msg[0] ?
		    res.cfg.msg : bmsub_strerror(res.cfg_err),
		    bmsub_err_token(res.cfg_err), user);
	} else {
		as_part(&f, "keys", res.keys_err, &res.keys, ST_FAIL);
		/* the license's own defect is the license check's; here what
		 * differs for this user */
		if (res.lic_err != d->c->rep->license.err || res.lic_err ==
		    BMSUB_E_IO || res.lic_err == BMSUB_E_PERMISSIONS)
			as_part(&f, "license", res.lic_err, &res.lic, ST_FAIL);
		if (res.state_err != BMSUB_E_NOT_FOUND)
			as_part(&f, "state", res.state_err, &res.state, ST_FAIL);
		as_part(&f, "recipients", res.rcpt_err, &res.rcpt, ST_FAIL);
		if (f.st != ST_OK)
			note(&f, ST_FAIL, "a server running as %s refuses its "
			    "logins: make these readable by %s (0644 files, "
			    "0755 folders, owned by root)", user, user);
	}
	if (f.len == 0)
		note(&f, ST_OK, "config, keys, license and state read as %s, "
		    "as the PAM module will", user);
	emit(d, f.st, name, "%s", f.msg);
}

/* ------------------------------------------------------------------ */
/* Schedulers and the caches in front of PAM */

/* The cron lines running "bmsub-check WHAT" in /etc/cron.d: 1 and the
 * file in found, else 0. ignored gets a file that holds them but that
 * cron skips (a dot in its name). */
static int
cron_runs(const struct doc *d, const char *what, char *found_in,
    size_t fsize, char *ignored, size_t isize)
{
	char dir[4096], path[4096], *line = NULL;
	struct dirent *de;
	size_t cap = 0;
	int found = 0;
	DIR *dd;

	rp(d, "/etc/cron.d", dir, sizeof(dir));
	if ((dd = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(dd)) != NULL) {
		FILE *f;
		int here = 0;
		const char *p;

		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(path) || (f = open_text(path)) == NULL)
			continue;
		while (getline(&line, &cap, f) > 0) {
			const char *s = line + strspn(line, " \t");

			if (*s == '#')
				continue;
			if ((p = strstr(s, "bmsub-check")) != NULL &&
			    (p = strstr(p, what)) != NULL && (p[-1] == ' ' ||
			    p[-1] == '\t'))
				here = 1;
		}
		fclose(f);
		if (!here)
			continue;
		/* Debian's cron reads only names of [A-Za-z0-9_-] */
		if (de->d_name[strspn(de->d_name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789_-")] != '\0')
			snprintf(ignored, isize, "%s", path);
		else if (!found) {
			found = 1;
			snprintf(found_in, fsize, "%s", path);
		}
	}
	free(line);
	closedir(dd);
	return found;
}

static void
check_timer(struct doc *d, const char *what)
{
	char path[4096], name[32], ignored[4096] = "", cronf[4096] = "";
	struct stat sb;
	int timer, cron;

	snprintf(name, sizeof(name), "%s-timer", what);
	snprintf(path, sizeof(path), "%s/etc/systemd/system/timers.target.wants/"
	    "bmsub-%s.timer", d->root, what);
	timer = lstat(path, &sb) == 0;
	cron = cron_runs(d, what, cronf, sizeof(cronf), ignored,
	    sizeof(ignored));
	if (timer && cron)
		emit(d, ST_WARN, name, "both bmsub-%s.timer and a cron.d line "
		    "run %s: keep one (systemctl disable bmsub-%s.timer, or "
		    "remove the cron line)", what, what, what);
	else if (timer)
		emit(d, ST_OK, name, "bmsub-%s.timer is enabled", what);
	else if (cron)
		emit(d, ST_OK, name, "%s runs bmsub-check %s", cronf, what);
	else if (ignored[0])
		emit(d, ST_WARN, name, "%s runs bmsub-check %s but cron skips "
		    "files whose name holds a dot: rename it %s/etc/cron.d/bmsub",
		    ignored, what, d->root);
	else
		emit(d, ST_WARN, name, "nothing runs bmsub-check %s: systemctl "
		    "enable --now bmsub-%s.timer (or copy bmsub.cron to "
		    "/etc/cron.d/bmsub), unless a scheduler of your own runs "
		    "it", what, what);
}

/* A shell assignment NAME=VALUE of a default file: VALUE unquoted. */
static int
shell_value(char *line, const char *name, char *out, size_t size)
{
	size_t n = strlen(name);
	char *v, *e;

	line += strspn(line, " \t");
	if (strncmp(line, "export ", 7) == 0)
		line += 7 + strspn(line + 7, " \t");
	if (strncmp(line, name, n) != 0 || line[n] != '=')
		return 0;
	v = line + n + 1;
	if (*v == '"' || *v == '\'') {
		char q = *v++;

		if ((e = strchr(v, q)) != NULL)
			*e = '\0';
	} else {
		e = v + strcspn(v, " \t\n#;");
		*e = '\0';
	}
	snprintf(out, size, "%s", v);
	return 1;
}

/* saslauthd -c: its credential cache answers without calling PAM. */
static void
check_saslauthd(struct doc *d)
{
	char path[4096], opts[1024] = "-c -m /var/run/saslauthd";
	char mech[256] = "pam", *line = NULL, *w[64];
	size_t cap = 0;
	int i, n, cache = 0;
	FILE *f;

	rp(d, "/etc/default/saslauthd", path, sizeof(path));
	if ((f = open_text(path)) == NULL) {
		if (errno == ENOENT)
			emit(d, ST_OK, "saslauthd", "%s: none (saslauthd not "
			    "installed)", path);
		else
			emit(d, ST_WARN, "saslauthd", "%s: %s", path,
			    strerror(errno));
		return;
	}
	while (getline(&line, &cap, f) > 0)
		if (!shell_value(line, "OPTIONS", opts, sizeof(opts)))
			shell_value(line, "MECHANISMS", mech, sizeof(mech));
	free(line);
	fclose(f);
	/* getopt: -c alone or among grouped flags; a flag taking a value
	 * ends the group */
	n = split_words(opts, w, 64);
	for (i = 0; i < n && !cache; i++) {
		const char *p = w[i];

		if (p[0] != '-' || p[1] == '-')
			continue;
		for (p++; *p; p++) {
			if (*p == 'c') {
				cache = 1;
				break;
			}
			if (strchr("amnOrst", *p) != NULL) {
				if (p[1] == '\0')
					i++;
				break;
			}
		}
	}
	if (cache && strstr(mech, "pam") != NULL)
		emit(d, ST_FAIL, "saslauthd", "%s: OPTIONS has -c: saslauthd "
		    "answers from its cache for hours without asking PAM, so "
		    "a blocked user keeps logging in; remove -c from OPTIONS, "
		    "then systemctl restart saslauthd", path);
	else if (cache)
		emit(d, ST_OK, "saslauthd", "%s: -c, but MECHANISMS is %s, not "
		    "pam", path, mech);
	else
		emit(d, ST_OK, "saslauthd", "%s: no credential cache (-c)", path);
}

/* What the Dovecot check gathers from its configuration files. */
struct dove {
	char cache_size[64];	/* auth_cache_size, "" when unset */
	char cache_ttl[64];
	int pam_passdbs, pam_cached;
	char cached_args[256];	/* args of a pam passdb with cache_key */
	char where[512];	/* its file */
	int files;
	int lua_bmsub;		/* a lua passdb whose args name bmsub */
	char lua_where[512];	/* its file */
};

static void
dove_read(const struct doc *d, const char *path, int depth, int *level,
    int *in_passdb, char *driver, char *args, struct dove *dv);

/* !include and !include_try: a glob, relative to the including file. */
static void
dove_include(const struct doc *d, const char *from, const char *pat,
    int depth, int *level, int *in_passdb, char *driver, char *args,
    struct dove *dv)
{
	char full[4096], dir[4096];
	glob_t g;
	size_t i;

	if (pat[0] == '/')
		rp(d, pat, full, sizeof(full));
	else {
		const char *slash = strrchr(from, '/');

		snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - from) :
		    1, slash ? from : ".");
		if (snprintf(full, sizeof(full), "%s/%s", dir, pat) >=
		    (int)sizeof(full))
			return;
	}
	if (glob(full, 0, NULL, &g) != 0)
		return;
	for (i = 0; i < g.gl_pathc; i++)
		dove_read(d, g.gl_pathv[i], depth + 1, level, in_passdb, driver,
		    args, dv);
	globfree(&g);
}

static void
dove_passdb_end(struct dove *dv, const char *driver, const char *args,
    const char *path)
{
	if (strcmp(driver, "lua") == 0 && strstr(args, "bmsub") != NULL &&
	    !dv->lua_bmsub) {
		dv->lua_bmsub = 1;
		snprintf(dv->lua_where, sizeof(dv->lua_where), "%s", path);
	}
	if (strcmp(driver, "pam") != 0)
		return;
	dv->pam_passdbs++;
	if (strstr(args, "cache_key") != NULL && !dv->pam_cached) {
		dv->pam_cached = 1;
		snprintf(dv->cached_args, sizeof(dv->cached_args), "%s", args);
		snprintf(dv->where, sizeof(dv->where), "%s", path);
	}
}

static void
dove_parse(const struct doc *d, FILE *f, const char *path, int depth,
    int *level, int *in_passdb, char *driver, char *args, struct dove *dv)
{
	char *line = NULL, *p, *e, *w[3];
	size_t cap = 0;

	dv->files++;
	while (getline(&line, &cap, f) > 0) {
		int n;

		p = line + strspn(line, " \t");
		if ((e = strchr(p, '#')) != NULL)
			*e = '\0';
		e = p + strlen(p);
		while (e > p && strchr(" \t\r\n", e[-1]) != NULL)
			*--e = '\0';
		if (*p == '\0')
			continue;
		if (strncmp(p, "!include", 8) == 0) {
			n = split_words(p, w, 2);
			if (n == 2)
				dove_include(d, path, w[1], depth, level,
				    in_passdb, driver, args, dv);
			continue;
		}
		if (*p == '}') {
			if (*level > 0 && --*level == *in_passdb - 1 &&
			    *in_passdb > 0) {
				dove_passdb_end(dv, driver, args, path);
				*in_passdb = 0;
			}
			continue;
		}
		if (e > p && e[-1] == '{') {
			++*level;
			if (strncmp(p, "passdb", 6) == 0 && (p[6] == ' ' ||
			    p[6] == '{' || p[6] == '\t') && *in_passdb == 0) {
				*in_passdb = *level;
				driver[0] = args[0] = '\0';
			}
			continue;
		}
		if ((e = strchr(p, '=')) == NULL)
			continue;
		*e = '\0';
		n = split_words(p, w, 1);
		e++;
		e += strspn(e, " \t");
		if (n != 1)
			continue;
		if (*in_passdb > 0 && *level == *in_passdb) {
			if (strcmp(w[0], "driver") == 0)
				snprintf(driver, 64, "%s", e);
			else if (strcmp(w[0], "args") == 0)
				snprintf(args, 256, "%s", e);
		} else if (*level == 0 && strcmp(w[0], "auth_cache_size") == 0)
			snprintf(dv->cache_size, sizeof(dv->cache_size), "%s", e);
		else if (*level == 0 && strcmp(w[0], "auth_cache_ttl") == 0)
			snprintf(dv->cache_ttl, sizeof(dv->cache_ttl), "%s", e);
	}
	free(line);
}

static void
dove_read(const struct doc *d, const char *path, int depth, int *level,
    int *in_passdb, char *driver, char *args, struct dove *dv)
{
	FILE *f;

	if (depth > 8 || dv->files >= 256 || (f = open_text(path)) == NULL)
		return;
	dove_parse(d, f, path, depth, level, in_passdb, driver, args, dv);
	fclose(f);
}

/* The running system's merged configuration, as Dovecot reads it:
 * "doveconf -n" into buf (NUL-terminated). 0, or -1 when doveconf is
 * missing, fails, or says nothing within 10 seconds. */
static int
doveconf_n(char *buf, size_t size)
{
	static const char *const prog[] = { "/usr/bin/doveconf",
	    "/usr/sbin/doveconf", "/usr/local/bin/doveconf", NULL };
	const char *exe = NULL;
	struct pollfd pfd;
	size_t len = 0, i;
	int p[2], status, dn;
	ssize_t r;
	pid_t pid;

	for (i = 0; prog[i] != NULL && exe == NULL; i++)
		if (access(prog[i], X_OK) == 0)
			exe = prog[i];
	if (exe == NULL || pipe2(p, O_CLOEXEC) != 0)
		return -1;
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(p[1], 1);
		if ((dn = open("/dev/null", O_RDWR)) >= 0) {
			dup2(dn, 0);
			dup2(dn, 2);
		}
		execl(exe, "doveconf", "-n", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	for (;;) {
		if (poll(&pfd, 1, 10000) <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		if ((r = read(p[0], buf + len, size - 1 - len)) < 0 &&
		    errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		if (len == size - 1)
			break;	/* enough: the passdb and cache lines are
				 * never past it in practice */
	}
	buf[len] = '\0';
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 && len > 0 ? 0 : -1;
}

/* A Dovecot size is zero: unset (the default), "0", "0 M", "0k"... */
static int
size_zero(const char *s)
{
	s += strspn(s, " \t");
	if (*s == '\0')
		return 1;
	if (*s < '0' || *s > '9')
		return 0;
	return strspn(s, "0") == strspn(s, "0123456789");
}

#ifndef BMSUB_MULTIARCH
#define BMSUB_MULTIARCH ""
#endif
/* Where Lua 5.4's default package.cpath finds a C module (Debian's
 * lua5.4 adds the multiarch folder); lua-bmsub installs into the second,
 * make install into LIBDIR/lua/5.4. */
static const char *const lua_dirs[] = {
	"/usr/local/lib/lua/5.4",
	"/usr/lib/" BMSUB_MULTIARCH "/lua/5.4",
	"/usr/lib/lua/5.4",
};

/* The Lua passdb of conf/dovecot/ (require "bmsub"): the module must be
 * where Lua's package.cpath finds it, else every login through it fails. */
static void
check_dovecot_lua(struct doc *d, const struct dove *dv)
{
	char path[4096], rel[128];
	size_t i;

	if (!dv->lua_bmsub)
		return;
	for (i = 0; i < sizeof(lua_dirs) / sizeof(lua_dirs[0]); i++) {
		snprintf(rel, sizeof(rel), "%s/bmsub.so", lua_dirs[i]);
		rp(d, rel, path, sizeof(path));
		if (access(path, R_OK) == 0) {
			emit(d, ST_OK, "dovecot-lua", "the Lua passdb of %s "
			    "uses bmsub; module %s present", dv->lua_where,
			    path);
			return;
		}
	}
	emit(d, ST_FAIL, "dovecot-lua", "the Lua passdb of %s uses bmsub but "
	    "bmsub.so is in none of %s, %s, %s: require \"bmsub\" fails and "
	    "every login through it fails (install lua-bmsub, or make "
	    "install)", dv->lua_where, lua_dirs[0], lua_dirs[1], lua_dirs[2]);
}

static void
check_dovecot(struct doc *d)
{
	char path[4096], driver[64] = "", args[256] = "", *out = NULL;
	struct dove dv;
	int level = 0, in_passdb = 0;
	FILE *f;

	memset(&dv, 0, sizeof(dv));
	rp(d, "/etc/dovecot/dovecot.conf", path, sizeof(path));
	/* the live system: Dovecot's own reading when it can give it;
	 * under --root (or without doveconf) the files, includes followed */
	if (d->root[0] == '\0' && access(path, F_OK) == 0 &&
	    (out = malloc(DOVECONF_MAX)) != NULL &&
	    doveconf_n(out, DOVECONF_MAX) == 0 &&
	    (f = fmemopen(out, strlen(out), "r")) != NULL) {
		dove_parse(d, f, "doveconf -n", 0, &level, &in_passdb, driver,
		    args, &dv);
		fclose(f);
		snprintf(path, sizeof(path), "doveconf -n");
	} else
		dove_read(d, path, 0, &level, &in_passdb, driver, args, &dv);
	free(out);
	if (dv.files == 0) {
		emit(d, ST_OK, "dovecot", "%s: none (Dovecot not installed)",
		    path);
		return;
	}
	if (dv.pam_passdbs == 0)
		emit(d, ST_OK, "dovecot", "no PAM passdb in %s", path);
	else if (size_zero(dv.cache_size))
		emit(d, ST_OK, "dovecot", "PAM passdb, auth_cache_size is 0 "
		    "(%s): every login reaches PAM", path);
	else if (dv.pam_cached)
		emit(d, ST_FAIL, "dovecot", "auth_cache_size = %s and the PAM "
		    "passdb (%s) has cache_key: Dovecot answers cached logins "
		    "without PAM for auth_cache_ttl (%s), so a blocked user "
		    "keeps logging in; set auth_cache_size = 0 or drop "
		    "cache_key from args, and run doveadm auth cache flush "
		    "after each license install", dv.cache_size, dv.where,
		    dv.cache_ttl[0] ? dv.cache_ttl : "1 hour by default");
	else
		emit(d, ST_OK, "dovecot", "auth_cache_size = %s, but the PAM "
		    "passdb has no cache_key (%s): its answers are not cached",
		    dv.cache_size, path);
	check_dovecot_lua(d, &dv);
}

/* ------------------------------------------------------------------ */
/* The webmail side: bmsub-web, its systemd units, nginx's snippets */

struct unit {
	int enabled;		/* in sockets.target.wants (sockets) */
	int masked;		/* /etc/systemd/system/NAME -> /dev/null */
	char file[4096];	/* the unit file read, "" when none */
	char listen[256];	/* ListenStream= */
	char group[64];		/* SocketGroup= or Group= */
	char user[64];		/* User= */
	char mode[16];		/* SocketMode= */
	char exec[512];		/* ExecStart= */
};

/* Key=Value lines of a unit file or drop-in: the last one wins. */
static void
unit_parse(const char *path, struct unit *u)
{
	static const struct {
		const char *key;
		size_t off, size;
	} keys[] = {
		{ "ListenStream", offsetof(struct unit, listen), 256 },
		{ "SocketGroup", offsetof(struct unit, group), 64 },
		{ "Group", offsetof(struct unit, group), 64 },
		{ "User", offsetof(struct unit, user), 64 },
		{ "SocketMode", offsetof(struct unit, mode), 16 },
		{ "ExecStart", offsetof(struct unit, exec), 512 },
	};
	char *line = NULL, *v, *e;
	size_t cap = 0, i, l;
	FILE *f;

	if ((f = open_text(path)) == NULL)
		return;
	while (getline(&line, &cap, f) > 0) {
		l = strcspn(line, "\r\n");
		line[l] = '\0';
		if ((v = strchr(line, '=')) == NULL || line[0] == '#' ||
		    line[0] == ';')
			continue;
		for (e = v; e > line && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		*e = '\0';
		v += 1 + strspn(v + 1, " \t");
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strcmp(line, keys[i].key) == 0)
				snprintf((char *)u + keys[i].off, keys[i].size,
				    "%s", v);
	}
	free(line);
	fclose(f);
}

/* A unit as systemd would load it from the image: the file in
 * /etc/systemd/system, else the one its enablement link names, else the
 * packages' folders; then the drop-ins of /etc. */
static void
unit_read(const struct doc *d, const char *name, struct unit *u)
{
	static const char *const dirs[] = { "/usr/local/lib/systemd/system",
	    "/lib/systemd/system", "/usr/lib/systemd/system" };
	char path[4096], link[4096], lt[4096];
	glob_t g;
	struct stat sb;
	ssize_t n;
	size_t i;

	memset(u, 0, sizeof(*u));
	snprintf(path, sizeof(path), "%s/etc/systemd/system/%s", d->root, name);
	if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode) &&
	    (n = readlink(path, lt, sizeof(lt) - 1)) > 0) {
		lt[n] = '\0';
		u->masked = strcmp(lt, "/dev/null") == 0;
	} else if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode))
		snprintf(u->file, sizeof(u->file), "%s", path);
	snprintf(link, sizeof(link), "%s/etc/systemd/system/sockets.target.wants/"
	    "%s", d->root, name);
	u->enabled = !u->masked && lstat(link, &sb) == 0;
	if (u->file[0] == '\0' && u->enabled && S_ISLNK(sb.st_mode) &&
	    (n = readlink(link, lt, sizeof(lt) - 1)) > 0 && lt[0] == '/') {
		lt[n] = '\0';
		rp(d, lt, path, sizeof(path));
		if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
			snprintf(u->file, sizeof(u->file), "%s", path);
	}
	for (i = 0; u->file[0] == '\0' && i < sizeof(dirs) / sizeof(dirs[0]);
	    i++) {
		snprintf(path, sizeof(path), "%s%s/%s", d->root, dirs[i], name);
		if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
			snprintf(u->file, sizeof(u->file), "%s", path);
	}
	if (u->file[0] != '\0')
		unit_parse(u->file, u);
	snprintf(path, sizeof(path), "%s/etc/systemd/system/%s.d/*.conf",
	    d->root, name);
	if (glob(path, 0, NULL, &g) == 0) {
		for (i = 0; i < g.gl_pathc; i++)
			unit_parse(g.gl_pathv[i], u);
		globfree(&g);
	}
}

/* Whether a socket of mode (octal text, systemd's default 0666) lets
 * user connect through its group. */
static int
socket_reaches(const struct unit *u, const char *user)
{
	unsigned long mode = 0666;
	char *end;

	if (u->mode[0] != '\0') {
		mode = strtoul(u->mode, &end, 8);
		if (*end != '\0')
			mode = 0;
	}
	if ((mode & 06) == 06)
		return 1;
	return (mode & 060) == 060 && in_group(user, u->group[0] != '\0' ?
	    u->group : "root");
}

/* admin_url as bmsub-web compares it: a host, and a path below which
 * the page lies (a bare host is "/": every URI would be under it and no
 * administrator would ever be sent there). */
static void
check_admin_url(struct doc *d, int deployed)
{
	const char *u = d->c->cfg->admin_url, *h, *p;
	size_t hl;

	if (u == NULL) {
		emit(d, deployed ? ST_FAIL : ST_WARN, "admin-url", "admin_url "
		    "is not set in %s: administrators in grace or blocked are "
		    "told 'see the administration console' and bmsub-web "
		    "sends them nowhere: set admin_url = \"https://HOST/bmsub/\"",
		    d->c->conf_path);
		return;
	}
	h = u + (strncmp(u, "https://", 8) == 0 ? 8 : 7);
	hl = strcspn(h, "/?#");
	p = h + hl;
	if (hl == 0 || h[0] == '@' || h[0] == ':')
		emit(d, ST_FAIL, "admin-url", "admin_url %s names no host: "
		    "browsers cannot follow the redirect", u);
	else if (p[0] != '/' || p[strspn(p, "/")] == '\0' ||
	    p[strspn(p, "/")] == '?' || p[strspn(p, "/")] == '#')
		emit(d, deployed ? ST_FAIL : ST_WARN, "admin-url", "admin_url "
		    "%s has no path: bmsub-web lets every request under it "
		    "through, so no administrator is ever sent there: name the "
		    "page's location, e.g. %.*s/bmsub/", u, (int)(p - u), u);
	else if (strncmp(u, "http://", 7) == 0 && strncmp(h, "127.", 4) != 0 &&
	    strncmp(h, "localhost", 9) != 0 && strncmp(h, "[::1]", 5) != 0)
		emit(d, ST_WARN, "admin-url", "admin_url %s is plain http: the "
		    "administrators' password and the license cross the "
		    "network in clear: use https://", u);
	else
		emit(d, ST_OK, "admin-url", "%s", u);
}

static void
check_web(struct doc *d)
{
	const struct web_nginx *wn = &d->wn;
	struct unit ws, wp, svc, psvc;
	struct finding f;
	struct passwd *pw;
	struct stat sb;
	char path[4096], want[600];
	const char *user;
	int installed, deployed;

	memset(&f, 0, sizeof(f));
	unit_read(d, "bmsub-web.socket", &ws);
	unit_read(d, "bmsub-web-priv.socket", &wp);
	unit_read(d, "bmsub-web.service", &svc);
	unit_read(d, "bmsub-web-priv@.service", &psvc);
	installed = stat(rp(d, "/usr/sbin/bmsub-web", path, sizeof(path)),
	    &sb) == 0 || stat(rp(d, "/usr/local/sbin/bmsub-web", path,
	    sizeof(path)), &sb) == 0;
	deployed = ws.enabled || wp.enabled || wn->page || wn->gate;
	user = svc.user[0] != '\0' ? svc.user : "bmsub-web";

	/* web: the pieces that make it run */
	if (!deployed) {
		if (d->nginx_gated)
			emit(d, ST_WARN, "web", "nginx gates the webmail with "
			    "auth_pam alone: no banner in grace, administrators "
			    "not sent to admin_url, a denied user gets a bare "
			    "401: enable bmsub-web and include its snippets "
			    "(bmsub-web(8))");
		else
			emit(d, ST_OK, "web", "bmsub-web is not deployed (no "
			    "socket enabled, nothing under %s/etc/nginx names "
			    "it)", d->root);
	} else {
		if (wn->missing[0] != '\0')
			note(&f, ST_FAIL, "nginx includes %s, which is not "
			    "there: nginx does not start", wn->missing);
		if (wn->gate && !wn->page)
			note(&f, ST_FAIL, "%s gates the webmail (bmsub-gate.conf) "
			    "but no server includes bmsub-web.conf, where "
			    "/bmsub-auth is: every webmail request fails",
			    wn->gate_in);
		else if (wn->page && !wn->gate)
			note(&f, ST_WARN, "%s serves bmsub-web but no location "
			    "includes bmsub-gate.conf: no banner, no redirect",
			    wn->page_in);
		else if (!wn->page)
			note(&f, ST_WARN, "bmsub-web's sockets are enabled but "
			    "nothing under %s/etc/nginx names bmsub-web: "
			    "include bmsub-web.conf and bmsub-gate.conf",
			    d->root);
		if (wn->page && !ws.enabled)
			note(&f, ST_WARN, "nginx passes to bmsub-web but "
			    "bmsub-web.socket is not enabled: systemctl enable "
			    "--now bmsub-web.socket (unless spawn-fcgi runs it)");
		if (ws.enabled && !wp.enabled)
			note(&f, ST_WARN, "bmsub-web-priv.socket is not enabled: "
			    "the page's forms answer 503: systemctl enable --now "
			    "bmsub-web-priv.socket");
		if (ws.enabled && ws.file[0] == '\0')
			note(&f, ST_FAIL, "bmsub-web.socket is enabled but no "
			    "unit file of that name is installed");
		if (ws.enabled && wn->sock[0] != '\0' && ws.listen[0] != '\0' &&
		    strcmp(wn->sock, ws.listen) != 0)
			note(&f, ST_FAIL, "nginx passes to %s but "
			    "bmsub-web.socket listens on %s: every request "
			    "fails (502)", wn->sock, ws.listen);
		if (f.len == 0)
			note(&f, ST_OK, "%s; nginx: gate in %s, page in %s",
			    ws.enabled && wp.enabled ? "bmsub-web.socket and "
			    "bmsub-web-priv.socket enabled" : "not through "
			    "systemd", wn->gate_in, wn->page_in);
		emit(d, f.st, "web", "%s", f.msg);
	}
	if (deployed || installed || d->c->cfg->admin_url != NULL)
		check_admin_url(d, deployed);
	if (!deployed && !installed)
		return;

	/* web-user: whom the responder runs as */
	if ((pw = getpwnam(user)) == NULL)
		emit(d, ws.enabled ? ST_FAIL : ST_WARN, "web-user", "no user "
		    "%s: bmsub-web.service cannot start (the Debian package "
		    "makes it: adduser --system --group %s)", user, user);
	else if (pw->pw_uid == 0)
		emit(d, ST_FAIL, "web-user", "bmsub-web.service runs as %s: "
		    "bmsub-web refuses to run as root", user);
	else if (svc.group[0] != '\0' && getgrnam(svc.group) == NULL)
		emit(d, ws.enabled ? ST_FAIL : ST_WARN, "web-user", "no group "
		    "%s (Group= of bmsub-web.service): the service cannot "
		    "start", svc.group);
	else
		emit(d, ST_OK, "web-user", "bmsub-web runs as %s (uid %u)",
		    user, (unsigned)pw->pw_uid);
	if (!ws.enabled && !wp.enabled)
		return;

	/* web-groups: who may connect to the two sockets */
	memset(&f, 0, sizeof(f));
	if (ws.enabled) {
		if (ws.group[0] != '\0' && getgrnam(ws.group) == NULL)
			note(&f, ST_FAIL, "no group %s (SocketGroup= of "
			    "bmsub-web.socket): systemd cannot make the socket",
			    ws.group);
		else if (getpwnam(d->nginx_user) != NULL &&
		    !socket_reaches(&ws, d->nginx_user))
			note(&f, ST_FAIL, "nginx's workers run as %s, not in "
			    "group %s of bmsub-web.socket (mode %s): every "
			    "request fails (502): set SocketGroup= in a drop-in",
			    d->nginx_user, ws.group[0] ? ws.group : "root",
			    ws.mode[0] ? ws.mode : "0666");
	}
	if (wp.enabled) {
		snprintf(want, sizeof(want), "--allow-user %s", user);
		if (wp.group[0] != '\0' && getgrnam(wp.group) == NULL)
			note(&f, ST_FAIL, "no group %s (SocketGroup= of "
			    "bmsub-web-priv.socket): systemd cannot make the "
			    "socket", wp.group);
		else if (!socket_reaches(&wp, user) && (svc.group[0] == '\0' ||
		    strcmp(svc.group, wp.group) != 0))
			note(&f, ST_FAIL, "bmsub-web runs as %s, not in group %s "
			    "of bmsub-web-priv.socket (mode %s): the page's forms "
			    "answer 503", user, wp.group[0] ? wp.group : "root",
			    wp.mode[0] ? wp.mode : "0666");
		else if ((wp.mode[0] == '\0' || socket_reaches(&wp, "nobody")) &&
		    wp.group[0] != '\0')
			note(&f, ST_WARN, "bmsub-web-priv.socket is open to "
			    "every user (mode %s): the helper checks each peer, "
			    "but SocketMode=0660 keeps the others out",
			    wp.mode[0] ? wp.mode : "0666");
		if (strcmp(user, "bmsub-web") != 0 &&
		    strstr(psvc.exec, want) == NULL)
			note(&f, ST_FAIL, "bmsub-web runs as %s but the helper "
			    "serves bmsub-web only: add %s to ExecStart= of "
			    "bmsub-web-priv@.service", user, want);
	}
	if (f.len == 0)
		note(&f, ST_OK, "%s%s%s%s%s", ws.enabled ? "nginx's " : "",
		    ws.enabled ? d->nginx_user : "", ws.enabled ?
		    " reaches bmsub-web.socket" : "", ws.enabled && wp.enabled ?
		    ", " : "", wp.enabled ? "bmsub-web reaches its helper's "
		    "socket" : "");
	emit(d, f.st, "web-groups", "%s", f.msg);
}

/* ------------------------------------------------------------------ */

int
cmd_doctor(struct cli *c, int argc, char **argv)
{
	static char root[4096];
	struct doc d;
	struct stat sb;
	uid_t self = geteuid();
	int i, a;

	memset(&d, 0, sizeof(d));
	d.c = c;
	d.root = "";
	if (c->at_given)
		return cli_usage("doctor: --at does not apply: doctor checks "
		    "the real clock");
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--as") == 0) {
			struct passwd *pw;

			if (i + 1 >= argc || argv[i + 1][0] == '\0')
				return cli_usage("doctor: --as needs a USER");
			if ((pw = getpwnam(argv[++i])) == NULL)
				return cli_usage("doctor: --as %s: no such user",
				    argv[i]);
			if (pw->pw_uid != self && self != 0)
				return cli_usage("doctor: --as %s needs root (to "
				    "load the files as that user)", argv[i]);
			if (d.n_as >= DOC_AS_MAX)
				return cli_usage("doctor: at most %d --as",
				    DOC_AS_MAX);
			for (a = 0; a < d.n_as; a++)
				if (strcmp(d.as[a], argv[i]) == 0)
					break;
			if (a == d.n_as)
				d.as[d.n_as++] = argv[i];
		} else if (strcmp(argv[i], "--root") == 0) {
			size_t n;

			if (i + 1 >= argc || argv[i + 1][0] != '/')
				return cli_usage("doctor: --root needs an "
				    "absolute DIR");
			if (stat(argv[++i], &sb) != 0 || !S_ISDIR(sb.st_mode))
				return cli_usage("doctor: --root %s: not a folder",
				    argv[i]);
			snprintf(root, sizeof(root), "%s", argv[i]);
			n = strlen(root);
			while (n > 0 && root[n - 1] == '/')
				root[--n] = '\0';
			d.root = root;
		} else if (strcmp(argv[i], "--json") == 0)
			c->json = 1;
		else
			return cli_usage("doctor: unknown option %s", argv[i]);
	}
	if (c->json) {
		json_begin(&d.j, stdout);
		json_key_arr(&d.j, "checks");
	}
	check_module(&d);
	check_pam(&d);
	check_state_dir(&d);
	check_keys(&d);
	check_license(&d);
	check_state(&d);
	/* nginx runs its stacks as its own user: checked even when not
	 * asked, as that is the mistake that locked webmail out unseen */
	if (d.nginx_gated && self == 0 && d.n_as < DOC_AS_MAX &&
	    getpwnam(d.nginx_user) != NULL) {
		for (a = 0; a < d.n_as; a++)
			if (strcmp(d.as[a], d.nginx_user) == 0)
				break;
		if (a == d.n_as)
			d.as[d.n_as++] = d.nginx_user;
	}
	for (a = 0; a < d.n_as; a++)
		check_as(&d, d.as[a]);
	check_recipients(&d);
	check_timer(&d, "refresh");
	check_timer(&d, "notify");
	check_clock(&d);
	check_cluster(&d);
	check_saslauthd(&d);
	check_dovecot(&d);
	check_web(&d);
	if (c->json) {
		json_close_arr(&d.j);
		json_end(&d.j);
	} else
		printf("%d fail, %d warn, %d ok\n", d.n[ST_FAIL], d.n[ST_WARN],
		    d.n[ST_OK]);
	return d.n[ST_FAIL] > 0 ? EXIT_NO : EXIT_OK;
}
