/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* atomic.c - replace a file atomically: temp file, fsync, rename, fsync dir. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

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

int
bmsub_file_write_atomic(const char *path, const void *data, size_t len,
    unsigned mode,
    struct bmsub_error *err)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	const char *slash;
	int fd = -1, dfd = -1, r = BMSUB_E_INTERNAL, made = 0;

	slash = strrchr(path, '/');
	if (slash == NULL) {
		snprintf(dir, sizeof(dir), ".");
		if (snprintf(tmp, sizeof(tmp), ".%s.XXXXXX", path) >= (int)sizeof(tmp))
			return bm_err(err, BMSUB_E_INVALID, 0, "%s: path too long", path);
	} else {
		if ((size_t)(slash - path) >= sizeof(dir) ||
		    snprintf(tmp, sizeof(tmp), "%.*s/.%s.XXXXXX",
		    (int)(slash - path), path, slash + 1) >= (int)sizeof(tmp))
			return bm_err(err, BMSUB_E_INVALID, 0, "%s: path too long", path);
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash == path ? 1 :
		    slash - path), path);
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		r = bm_err(err, BMSUB_E_IO, 0, "%s: cannot create a temporary "
		    "file: %s", path, strerror(errno));
		goto out;
	}
	made = 1;
	if (fchmod(fd, (mode_t)mode) != 0 || write_all(fd, data, len) != 0 ||
	    fsync(fd) != 0) {
		r = bm_err(err, BMSUB_E_IO, 0, "%s: write failed: %s", tmp,
		    strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		r = bm_err(err, BMSUB_E_IO, 0, "%s: close failed: %s", tmp,
		    strerror(errno));
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
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    fsync(dfd) != 0) {
		r = bm_err(err, BMSUB_E_IO, 0, "%s: syncing the folder failed: %s",
		    dir, strerror(errno));
		goto out;
	}
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
