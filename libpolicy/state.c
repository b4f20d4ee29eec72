/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* state.c - the versioned state file (SPEC section 4): strict reader,
 * lock, and atomic replacement. */
/*
 * Format, version 1: text, LF line ends, at most 1 MiB, one item a line,
 * fields separated by exactly one space:
 *
 *	bmsub-state 1			first line: magic and version
 *	count 250			C (absent: unknown)
 *	over-since 1790000000		O
 *	high-water 1790000000		H, the clock high-water mark
 *	refreshed 1790000000		last refresh
 *	notified 1790000000		last notify run
 *	sent <key> <time>		when alert <key> was last sent (0..n)
 *	end				last line: a truncated file is corrupt
 *
 * Numbers are decimal without sign or leading zero; times are seconds
 * since the epoch, 0 to 253402300799 (9999-12-31T23:59:59Z). An absent
 * optional line means BMSUB_TIME_NONE (or no count). Any other line, a
 * duplicate, a bad number or a missing header or end is corruption.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define STATE_MAX (1024 * 1024)
#define STATE_MAGIC "bmsub-state"
#define STATE_TIME_MAX INT64_C(253402300799)

void
bmsub_state_init(struct bmsub_state *st)
{
	memset(st, 0, sizeof(*st));
	st->sent = NULL;
	st->over_since = BMSUB_TIME_NONE;
	st->high_water = BMSUB_TIME_NONE;
	st->last_refresh = BMSUB_TIME_NONE;
	st->last_notify = BMSUB_TIME_NONE;
}

void
bmsub_state_clear(struct bmsub_state *st)
{
	if (st == NULL)
		return;
	free(st->sent);
	bmsub_state_init(st);
}

static int
key_valid(const char *key)
{
	size_t n;

	if (key == NULL || (n = strlen(key)) == 0 || n >= BMSUB_ALERT_KEY_MAX)
		return 0;
	for (; *key != '\0'; key++) {
		if (!((*key >= 'a' && *key <= 'z') ||
		    (*key >= 'A' && *key <= 'Z') ||
		    (*key >= '0' && *key <= '9') ||
		    *key == '.' || *key == '_' || *key == ':' || *key == '-'))
			return 0;
	}
	return 1;
}

int
bmsub_state_sent_get(const struct bmsub_state *st, const char *key,
    int64_t *at)
{
	size_t i;

	*at = BMSUB_TIME_NONE;
	if (st == NULL || key == NULL)
		return BMSUB_E_INVALID;
	for (i = 0; i < st->n_sent; i++) {
		if (strcmp(st->sent[i].key, key) == 0) {
			*at = st->sent[i].at;
			return BMSUB_OK;
		}
	}
	return BMSUB_E_NOT_FOUND;
}

static int
time_valid(int64_t t)
{
	return t >= 0 && t <= STATE_TIME_MAX;
}

int
bmsub_state_sent_set(struct bmsub_state *st, const char *key, int64_t at)
{
	struct bmsub_sent *v;
	size_t i;

	if (st == NULL || !key_valid(key) || !time_valid(at))
		return BMSUB_E_INVALID;
	for (i = 0; i < st->n_sent; i++) {
		if (strcmp(st->sent[i].key, key) == 0) {
			st->sent[i].at = at;
			return BMSUB_OK;
		}
	}
	if ((v = realloc(st->sent, (st->n_sent + 1) * sizeof(*v))) == NULL)
		return BMSUB_E_NOMEM;
	st->sent = v;
	memset(&v[st->n_sent], 0, sizeof(v[0]));
	memcpy(v[st->n_sent].key, key, strlen(key) + 1);
	v[st->n_sent].at = at;
	st->n_sent++;
	return BMSUB_OK;
}

/* ------------------------------------------------------------------ */
/* Reading. */

/* Decimal digits only, no leading zero, value <= max. */
static int
parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

static int
parse_time(const char *s, size_t n, int64_t *out)
{
	uint64_t v;

	if (parse_u64(s, n, (uint64_t)STATE_TIME_MAX, &v) != 0)
		return -1;
	*out = (int64_t)v;
	return 0;
}

/* Matches "word " at the start of line (len bytes); returns the rest. */
static const char *
field(const char *line, size_t len, const char *word, size_t *restlen)
{
	size_t w = strlen(word);

	if (len <= w || memcmp(line, word, w) != 0 || line[w] != ' ')
		return NULL;
	*restlen = len - w - 1;
	return line + w + 1;
}

int
bm_state_parse(const char *buf, size_t len, struct bmsub_state *st,
    struct bmsub_error *err)
{
	static const struct {
		const char *word;
		size_t off;
	} times[] = {
		{ "over-since", offsetof(struct bmsub_state, over_since) },
		{ "high-water", offsetof(struct bmsub_state, high_water) },
		{ "refreshed", offsetof(struct bmsub_state, last_refresh) },
		{ "notified", offsetof(struct bmsub_state, last_notify) },
	};
	struct bmsub_state tmp;
	const char *p, *nl, *rest, *sp;
	char key[BMSUB_ALERT_KEY_MAX];
	size_t n, rl, i;
	unsigned line = 0;
	int64_t t, *dst, dummy;
	int r = BMSUB_E_INTERNAL, ended = 0;

	bmsub_state_init(st);
	bmsub_state_init(&tmp);
	if (len > STATE_MAX)
		return bm_err(err, BMSUB_E_CORRUPT, 0,
		    "state: larger than %d bytes", STATE_MAX);
	if (memchr(buf, '\0', len) != NULL)
		return bm_err(err, BMSUB_E_CORRUPT, 0, "state: NUL byte");
	for (p = buf; p < buf + len; p = nl + 1) {
		line++;
		if (ended) {
			r = bm_err(err, BMSUB_E_CORRUPT, line,
			    "state line %u: data after \"end\"", line);
			goto out;
		}
		if ((nl = memchr(p, '\n', (size_t)(buf + len - p))) == NULL) {
			r = bm_err(err, BMSUB_E_CORRUPT, line,
			    "state line %u: truncated (no line end)", line);
			goto out;
		}
		n = (size_t)(nl - p);
		if (line == 1) {
			if ((rest = field(p, n, STATE_MAGIC, &rl)) == NULL) {
				r = bm_err(err, BMSUB_E_CORRUPT, line,
				    "state line 1: not a bmsub state file");
				goto out;
			}
			if (rl != 1 || rest[0] != '0' + BMSUB_STATE_VERSION) {
				r = bm_err(err, BMSUB_E_CORRUPT, line,
				    "state line 1: unsupported version "
				    "\"%.*s\" (this reader knows %d)",
				    (int)(rl > 20 ? 20 : rl), rest,
				    BMSUB_STATE_VERSION);
				goto out;
			}
			continue;
		}
		if (n == 3 && memcmp(p, "end", 3) == 0) {
			ended = 1;
			continue;
		}
		if ((rest = field(p, n, "count", &rl)) != NULL) {
			if (tmp.have_count) {
				r = bm_err(err, BMSUB_E_CORRUPT, line,
				    "state line %u: count given twice", line);
				goto out;
			}
			if (parse_u64(rest, rl, UINT64_MAX, &tmp.count) != 0) {
				r = bm_err(err, BMSUB_E_CORRUPT, line,
				    "state line %u: bad count", line);
				goto out;
			}
			tmp.have_count = 1;
			continue;
		}
		dst = NULL;
		for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
			if ((rest = field(p, n, times[i].word, &rl)) != NULL) {
				dst = (int64_t *)((char *)&tmp + times[i].off);
				break;
			}
		}
		if (dst != NULL) {
			if (*dst != BMSUB_TIME_NONE) {
				r = bm_err(err, BMSUB_E_CORRUPT, line,
				    "state line %u: %s given twice", line,
				    times[i].word);
				goto out;
			}
			if (parse_time(rest, rl, dst) != 0) {
				r = bm_err(err, BMSUB_E_CORRUPT, line,
				    "state line %u: bad %s time", line,
				    times[i].word);
				goto out;
			}
			continue;
		}
		if ((rest = field(p, n, "sent", &rl)) != NULL) {
			if ((sp = memchr(rest, ' ', rl)) == NULL ||
			    (size_t)(sp - rest) >= sizeof(key)) {
				r = bm_err(err, BMSUB_E_CORRUPT, line,
				    "state line %u: bad sent line", line);
				goto out;
			}
			memcpy(key, rest, (size_t)(sp - rest));
			key[sp - rest] = '\0';
			if (!key_valid(key) || parse_time(sp + 1,
			    rl - (size_t)(sp - rest) - 1, &t) != 0) {
				r = bm_err(err, BMSUB_E_CORRUPT, line,
				    "state line %u: bad sent line", line);
				goto out;
			}
			if (bmsub_state_sent_get(&tmp, key, &dummy) == 0) {
				r = bm_err(err, BMSUB_E_CORRUPT, line,
				    "state line %u: alert %s given twice",
				    line, key);
				goto out;
			}
			if ((r = bmsub_state_sent_set(&tmp, key, t)) != 0) {
				r = bm_err(err, r, line, "state: out of memory");
				goto out;
			}
			continue;
		}
		r = bm_err(err, BMSUB_E_CORRUPT, line,
		    "state line %u: unknown line", line);
		goto out;
	}
	if (line == 0) {
		r = bm_err(err, BMSUB_E_CORRUPT, 0, "state: empty file");
		goto out;
	}
	if (!ended) {
		r = bm_err(err, BMSUB_E_CORRUPT, line,
		    "state: truncated (no \"end\" line)");
		goto out;
	}
	*st = tmp;
	bmsub_state_init(&tmp); /* transferred */
	r = 0; /* success */
 out:
	bmsub_state_clear(&tmp);
	return r;
}

static int
state_path(char *buf, size_t size, const char *dir, const char *name,
    struct bmsub_error *err)
{
	int n;

	if (dir == NULL || *dir == '\0')
		return bm_err(err, BMSUB_E_INVALID, 0, "no state_dir");
	n = snprintf(buf, size, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= size)
		return bm_err(err, BMSUB_E_INVALID, 0,
		    "state_dir too long");
	return BMSUB_OK;
}

int
bmsub_state_load(const char *state_dir, struct bmsub_state *st,
    struct bmsub_error *err)
{
	char path[4096];
	char *buf = NULL;
	size_t len = 0;
	int r = BMSUB_E_INTERNAL;

	bmsub_state_init(st);
	bm_err_clear(err);
	if ((r = state_path(path, sizeof(path), state_dir, "state", err)) != 0)
		goto out;
	if ((r = bmsub_file_read(path, STATE_MAX, &buf, &len, err)) != 0) {
		if (r == BMSUB_E_TOO_LARGE)
			r = bm_err(err, BMSUB_E_CORRUPT, 0,
			    "%s: larger than %d bytes", path, STATE_MAX);
		goto out;
	}
	r = bm_state_parse(buf, len, st, err);
 out:
	free(buf);
	return r;
}

int
bmsub_state_lock(const char *state_dir, int *fd, struct bmsub_error *err)
{
	char path[4096];
	struct stat sb;
	int r = BMSUB_E_INTERNAL, f = -1;

	*fd = -1;
	bm_err_clear(err);
	if ((r = state_path(path, sizeof(path), state_dir, "lock", err)) != 0)
		goto out;
	/* O_NONBLOCK: a FIFO planted there must not hang the CLI. */
	if ((f = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK, 0600)) == -1) {
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
	return r;
}

void
bmsub_state_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* releases the flock */
}

/* ------------------------------------------------------------------ */
/* Writing. */

static int
append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
    BM_PRINTF(4, 5);

static int
append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	char *nb;
	size_t ncap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*buf != NULL ? *buf + *len : NULL,
	    *buf != NULL ? *cap - *len : 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return BMSUB_E_INTERNAL;
	if (*buf != NULL && *len + (size_t)n < *cap) {
		*len += (size_t)n;
		return BMSUB_OK;
	}
	ncap = (*cap == 0 ? 256 : *cap);
	while (ncap <= *len + (size_t)n)
		ncap *= 2;
	if ((nb = realloc(*buf, ncap)) == NULL)
		return BMSUB_E_NOMEM;
	*buf = nb;
	*cap = ncap;
	va_start(ap, fmt);
	n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return BMSUB_E_INTERNAL;
	*len += (size_t)n;
	return BMSUB_OK;
}

/* The text of st; refuses what the reader would call corrupt, so a save
 * can never replace a good file by one nobody can read. */
int
bm_state_format(const struct bmsub_state *st, char **out, size_t *outlen,
    struct bmsub_error *err)
{
	static const char *const words[] = {
		"over-since", "high-water", "refreshed", "notified"
	};
	const int64_t tv[] = {
		st->over_since, st->high_water, st->last_refresh,
		st->last_notify
	};
	char *buf = NULL;
	size_t len = 0, cap = 0, i, j;
	int r = BMSUB_E_INTERNAL;

	*out = NULL;
	*outlen = 0;
	if ((r = append(&buf, &len, &cap, "%s %d\n", STATE_MAGIC,
	    BMSUB_STATE_VERSION)) != 0)
		goto out;
	if (st->have_count && (r = append(&buf, &len, &cap, "count %llu\n",
	    (unsigned long long)st->count)) != 0)
		goto out;
	for (i = 0; i < sizeof(tv) / sizeof(tv[0]); i++) {
		if (tv[i] == BMSUB_TIME_NONE)
			continue;
		if (!time_valid(tv[i])) {
			r = bm_err(err, BMSUB_E_INVALID, 0,
			    "state: %s time %lld out of range", words[i],
			    (long long)tv[i]);
			goto out;
		}
		if ((r = append(&buf, &len, &cap, "%s %lld\n", words[i],
		    (long long)tv[i])) != 0)
			goto out;
	}
	for (i = 0; i < st->n_sent; i++) {
		if (memchr(st->sent[i].key, '\0', sizeof(st->sent[i].key))
		    == NULL || !key_valid(st->sent[i].key) ||
		    !time_valid(st->sent[i].at)) {
			r = bm_err(err, BMSUB_E_INVALID, 0,
			    "state: bad alert entry %zu", i);
			goto out;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(st->sent[i].key, st->sent[j].key) == 0) {
				r = bm_err(err, BMSUB_E_INVALID, 0,
				    "state: alert %s twice", st->sent[i].key);
				goto out;
			}
		}
		if ((r = append(&buf, &len, &cap, "sent %s %lld\n",
		    st->sent[i].key, (long long)st->sent[i].at)) != 0)
			goto out;
	}
	if ((r = append(&buf, &len, &cap, "end\n")) != 0)
		goto out;
	if (len > STATE_MAX) {
		r = bm_err(err, BMSUB_E_INVALID, 0,
		    "state: larger than %d bytes", STATE_MAX);
		goto out;
	}
	*out = buf;
	*outlen = len;
	buf = NULL; /* transferred */
	r = 0; /* success */
 out:
	if (r == BMSUB_E_NOMEM)
		bm_err(err, r, 0, "state: out of memory");
	free(buf);
	return r;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
bmsub_state_save(const char *state_dir, const struct bmsub_state *st,
    struct bmsub_error *err)
{
	char tmp[4096], path[4096];
	char *text = NULL;
	size_t len = 0;
	struct stat sb;
	int r = BMSUB_E_INTERNAL, dfd = -1, fd = -1, have_tmp = 0;

	bm_err_clear(err);
	if ((r = state_path(path, sizeof(path), state_dir, "state", err)) != 0 ||
	    (r = state_path(tmp, sizeof(tmp), state_dir, ".state.XXXXXX",
	    err)) != 0 ||
	    (r = bm_state_format(st, &text, &len, err)) != 0)
		goto out;
	if ((dfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fstat(dfd, &sb) == -1) {
		r = bm_err(err, BMSUB_E_IO, 0, "%s: %s", state_dir,
		    strerror(errno));
		goto out;
	}
	/* Readers trust the file; a directory others can write to would let
	 * them replace it. */
	if ((sb.st_mode & (S_IWGRP | S_IWOTH)) != 0 ||
	    (sb.st_uid != 0 && sb.st_uid != geteuid())) {
		r = bm_err(err, BMSUB_E_PERMISSIONS, 0,
		    "%s: writable by group or others, or owned by another user",
		    state_dir);
		goto out;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		r = bm_err(err, BMSUB_E_IO, 0, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	have_tmp = 1;
	/* 0644: the PAM module may run in a non-root auth worker. */
	if (fchmod(fd, 0644) == -1 || write_all(fd, text, len) == -1 ||
	    fsync(fd) == -1) {
		r = bm_err(err, BMSUB_E_IO, 0, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) == -1) {
		fd = -1;
		r = bm_err(err, BMSUB_E_IO, 0, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		r = bm_err(err, BMSUB_E_IO, 0, "rename %s: %s", path,
		    strerror(errno));
		goto out;
	}
	have_tmp = 0;
	/* Makes the rename itself durable. */
	if (fsync(dfd) == -1) {
		r = bm_err(err, BMSUB_E_IO, 0, "%s: fsync: %s", state_dir,
		    strerror(errno));
		goto out;
	}
	r = 0; /* success */
 out:
	if (fd != -1)
		close(fd);
	if (have_tmp)
		unlink(tmp);
	if (dfd != -1)
		close(dfd);
	free(text);
	return r;
}
