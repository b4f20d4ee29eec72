/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* state_write.c - the state's writer (SPEC section 4): lock, format and
 * atomic replacement; only bmsub-check writes, under the lock. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

int
bmsub_state_lock(const char *state_dir, int *fd, struct bmsub_error *err)
{
	char path[4096];
	struct stat sb;
	struct bmsub_error ferr;
	int r = BMSUB_E_INTERNAL, f = -1, dfd = -1;

	*fd = -1;
	bm_err_clear(err);
	if ((r = bm_state_path(path, sizeof(path), state_dir, "lock", err)) != 0)
		goto out;
	/* The lock guards the state: both live in a folder only trusted
	 * users may change (bm_safe_path, not even sticky: a user who may
	 * write state_dir could delete the state and lift a block), else it
	 * is a lock failure. The one check of state_dir for every writer
	 * under the lock (state, recipients, quarantine, license). */
	if ((r = bm_folder_open(state_dir, 0, &dfd, &ferr)) != 0) {
		r = bm_err(err, r == BMSUB_E_PERMISSIONS ? r : BMSUB_E_LOCK, 0,
		    "%s", ferr.msg);
		goto out;
	}
	/* O_NONBLOCK: a FIFO planted there must not hang the CLI. */
	if ((f = openat(dfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW | O_NONBLOCK, 0600)) == -1) {
		r = bm_err(err, BMSUB_E_LOCK, 0, "%s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (fstat(f, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		r = bm_err(err, BMSUB_E_LOCK, 0, "%s: not a regular file",
		    path);
		goto out;
	}
	while (flock(f, LOCK_EX) == -1) {
		if (errno != EINTR) {
			r = bm_err(err, BMSUB_E_LOCK, 0, "%s: flock: %s",
			    path, strerror(errno));
			goto out;
		}
	}
	*fd = f;
	f = -1; /* transferred */
	r = 0; /* success */
 out:
	if (f != -1)
		close(f);
	if (dfd != -1)
		close(dfd);
	return r;
}

void
bmsub_state_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* releases the flock */
}

/* One "sent" line per alert; refuses what the reader would refuse. */
static int
format_sent(struct bm_text *t, const struct bmsub_state *st,
    struct bmsub_error *err)
{
	const struct bmsub_sent *dup;
	size_t i;
	int r;

	for (i = 0; i < st->n_sent; i++) {
		if (memchr(st->sent[i].key, '\0', sizeof(st->sent[i].key))
		    == NULL || !bm_key_valid(st->sent[i].key) ||
		    !bm_time_valid(st->sent[i].at))
			return bm_err(err, BMSUB_E_INVALID, 0,
			    "state: bad alert entry %zu", i);
		bm_text_add(t, "sent %s %lld\n", st->sent[i].key,
		    (long long)st->sent[i].at);
	}
	if ((r = bm_find_dup(st, &dup)) != 0)
		return r;
	if (dup != NULL)
		return bm_err(err, BMSUB_E_INVALID, 0, "state: alert %s twice",
		    dup->key);
	return BMSUB_OK;
}

/* The line of keyword kw, if st has one. */
static int
format_keyword(struct bm_text *t, const struct bm_state_keyword *kw,
    const struct bmsub_state *st, struct bmsub_error *err)
{
	int64_t v;

	switch (kw->kind) {
	case BM_KW_COUNT:
		if (st->have_count)
			bm_text_add(t, "%s %llu\n", kw->word,
			    (unsigned long long)st->count);
		return BMSUB_OK;
	case BM_KW_TIME:
		memcpy(&v, (const char *)st + kw->off, sizeof(v));
		if (v == BMSUB_TIME_NONE)
			return BMSUB_OK;
		if (!bm_time_valid(v))
			return bm_err(err, BMSUB_E_INVALID, 0,
			    "state: %s time %lld out of range", kw->word,
			    (long long)v);
		bm_text_add(t, "%s %lld\n", kw->word, (long long)v);
		return BMSUB_OK;
	case BM_KW_SENT:
		return format_sent(t, st, err);
	}
	return BMSUB_E_INTERNAL;
}

/* The text of st, driven by the reader's keyword table; refuses what the
 * reader would call corrupt, so a save can never replace a good file by
 * one nobody can read. */
int
bm_state_format(const struct bmsub_state *st, char **out, size_t *outlen,
    struct bmsub_error *err)
{
	struct bm_text t;
	size_t i;
	int r = BMSUB_E_INTERNAL;

	*out = NULL;
	*outlen = 0;
	bm_text_dynamic(&t);
	bm_text_add(&t, "%s %d\n", STATE_MAGIC, BMSUB_STATE_VERSION);
	for (i = 0; i < bm_state_nkeywords; i++) {
		if ((r = format_keyword(&t, &bm_state_keywords[i], st,
		    err)) != 0)
			goto out;
	}
	bm_text_add(&t, "end\n");
	if (t.len > STATE_MAX) {
		r = bm_err(err, BMSUB_E_INVALID, 0,
		    "state: larger than %d bytes", STATE_MAX);
		goto out;
	}
	if ((r = bm_text_take(&t, out, outlen)) != 0) {
		r = bm_err(err, r, 0, "state: out of memory");
		goto out;
	}
	r = 0; /* success */
 out:
	bm_text_free(&t);
	return r;
}

int
bmsub_state_save(const char *state_dir, const struct bmsub_state *st,
    struct bmsub_error *err)
{
	char path[4096];
	char *text = NULL;
	size_t len = 0;
	int r = BMSUB_E_INTERNAL;

	bm_err_clear(err);
	if ((r = bm_state_path(path, sizeof(path), state_dir, "state", err)) != 0 ||
	    (r = bm_state_format(st, &text, &len, err)) != 0)
		goto out;
	/* state_dir was judged (not even sticky) by bmsub_state_lock,
	 * which the caller holds; the writer judges it and the folders
	 * above as for any file it writes. */
	/* 0644: the PAM module may run in a non-root auth worker. */
	r = bm_write_atomic(path, text, len, 0644, BM_WRITE_LOCKED, err);
 out:
	free(text);
	return r;
}
