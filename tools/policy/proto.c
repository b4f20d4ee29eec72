/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proto.c - strict, bounded reader of Postfix policy delegation requests. */
#include <string.h>

#include "proto.h"

/* Forget the finished request, keep the running count. */
static void
request_reset(struct bp_parser *p)
{
	unsigned long n = p->requests;

	/* the big line buffer needs no clearing: len says what is valid */
	p->nattr = 0;
	p->err = NULL;
	p->have_request = p->have_user = 0;
	p->user[0] = p->client[0] = p->state[0] = '\0';
	p->len = 0;
	p->overlong = 0;
	p->ended = 0;
	p->requests = n;
}

void
bp_init(struct bp_parser *p)
{
	memset(p, 0, sizeof(*p));
}

int
bp_pending(const struct bp_parser *p)
{
	return !p->ended && (p->len > 0 || p->overlong || p->nattr > 0 ||
	    p->err != NULL);
}

static void
defect(struct bp_parser *p, const char *why)
{
	if (p->err == NULL)
		p->err = why;
}

static int
name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > BP_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

static int
has_control(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

/* A value for the log only: cut, controls to '?'. */
static void
keep_info(char *dst, const char *v, size_t n)
{
	size_t i;

	if (n > BP_INFO_MAX)
		n = BP_INFO_MAX;
	for (i = 0; i < n; i++)
		dst[i] = ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) ? '?' :
		    v[i];
	dst[n] = '\0';
}

/* One complete attribute line (p->line, p->len bytes, no LF). */
static void
attribute(struct bp_parser *p)
{
	const char *eq, *v;
	size_t n, vlen, i;

	if (memchr(p->line, '\0', p->len) != NULL) {
		defect(p, "NUL byte");
		return;
	}
	if ((eq = memchr(p->line, '=', p->len)) == NULL) {
		defect(p, "a line without '='");
		return;
	}
	n = (size_t)(eq - p->line);
	if (!name_ok(p->line, n)) {
		defect(p, "an attribute name that is not [a-z0-9_]{1,64}");
		return;
	}
	if (p->nattr == BP_ATTRS_MAX) {
		defect(p, "more than 128 attributes");
		return;
	}
	for (i = 0; i < p->nattr; i++)
		if (strlen(p->names[i]) == n &&
		    memcmp(p->names[i], p->line, n) == 0) {
			defect(p, "an attribute given twice");
			return;
		}
	memcpy(p->names[p->nattr], p->line, n);
	p->names[p->nattr][n] = '\0';
	p->nattr++;
	v = eq + 1;
	vlen = p->len - n - 1;
	if (n == 7 && memcmp(p->line, "request", 7) == 0) {
		if (vlen != 19 || memcmp(v, "smtpd_access_policy", 19) != 0)
			defect(p, "request is not smtpd_access_policy");
		p->have_request = 1;
	} else if (n == 13 && memcmp(p->line, "sasl_username", 13) == 0) {
		if (vlen > BP_USER_MAX)
			defect(p, "sasl_username longer than 255 bytes");
		else if (has_control(v, vlen))
			defect(p, "control character in sasl_username");
		else {
			memcpy(p->user, v, vlen);
			p->user[vlen] = '\0';
			p->have_user = vlen > 0;
		}
	} else if (n == 14 && memcmp(p->line, "client_address", 14) == 0)
		keep_info(p->client, v, vlen);
	else if (n == 14 && memcmp(p->line, "protocol_state", 14) == 0)
		keep_info(p->state, v, vlen);
}

/* A line ended (LF seen): BP_MORE, or the end of a request. */
static enum bp_event
line_end(struct bp_parser *p)
{
	if (p->overlong) {
		defect(p, "a line longer than 4096 bytes");
		p->overlong = 0;
		p->len = 0;
		return BP_MORE;
	}
	if (p->len > 0) {
		attribute(p);
		p->len = 0;
		return BP_MORE;
	}
	/* the empty line: a request ended */
	p->requests++;
	p->ended = 1;
	if (p->nattr == 0 && p->err == NULL)
		defect(p, "an empty request");
	else if (!p->have_request)
		defect(p, "no request=smtpd_access_policy");
	return p->err != NULL ? BP_BAD : BP_REQUEST;
}

enum bp_event
bp_feed(struct bp_parser *p, const char *buf, size_t len, size_t *used)
{
	enum bp_event ev;
	const char *nl;
	size_t i = 0, n;

	/* the fields of the request answered last are dropped now */
	if (p->ended)
		request_reset(p);
	while (i < len) {
		nl = memchr(buf + i, '\n', len - i);
		n = (nl != NULL ? (size_t)(nl - buf) : len) - i;
		if (!p->overlong) {
			if (p->len + n > BP_LINE_MAX) {
				p->overlong = 1;	/* dropped from here */
				p->len = 0;
			} else {
				memcpy(p->line + p->len, buf + i, n);
				p->len += n;
			}
		}
		i += n;
		if (nl == NULL)
			break;
		i++;	/* the LF */
		if ((ev = line_end(p)) != BP_MORE) {
			*used = i;
			return ev;
		}
	}
	*used = i;
	return BP_MORE;
}
