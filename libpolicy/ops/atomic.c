/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* atomic.c - the one atomic file writer: trusted folder, temp file, fsync,
 * rename, fsync of the folder; a killed writer's temp files are swept. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/*
 * A temp file this old is a leftover: a live writer creates, writes and
 * renames its own within moments (and every write refreshes its mtime),
 * so a writer that does not hold the callers' lock (bmsub-sign writing a
 * license anywhere) is never robbed of its temp file by another one. A
 * writer that holds the lock serialising every writer of the folder
 * (BM_WRITE_LOCKED: the state lock) knows no other is live and sweeps
 * them all.
 */
#define STALE_SECS 600
#define TEMP_MARK ".bmsub-tmp."	/* .NAME.bmsub-tmp.XXXXXX: never an
				 * operator's own file */
#define TEMP_SUFFIX "XXXXXX"	/* mkostemp's six letters */

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t w;

	while (len > 0) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Is entry ".NAME.bmsub-tmp.??????", six of mkostemp's [A-Za-z0-9]? */
static int
is_temp_of(const char *entry, const char *name)
{
	size_t n = strlen(name), m = sizeof(TEMP_MARK) - 1, i;
	const char *x;

	if (entry[0] != '.' || strncmp(entry + 1, name, n) != 0 ||
	    strncmp(entry + 1 + n, TEMP_MARK, m) != 0)
		return 0;
	x = entry + 1 + n + m;
	for (i = 0; i < sizeof(TEMP_SUFFIX) - 1; i++) {
		if (!((x[i] >= 'a' && x[i] <= 'z') ||
		    (x[i] >= 'A' && x[i] <= 'Z') || (x[i] >= '0' && x[i] <= '9')))
			return 0;
	}
	return x[i] == '\0';
}

/*
 * Removes our own regular files ".NAME.bmsub-tmp.??????" of folder dfd
 * (not modified for STALE_SECS unless locked): what a writer killed
 * between mkostemp and rename left behind. Another user's are never
 * touched (a sticky /tmp holds everyone's). Best effort: a leftover that
 * cannot be listed or removed does not stop the write (it is retried by
 * the next one).
 */
static void
sweep_stale(int dfd, const char *name, int locked)
{
	struct timespec now;
	struct stat st;
	struct dirent *de;
	DIR *d;
	int fd;

	if (clock_gettime(CLOCK_REALTIME, &now) != 0 ||
	    (fd = fcntl(dfd, F_DUPFD_CLOEXEC, 0)) < 0)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!is_temp_of(de->d_name, name) ||
		    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
		    (!locked && st.st_mtime > now.tv_sec - STALE_SECS))
			continue;
		(void)unlinkat(dfd, de->d_name, 0);
	}
	closedir(d);
}

/* Splits path into its folder and the temp file's pattern next to it. */
static int
temp_names(const char *path, char *dir, size_t dsize, char *tmp,
    size_t tsize, const char **name, struct bmsub_error *err)
{
	const char *slash = strrchr(path, '/');
	size_t dlen;
	int n;

	*name = slash == NULL ? path : slash + 1;
	if (**name == '\0' || strcmp(*name, ".") == 0 ||
	    strcmp(*name, "..") == 0)
		return bm_err(err, BMSUB_E_INVALID, 0, "%s: not a file name",
		    path);
	dlen = slash == NULL ? 0 : (size_t)(slash - path);
	if (slash == NULL)
		n = snprintf(dir, dsize, ".");
	else
		n = snprintf(dir, dsize, "%.*s", (int)(dlen == 0 ? 1 : dlen),
		    path);
	if (n < 0 || (size_t)n >= dsize)
		return bm_err(err, BMSUB_E_INVALID, 0, "%s: path too long",
		    path);
	n = snprintf(tmp, tsize, "%.*s%s.%s" TEMP_MARK TEMP_SUFFIX, (int)dlen,
	    path,
	    slash == NULL ? "" : "/", *name);
	if (n < 0 || (size_t)n >= tsize)
		return bm_err(err, BMSUB_E_INVALID, 0, "%s: path too long",
		    path);
	return BMSUB_OK;
}

int
bmsub_file_write_atomic(const char *path, const void *data, size_t len,
    unsigned mode, struct bmsub_error *err)
{
	return bm_write_atomic(path, data, len, mode, 0, err);
}

int
bm_write_atomic(const char *path, const void *data, size_t len,
    unsigned mode, unsigned flags, struct bmsub_error *err)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	const char *name, *tbase;
	struct bmsub_error ferr;
	int fd = -1, dfd = -1, r = BMSUB_E_INTERNAL, made = 0;

	if (path == NULL)
		return bm_err(err, BMSUB_E_INVALID, 0, "no path");
	if ((r = temp_names(path, dir, sizeof(dir), tmp, sizeof(tmp), &name,
	    err)) != 0)
		goto out;
	tbase = tmp + strlen(tmp) - strlen(name) - sizeof(TEMP_MARK TEMP_SUFFIX);
	/* Whoever may change the folder may swap the file: the readers'
	 * rule for the folders above a file (a sticky /tmp is fine, so
	 * bmsub-sign may write there); a missing folder or a file there
	 * is an I/O error. */
	if ((r = bm_folder_open(dir, BM_SAFE_STICKY, &dfd, &ferr)) != 0) {
		r = bm_err(err, r == BMSUB_E_PERMISSIONS ? r : BMSUB_E_IO, 0,
		    "%s", ferr.msg);
		goto out;
	}
	sweep_stale(dfd, name, (flags & BM_WRITE_LOCKED) != 0);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		r = bm_err(err, BMSUB_E_IO, 0, "%s: cannot create a temporary "
		    "file: %s", path, strerror(errno));
		goto out;
	}
	made = 1;
	if (fchmod(fd, (mode_t)mode) != 0 || write_all(fd, data, len) != 0 ||
	    fsync(fd) != 0) {
		r = bm_err(err, BMSUB_E_IO, 0, "%s: write failed: %s (left "
		    "unchanged, temporary %s removed)", path,
		    strerror(errno), tbase);
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		r = bm_err(err, BMSUB_E_IO, 0, "%s: close failed: %s (left "
		    "unchanged, temporary %s removed)", path,
		    strerror(errno), tbase);
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		r = bm_err(err, BMSUB_E_IO, 0, "%s: rename failed: %s", path,
		    strerror(errno));
		goto out;
	}
	made = 0;
	/* the rename is durable only once the directory is synced */
	if (fsync(dfd) != 0) {
		r = bm_err(err, BMSUB_E_IO, 0, "%s: syncing the folder failed: %s",
		    dir, strerror(errno));
		goto out;
	}
	bm_err_clear(err);
	r = 0; /* success */
 out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	if (made)
		unlink(tmp);
	return r;
}
