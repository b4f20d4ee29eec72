/* SPDX-License-Identifier: GPL-2.0-or-later */
/* web.h - bmsub-web: the FastCGI responder's parts (forms, page, privileged helper). */
#ifndef BMSUB_WEB_H
#define BMSUB_WEB_H

#include <stddef.h>
#include <stdint.h>

#include "bmsub.h"

/* Caps on what a request may carry. */
#define WEB_BODY_MAX (96 * 1024)	/* a whole POST body */
#define WEB_ADDR_MAX 254		/* an address field */
#define WEB_TOKEN_MAX 128		/* the CSRF token field */
#define WEB_OP_MAX 16			/* the "op" field */

/* ------------------------------------------------------------------ */
/* form.c: strict application/x-www-form-urlencoded and multipart/form-data
 * parsing. */

#define WEB_F_MULTILINE 0x1u	/* LF and CR allowed (CRLF turned into LF) */
#define WEB_F_FILE 0x2u		/* multipart: a file upload (filename=) and
				 * only that; never in an urlencoded form */

struct web_field {
	const char *name;	/* expected field name */
	size_t max;		/* decoded bytes at most */
	unsigned flags;		/* WEB_F_* */
	char *value;		/* malloc'ed, NUL-terminated; NULL if absent */
	size_t len;
};

/*
 * Parses body (len bytes, not NUL-terminated) into f[0..nf-1]. Every pair
 * must be NAME=VALUE with a name in f; '+' is a space; "%XX" two hex
 * digits; decoded values valid UTF-8 without NUL or controls (but LF, CR
 * and TAB for WEB_F_MULTILINE). Errors (-1, why filled): an unknown,
 * duplicated or empty-named field, a bad escape, too long, not UTF-8,
 * a control character, an empty pair ("a=1&&b=2"). Missing fields are not
 * errors here (value NULL). On error every value is freed.
 */
int web_form_parse(const char *body, size_t len, struct web_field *f,
    size_t nf, char *why, size_t whysz);
/*
 * The same for a multipart/form-data body (RFC 7578) whose Content-Type
 * is ct: "multipart/form-data; boundary=B" exactly (B 1..70 characters of
 * RFC 2046). Strict: no preamble, each part CRLF-separated with one
 * Content-Disposition: form-data; name="..." [; filename="..."] and at
 * most a Content-Type (ignored), nothing after the closing delimiter but
 * a CRLF. A part with filename= is a file: only for WEB_F_FILE fields,
 * which take nothing else. Each value gets the checks above (no
 * percent-decoding: it is sent raw).
 */
int web_multipart_parse(const char *ct, const char *body, size_t len,
    struct web_field *f, size_t nf, char *why, size_t whysz);
void web_form_free(struct web_field *f, size_t nf);
/* 1 if s[0..n-1] is valid UTF-8 (no overlong, no surrogate, <= U+10FFFF). */
int web_utf8_valid(const unsigned char *s, size_t n);

/* ------------------------------------------------------------------ */
/* Growable output buffer and escaping (page.c). */

struct web_buf {
	char *p;
	size_t len, cap;
	int oom;		/* an append failed: the buffer is incomplete */
};
void web_buf_free(struct web_buf *b);
void web_buf_add(struct web_buf *b, const char *s, size_t n);
void web_buf_str(struct web_buf *b, const char *s);
void web_buf_printf(struct web_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* HTML text or attribute value: & < > " ' escaped. */
void web_buf_html(struct web_buf *b, const char *s);
/* HTML with every non-ASCII character as a numeric reference: the whole
 * output is printable ASCII (a header value). */
void web_buf_html_ascii(struct web_buf *b, const char *s);
/* A header value: printable ASCII kept but '%', others as %XX. */
void web_buf_pct(struct web_buf *b, const char *s);

/* What the page shows after a POST. */
struct web_notice {
	int error;		/* 1: refused (shown as an error) */
	char text[600];
};

/* The subscription page for rep (an administrator's), with the CSRF token
 * for the forms; notice may be NULL. */
void web_page(struct web_buf *b, const struct bmsub_report *rep,
    const char *user, const char *token, const struct web_notice *notice);
/* The denied message page. */
void web_denied_page(struct web_buf *b, const char *message,
    const char *phase);
/* A short error page (403, 400...). */
void web_error_page(struct web_buf *b, const char *title, const char *text);

/* ------------------------------------------------------------------ */
/* priv.c: the privileged helper (bmsub-web --privileged) and its client. */

enum web_priv_op {
	WEB_PRIV_RCPT_ADD,
	WEB_PRIV_RCPT_REMOVE,
	WEB_PRIV_LICENSE
};
/* Asks the helper at socket_path to do op with data (address or license
 * text) on behalf of user. 0: done; 1: refused (reason in out); -1:
 * the helper could not be reached or answered nonsense (out says). */
int web_priv_call(const char *socket_path, enum web_priv_op op,
    const char *user, const char *data, size_t len, char *out, size_t outsz);
/* Serves the helper on fd 0: a connected socket (systemd Accept=yes: one
 * request) or a listening one (tests: requests one after the other). Peers
 * other than root and allow_user are refused. Returns an exit code. */
int web_priv_serve(const char *conf, const char *allow_user);

#endif /* BMSUB_WEB_H */
