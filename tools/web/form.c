/* SPDX-License-Identifier: GPL-2.0-or-later */
/* form.c - strict application/x-www-form-urlencoded parsing with size caps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

int
web_utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], need, min, cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1; min = 0x80; cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2; min = 0x800; cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3; min = 0x10000; cp = c & 0x07;
		} else
			return 0;
		if (n - i <= need)
			return 0;
		for (size_t k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += need + 1;
	}
	return 1;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes s[0..n-1] into out (at least n + 1 bytes); -1 on a bad escape. */
static int
decode(const char *s, size_t n, char *out, size_t *olen)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '+')
			out[o++] = ' ';
		else if (s[i] == '%') {
			int h, l;

			if (n - i < 3 || (h = hexval(s[i + 1])) < 0 ||
			    (l = hexval(s[i + 2])) < 0)
				return -1;
			out[o++] = (char)(h << 4 | l);
			i += 2;
		} else if ((unsigned char)s[i] <= 0x20 ||
		    (unsigned char)s[i] >= 0x7f || s[i] == '=')
			return -1;	/* browsers encode these */
		else
			out[o++] = s[i];
	}
	out[o] = '\0';
	*olen = o;
	return 0;
}

/* Controls: none at all, or LF, CR, TAB only for multiline (CRLF -> LF,
 * a lone CR refused). Works in place. */
static int
check_controls(char *v, size_t *len, unsigned flags)
{
	size_t i, o = 0;

	for (i = 0; i < *len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '\r' && (flags & WEB_F_MULTILINE)) {
			if (i + 1 < *len && v[i + 1] == '\n')
				continue;
			return -1;
		}
		if ((c < 0x20 || c == 0x7f) && !((flags & WEB_F_MULTILINE) &&
		    (c == '\n' || c == '\t')))
			return -1;
		v[o++] = v[i];
	}
	v[o] = '\0';
	*len = o;
	return 0;
}

void
web_form_free(struct web_field *f, size_t nf)
{
	for (size_t i = 0; i < nf; i++) {
		free(f[i].value);
		f[i].value = NULL;
		f[i].len = 0;
	}
}

int
web_form_parse(const char *body, size_t len, struct web_field *f,
    size_t nf, char *why, size_t whysz)
{
	size_t pos = 0, i;
	char *name = NULL, *val = NULL;
	int r = -1;

	for (i = 0; i < nf; i++) {
		f[i].value = NULL;
		f[i].len = 0;
	}
	if (body == NULL || len == 0) {
		snprintf(why, whysz, "empty form");
		goto out;
	}
	if (len > WEB_BODY_MAX) {
		snprintf(why, whysz, "form larger than %u bytes", WEB_BODY_MAX);
		goto out;
	}
	while (pos <= len) {
		const char *p = body + pos, *amp, *eq;
		size_t plen, nlen, vlen, dn, dv;
		struct web_field *fld = NULL;

		amp = memchr(p, '&', len - pos);
		plen = amp != NULL ? (size_t)(amp - p) : len - pos;
		if (plen == 0) {
			snprintf(why, whysz, "empty field in the form");
			goto out;
		}
		if ((eq = memchr(p, '=', plen)) == NULL) {
			snprintf(why, whysz, "a form field without '='");
			goto out;
		}
		nlen = (size_t)(eq - p);
		vlen = plen - nlen - 1;
		if (nlen == 0 || nlen > 32) {
			snprintf(why, whysz, "a form field name is empty or too long");
			goto out;
		}
		if ((name = malloc(nlen + 1)) == NULL ||
		    (val = malloc(vlen + 1)) == NULL) {
			snprintf(why, whysz, "out of memory");
			goto out;
		}
		if (decode(p, nlen, name, &dn) != 0 ||
		    decode(eq + 1, vlen, val, &dv) != 0) {
			snprintf(why, whysz, "bad encoding in the form");
			goto out;
		}
		for (i = 0; i < nf; i++)
			if (strlen(f[i].name) == dn &&
			    memcmp(f[i].name, name, dn) == 0)
				fld = &f[i];
		if (fld == NULL) {
			snprintf(why, whysz, "unexpected form field");
			goto out;
		}
		if (fld->value != NULL) {
			snprintf(why, whysz, "form field '%s' given twice",
			    fld->name);
			goto out;
		}
		if (dv > fld->max) {
			snprintf(why, whysz, "form field '%s' longer than %zu "
			    "bytes", fld->name, fld->max);
			goto out;
		}
		if (!web_utf8_valid((unsigned char *)val, dv)) {
			snprintf(why, whysz, "form field '%s' is not UTF-8",
			    fld->name);
			goto out;
		}
		if (check_controls(val, &dv, fld->flags) != 0) {
			snprintf(why, whysz, "form field '%s' holds a control "
			    "character", fld->name);
			goto out;
		}
		fld->value = val;	/* transferred */
		fld->len = dv;
		val = NULL;
		free(name);
		name = NULL;
		if (amp == NULL)
			break;
		pos += plen + 1;
		if (pos == len) {
			snprintf(why, whysz, "empty field in the form");
			goto out;
		}
	}
	r = 0;	/* success */
out:
	free(name);
	free(val);
	if (r != 0)
		web_form_free(f, nf);
	return r;
}
