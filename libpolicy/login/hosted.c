/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hosted.c - the hosted and external sets (SPEC section 10) as the login
 * path reads them: state_dir/users, written by refresh, validated in full
 * once per change, then a binary search per login. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/*
 * The file (written by ops/count.c, bm_users_format):
 *
 *   bmsub-users 1
 *   LOGIN TAB CLASS        one line per login, strictly increasing by
 *   ...                    bytes; CLASS "hosted", "excluded", "external"
 *   end N                  N = number of login lines
 *
 * A login is 1-255 bytes above 0x20 other than 0x7f (the roster's rule),
 * so TAB sorts below every login byte and sorting lines sorts logins.
 * Anything else anywhere is corruption: the whole file is refused, never
 * half used.
 */

static const char *const class_names[] = {
	[BM_U_NONE] = "none",
	[BM_U_HOSTED] = "hosted",
	[BM_U_EXCLUDED] = "excluded",
	[BM_U_EXTERNAL] = "external",
};

const char *
bm_users_class_name(enum bm_uclass c)
{
	return (unsigned)c <= BM_U_EXTERNAL ? class_names[c] : "none";
}

/* Compares login a (alen bytes) with the login at the start of line b. */
static int
login_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int c;

	if ((c = memcmp(a, b, n)) != 0)
		return c;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

static int
login_ok(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || n > BM_LOGIN_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] <= 0x20 || p[i] == 0x7f)
			return 0;
	return 1;
}

void
bm_users_init(struct bm_users *u)
{
	memset(u, 0, sizeof(*u));
}

void
bm_users_free(struct bm_users *u)
{
	if (u == NULL)
		return;
	free(u->buf);
	bm_users_init(u);
}

#define HEADER BMSUB_USERS_MAGIC " 1\n"

int
bm_users_parse(char *buf, size_t len, const char *name, struct bm_users *u,
    struct bmsub_error *err)
{
	const char *p, *end = buf + len, *nl, *tab, *prev = NULL;
	size_t prevlen = 0, n = 0, cl;
	uint64_t count[BM_U_EXTERNAL + 1] = { 0 }, total;
	unsigned line = 1;
	char *e;
	int c;

	bm_users_init(u);
	if (len < sizeof(HEADER) - 1 || memcmp(buf, HEADER,
	    sizeof(HEADER) - 1) != 0)
		return bm_err(err, BMSUB_E_CORRUPT, 1, "%s: not a bmsub users "
		    "file (no \"%s 1\" line)", name, BMSUB_USERS_MAGIC);
	if (memchr(buf, '\0', len) != NULL)
		return bm_err(err, BMSUB_E_CORRUPT, 0, "%s: NUL byte", name);
	u->lo = sizeof(HEADER) - 1;
	for (p = buf + u->lo; ; p = nl + 1) {
		line++;
		if (p >= end || (nl = memchr(p, '\n', (size_t)(end - p))) ==
		    NULL)
			return bm_err(err, BMSUB_E_CORRUPT, line, "%s line %u: "
			    "cut short (no \"end\" line)", name, line);
		if ((size_t)(nl - p) > 4 && memcmp(p, "end ", 4) == 0) {
			/* the trailer: the last line, the count of lines */
			if (p[4] < '0' || p[4] > '9' || (p[4] == '0' &&
			    nl - p > 5))
				return bm_err(err, BMSUB_E_CORRUPT, line,
				    "%s line %u: bad count", name, line);
			total = strtoull(p + 4, &e, 10);
			if (e != nl || total != n)
				return bm_err(err, BMSUB_E_CORRUPT, line,
				    "%s line %u: the end line says %.20s "
				    "users, the file has %zu", name, line,
				    p + 4, n);
			if (nl + 1 != end)
				return bm_err(err, BMSUB_E_CORRUPT, line + 1,
				    "%s line %u: text after the end line",
				    name, line + 1);
			u->hi = (size_t)(p - buf);
			break;
		}
		if ((tab = memchr(p, '\t', (size_t)(nl - p))) == NULL ||
		    !login_ok(p, (size_t)(tab - p)))
			return bm_err(err, BMSUB_E_CORRUPT, line, "%s line %u: "
			    "LOGIN TAB CLASS expected", name, line);
		cl = (size_t)(nl - tab - 1);
		for (c = BM_U_HOSTED; c <= BM_U_EXTERNAL; c++)
			if (cl == strlen(class_names[c]) &&
			    memcmp(tab + 1, class_names[c], cl) == 0)
				break;
		if (c > BM_U_EXTERNAL)
			return bm_err(err, BMSUB_E_CORRUPT, line, "%s line %u: "
			    "class hosted, excluded or external expected",
			    name, line);
		if (prev != NULL && login_cmp(prev, prevlen, p,
		    (size_t)(tab - p)) >= 0)
			return bm_err(err, BMSUB_E_CORRUPT, line, "%s line %u: "
			    "not sorted, or a login twice", name, line);
		prev = p;
		prevlen = (size_t)(tab - p);
		count[c]++;
		n++;
	}
	u->buf = buf;	/* transferred */
	u->len = len;
	u->n[BM_U_HOSTED] = count[BM_U_HOSTED];
	u->n[BM_U_EXCLUDED] = count[BM_U_EXCLUDED];
	u->n[BM_U_EXTERNAL] = count[BM_U_EXTERNAL];
	bm_err_clear(err);
	return BMSUB_OK;
}

int
bm_users_load(const char *path, struct bm_users *u, struct bmsub_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	bm_users_init(u);
	if ((r = bmsub_file_read(path, BM_USERS_FILE_MAX, &buf, &len,
	    err)) != 0)
		return r;
	if ((r = bm_users_parse(buf, len, path, u, err)) != 0)
		free(buf);
	return r;
}

/*
 * Bisection over the bytes of the lines (as look(1) does): no index to
 * build, O(log size) comparisons, each line found by stepping back to the
 * LF before it. The file was validated, so every line in [lo, hi) ends in
 * LF and holds a TAB.
 */
enum bm_uclass
bm_users_find(const struct bm_users *u, const char *user)
{
	size_t lo, hi, mid, ulen;
	const char *line, *tab, *nl;
	int c, k;

	if (u == NULL || u->buf == NULL || user == NULL)
		return BM_U_NONE;
	ulen = strlen(user);
	lo = u->lo;
	hi = u->hi;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		while (mid > lo && u->buf[mid - 1] != '\n')
			mid--;
		line = u->buf + mid;
		nl = memchr(line, '\n', hi - mid);
		tab = memchr(line, '\t', (size_t)(nl - line));
		c = login_cmp(user, ulen, line, (size_t)(tab - line));
		if (c == 0) {
			for (k = BM_U_HOSTED; k <= BM_U_EXTERNAL; k++)
				if ((size_t)(nl - tab - 1) ==
				    strlen(class_names[k]) && memcmp(tab + 1,
				    class_names[k], (size_t)(nl - tab - 1)) == 0)
					return (enum bm_uclass)k;
			return BM_U_NONE;	/* not reached: validated */
		}
		if (c < 0)
			hi = mid;
		else
			lo = (size_t)(nl - u->buf) + 1;
	}
	return BM_U_NONE;
}

enum bmsub_hosting
bm_users_hosting(const struct bmsub_config *cfg, const struct bm_users *u,
    int users_err, const char *user)
{
	enum bm_uclass c;

	if (!bmsub_config_has_external(cfg))
		return BMSUB_HOSTED;
	if (users_err != 0)
		return BMSUB_HOSTING_UNKNOWN;
	c = bm_users_find(u, user);
	if (c == BM_U_EXTERNAL || (c == BM_U_NONE && cfg->hosted_only))
		return BMSUB_EXTERNAL;
	return BMSUB_HOSTED;
}
