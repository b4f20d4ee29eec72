/* SPDX-License-Identifier: GPL-2.0-or-later */
/* form.c - strict application/x-www-form-urlencoded and multipart/form-data parsing with size caps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/*
 * Stores val (vlen bytes, NUL-terminated, malloc'ed) as the field named
 * name[0..nlen-1] after the checks every value gets; file is 1 for a part
 * that came as a file upload. 0: val is owned by the field; -1: why
 * filled, val still the caller's.
 */
static int
field_set(struct web_field *f, size_t nf, const char *name, size_t nlen,
    char *val, size_t vlen, int file, char *why, size_t whysz)
{
	struct web_field *fld = NULL;
	size_t i;

	for (i = 0; i < nf; i++)
		if (strlen(f[i].name) == nlen && memcmp(f[i].name, name, nlen) == 0)
			fld = &f[i];
	if (fld == NULL) {
		snprintf(why, whysz, "unexpected form field");
		return -1;
	}
	if (fld->value != NULL) {
		snprintf(why, whysz, "form field '%s' given twice", fld->name);
		return -1;
	}
	if (!file != !(fld->flags & WEB_F_FILE)) {
		snprintf(why, whysz, file ? "form field '%s' must not be a "
		    "file upload" : "form field '%s' must be a file upload",
		    fld->name);
		return -1;
	}
	if (vlen > fld->max) {
		snprintf(why, whysz, "form field '%s' longer than %zu bytes",
		    fld->name, fld->max);
		return -1;
	}
	if (!web_utf8_valid((unsigned char *)val, vlen)) {
		snprintf(why, whysz, "form field '%s' is not UTF-8", fld->name);
		return -1;
	}
	if (check_controls(val, &vlen, fld->flags) != 0) {
		snprintf(why, whysz, "form field '%s' holds a control character",
		    fld->name);
		return -1;
	}
	fld->value = val;
	fld->len = vlen;
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

/* What both parsers do first: every field unset, the body neither empty
 * nor over WEB_BODY_MAX. 0, or -1 with why. */
static int
form_start(const char *body, size_t len, struct web_field *f, size_t nf,
    char *why, size_t whysz)
{
	for (size_t i = 0; i < nf; i++) {
		f[i].value = NULL;
		f[i].len = 0;
	}
	if (body == NULL || len == 0) {
		snprintf(why, whysz, "empty form");
		return -1;
	}
	if (len > WEB_BODY_MAX) {
		snprintf(why, whysz, "form larger than %u bytes", WEB_BODY_MAX);
		return -1;
	}
	return 0;
}

int
web_form_parse(const char *body, size_t len, struct web_field *f,
    size_t nf, char *why, size_t whysz)
{
	size_t pos = 0;
	char *name = NULL, *val = NULL;
	int r = -1;

	if (form_start(body, len, f, nf, why, whysz) != 0)
		goto out;
	while (pos <= len) {
		const char *p = body + pos, *amp, *eq;
		size_t plen, nlen, vlen, dn, dv;

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
		if (field_set(f, nf, name, dn, val, dv, 0, why, whysz) != 0)
			goto out;
		val = NULL;	/* transferred */
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

/* RFC 2046's boundary characters, the space excepted. */
static int
bchar(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || strchr("'()+_,-./:=?", c) != NULL;
}

/* The boundary of "multipart/form-data; boundary=B" (B may be quoted),
 * nothing else: 0 and b (1..70 bytes, NUL-terminated), or -1. */
static int
mp_boundary(const char *ct, char *b, size_t bsz)
{
	static const char type[] = "multipart/form-data";
	const char *p = ct;
	size_t n = 0;
	int quoted;

	if (ct == NULL || strncasecmp(p, type, sizeof(type) - 1) != 0)
		return -1;
	p += sizeof(type) - 1;
	p += strspn(p, " \t");
	if (*p++ != ';')
		return -1;
	p += strspn(p, " \t");
	if (strncasecmp(p, "boundary=", 9) != 0)
		return -1;
	p += 9;
	if ((quoted = *p == '"'))
		p++;
	while (*p != '\0' && (bchar(*p) || (quoted && *p == ' '))) {
		if (n + 1 >= bsz || n >= 70)
			return -1;
		b[n++] = *p++;
	}
	b[n] = '\0';
	if (quoted && *p++ != '"')
		return -1;
	p += strspn(p, " \t");
	if (*p != '\0' || n == 0 || b[n - 1] == ' ')
		return -1;
	return 0;
}

/* The quoted value of param (name= or filename=) in a Content-Disposition
 * value: 1 found (val points at it, vlen its length), 0 not, -1 bad. */
static int
mp_param(const char *s, size_t len, const char *param, const char **val,
    size_t *vlen)
{
	size_t pl = strlen(param), i = 0;

	while (i < len) {
		/* "; " param="..." */
		if (s[i] != ';')
			return -1;
		i++;
		while (i < len && s[i] == ' ')
			i++;
		if (len - i > pl + 1 && strncasecmp(s + i, param, pl) == 0 &&
		    s[i + pl] == '=' && s[i + pl + 1] == '"') {
			const char *q = memchr(s + i + pl + 2, '"',
			    len - i - pl - 2);

			if (q == NULL)
				return -1;
			*val = s + i + pl + 2;
			*vlen = (size_t)(q - *val);
			return 1;
		}
		/* another parameter: skip its quoted value */
		while (i < len && s[i] != '=' && s[i] != ';')
			i++;
		if (i + 1 >= len || s[i] != '=' || s[i + 1] != '"')
			return -1;
		{
			const char *q = memchr(s + i + 2, '"', len - i - 2);

			if (q == NULL)
				return -1;
			i = (size_t)(q - s) + 1;
		}
	}
	return 0;
}

/*
 * One part's headers, h[0..hlen-1] (lines ending in CRLF, the blank one
 * excluded): exactly one Content-Disposition: form-data; name="..."
 * [; filename="..."], at most one Content-Type, nothing else.
 */
static int
mp_headers(const char *h, size_t hlen, const char **name, size_t *nlen,
    int *file, char *why, size_t whysz)
{
	static const char cd[] = "content-disposition:", cty[] = "content-type:";
	const char *fn, *end = h + hlen;
	size_t fnl;
	int seen_cd = 0, seen_ct = 0, r;

	*file = 0;
	while (h < end) {
		const char *eol = memchr(h, '\r', (size_t)(end - h)), *v;
		size_t l;

		if (eol == NULL || eol + 1 >= end || eol[1] != '\n') {
			snprintf(why, whysz, "bad line end in a form part");
			return -1;
		}
		l = (size_t)(eol - h);
		for (size_t i = 0; i < l; i++)
			if ((unsigned char)h[i] < 0x20 || (unsigned char)h[i] >= 0x7f) {
				snprintf(why, whysz, "control or non-ASCII byte "
				    "in a form part's header");
				return -1;
			}
		if (l > sizeof(cd) - 1 && strncasecmp(h, cd, sizeof(cd) - 1) == 0) {
			if (seen_cd++) {
				snprintf(why, whysz, "a form part with two "
				    "Content-Disposition headers");
				return -1;
			}
			v = h + sizeof(cd) - 1;
			v += strspn(v, " ");
			if ((size_t)(eol - v) < 9 || strncasecmp(v, "form-data", 9)
			    != 0) {
				snprintf(why, whysz, "a form part that is not "
				    "form-data");
				return -1;
			}
			v += 9;
			if ((r = mp_param(v, (size_t)(eol - v), "name", name,
			    nlen)) != 1 || (r = mp_param(v, (size_t)(eol - v),
			    "filename", &fn, &fnl)) < 0) {
				snprintf(why, whysz, "a form part without a "
				    "well-formed name");
				return -1;
			}
			*file = r == 1;
		} else if (l > sizeof(cty) - 1 && strncasecmp(h, cty,
		    sizeof(cty) - 1) == 0) {
			if (seen_ct++) {
				snprintf(why, whysz, "a form part with two "
				    "Content-Type headers");
				return -1;
			}
		} else {
			snprintf(why, whysz, "unexpected header in a form part");
			return -1;
		}
		h = eol + 2;
	}
	if (!seen_cd) {
		snprintf(why, whysz, "a form part without Content-Disposition");
		return -1;
	}
	return 0;
}

int
web_multipart_parse(const char *ct, const char *body, size_t len,
    struct web_field *f, size_t nf, char *why, size_t whysz)
{
	char b[80], delim[84];
	const char *p, *end = body + len;
	size_t dl;
	char *val = NULL;
	int r = -1;

	if (form_start(body, len, f, nf, why, whysz) != 0)
		goto out;
	if (mp_boundary(ct, b, sizeof(b)) != 0) {
		snprintf(why, whysz, "multipart form without a valid boundary");
		goto out;
	}
	/* "--B" first (no preamble), then CRLF and a part, or "--" */
	dl = (size_t)snprintf(delim, sizeof(delim), "\r\n--%s", b);
	if (len < dl - 2 || memcmp(body, delim + 2, dl - 2) != 0) {
		snprintf(why, whysz, "multipart form not starting with its "
		    "boundary");
		goto out;
	}
	p = body + dl - 2;
	for (;;) {
		const char *hend, *next, *name;
		size_t nlen, vlen;
		int file;

		if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
			p += 2;
			if (p == end || (end - p == 2 && p[0] == '\r' &&
			    p[1] == '\n'))
				break;
			snprintf(why, whysz, "data after the multipart form's "
			    "end");
			goto out;
		}
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n') {
			snprintf(why, whysz, "bad multipart delimiter");
			goto out;
		}
		p += 2;
		/* from the delimiter's CRLF: a part without headers ends
		 * there */
		if ((hend = memmem(p - 2, (size_t)(end - p) + 2, "\r\n\r\n",
		    4)) == NULL || hend - p > 1024) {
			snprintf(why, whysz, "a form part without an end of "
			    "headers");
			goto out;
		}
		if (mp_headers(p, (size_t)(hend + 2 - p), &name, &nlen, &file,
		    why, whysz) != 0)
			goto out;
		p = hend + 4;
		if ((next = memmem(p, (size_t)(end - p), delim, dl)) == NULL) {
			snprintf(why, whysz, "multipart form cut short (no "
			    "closing boundary)");
			goto out;
		}
		vlen = (size_t)(next - p);
		if (nlen == 0 || nlen > 32) {
			snprintf(why, whysz, "a form field name is empty or too "
			    "long");
			goto out;
		}
		if ((val = malloc(vlen + 1)) == NULL) {
			snprintf(why, whysz, "out of memory");
			goto out;
		}
		memcpy(val, p, vlen);
		val[vlen] = '\0';
		if (field_set(f, nf, name, nlen, val, vlen, file, why, whysz)
		    != 0)
			goto out;
		val = NULL;	/* transferred */
		p = next + dl;
	}
	r = 0;	/* success */
out:
	free(val);
	if (r != 0)
		web_form_free(f, nf);
	return r;
}
