/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fileio.c - reading a whole trusted file without blocking or trusting it. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/*
 * Not O_NOFOLLOW: operators legitimately symlink config and keys (e.g. into
 * a configuration-management tree); every check below applies to the file
 * actually opened, through fstat on the descriptor, so there is no race
 * between checking and reading. O_NONBLOCK makes open(2) of a FIFO without
 * a writer return at once; fstat then refuses it before any read.
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
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		r = bm_err(err, BMSUB_E_PERMISSIONS, 0,
		    "%s: writable by group or others (mode %04o)", path,
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		r = bm_err(err, BMSUB_E_PERMISSIONS, 0,
		    "%s: owned by uid %lu, not root or uid %lu", path,
		    (unsigned long)st.st_uid, (unsigned long)geteuid());
		goto out;
	}
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
