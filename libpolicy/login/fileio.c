/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fileio.c - the one owner-and-mode check of a file and the folders above
 * it (bm_safe_path), and reading a whole trusted file without blocking. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define BM_SYMLINK_MAX 40	/* Linux's limit on links in one lookup */

/* "group", "others" or "group and others" for a writable mode. */
static const char *
writers(mode_t mode)
{
	if ((mode & S_IWGRP) != 0 && (mode & S_IWOTH) != 0)
		return "group and others";
	return (mode & S_IWGRP) != 0 ? "group" : "others";
}

/* The object itself: a writable mode is refused even with the sticky bit
 * (others could add keys to a sticky keys folder), unless flags has
 * BM_SAFE_STICKY and the object is a sticky folder. */
static int
judge_object(const char *path, const struct stat *st, int flags,
    struct bmsub_error *err)
{
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return bm_err(err, BMSUB_E_PERMISSIONS, 0,
		    "%s: owned by uid %lu, not root or uid %lu: chown it",
		    path, (unsigned long)st->st_uid,
		    (unsigned long)geteuid());
	if ((flags & BM_SAFE_STICKY) != 0 && S_ISDIR(st->st_mode) &&
	    (st->st_mode & S_ISVTX) != 0)
		return BMSUB_OK;
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return bm_err(err, BMSUB_E_PERMISSIONS, 0,
		    "%s: writable by %s (mode %04o): chmod go-w it", path,
		    writers(st->st_mode), (unsigned)(st->st_mode & 07777));
	return BMSUB_OK;
}

/* A folder on the way: whoever may rename entries in it could swap path.
 * Sticky and writable (/tmp) is fine: only an entry's owner, the
 * folder's owner and root may then rename or remove it. */
static int
judge_folder(const char *dir, const struct stat *st, const char *path,
    struct bmsub_error *err)
{
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return bm_err(err, BMSUB_E_PERMISSIONS, 0,
		    "%s: folder owned by uid %lu, not root or uid %lu, "
		    "above %s: chown it", dir, (unsigned long)st->st_uid,
		    (unsigned long)geteuid(), path);
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
	    (st->st_mode & S_ISVTX) == 0)
		return bm_err(err, BMSUB_E_PERMISSIONS, 0,
		    "%s: folder writable by %s (mode %04o), above %s: "
		    "chmod go-w it", dir, writers(st->st_mode),
		    (unsigned)(st->st_mode & 07777), path);
	return BMSUB_OK;
}

static int
lookup_err(struct bmsub_error *err, int e, const char *name,
    const char *path)
{
	if (e == ENOENT || e == ENOTDIR)
		return bm_err(err, BMSUB_E_NOT_FOUND, 0, "%s: %s (looking up %s)",
		    name, strerror(e), path);
	return bm_err(err, BMSUB_E_IO, 0, "%s: %s (looking up %s)", name,
	    strerror(e), path);
}

/* A lookup in progress: what is left to resolve and the folder reached. */
struct walk {
	char todo[PATH_MAX];	/* absolute; p points into it */
	char cur[PATH_MAX];	/* resolved so far, "" standing for "/" */
	const char *p;
	size_t clen;
	int links;
	const char *path;	/* as the caller gave it, for messages */
	struct bmsub_error *err;
};

/* todo = path made absolute (getcwd for a relative one); "/" judged. */
static int
walk_start(struct walk *w, const char *path, struct bmsub_error *err)
{
	char cwd[PATH_MAX];
	struct stat st;
	int n;

	w->path = path;
	w->err = err;
	w->clen = 0;
	w->links = 0;
	w->cur[0] = '\0';
	if (path[0] == '/')
		n = snprintf(w->todo, sizeof(w->todo), "%s", path);
	else if (getcwd(cwd, sizeof(cwd)) == NULL)
		return bm_err(err, BMSUB_E_IO, 0, "%s: getcwd: %s", path,
		    strerror(errno));
	else
		n = snprintf(w->todo, sizeof(w->todo), "%s/%s", cwd, path);
	if (n < 0 || (size_t)n >= sizeof(w->todo))
		return bm_err(err, BMSUB_E_IO, 0, "%s: path too long", path);
	w->p = w->todo;
	if (lstat("/", &st) != 0)
		return lookup_err(err, errno, "/", path);
	return judge_folder("/", &st, path, err);
}

/* cur is a symlink: todo becomes its target then what followed, and cur
 * goes back to keep (the link's folder), or to "/" for an absolute one. */
static int
walk_link(struct walk *w, size_t keep)
{
	char link[PATH_MAX];
	size_t rest;
	ssize_t ln;

	if (++w->links > BM_SYMLINK_MAX)
		return bm_err(w->err, BMSUB_E_IO, 0,
		    "%s: too many symbolic links", w->path);
	if ((ln = readlink(w->cur, link, sizeof(link))) < 0)
		return lookup_err(w->err, errno, w->cur, w->path);
	rest = strlen(w->p);
	if ((size_t)ln + 1 + rest >= sizeof(w->todo))
		return bm_err(w->err, BMSUB_E_IO, 0, "%s: path too long",
		    w->path);
	memmove(w->todo + ln + 1, w->p, rest + 1);
	memcpy(w->todo, link, (size_t)ln);
	w->todo[ln] = '/';
	w->p = w->todo;
	w->clen = link[0] == '/' ? 0 : keep;
	w->cur[w->clen] = '\0';
	return BMSUB_OK;
}

/* The next component: 1 and *last when one was taken, 0 at the end.
 * "." is skipped and ".." goes up to a folder judged on the way down. */
static int
walk_next(struct walk *w, const char **comp, size_t *n, int *last)
{
	for (;;) {
		while (*w->p == '/')
			w->p++;
		if (*w->p == '\0')
			return 0;
		*comp = w->p;
		*n = strcspn(w->p, "/");
		w->p += *n;
		*last = w->p[strspn(w->p, "/")] == '\0';
		if (*n == 1 && (*comp)[0] == '.')
			continue;
		if (*n == 2 && (*comp)[0] == '.' && (*comp)[1] == '.') {
			while (w->clen > 0 && w->cur[--w->clen] != '/')
				;
			w->cur[w->clen] = '\0';
			continue;
		}
		return 1;
	}
}

/*
 * The one owner-and-mode rule (SPEC section 2, as OpenSSH's safe_path).
 * st: what fstat said of the file or folder the caller opened at path (NULL:
 * stat(path) here). That object must be owned by root or the effective
 * user and writable by neither group nor others (flags BM_SAFE_STICKY:
 * a sticky folder may be, as the folders above). Then every folder the
 * lookup of path passes through, from "/" down, must be owned by root or
 * the effective user and not writable by group or others unless sticky.
 * A relative path is looked up from getcwd(), whose folders are judged
 * too.
 *
 * Symlinks are followed the way the kernel does, one component at a time
 * (lstat; a link's target replaces it, an absolute target restarts at
 * "/"): so both the folder holding a link and every folder of its target
 * are judged. OpenSSH judges only the folders of realpath(path), which
 * trusts a link whose own folder anyone may write. A link's mode does
 * not matter (it cannot be changed, only replaced), its owner does: in a
 * sticky folder the owner may replace it, so it must be root or us.
 *
 * Returns 0; BMSUB_E_PERMISSIONS naming the file or folder and what is
 * wrong; BMSUB_E_NOT_FOUND (a component vanished since the open);
 * BMSUB_E_IO (too many links, path too long, getcwd failed).
 */
int
bm_safe_path(const char *path, const struct stat *st, int flags,
    struct bmsub_error *err)
{
	struct walk w;
	struct stat own, lst;
	const char *comp;
	size_t n, keep;
	int r = BMSUB_E_INTERNAL, last;

	if (path == NULL || *path == '\0')
		return bm_err(err, BMSUB_E_INVALID, 0, "empty path");
	if (st == NULL) {
		if (stat(path, &own) != 0)
			return lookup_err(err, errno, path, path);
		st = &own;
	}
	if ((r = judge_object(path, st, flags, err)) != 0 ||
	    (r = walk_start(&w, path, err)) != 0)
		return r;
	while (walk_next(&w, &comp, &n, &last)) {
		if (w.clen + 1 + n >= sizeof(w.cur))
			return bm_err(err, BMSUB_E_IO, 0, "%s: path too long",
			    path);
		keep = w.clen;
		w.cur[w.clen++] = '/';
		memcpy(w.cur + w.clen, comp, n);
		w.clen += n;
		w.cur[w.clen] = '\0';
		if (lstat(w.cur, &lst) != 0)
			return lookup_err(err, errno, w.cur, path);
		if (S_ISLNK(lst.st_mode)) {
			if (lst.st_uid != 0 && lst.st_uid != geteuid())
				return bm_err(err, BMSUB_E_PERMISSIONS, 0,
				    "%s: symlink owned by uid %lu, not root or "
				    "uid %lu, above %s", w.cur,
				    (unsigned long)lst.st_uid,
				    (unsigned long)geteuid(), path);
			if ((r = walk_link(&w, keep)) != 0)
				return r;
			continue;
		}
		if (last)
			break;	/* the object: judged from st above */
		if (!S_ISDIR(lst.st_mode))
			return lookup_err(err, ENOTDIR, w.cur, path);
		if ((r = judge_folder(w.cur, &lst, path, err)) != 0)
			return r;
	}
	return BMSUB_OK;
}

/* Opens dir as a trusted folder (bm_safe_path rules and flags) for
 * fdopendir, openat or fsync: *fd, or BMSUB_E_NOT_FOUND (missing),
 * BMSUB_E_NOT_REGULAR (not a folder), BMSUB_E_PERMISSIONS, BMSUB_E_IO. */
int
bm_folder_open(const char *dir, int flags, int *fdp, struct bmsub_error *err)
{
	struct stat st;
	int r = BMSUB_E_INTERNAL, fd = -1;

	*fdp = -1;
	/* O_NONBLOCK: a FIFO named like the folder must not hang us */
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    O_NONBLOCK)) < 0) {
		if (errno == ENOENT)
			r = bm_err(err, BMSUB_E_NOT_FOUND, 0, "%s: %s", dir,
			    strerror(errno));
		else if (errno == ENOTDIR)
			r = bm_err(err, BMSUB_E_NOT_REGULAR, 0,
			    "%s: not a folder", dir);
		else
			r = bm_err(err, BMSUB_E_IO, 0, "%s: %s", dir,
			    strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		r = bm_err(err, BMSUB_E_IO, 0, "%s: fstat: %s", dir,
		    strerror(errno));
		goto out;
	}
	if ((r = bm_safe_path(dir, &st, flags, err)) != 0)
		goto out;
	*fdp = fd;
	fd = -1;	/* transferred */
	r = 0; /* success */
 out:
	if (fd >= 0)
		close(fd);
	return r;
}

/*
 * Not O_NOFOLLOW: operators legitimately symlink config and keys (e.g. into
 * a configuration-management tree); the file's own rules apply to the file
 * actually opened, through fstat on the descriptor, so there is no race
 * between checking and reading, and bm_safe_path then judges every folder
 * the lookup went through (a folder only a trusted user may change cannot
 * have been swapped in between). O_NONBLOCK makes open(2) of a FIFO
 * without a writer return at once; fstat then refuses it before any read.
 */
int
bmsub_file_read(const char *path, size_t max, char **bufp, size_t *lenp,
    struct bmsub_error *err)
{
	int r = BMSUB_E_INTERNAL, fd = -1;
	struct stat st;
	char *buf = NULL, *nbuf;
	size_t len = 0, cap;
	ssize_t n;

	*bufp = NULL;
	*lenp = 0;
	if (max > SIZE_MAX / 2)
		max = SIZE_MAX / 2;	/* so max + 2 cannot wrap below */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			r = bm_err(err, BMSUB_E_NOT_FOUND, 0, "%s: %s", path,
			    strerror(errno));
		else
			r = bm_err(err, BMSUB_E_IO, 0, "%s: open: %s", path,
			    strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		r = bm_err(err, BMSUB_E_IO, 0, "%s: fstat: %s", path,
		    strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = bm_err(err, BMSUB_E_NOT_REGULAR, 0,
		    "%s: not a regular file", path);
		goto out;
	}
	if ((r = bm_safe_path(path, &st, 0, err)) != 0)
		goto out;
	if (st.st_size < 0 || (uint64_t)st.st_size > max) {
		r = bm_err(err, BMSUB_E_TOO_LARGE, 0,
		    "%s: %lld bytes, at most %zu allowed", path,
		    (long long)st.st_size, max);
		goto out;
	}
	/*
	 * Room for the size fstat saw plus one probe byte, grown up to max + 1:
	 * a file that grows while read is refused, never truncated.
	 */
	cap = (size_t)st.st_size + 1;
	if ((buf = malloc(cap + 1)) == NULL) {
		r = bm_err(err, BMSUB_E_NOMEM, 0, "%s: out of memory", path);
		goto out;
	}
	for (;;) {
		if (len == cap) {
			if (len > max) {
				r = bm_err(err, BMSUB_E_TOO_LARGE, 0,
				    "%s: grew past %zu bytes while read",
				    path, max);
				goto out;
			}
			cap = (max - cap < cap) ? max + 1 : cap * 2;
			if ((nbuf = realloc(buf, cap + 1)) == NULL) {
				r = bm_err(err, BMSUB_E_NOMEM, 0,
				    "%s: out of memory", path);
				goto out;
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = bm_err(err, BMSUB_E_IO, 0, "%s: read: %s", path,
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max) {
		r = bm_err(err, BMSUB_E_TOO_LARGE, 0,
		    "%s: grew past %zu bytes while read", path, max);
		goto out;
	}
	buf[len] = '\0';
	*bufp = buf;
	buf = NULL;	/* transferred */
	*lenp = len;
	bm_err_clear(err);
	r = 0; /* success */
 out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return r;
}
