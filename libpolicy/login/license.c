/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* license.c - strict parser and Ed25519 verifier of license files (SPEC 1). */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "internal.h"

static const char armor_begin[] = "-----BEGIN BMSUB LICENSE-----";
static const char armor_sig[] = "-----BEGIN BMSUB SIGNATURE-----";
static const char armor_end[] = "-----END BMSUB LICENSE-----";

/* Known fields, in the order bmsub-sign writes them. */
enum field {
	F_FORMAT,
	F_ID,
	F_CUSTOMER,
	F_KIND,
	F_ISSUED,
	F_STARTS,
	F_EXPIRES,
	F_USERS,
	F_GRACE,
	F_ALLOWANCE,
	F_KEY,
	F__COUNT
};

static const struct {
	const char *name;
	int required;
} fields[F__COUNT] = {
	[F_FORMAT] = { "format", 1 },
	[F_ID] = { "id", 1 },
	[F_CUSTOMER] = { "customer", 1 },
	[F_KIND] = { "kind", 1 },
	[F_ISSUED] = { "issued", 1 },
	[F_STARTS] = { "starts", 0 },
	[F_EXPIRES] = { "expires", 1 },
	[F_USERS] = { "users", 1 },
	[F_GRACE] = { "grace-days", 0 },
	[F_ALLOWANCE] = { "allowance-percent", 0 },
	[F_KEY] = { "key", 1 },
};

static const char *const kind_names[] = {
	[BMSUB_KIND_PROD] = "prod",
	[BMSUB_KIND_HOST] = "host",
	[BMSUB_KIND_TRIAL] = "trial",
	[BMSUB_KIND_FREE] = "free",
};

const char *
bmsub_kind_name(enum bmsub_kind k)
{
	if ((unsigned)k >= sizeof(kind_names) / sizeof(kind_names[0]))
		return "unknown";
	return kind_names[k];
}

/* Parser state that the verifier also needs. */
struct parse_info {
	unsigned field_line[F__COUNT];	/* 0 when absent */
	unsigned sig_line;		/* line of the base64 signature */
};

/*
 * Names of the x- fields seen, for the duplicate rule: an open-addressing
 * hash set of (offset, length) into the buffer, sized from the number of
 * lines so that a 64 KiB file of tiny x- lines stays linear.
 */
struct xset {
	const char *buf;
	size_t *off;	/* offset + 1 (0 = empty slot) */
	size_t *len;
	size_t cap;	/* power of two, > 2 * lines */
};

static int
xset_init(struct xset *x, const char *buf, size_t len)
{
	size_t lines = 1, i;

	for (i = 0; i < len; i++)
		if (buf[i] == '\n')
			lines++;
	x->buf = buf;
	for (x->cap = 16; x->cap <= 2 * lines; x->cap *= 2)
		;
	x->off = calloc(x->cap, sizeof(*x->off));
	x->len = calloc(x->cap, sizeof(*x->len));
	return (x->off == NULL || x->len == NULL) ? BMSUB_E_NOMEM : 0;
}

static void
xset_free(struct xset *x)
{
	free(x->off);
	free(x->len);
}

/* Adds name [off, off + n): 0 if new, 1 if already there. */
static int
xset_add(struct xset *x, size_t off, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i, s;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)x->buf[off + i]) * 16777619u;
	for (s = h & (x->cap - 1); x->off[s] != 0; s = (s + 1) & (x->cap - 1))
		if (x->len[s] == n &&
		    memcmp(x->buf + x->off[s] - 1, x->buf + off, n) == 0)
			return 1;
	x->off[s] = off + 1;
	x->len[s] = n;
	return 0;
}

/* One RFC 3629 UTF-8 character at s[*i] (no overlong forms, no
 * surrogates, nothing above U+10FFFF) into *cp, *i moved past it; -1 on
 * a malformed sequence (*i then moved by one byte). */
static int
utf8_next(const unsigned char *s, size_t n, size_t *i, uint32_t *cp)
{
	size_t k, more, j = *i;
	unsigned char c = s[j++], lo = 0x80, hi = 0xbf;
	uint32_t x;

	*i = j;
	if (c < 0x80) {
		*cp = c;
		return 0;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		more = 1;
		x = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		more = 2;
		x = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (c == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		more = 3;
		x = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;	/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else
		return -1;
	if (n - j < more)
		return -1;
	for (k = 0; k < more; k++, j++) {
		if (s[j] < lo || s[j] > hi)
			return -1;
		x = (x << 6) | (s[j] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*i = j;
	*cp = x;
	return 0;
}

static int
utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;
	uint32_t cp;

	while (i < n)
		if (utf8_next(s, n, &i, &cp) != 0)
			return 0;
	return 1;
}

/* Characters that reorder the text around them on screen (a customer
 * name that reads differently from its bytes). */
static int
is_bidi(uint32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) ||	/* embeddings, overrides */
	    (cp >= 0x2066 && cp <= 0x2069) ||		/* isolates */
	    cp == 0x200e || cp == 0x200f || cp == 0x061c;	/* marks */
}

/* Unicode blanks other than ASCII space and tab (those are the syntax
 * rule), refused at either end of a value. */
static int
is_ublank(uint32_t cp)
{
	return cp == 0x00a0 || cp == 0x1680 ||
	    (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 ||
	    cp == 0x202f || cp == 0x205f || cp == 0x3000 || cp == 0xfeff;
}

/*
 * The rule of every value (SPEC 1: non-empty, no blank at either end, no
 * control character), name (nl bytes) for the message. The ASCII cases
 * keep their token "syntax" (the line's shape, as the golden files pin);
 * the Unicode ones are the value's fault, "field-value": C1 and bidi
 * controls anywhere, U+FEFF anywhere, a Unicode blank at either end.
 * Malformed UTF-8 is skipped here and left to the field's own rule.
 */
static int
value_check(const char *name, size_t nl, const char *v, size_t vn,
    unsigned line, struct bmsub_error *err)
{
	const unsigned char *u = (const unsigned char *)v;
	size_t i, at;
	uint32_t cp;

	if (vn == 0)
		return bm_err(err, BMSUB_E_SYNTAX, line, "%.*s: empty value",
		    (int)nl, name);
	if (v[0] == ' ' || v[0] == '\t' || v[vn - 1] == ' ' ||
	    v[vn - 1] == '\t')
		return bm_err(err, BMSUB_E_SYNTAX, line,
		    "%.*s: blank at the start or end of the value", (int)nl,
		    name);
	for (i = 0; i < vn; i++)
		if (u[i] < 0x20 || u[i] == 0x7f)
			return bm_err(err, BMSUB_E_SYNTAX, line,
			    "%.*s: control character in the value", (int)nl,
			    name);
	for (i = 0; i < vn; ) {
		at = i;
		if (utf8_next(u, vn, &i, &cp) != 0)
			continue;
		if (cp >= 0x80 && cp <= 0x9f)
			return bm_err(err, BMSUB_E_FIELD_VALUE, line,
			    "%.*s: C1 control character U+%04X in the value",
			    (int)nl, name, (unsigned)cp);
		if (is_bidi(cp))
			return bm_err(err, BMSUB_E_FIELD_VALUE, line,
			    "%.*s: bidirectional control U+%04X in the value",
			    (int)nl, name, (unsigned)cp);
		if (cp == 0xfeff)
			return bm_err(err, BMSUB_E_FIELD_VALUE, line,
			    "%.*s: U+FEFF (byte order mark) in the value",
			    (int)nl, name);
		if (is_ublank(cp) && (at == 0 || i == vn))
			return bm_err(err, BMSUB_E_FIELD_VALUE, line,
			    "%.*s: blank U+%04X at the %s of the value",
			    (int)nl, name, (unsigned)cp,
			    at == 0 ? "start" : "end");
	}
	return 0;
}

int
bmsub_license_value_check(const char *name, const char *value,
    struct bmsub_error *err)
{
	int r;

	if (name == NULL || value == NULL)
		return bm_err(err, BMSUB_E_INVALID, 0, "no name or value");
	if ((r = value_check(name, strlen(name), value, strlen(value), 0,
	    err)) != 0)
		return r;
	bm_err_clear(err);
	return 0;
}

/* Decimal without sign or leading zero, at most max. */
static int
parse_uint(const char *v, uint32_t max, uint32_t *out)
{
	uint64_t x = 0;
	const char *p;

	if (v[0] == '\0' || (v[0] == '0' && v[1] != '\0'))
		return -1;
	for (p = v; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		x = x * 10 + (uint64_t)(*p - '0');
		if (x > max)
			return -1;
	}
	*out = (uint32_t)x;
	return 0;
}

/* 16 lowercase hex digits (the spec's form, so one id has one
 * spelling), decoded by libsodium. */
static int
parse_keyid(const char *v, uint8_t id[BMSUB_KEYID_LEN])
{
	size_t n = strlen(v), got = 0;
	const char *end = NULL;

	if (n != 2 * BMSUB_KEYID_LEN ||
	    strspn(v, "0123456789abcdef") != n ||
	    sodium_hex2bin(id, BMSUB_KEYID_LEN, v, n, NULL, &got, &end) != 0 ||
	    got != BMSUB_KEYID_LEN || end != v + n)
		return -1;
	return 0;
}

/* One known field's value (NUL-terminated copy) into lic. */
static int
set_field(enum field f, const char *v, size_t n, unsigned line,
    struct bmsub_license *lic, struct bmsub_error *err)
{
	const char *name = fields[f].name;
	size_t i;

	switch (f) {
	case F_FORMAT:
		if (strcmp(v, "1") != 0)
			return bm_err(err, BMSUB_E_FIELD_VALUE, line,
			    "format: unsupported format \"%s\" (want 1)", v);
		break;
	case F_ID:
		if (n > 64)
			goto bad;
		for (i = 0; i < n; i++)
			if (!((v[i] >= 'A' && v[i] <= 'Z') ||
			    (v[i] >= 'a' && v[i] <= 'z') ||
			    (v[i] >= '0' && v[i] <= '9') ||
			    v[i] == '.' || v[i] == '_' || v[i] == '-'))
				goto bad;
		memcpy(lic->id, v, n + 1);
		break;
	case F_CUSTOMER:
		if (n > 200 || !utf8_valid((const unsigned char *)v, n))
			return bm_err(err, BMSUB_E_FIELD_VALUE, line,
			    "customer: not 1-200 bytes of valid UTF-8");
		memcpy(lic->customer, v, n + 1);
		break;
	case F_KIND:
		for (i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
			if (strcmp(v, kind_names[i]) == 0)
				break;
		if (i == sizeof(kind_names) / sizeof(kind_names[0]))
			goto bad;
		lic->kind = (enum bmsub_kind)i;
		break;
	case F_ISSUED:
		if (bmsub_time_parse(v, 0, &lic->issued) != 0)
			goto bad;
		break;
	case F_STARTS:
		if (bmsub_time_parse(v, 0, &lic->starts) != 0)
			goto bad;
		break;
	case F_EXPIRES:
		if (bmsub_time_parse(v, 1, &lic->expires) != 0)
			goto bad;
		break;
	case F_USERS:
		if (parse_uint(v, BMSUB_USERS_MAX, &lic->users) != 0 ||
		    lic->users == 0)
			return bm_err(err, BMSUB_E_FIELD_VALUE, line,
			    "users: \"%.64s\" is not a number 1-%u", v,
			    BMSUB_USERS_MAX);
		break;
	case F_GRACE:
		if (parse_uint(v, 365, &lic->grace_days) != 0)
			return bm_err(err, BMSUB_E_FIELD_VALUE, line,
			    "grace-days: \"%.64s\" is not a number 0-365", v);
		break;
	case F_ALLOWANCE:
		if (parse_uint(v, 100, &lic->allowance_percent) != 0)
			return bm_err(err, BMSUB_E_FIELD_VALUE, line,
			    "allowance-percent: \"%.64s\" is not a number "
			    "0-100", v);
		break;
	case F_KEY:
		if (parse_keyid(v, lic->key_id) != 0)
			return bm_err(err, BMSUB_E_FIELD_VALUE, line,
			    "key: \"%.64s\" is not 16 lowercase hex digits", v);
		break;
	default:
		return bm_err(err, BMSUB_E_INTERNAL, line, "bad field index");
	}
	return 0;
 bad:
	return bm_err(err, BMSUB_E_FIELD_VALUE, line, "%s: invalid value "
	    "\"%.64s\"", name, v);
}

/*
 * One body line "name: value". The separator is exactly ": " right after
 * the name; the value may itself contain colons (an x- URL, a customer
 * name), but no control character, and no blank at either end
 * (value_check).
 */
static int
body_line(const char *buf, size_t off, size_t n, unsigned line,
    struct xset *xs, struct parse_info *pi, struct bmsub_license *lic,
    struct bmsub_error *err)
{
	const char *s = buf + off, *v;
	char val[BMSUB_LICENSE_LINE_MAX + 1];
	size_t nl, vn;
	int f, r;

	if (n == 0)
		return bm_err(err, BMSUB_E_SYNTAX, line,
		    "blank line inside the license body");
	if (s[0] < 'a' || s[0] > 'z')
		return bm_err(err, BMSUB_E_SYNTAX, line,
		    "a field name must start with a-z");
	for (nl = 1; nl < n && ((s[nl] >= 'a' && s[nl] <= 'z') ||
	    (s[nl] >= '0' && s[nl] <= '9') || s[nl] == '-'); nl++)
		;
	if (nl == n || s[nl] != ':')
		return bm_err(err, BMSUB_E_SYNTAX, line,
		    "expected \"name: value\" (name of a-z, 0-9, -)");
	if (nl + 1 == n || s[nl + 1] != ' ')
		return bm_err(err, BMSUB_E_SYNTAX, line,
		    "expected one space after \"%.*s:\"", (int)nl, s);
	v = s + nl + 2;
	vn = n - nl - 2;
	if ((r = value_check(s, nl, v, vn, line, err)) != 0)
		return r;
	for (f = 0; f < F__COUNT; f++)
		if (strlen(fields[f].name) == nl &&
		    memcmp(fields[f].name, s, nl) == 0)
			break;
	if (f == F__COUNT) {
		if (nl < 2 || memcmp(s, "x-", 2) != 0)
			return bm_err(err, BMSUB_E_FIELD_UNKNOWN, line,
			    "unknown field \"%.*s\"", (int)nl, s);
		if (xset_add(xs, off, nl))
			return bm_err(err, BMSUB_E_FIELD_DUP, line,
			    "field \"%.*s\" given twice", (int)nl, s);
		if (!utf8_valid((const unsigned char *)v, vn))
			return bm_err(err, BMSUB_E_FIELD_VALUE, line,
			    "%.*s: not valid UTF-8", (int)nl, s);
		return 0;
	}
	if (pi->field_line[f] != 0)
		return bm_err(err, BMSUB_E_FIELD_DUP, line,
		    "field \"%s\" given twice (first on line %u)",
		    fields[f].name, pi->field_line[f]);
	pi->field_line[f] = line;
	memcpy(val, v, vn);
	val[vn] = '\0';
	return set_field((enum field)f, val, vn, line, lic, err);
}

/* Rules between fields, once the body is complete. */
static int
check_fields(const struct parse_info *pi, struct bmsub_license *lic,
    struct bmsub_error *err)
{
	int f;

	for (f = 0; f < F__COUNT; f++)
		if (fields[f].required && pi->field_line[f] == 0)
			return bm_err(err, BMSUB_E_FIELD_MISSING,
			    pi->sig_line - 1, "required field \"%s\" missing",
			    fields[f].name);
	if (lic->expires < lic->issued)
		return bm_err(err, BMSUB_E_FIELD_VALUE,
		    pi->field_line[F_EXPIRES], "expires: before issued");
	if (lic->starts != BMSUB_TIME_NONE && lic->expires < lic->starts)
		return bm_err(err, BMSUB_E_FIELD_VALUE,
		    pi->field_line[F_EXPIRES], "expires: before starts");
	if (lic->kind == BMSUB_KIND_FREE && lic->users > BMSUB_FREE_USERS_MAX)
		return bm_err(err, BMSUB_E_FIELD_VALUE,
		    pi->field_line[F_USERS], "users: a free license allows "
		    "at most %u", BMSUB_FREE_USERS_MAX);
	if (pi->field_line[F_GRACE] == 0)
		lic->grace_days = lic->kind == BMSUB_KIND_TRIAL ? 0 : 10;
	if (pi->field_line[F_ALLOWANCE] == 0)
		lic->allowance_percent = 10;
	return 0;
}

static int
line_is(const char *s, size_t n, const char *want)
{
	return n == strlen(want) && memcmp(s, want, n) == 0;
}

/* Rules every line obeys, inside the armor or not: length, no CR, no NUL. */
static int
line_check(const char *p, size_t n, unsigned line, struct bmsub_error *err)
{
	size_t i;

	if (n > BMSUB_LICENSE_LINE_MAX)
		return bm_err(err, BMSUB_E_TOO_LARGE, line,
		    "line of %zu bytes, at most %d allowed", n,
		    BMSUB_LICENSE_LINE_MAX);
	for (i = 0; i < n; i++)
		if (p[i] == '\r' || p[i] == '\0')
			return bm_err(err, BMSUB_E_SYNTAX, line,
			    "%s character (only LF line ends)",
			    p[i] == '\r' ? "CR" : "NUL");
	return 0;
}

enum armor { BEFORE, BODY, SIG, END, AFTER };

/* Where a parse stands, line after line. */
struct cursor {
	enum armor st;
	unsigned line, begin_line;
	struct xset xs;
};

/* Moves the armor state machine over one line (off, n bytes). */
static int
armor_step(const char *buf, size_t off, size_t n, struct cursor *c,
    struct bmsub_license *lic, struct parse_info *pi,
    struct bmsub_error *err)
{
	const char *p = buf + off;
	size_t siglen;

	if (c->st != BEFORE && line_is(p, n, armor_begin))
		return bm_err(err, BMSUB_E_SYNTAX, c->line,
		    "second BEGIN line (first on line %u)", c->begin_line);
	switch (c->st) {
	case BEFORE:
		if (line_is(p, n, armor_begin)) {
			c->st = BODY;
			c->begin_line = c->line;
			lic->signed_off = off;
		}
		return 0;
	case BODY:
		if (line_is(p, n, armor_sig)) {
			c->st = SIG;
			lic->signed_len = off - lic->signed_off;
			return 0;
		}
		if (line_is(p, n, armor_end))
			return bm_err(err, BMSUB_E_SYNTAX, c->line,
			    "END line before the SIGNATURE line");
		return body_line(buf, off, n, c->line, &c->xs, pi, lic, err);
	case SIG:
		pi->sig_line = c->line;
		if (bmsub_base64_decode(p, n, lic->signature,
		    sizeof(lic->signature), &siglen) != 0 ||
		    siglen != sizeof(lic->signature))
			return bm_err(err, BMSUB_E_SYNTAX, c->line,
			    "signature is not one line of canonical "
			    "base64 of 64 bytes");
		c->st = END;
		return 0;
	case END:
		if (!line_is(p, n, armor_end))
			return bm_err(err, BMSUB_E_SYNTAX, c->line,
			    "expected \"%s\"", armor_end);
		c->st = AFTER;
		return 0;
	case AFTER:
	default:
		return 0;
	}
}

/*
 * One pass over the lines, in order, so the first defect of the file is
 * the one reported. Lines are counted over the whole file (1-based); a
 * line's length excludes its LF. The CR, NUL and length rules hold for
 * every line, inside the armor or not.
 */
static int
parse(const char *buf, size_t len, struct bmsub_license *lic,
    struct parse_info *pi, struct bmsub_error *err)
{
	struct cursor c = { BEFORE, 0, 0, { NULL, NULL, NULL, 0 } };
	int r = BMSUB_E_INTERNAL;
	const char *lf;
	size_t off = 0, n;

	memset(lic, 0, sizeof(*lic));
	memset(pi, 0, sizeof(*pi));
	lic->starts = BMSUB_TIME_NONE;
	if (len > BMSUB_LICENSE_MAX) {
		r = bm_err(err, BMSUB_E_TOO_LARGE, 0,
		    "%zu bytes, at most %d allowed", len, BMSUB_LICENSE_MAX);
		goto out;
	}
	if ((r = xset_init(&c.xs, buf, len)) != 0) {
		r = bm_err(err, r, 0, "out of memory");
		goto out;
	}
	while (off < len) {
		c.line++;
		lf = memchr(buf + off, '\n', len - off);
		n = lf != NULL ? (size_t)(lf - (buf + off)) : len - off;
		if ((r = line_check(buf + off, n, c.line, err)) != 0 ||
		    (r = armor_step(buf, off, n, &c, lic, pi, err)) != 0)
			goto out;
		off += n + (lf != NULL);
	}
	if (c.st != AFTER) {
		r = bm_err(err, BMSUB_E_SYNTAX, c.st == BEFORE ? 0 : c.line,
		    "no \"%s\" line", c.st == BEFORE ? armor_begin :
		    c.st == BODY ? armor_sig : armor_end);
		goto out;
	}
	if ((r = check_fields(pi, lic, err)) != 0)
		goto out;
	bm_err_clear(err);
	r = 0; /* success */
 out:
	xset_free(&c.xs);
	if (r != 0) {
		/* never a partial accept: nothing of a bad file survives */
		memset(lic, 0, sizeof(*lic));
		lic->starts = BMSUB_TIME_NONE;
	}
	return r;
}

int
bmsub_license_parse(const char *buf, size_t len, struct bmsub_license *lic,
    struct bmsub_error *err)
{
	struct parse_info pi;

	return parse(buf, len, lic, &pi, err);
}

/* The key is looked up before the signature is checked, so an untrusted
 * signer is reported as such (naming its id), not as a bad signature. */
int
bmsub_license_verify(const char *buf, size_t len,
    const struct bmsub_keyring *kr, struct bmsub_license *lic,
    struct bmsub_error *err)
{
	int r = BMSUB_E_INTERNAL;
	struct parse_info pi;
	const uint8_t *pk = NULL;
	char idhex[2 * BMSUB_KEYID_LEN + 1];

	if (sodium_init() < 0) {
		memset(lic, 0, sizeof(*lic));
		lic->starts = BMSUB_TIME_NONE;
		return bm_err(err, BMSUB_E_CRYPTO, 0, "sodium_init failed");
	}
	if ((r = parse(buf, len, lic, &pi, err)) != 0)
		return r;
	if (bm_keyring_find(kr, lic->key_id, &pk) != 0) {
		bmsub_hex(lic->key_id, BMSUB_KEYID_LEN, idhex);
		r = bm_err(err, BMSUB_E_UNKNOWN_KEY, pi.field_line[F_KEY],
		    "signed by key %s, which is not trusted", idhex);
		goto out;
	}
	if (crypto_sign_verify_detached(lic->signature,
	    (const unsigned char *)buf + lic->signed_off, lic->signed_len,
	    pk) != 0) {
		r = bm_err(err, BMSUB_E_BAD_SIGNATURE, pi.sig_line,
		    "the signature does not match the license");
		goto out;
	}
	bm_err_clear(err);
	r = 0; /* success */
 out:
	if (r != 0) {
		memset(lic, 0, sizeof(*lic));
		lic->starts = BMSUB_TIME_NONE;
	}
	return r;
}

int
bmsub_license_load(const char *path, const struct bmsub_keyring *kr,
    struct bmsub_license *lic, struct bmsub_error *err)
{
	int r = BMSUB_E_INTERNAL;
	char *buf = NULL;
	size_t len;
	struct bmsub_error e;

	memset(lic, 0, sizeof(*lic));
	lic->starts = BMSUB_TIME_NONE;
	if ((r = bmsub_file_read(path, BMSUB_LICENSE_MAX, &buf, &len,
	    err)) != 0) {
		if (r == BMSUB_E_NOT_FOUND)
			r = bm_err(err, BMSUB_E_NO_LICENSE, 0,
			    "%s: no license installed", path);
		goto out;
	}
	if ((r = bmsub_license_verify(buf, len, kr, lic, &e)) != 0) {
		r = bm_err(err, r, e.line, "%s: %s", path, e.msg);
		goto out;
	}
	bm_err_clear(err);
	r = 0; /* success */
 out:
	free(buf);
	return r;
}
