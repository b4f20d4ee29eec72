/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* context.c - cached, stat-revalidated decisions for many logins. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <syslog.h>
#include <unistd.h>

#include "internal.h"

/*
 * What stat(2) said about a file the last time it was read. A missing file
 * is a state like any other (so "no license" is cached too); any other stat
 * failure never compares equal, so the file is retried at the next call.
 */
struct fstamp {
	int what;		/* FS_PRESENT, FS_MISSING, FS_ERROR */
	int link;		/* a symlink, or a file with another hard link:
				 * a write through the other name is no
				 * event in this folder */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtim;
	struct timespec ctim;
};
#define FS_PRESENT 0
#define FS_MISSING 1
#define FS_ERROR 2

struct keyfile {
	char *path;
	struct fstamp st;
};

/* A loaded config, shared with a caller that does an NSS lookup outside
 * the lock while another thread may replace ctx->cfg. */
struct cfgref {
	unsigned refs;		/* under ctx->lock */
	struct bmsub_config *cfg;
};

struct bmsub_ctx {
	pthread_mutex_t lock;
	char *conf_path;

	int loaded;			/* cfg and everything below is usable */
	struct fstamp conf_st;
	/* The last config that failed to parse, remembered by stat so that a
	 * broken file is not parsed again at every login (libconfig 1.5 leaks
	 * a few bytes on some syntax errors: tests/lsan.supp). */
	int conf_err;
	struct bmsub_error conf_error;
	struct fstamp conf_err_st;
	struct cfgref *cfg;
	char *state_path;		/* state_dir/state */
	char *rcpt_path;		/* state_dir/recipients */

	struct fstamp keys_dir_st;
	struct keyfile *keyfiles;	/* the *.pem files seen at load */
	size_t n_keyfiles;
	struct bmsub_keyring *kr;
	int keys_err;			/* why kr is NULL */
	struct bmsub_error keys_error;
	struct bmsub_strlist keys_notes; /* warnings of the last load */

	struct fstamp lic_st;
	int lic_err;			/* 0 when lic is valid */
	struct bmsub_error lic_error;
	struct bmsub_license lic;

	struct fstamp state_st;
	int have_state;
	int st_err;			/* 0 when have_state */
	struct bmsub_error st_error;
	struct bmsub_state st;

	struct fstamp rcpt_st;
	int have_recipients;
	int rcpt_err;
	struct bmsub_error rcpt_error;
	struct bmsub_strlist rcpt;	/* empty when rcpt_err != 0 */

	/* state_dir/users, read only when the config names external users
	 * (bmsub_config_has_external); users_err != 0 refuses every user
	 * who is not an administrator ("hosted-unknown") */
	char *users_path;
	struct fstamp users_st;
	int users_err;
	struct bmsub_error users_error;
	struct bm_users users;

	/* Watches (see "Watching the folders" below): while clean, a login
	 * with nothing to read from ifd skips every stat(2). */
	int ifd;			/* inotify descriptor, -1 if none */
	int watch_ok;			/* every folder is watched */
	int clean;			/* the cache matched the files when
					 * the watches were in place */
	struct bmsub_ctx *next;		/* in all_ctx */

	/* Bumped by every refresh that looked at the files (anything but
	 * a quiet inotify read): what was decided under an older one may
	 * rest on files since changed. */
	unsigned long gen;
	/* The last pair of verdicts: bmsub_evaluate and bmsub_decide are
	 * pure, so the same files (gen), second, category and hosting give
	 * the same two verdicts (see both_verdicts). */
	struct {
		int valid;
		unsigned long gen;
		int64_t now;
		enum bmsub_category cat;
		enum bmsub_hosting hosting;
		int equal;		/* as_user and as_admin the same */
		struct bmsub_verdict as_user, as_admin;
	} memo;
};

static int
ts_eq(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

static void
fstamp_take(const char *path, struct fstamp *fs)
{
	struct stat sb;

	memset(fs, 0, sizeof(*fs));
	/* lstat first: one call for a plain file, and a symlink is known
	 * (a change of its target is no event in the folder watched) */
	if (lstat(path, &sb) != 0 ||
	    (S_ISLNK(sb.st_mode) && (fs->link = 1, stat(path, &sb) != 0))) {
		fs->what = (errno == ENOENT || errno == ENOTDIR) ?
		    FS_MISSING : FS_ERROR;
		return;
	}
	fs->what = FS_PRESENT;
	if (!S_ISDIR(sb.st_mode) && sb.st_nlink > 1)
		fs->link = 1;
	fs->dev = sb.st_dev;
	fs->ino = sb.st_ino;
	fs->size = sb.st_size;
	fs->mtim = sb.st_mtim;
	fs->ctim = sb.st_ctim;
}

/* Does path still look as it did when fs was taken? */
static int
fstamp_same(const char *path, const struct fstamp *fs)
{
	struct fstamp now;

	fstamp_take(path, &now);
	if (now.what == FS_ERROR || fs->what == FS_ERROR)
		return 0;
	if (now.what != fs->what)
		return 0;
	if (now.what == FS_MISSING)
		return 1;
	return now.dev == fs->dev && now.ino == fs->ino &&
	    now.size == fs->size && ts_eq(&now.mtim, &fs->mtim) &&
	    ts_eq(&now.ctim, &fs->ctim);
}

static char *
path_join(const char *dir, const char *name)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		return NULL;
	return p;
}

static void
cfgref_put(struct cfgref *c)
{
	if (c == NULL || --c->refs > 0)
		return;
	bmsub_config_free(c->cfg);
	free(c);
}

static void
keyfiles_clear(struct bmsub_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->n_keyfiles; i++)
		free(ctx->keyfiles[i].path);
	free(ctx->keyfiles);
	ctx->keyfiles = NULL;
	ctx->n_keyfiles = 0;
}

/* Forget everything loaded from the config (not the config path). */
static void
ctx_unload(struct bmsub_ctx *ctx)
{
	ctx->loaded = 0;
	cfgref_put(ctx->cfg);
	ctx->cfg = NULL;
	free(ctx->state_path);
	free(ctx->rcpt_path);
	free(ctx->users_path);
	ctx->state_path = ctx->rcpt_path = ctx->users_path = NULL;
	bm_users_free(&ctx->users);
	ctx->users_err = 0;
	bm_err_clear(&ctx->users_error);
	keyfiles_clear(ctx);
	bmsub_keyring_free(ctx->kr);
	ctx->kr = NULL;
	ctx->keys_err = 0;
	bm_err_clear(&ctx->keys_error);
	bmsub_strlist_free(&ctx->keys_notes);
	bmsub_state_clear(&ctx->st);
	ctx->have_state = 0;
	ctx->st_err = BMSUB_E_NOT_FOUND;
	bm_err_clear(&ctx->st_error);
	ctx->lic_err = BMSUB_E_NO_LICENSE;
	bm_err_clear(&ctx->lic_error);
	memset(&ctx->lic, 0, sizeof(ctx->lic));
	ctx->have_recipients = 0;
	ctx->rcpt_err = 0;
	bm_err_clear(&ctx->rcpt_error);
	bmsub_strlist_free(&ctx->rcpt);
}

/* Passes the keyring loader's messages on to the caller's log and keeps
 * its warnings (a key file skipped, no keys folder) for bmsub_ctx_report:
 * an operator's command shows them although the keys were loaded before. */
struct keys_tee {
	const struct bmsub_log *log;
	struct bmsub_strlist *notes;
};

static void
keys_tee_fn(void *arg, int priority, const char *msg)
{
	struct keys_tee *t = arg;

	/* a note that cannot be kept is only missing from a report */
	if (priority <= LOG_WARNING)
		(void)bm_strlist_add(t->notes, msg);
	if (t->log != NULL && t->log->fn != NULL)
		t->log->fn(t->log->arg, priority, msg);
}

static int
has_pem_suffix(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && strcmp(name + n - 4, ".pem") == 0;
}

/*
 * Takes the stamps of the keys folder and of each "*.pem" in it, then
 * loads the keyring. Stamps are taken before reading, so a change racing
 * with the load is seen at the next call and never hidden.
 */
static int
load_keys(struct bmsub_ctx *ctx, const struct bmsub_log *log,
    struct bmsub_error *err)
{
	const char *dir = ctx->cfg->cfg->keys_dir;
	DIR *d = NULL;
	struct dirent *de;
	struct keyfile *kf = NULL, *tmp;
	struct bmsub_error e;
	struct keys_tee tee = { log, &ctx->keys_notes };
	struct bmsub_log tee_log = { keys_tee_fn, &tee };
	size_t n = 0, cap = 0;
	int r = BMSUB_E_INTERNAL;

	keyfiles_clear(ctx);
	bmsub_keyring_free(ctx->kr);
	ctx->kr = NULL;
	bmsub_strlist_free(&ctx->keys_notes);
	bm_err_clear(&ctx->keys_error);

	fstamp_take(dir, &ctx->keys_dir_st);
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (!has_pem_suffix(de->d_name))
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 8;
				if ((tmp = realloc(kf, cap * sizeof(*kf))) == NULL) {
					r = bm_err(err, BMSUB_E_NOMEM, 0, NULL);
					goto out;
				}
				kf = tmp;
			}
			if ((kf[n].path = path_join(dir, de->d_name)) == NULL) {
				r = bm_err(err, BMSUB_E_NOMEM, 0, NULL);
				goto out;
			}
			fstamp_take(kf[n].path, &kf[n].st);
			n++;
		}
	}
	ctx->keyfiles = kf;
	ctx->n_keyfiles = n;
	kf = NULL;	/* transferred */
	n = 0;

	/* An unreadable folder: no trusted key, so no valid license, and the
	 * license error says why; the login path then denies (fail closed). */
	memset(&e, 0, sizeof(e));
	ctx->keys_err = 0;
	if ((r = bmsub_keyring_load(dir, &tee_log, &ctx->kr, &e)) != 0) {
		bm_log(log, LOG_ERR, "trusted keys %s: %s (%s)", dir, e.msg,
		    bmsub_err_token(r));
		bmsub_keyring_free(ctx->kr);
		ctx->kr = NULL;
		ctx->keys_err = r;
		ctx->keys_error = e;
	}
	r = 0; /* success */
 out:
	while (n > 0)
		free(kf[--n].path);
	free(kf);
	if (d != NULL)
		closedir(d);
	return r;
}

static int
keys_same(const struct bmsub_ctx *ctx)
{
	size_t i;

	if (!fstamp_same(ctx->cfg->cfg->keys_dir, &ctx->keys_dir_st))
		return 0;
	for (i = 0; i < ctx->n_keyfiles; i++)
		if (!fstamp_same(ctx->keyfiles[i].path, &ctx->keyfiles[i].st))
			return 0;
	return 1;
}

/* Verifies the license; an invalid one is a phase, logged once per change
 * of the file (this only runs when a stamp changed). */
static void
load_license(struct bmsub_ctx *ctx, const struct bmsub_log *log)
{
	const char *path = ctx->cfg->cfg->license;
	struct bmsub_error e;

	memset(&e, 0, sizeof(e));
	memset(&ctx->lic, 0, sizeof(ctx->lic));
	fstamp_take(path, &ctx->lic_st);
	if (ctx->kr == NULL)
		ctx->lic_err = bm_err(&e, ctx->keys_err ? ctx->keys_err :
		    BMSUB_E_UNKNOWN_KEY, 0, "no trusted key could be loaded "
		    "from %s", ctx->cfg->cfg->keys_dir);
	else
		ctx->lic_err = bmsub_license_load(path, ctx->kr, &ctx->lic, &e);
	ctx->lic_error = e;
	if (ctx->lic_err == 0) {
		bm_log(log, LOG_DEBUG, "license %s loaded: id %s, %u users",
		    path, ctx->lic.id, ctx->lic.users);
		return;
	}
	memset(&ctx->lic, 0, sizeof(ctx->lic));
	/* say the path once: most messages name the file already */
	if (strstr(e.msg, path) != NULL)
		path = "";
	if (e.line != 0)
		bm_log(log, LOG_ERR, "license %s%sis not valid (%s, line %u): %s;"
		    " logins are refused as if blocked", path, *path ? " " : "",
		    bmsub_err_token(ctx->lic_err), e.line, e.msg);
	else
		bm_log(log, LOG_ERR, "license %s%sis not valid (%s): %s;"
		    " logins are refused as if blocked", path, *path ? " " : "",
		    bmsub_err_token(ctx->lic_err), e.msg);
}

static void
load_state(struct bmsub_ctx *ctx, const struct bmsub_log *log)
{
	struct bmsub_error e;
	int r;

	memset(&e, 0, sizeof(e));
	bmsub_state_clear(&ctx->st);
	fstamp_take(ctx->state_path, &ctx->state_st);
	r = bmsub_state_load(ctx->cfg->cfg->state_dir, &ctx->st, &e);
	ctx->have_state = (r == 0);
	ctx->st_err = r;
	ctx->st_error = e;
	if (r != 0) {
		bmsub_state_clear(&ctx->st);
		bmsub_state_init(&ctx->st);
		/* say the path once: most messages name the file already */
		if (strstr(e.msg, ctx->state_path) != NULL)
			bm_log(log, LOG_WARNING, "state: %s (%s): user count "
			    "unknown", e.msg, bmsub_err_token(r));
		else
			bm_log(log, LOG_WARNING, "state %s: %s (%s): user count "
			    "unknown", ctx->state_path, e.msg,
			    bmsub_err_token(r));
	}
}

static void
load_recipients(struct bmsub_ctx *ctx, const struct bmsub_log *log)
{
	struct bmsub_strlist l = { NULL, 0 };
	struct bmsub_error e;
	int r;

	memset(&e, 0, sizeof(e));
	bmsub_strlist_free(&ctx->rcpt);
	fstamp_take(ctx->rcpt_path, &ctx->rcpt_st);
	r = bmsub_recipients_load_local(ctx->cfg->cfg->state_dir,
	    &ctx->cfg->cfg->local_domains, &l, &e);
	if (r != 0)
		bm_log(log, LOG_WARNING, "recipients %s: %s (%s)",
		    ctx->rcpt_path, e.msg, bmsub_err_token(r));
	ctx->have_recipients = (r == 0 && l.n > 0);
	ctx->rcpt_err = r;
	ctx->rcpt_error = e;
	ctx->rcpt = l;	/* transferred */
}

/* The hosted and external sets, when the config has external users. A
 * missing or damaged file fails closed for users; said once per change. */
static void
load_users(struct bmsub_ctx *ctx, const struct bmsub_log *log)
{
	struct bmsub_error e;
	int r;

	memset(&e, 0, sizeof(e));
	bm_users_free(&ctx->users);
	fstamp_take(ctx->users_path, &ctx->users_st);
	r = bm_users_load(ctx->users_path, &ctx->users, &e);
	ctx->users_err = r;
	ctx->users_error = e;
	if (r == 0) {
		bm_log(log, LOG_DEBUG, "users %s loaded: %llu hosted, %llu "
		    "excluded, %llu external", ctx->users_path,
		    (unsigned long long)ctx->users.n[BM_U_HOSTED],
		    (unsigned long long)ctx->users.n[BM_U_EXCLUDED],
		    (unsigned long long)ctx->users.n[BM_U_EXTERNAL]);
		return;
	}
	if (r == BMSUB_E_NOT_FOUND)
		bm_log(log, LOG_ERR, "users %s: none yet (bmsub-check refresh "
		    "writes it): users are refused (hosted-unknown), "
		    "administrators are not", ctx->users_path);
	else
		bm_log(log, LOG_ERR, "users: %s (%s): users are refused "
		    "(hosted-unknown), administrators are not", e.msg,
		    bmsub_err_token(r));
}

/*
 * Watching the folders. Each context has an inotify descriptor watching
 * the folders of every file it reads (the config's, keys_dir, the
 * license's, state_dir) and, for renames, every folder above them. A
 * login reads it without blocking: nothing to read, and the cache was
 * up to date when the watches were in place, means no file changed, so
 * no stat(2) is needed (10,000 key files cost one read(2), not 10,000
 * stats). Anything read (an event, an overflow, an error) throws the
 * descriptor away: new watches are set up, then every file is stat'ed as
 * without watches, so a change racing with the walk is an event for the
 * next login. No watch (no inotify, the watch limit reached, a folder
 * missing or not canonical, a symlink, a network file system where
 * another host's writes are no event) is today's stat walk at every login.
 *
 * A forked child shares the descriptor's queue with its parent: whoever
 * reads an event takes it from the other. The child handler of
 * pthread_atfork closes the child's copy of every context's descriptor
 * at once, before the child can reuse the number.
 */
static pthread_mutex_t all_ctx_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static struct bmsub_ctx *all_ctx;

static void
atfork_prepare(void)
{
	pthread_mutex_lock(&all_ctx_lock);
}

static void
atfork_parent(void)
{
	pthread_mutex_unlock(&all_ctx_lock);
}

static void
atfork_child(void)
{
	struct bmsub_ctx *c;

	for (c = all_ctx; c != NULL; c = c->next) {
		if (c->ifd >= 0)
			close(c->ifd);
		c->ifd = -1;
		c->clean = 0;
	}
	pthread_mutex_unlock(&all_ctx_lock);
}

static int atfork_failed;

static void
atfork_init(void)
{
	atfork_failed = pthread_atfork(atfork_prepare, atfork_parent,
	    atfork_child) != 0;
}

static void
ctx_list(struct bmsub_ctx *ctx, int add)
{
	struct bmsub_ctx **pp;

	pthread_mutex_lock(&all_ctx_lock);
	if (add) {
		ctx->next = all_ctx;
		all_ctx = ctx;
	} else {
		for (pp = &all_ctx; *pp != NULL; pp = &(*pp)->next)
			if (*pp == ctx) {
				*pp = ctx->next;
				break;
			}
	}
	pthread_mutex_unlock(&all_ctx_lock);
}

static void
watch_close(struct bmsub_ctx *ctx)
{
	int fd = ctx->ifd;

	ctx->ifd = -1;
	ctx->clean = 0;
	ctx->watch_ok = 0;
	if (fd >= 0)
		close(fd);
}

/* Events in a folder that may change a file read in it, or the folder. */
#define WATCH_DIR (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_CREATE | \
    IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF)
/* A folder above: only its own rename or removal changes a path below. */
#define WATCH_UP (IN_DELETE_SELF | IN_MOVE_SELF)

/* File systems where another host's writes are no local event. */
static int
fs_remote(long type)
{
	static const long remote[] = {
		0x6969,			/* NFS */
		0x517b,			/* SMB */
		(long)0xff534d42,	/* CIFS */
		(long)0xfe534d42,	/* SMB2 */
		0x65735546,		/* FUSE */
		0x00c36400,		/* Ceph */
		0x5346414f,		/* AFS */
		0x01021997,		/* 9P */
		0x7461636f,		/* OCFS2 */
		0x01161970,		/* GFS2 */
	};
	size_t i;

	for (i = 0; i < sizeof(remote) / sizeof(remote[0]); i++)
		if (type == remote[i])
			return 1;
	return 0;
}

/*
 * Watches dir (absolute, canonical: no "//", ".", "..", trailing "/", no
 * symlink in any component) and every folder above it. 0 when watched.
 */
static int
watch_dir(int ifd, const char *dir)
{
	char buf[PATH_MAX], *slash;
	struct statfs sf;
	size_t n = strlen(dir);
	uint32_t mask = WATCH_DIR;

	if (dir[0] != '/' || n >= sizeof(buf) || (n > 1 && dir[n - 1] == '/') ||
	    strstr(dir, "//") != NULL || strstr(dir, "/./") != NULL ||
	    strstr(dir, "/../") != NULL ||
	    (n >= 2 && strcmp(dir + n - 2, "/.") == 0) ||
	    (n >= 3 && strcmp(dir + n - 3, "/..") == 0))
		return -1;
	if (statfs(dir, &sf) != 0 || fs_remote((long)sf.f_type))
		return -1;
	memcpy(buf, dir, n + 1);
	for (;;) {
		if (inotify_add_watch(ifd, buf, mask | IN_MASK_ADD |
		    IN_DONT_FOLLOW | IN_ONLYDIR) < 0)
			return -1;
		if (strcmp(buf, "/") == 0)
			return 0;
		slash = strrchr(buf, '/');
		if (slash == buf)
			slash[1] = '\0';
		else
			*slash = '\0';
		mask = WATCH_UP;
	}
}

/* Watches the folder that holds path. */
static int
watch_parent(int ifd, const char *path)
{
	char buf[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n;

	if (slash == NULL || (n = (size_t)(slash - path)) >= sizeof(buf))
		return -1;
	if (n == 0)
		n = 1;	/* a file in / */
	memcpy(buf, path, n);
	buf[n] = '\0';
	return watch_dir(ifd, buf);
}

/* New watches: the config's folder, and those the loaded config names
 * (watch_config adds them again after a reload). */
static void
watch_start(struct bmsub_ctx *ctx)
{
	watch_close(ctx);
	if (pthread_once(&atfork_once, atfork_init) != 0 || atfork_failed)
		return;
	if ((ctx->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0)
		return;
	ctx->watch_ok = watch_parent(ctx->ifd, ctx->conf_path) == 0;
}

static void
watch_config(struct bmsub_ctx *ctx)
{
	const struct bmsub_config *c = ctx->cfg->cfg;

	if (ctx->ifd < 0 || !ctx->watch_ok)
		return;
	if (watch_dir(ctx->ifd, c->keys_dir) != 0 ||
	    watch_parent(ctx->ifd, c->license) != 0 ||
	    watch_dir(ctx->ifd, c->state_dir) != 0)
		ctx->watch_ok = 0;
}

/* Were the watches in place for every file the cache was built from? A
 * stamp that failed is retried at the next login, as without watches. */
static int
watch_covers(const struct bmsub_ctx *ctx)
{
	size_t i;

	if (ctx->ifd < 0 || !ctx->watch_ok || !ctx->loaded)
		return 0;
#define PLAIN(s) ((s).what != FS_ERROR && !(s).link)
	if (!PLAIN(ctx->conf_st) || !PLAIN(ctx->keys_dir_st) ||
	    !PLAIN(ctx->lic_st) || !PLAIN(ctx->state_st) ||
	    !PLAIN(ctx->rcpt_st) ||
	    (bmsub_config_has_external(ctx->cfg->cfg) && !PLAIN(ctx->users_st)))
		return 0;
	for (i = 0; i < ctx->n_keyfiles; i++)
		if (!PLAIN(ctx->keyfiles[i].st))
			return 0;
#undef PLAIN
	return 1;
}

/* Nothing changed since the cache was known up to date? One read(2). */
static int
watch_quiet(struct bmsub_ctx *ctx)
{
	char buf[sizeof(struct inotify_event) + NAME_MAX + 1]
	    __attribute__((aligned(__alignof__(struct inotify_event))));

	if (!ctx->clean || ctx->ifd < 0)
		return 0;
	if (read(ctx->ifd, buf, sizeof(buf)) < 0 && errno == EAGAIN)
		return 1;
	return 0;	/* an event, an overflow or an error */
}

/* Loads the config and everything it names. On error ctx is unloaded. */
static int
load_all(struct bmsub_ctx *ctx, const struct bmsub_log *log,
    struct bmsub_error *err)
{
	struct bmsub_config *cfg = NULL;
	int r = BMSUB_E_INTERNAL;

	ctx_unload(ctx);
	ctx->conf_err = 0;
	fstamp_take(ctx->conf_path, &ctx->conf_st);
	if ((r = bmsub_config_load(ctx->conf_path, &cfg,
	    &ctx->conf_error)) != 0) {
		ctx->conf_err = r;
		ctx->conf_err_st = ctx->conf_st;
		if (err != NULL)
			*err = ctx->conf_error;
		goto out;
	}
	if ((ctx->cfg = calloc(1, sizeof(*ctx->cfg))) == NULL) {
		r = bm_err(err, BMSUB_E_NOMEM, 0, NULL);
		goto out;
	}
	ctx->cfg->refs = 1;
	ctx->cfg->cfg = cfg;
	cfg = NULL;	/* transferred */
	watch_config(ctx);	/* before the files are read */
	if ((ctx->state_path = path_join(ctx->cfg->cfg->state_dir, "state")) == NULL ||
	    (ctx->rcpt_path = path_join(ctx->cfg->cfg->state_dir,
	    "recipients")) == NULL ||
	    (ctx->users_path = path_join(ctx->cfg->cfg->state_dir,
	    BMSUB_USERS_FILE)) == NULL) {
		r = bm_err(err, BMSUB_E_NOMEM, 0, NULL);
		goto out;
	}
	if ((r = load_keys(ctx, log, err)) != 0)
		goto out;
	load_license(ctx, log);
	load_state(ctx, log);
	load_recipients(ctx, log);
	if (bmsub_config_has_external(ctx->cfg->cfg))
		load_users(ctx, log);
	ctx->loaded = 1;
	r = 0; /* success */
 out:
	bmsub_config_free(cfg);
	if (r != 0)
		ctx_unload(ctx);
	return r;
}

/* Brings the cache up to date with the files by stat; ctx->lock held. */
static int
refresh_walk(struct bmsub_ctx *ctx, const struct bmsub_log *log,
    struct bmsub_error *err)
{
	int r = BMSUB_E_INTERNAL;

	if (!ctx->loaded && ctx->conf_err != 0 &&
	    fstamp_same(ctx->conf_path, &ctx->conf_err_st)) {
		if (err != NULL)
			*err = ctx->conf_error;
		return ctx->conf_err;
	}
	if (!ctx->loaded || !fstamp_same(ctx->conf_path, &ctx->conf_st))
		return load_all(ctx, log, err);
	if (!keys_same(ctx)) {
		if ((r = load_keys(ctx, log, err)) != 0) {
			ctx_unload(ctx);
			return r;
		}
		load_license(ctx, log);
	} else if (!fstamp_same(ctx->cfg->cfg->license, &ctx->lic_st))
		load_license(ctx, log);
	if (!fstamp_same(ctx->state_path, &ctx->state_st))
		load_state(ctx, log);
	if (!fstamp_same(ctx->rcpt_path, &ctx->rcpt_st))
		load_recipients(ctx, log);
	if (bmsub_config_has_external(ctx->cfg->cfg) &&
	    !fstamp_same(ctx->users_path, &ctx->users_st))
		load_users(ctx, log);
	return 0;
}

/* Brings the cache up to date with the files; ctx->lock held. */
static int
refresh(struct bmsub_ctx *ctx, const struct bmsub_log *log,
    struct bmsub_error *err)
{
	int r = BMSUB_E_INTERNAL;

	if (watch_quiet(ctx))
		return 0;
	ctx->gen++;	/* whatever is decided next rests on this walk */
	watch_start(ctx);
	if (ctx->loaded)
		watch_config(ctx);
	r = refresh_walk(ctx, log, err);
	ctx->clean = r == 0 && watch_covers(ctx);
	return r;
}

int
bmsub_ctx_new(const char *conf_path, struct bmsub_ctx **out,
    struct bmsub_error *err)
{
	struct bmsub_ctx *ctx = NULL;
	int r = BMSUB_E_INTERNAL;

	if (out != NULL)
		*out = NULL;
	if (conf_path == NULL || *conf_path == '\0' || out == NULL)
		return bm_err(err, BMSUB_E_INVALID, 0, "no config path");
	if ((ctx = calloc(1, sizeof(*ctx))) == NULL ||
	    (ctx->conf_path = strdup(conf_path)) == NULL) {
		r = bm_err(err, BMSUB_E_NOMEM, 0, NULL);
		goto out;
	}
	if (pthread_mutex_init(&ctx->lock, NULL) != 0) {
		free(ctx->conf_path);
		free(ctx);
		ctx = NULL;
		r = bm_err(err, BMSUB_E_INTERNAL, 0, "pthread_mutex_init failed");
		goto out;
	}
	bmsub_state_init(&ctx->st);
	ctx->lic_err = BMSUB_E_NO_LICENSE;
	ctx->st_err = BMSUB_E_NOT_FOUND;
	ctx->ifd = -1;
	ctx_list(ctx, 1);
	*out = ctx;
	ctx = NULL;	/* transferred */
	r = 0; /* success */
 out:
	if (ctx != NULL) {
		free(ctx->conf_path);
		free(ctx);
	}
	return r;
}

void
bmsub_ctx_free(struct bmsub_ctx *ctx)
{
	if (ctx == NULL)
		return;
	ctx_list(ctx, 0);
	watch_close(ctx);
	ctx_unload(ctx);
	pthread_mutex_destroy(&ctx->lock);
	free(ctx->conf_path);
	free(ctx);
}

static int
verdicts_equal(const struct bmsub_verdict *a, const struct bmsub_verdict *b)
{
	return a->decision == b->decision &&
	    strcmp(a->banner, b->banner) == 0 &&
	    strcmp(a->message, b->message) == 0;
}

/*
 * Under the lock: the category, the evaluation at rq->now and the verdict
 * both as a user and as an administrator (the role is looked up only when
 * they differ: *equal). *url points into res (a copy of admin_url, since
 * another thread may reload the config once the lock is released). The
 * verdicts are ctx->memo's, valid until the lock is released.
 */
static int
both_verdicts(struct bmsub_ctx *ctx, const struct bmsub_request *rq,
    struct bmsub_result *res, int *equal, const char **url,
    struct bmsub_error *err)
{
	const char *au = ctx->cfg->cfg->admin_url;
	struct bmsub_eval ev;

	*url = NULL;
	if (au != NULL) {
		if (strlen(au) >= sizeof(res->admin_url))
			return bm_err(err, BMSUB_E_CONFIG, 0,
			    "admin_url longer than %zu bytes",
			    sizeof(res->admin_url) - 1);
		memcpy(res->admin_url, au, strlen(au) + 1);
		*url = res->admin_url;
	}
	if (rq->category >= 0)
		res->category = (enum bmsub_category)rq->category;
	else
		res->category = bmsub_config_category(ctx->cfg->cfg,
		    rq->service != NULL ? rq->service : "");
	res->license_err = ctx->lic_err;
	res->hosting = bm_users_hosting(ctx->cfg->cfg, &ctx->users,
	    ctx->users_err, rq->user);
	/* everything else they depend on (license, state, recipients,
	 * admin_url) is the files': gen */
	if (!ctx->memo.valid || ctx->memo.gen != ctx->gen ||
	    ctx->memo.now != rq->now || ctx->memo.cat != res->category ||
	    ctx->memo.hosting != res->hosting) {
		ctx->memo.valid = 0;
		bmsub_evaluate(ctx->lic_err == 0 ? &ctx->lic : NULL,
		    ctx->lic_err, ctx->have_state ? &ctx->st : NULL, rq->now,
		    &ev);
		/* an external user is refused whatever the license; an
		 * administrator never is (as_admin ignores the sets) */
		bmsub_decide_hosted(&ev, 0, res->category,
		    ctx->have_recipients, *url, res->hosting,
		    &ctx->memo.as_user);
		bmsub_decide(&ev, 1, res->category, ctx->have_recipients,
		    *url, &ctx->memo.as_admin);
		ctx->memo.equal = verdicts_equal(&ctx->memo.as_user,
		    &ctx->memo.as_admin);
		ctx->memo.gen = ctx->gen;
		ctx->memo.now = rq->now;
		ctx->memo.cat = res->category;
		ctx->memo.hosting = res->hosting;
		ctx->memo.valid = 1;
	}
	*equal = ctx->memo.equal;
	return 0;
}

/* *to = *from, the texts up to their NUL only (a struct copy moves the
 * whole 1 KiB of a short text). */
static void
verdict_copy(struct bmsub_verdict *to, const struct bmsub_verdict *from)
{
	to->decision = from->decision;
	to->phase = from->phase;
	to->reason = from->reason;
	to->redirect = from->redirect;
	memcpy(to->banner, from->banner, strlen(from->banner) + 1);
	memcpy(to->message, from->message, strlen(from->message) + 1);
}

/*
 * The verdict when the role could not be looked up (an NSS failure): the
 * role matters here (the two verdicts differ), so neither may be given.
 * Deny, reason "nss"; the phase stays what the license says, for the logs.
 */
static void
role_unknown(struct bmsub_verdict *v)
{
	struct bm_text t;

	v->decision = BMSUB_DENY;
	v->reason = "nss";
	v->redirect = NULL;
	v->banner[0] = '\0';
	bm_text_fixed(&t, v->message, sizeof(v->message));
	bm_text_add(&t, "Access refused: your account could not be checked "
	    "(user or group lookup failed). Please try again later or "
	    "contact your administrator.");
	bm_text_finish(&t);
}

int
bmsub_ctx_decide(struct bmsub_ctx *ctx, const struct bmsub_log *log,
    const struct bmsub_request *rq, struct bmsub_result *res,
    struct bmsub_error *err)
{
	struct bmsub_verdict as_user, as_admin;
	struct bmsub_error e;
	struct cfgref *cfg = NULL;
	const char *url = NULL;
	int r = BMSUB_E_INTERNAL, locked = 0, is_admin = 0, equal = 0;

	if (res == NULL)
		return bm_err(err, BMSUB_E_INVALID, 0, "missing argument");
	if (ctx == NULL || rq == NULL) {
		r = bm_err(err, BMSUB_E_INVALID, 0, "missing argument");
		goto fail;
	}
	if (rq->user == NULL || *rq->user == '\0') {
		r = bm_err(err, BMSUB_E_INVALID, 0, "no user name");
		goto fail;
	}
	if (rq->category < -1 || rq->category >= (int)BMSUB_CAT__COUNT) {
		r = bm_err(err, BMSUB_E_INVALID, 0, "bad category %d",
		    rq->category);
		goto fail;
	}
	/* every field is written below (both_verdicts, the verdict) or
	 * here: clearing the whole 1.6 KiB was a tenth of a login's cost */
	res->is_admin = 0;
	res->role_looked_up = 0;
	res->admin_url[0] = '\0';

	if (pthread_mutex_lock(&ctx->lock) != 0) {
		r = bm_err(err, BMSUB_E_INTERNAL, 0, "mutex");
		goto fail;
	}
	locked = 1;
	if ((r = refresh(ctx, log, err)) != 0)
		goto out;

	if ((r = both_verdicts(ctx, rq, res, &equal, &url, err)) != 0)
		goto out;
	if (equal) {
		verdict_copy(&res->verdict, &ctx->memo.as_user);
		res->role_looked_up = 0;
		r = 0; /* success */
		goto out;
	}
	verdict_copy(&as_user, &ctx->memo.as_user);
	verdict_copy(&as_admin, &ctx->memo.as_admin);

	/* The role matters: look it up without the lock (NSS may be slow,
	 * e.g. LDAP), holding a reference on this config. */
	cfg = ctx->cfg;
	cfg->refs++;
	pthread_mutex_unlock(&ctx->lock);
	locked = 0;

	memset(&e, 0, sizeof(e));
	if ((r = bmsub_is_admin(cfg->cfg, rq->user, &is_admin, &e)) != 0) {
		/* fail closed: neither an administrator nor a user (who may
		 * be let in, e.g. in grace) but refused, reason "nss" */
		bm_log(log, LOG_ERR, "role of %s unknown (%s: %s): refused",
		    rq->user, bmsub_err_token(r), e.msg);
		is_admin = 0;
		role_unknown(&as_user);
	}
	res->is_admin = is_admin != 0;
	res->role_looked_up = 1;
	verdict_copy(&res->verdict, is_admin ? &as_admin : &as_user);
	r = 0; /* success */
 out:
	if (!locked)
		pthread_mutex_lock(&ctx->lock);
	cfgref_put(cfg);
	pthread_mutex_unlock(&ctx->lock);
	if (r == 0) {
		res->verdict.redirect =
		    (res->verdict.decision == BMSUB_REDIRECT && url != NULL) ?
		    res->admin_url : NULL;
		bm_err_clear(err);
		return 0;
	}
 fail:
	memset(res, 0, sizeof(*res));
	return r;
}

/*
 * For the operators' calls (ops/report.c, ops/install.c): brings the cache
 * up to date as bmsub_ctx_decide does, then lets fn read it with the lock
 * held, so that what it copies is one consistent load. fn must not call
 * into ctx. Returns a refresh error, else what fn returns.
 */
int
bm_ctx_view(struct bmsub_ctx *ctx, const struct bmsub_log *log,
    bm_ctx_view_fn *fn, void *arg, struct bmsub_error *err)
{
	struct bm_ctx_view v;
	int r = BMSUB_E_INTERNAL;

	if (ctx == NULL || fn == NULL)
		return bm_err(err, BMSUB_E_INVALID, 0, "missing argument");
	if (pthread_mutex_lock(&ctx->lock) != 0)
		return bm_err(err, BMSUB_E_INTERNAL, 0, "mutex");
	if ((r = refresh(ctx, log, err)) != 0)
		goto out;
	memset(&v, 0, sizeof(v));
	v.conf_path = ctx->conf_path;
	v.cfg = ctx->cfg->cfg;
	v.kr = ctx->kr;
	v.keys_err = ctx->keys_err;
	v.keys_error = &ctx->keys_error;
	v.keys_notes = &ctx->keys_notes;
	v.lic_err = ctx->lic_err;
	v.lic_error = &ctx->lic_error;
	v.lic = ctx->lic_err == 0 ? &ctx->lic : NULL;
	v.st_err = ctx->have_state ? 0 : ctx->st_err;
	v.st_error = &ctx->st_error;
	v.st = ctx->have_state ? &ctx->st : NULL;
	v.rcpt_err = ctx->rcpt_err;
	v.rcpt_error = &ctx->rcpt_error;
	v.rcpt = &ctx->rcpt;
	v.users_wanted = bmsub_config_has_external(ctx->cfg->cfg);
	v.users_err = v.users_wanted ? ctx->users_err : 0;
	v.users_error = &ctx->users_error;
	v.users = &ctx->users;
	v.users_mtime = (v.users_wanted && ctx->users_st.what == FS_PRESENT) ?
	    (int64_t)ctx->users_st.mtim.tv_sec : BMSUB_TIME_NONE;
	r = fn(&v, arg);
 out:
	pthread_mutex_unlock(&ctx->lock);
	return r;
}

/* The modules' contexts by config path (bm_ctx_shared), never freed: a
 * list that only grows at its head, so a reader walks it without the lock
 * (an entry is complete before the release store that publishes it). */
struct shared_ctx {
	char *conf;
	struct bmsub_ctx *ctx;
	struct shared_ctx *next;
};
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shared_ctx *shared_list;

static struct bmsub_ctx *
shared_find(const char *conf)
{
	struct shared_ctx *e;

	for (e = __atomic_load_n(&shared_list, __ATOMIC_ACQUIRE); e != NULL;
	    e = e->next)
		if (strcmp(e->conf, conf) == 0)
			return e->ctx;
	return NULL;
}

int
bm_ctx_shared(const char *conf, struct bmsub_ctx **out,
    struct bmsub_error *err)
{
	struct shared_ctx *e = NULL;
	int r = BMSUB_E_INTERNAL;

	if (out != NULL)
		*out = NULL;
	if (conf == NULL || out == NULL)
		return bm_err(err, BMSUB_E_INVALID, 0, "missing argument");
	if ((*out = shared_find(conf)) != NULL)
		return 0;
	if (pthread_mutex_lock(&shared_lock) != 0)
		return bm_err(err, BMSUB_E_INTERNAL, 0, "cannot take the lock");
	/* another thread may have made it since */
	if ((*out = shared_find(conf)) != NULL) {
		r = 0;
		goto out;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->conf = strdup(conf)) == NULL) {
		r = bm_err(err, BMSUB_E_NOMEM, 0, NULL);
		goto out;
	}
	if ((r = bmsub_ctx_new(conf, &e->ctx, err)) != 0)
		goto out;
	e->next = shared_list;
	__atomic_store_n(&shared_list, e, __ATOMIC_RELEASE);
	*out = e->ctx;
	e = NULL;	/* transferred */
	r = 0; /* success */
 out:
	pthread_mutex_unlock(&shared_lock);
	if (e != NULL) {
		free(e->conf);
		free(e);
	}
	return r;
}
