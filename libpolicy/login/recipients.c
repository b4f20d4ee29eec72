/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* recipients.c - the alert recipients file: validation and loading (the
 * writer is ops/recipients_write.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

#define ADDR_MAX 254		/* RFC 5321 path limit minus the brackets */
#define LOCAL_MAX 64

/* RFC 5322 atext: what a dot-atom local part may hold besides dots. */
static int
is_atext(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL;
}

static int
is_ldh(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-';
}

/* dom (dotless) is one of local, compared without case */
static int
listed_local(const char *dom, const struct bmsub_strlist *local)
{
	size_t i;

	for (i = 0; local != NULL && i < local->n; i++)
		if (strcasecmp(dom, local->v[i]) == 0)
			return 1;
	return 0;
}

int
bmsub_recipients_address_valid(const char *addr, struct bmsub_error *err)
{
	return bmsub_recipients_address_check(addr, NULL, err);
}

int
bmsub_recipients_address_check(const char *addr,
    const struct bmsub_strlist *local, struct bmsub_error *err)
{
	const char *at, *p, *dom, *label;
	size_t len, i;
	int dots = 0;

	if (addr == NULL || addr[0] == '\0')
		return bm_err(err, BMSUB_E_INVALID, 0, "empty address");
	len = strnlen(addr, ADDR_MAX + 1);
	if (len > ADDR_MAX)
		return bm_err(err, BMSUB_E_INVALID, 0,
		    "address longer than %d bytes", ADDR_MAX);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)addr[i];

		if (c <= ' ' || c >= 0x7f)
			return bm_err(err, BMSUB_E_INVALID, 0, "address has "
			    "a space, a control or a non-ASCII character");
	}
	if ((at = strchr(addr, '@')) == NULL)
		return bm_err(err, BMSUB_E_INVALID, 0, "address without '@'");
	if (strchr(at + 1, '@') != NULL)
		return bm_err(err, BMSUB_E_INVALID, 0, "address with two '@'");
	if (at == addr)
		return bm_err(err, BMSUB_E_INVALID, 0, "empty local part");
	if ((size_t)(at - addr) > LOCAL_MAX)
		return bm_err(err, BMSUB_E_INVALID, 0,
		    "local part longer than %d bytes", LOCAL_MAX);
	/* local part: dot-atom (no quoted strings: they are not plausible) */
	if (addr[0] == '.' || at[-1] == '.')
		return bm_err(err, BMSUB_E_INVALID, 0,
		    "local part begins or ends with a dot");
	for (p = addr; p < at; p++) {
		if (*p == '.' && p[1] == '.')
			return bm_err(err, BMSUB_E_INVALID, 0,
			    "two dots in a row in the local part");
		if (*p != '.' && !is_atext((unsigned char)*p))
			return bm_err(err, BMSUB_E_INVALID, 0,
			    "character '%c' not allowed in the local part", *p);
	}
	dom = at + 1;
	if (*dom == '\0')
		return bm_err(err, BMSUB_E_INVALID, 0, "empty domain");
	if (dom[0] == '.' || addr[len - 1] == '.')
		return bm_err(err, BMSUB_E_INVALID, 0,
		    "domain begins or ends with a dot");
	/* labels of letters, digits and inner hyphens */
	for (label = p = dom;; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label)
				return bm_err(err, BMSUB_E_INVALID, 0,
				    "empty label in the domain");
			if (p - label > 63)
				return bm_err(err, BMSUB_E_INVALID, 0,
				    "domain label longer than 63 bytes");
			if (*label == '-' || p[-1] == '-')
				return bm_err(err, BMSUB_E_INVALID, 0,
				    "domain label begins or ends with '-'");
			if (*p == '\0')
				break;
			dots++;
			label = p + 1;
		} else if (!is_ldh((unsigned char)*p))
			return bm_err(err, BMSUB_E_INVALID, 0,
			    "character '%c' not allowed in the domain", *p);
	}
	if (dots == 0 && !listed_local(dom, local))
		return bm_err(err, BMSUB_E_INVALID, 0, "domain without a dot "
		    "(a local one such as localhost needs notify.local_domains)");
	return 0;
}

int
bmsub_recipients_same(const char *a, const char *b)
{
	const char *ata = strrchr(a, '@'), *atb = strrchr(b, '@');

	if (ata == NULL || atb == NULL)
		return strcmp(a, b) == 0;
	return ata - a == atb - b && memcmp(a, b, (size_t)(ata - a)) == 0 &&
	    strcasecmp(ata + 1, atb + 1) == 0;
}

/* Lines are addresses; blank lines and lines starting with '#' are
 * skipped so an operator may annotate the file. Anything else that is not
 * a plausible address makes the whole file corrupt: a half-understood
 * list would silently drop someone. local: notify.local_domains (dotless
 * domains it lists are accepted), or NULL. */
int
bm_recipients_parse(char *buf, size_t len, const char *path,
    const struct bmsub_strlist *local, struct bmsub_strlist *out,
    struct bmsub_error *err)
{
	int r = BMSUB_E_INTERNAL;
	char *line, *nl;
	size_t i;
	unsigned lineno = 0;
	struct bmsub_strlist l = { NULL, 0 };
	struct bmsub_error e;

	out->v = NULL;
	out->n = 0;
	bm_err_clear(err);
	if (memchr(buf, '\0', len) != NULL) {
		r = bm_err(err, BMSUB_E_CORRUPT, 0, "%s: NUL byte", path);
		goto out;
	}
	for (line = buf; *line != '\0'; line = nl) {
		lineno++;
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		else
			nl = line + strlen(line);
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (bmsub_recipients_address_check(line, local, &e) != 0) {
			r = bm_err(err, BMSUB_E_CORRUPT, lineno, "%s:%u: %s",
			    path, lineno, e.msg);
			goto out;
		}
		for (i = 0; i < l.n; i++)
			if (bmsub_recipients_same(l.v[i], line))
				break;
		if (i < l.n)
			continue;	/* a duplicate written by hand */
		if ((r = bm_strlist_add(&l, line)) != 0) {
			r = bm_err(err, r, 0, NULL);
			goto out;
		}
	}
	*out = l;
	l.v = NULL;	/* transferred */
	l.n = 0;
	r = 0; /* success */
 out:
	bmsub_strlist_free(&l);
	return r;
}

int
bmsub_recipients_load_local(const char *state_dir,
    const struct bmsub_strlist *local, struct bmsub_strlist *out,
    struct bmsub_error *err)
{
	int r = BMSUB_E_INTERNAL;
	char *path = NULL, *buf = NULL;
	size_t len = 0;

	out->v = NULL;
	out->n = 0;
	bm_err_clear(err);
	if (asprintf(&path, "%s/%s", state_dir, RCPT_FILE) < 0) {
		path = NULL;
		r = bm_err(err, BMSUB_E_NOMEM, 0, NULL);
		goto out;
	}
	if ((r = bmsub_file_read(path, RCPT_MAX, &buf, &len, err)) != 0) {
		if (r == BMSUB_E_NOT_FOUND) {
			bm_err_clear(err);
			r = 0;	/* no file: no recipient */
		}
		goto out;
	}
	r = bm_recipients_parse(buf, len, path, local, out, err);
 out:
	free(buf);
	free(path);
	return r;
}

int
bmsub_recipients_load(const char *state_dir, struct bmsub_strlist *out,
    struct bmsub_error *err)
{
	return bmsub_recipients_load_local(state_dir, NULL, out, err);
}
