/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* err.c - error tokens and messages, the error and log helpers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const struct {
	const char *token;
	const char *text;
} errtab[] = {
	/* index is -code */
	{ "ok", "success" },
	{ "internal", "internal error" },
	{ "no-memory", "out of memory" },
	{ "io", "input/output error" },
	{ "not-found", "file not found" },
	{ "not-regular-file", "not a regular file" },
	{ "insecure-permissions", "writable by group or others, or owned by another user" },
	{ "too-large", "too large" },
	{ "syntax", "syntax error" },
	{ "field-missing", "a required field is missing" },
	{ "field-unknown", "unknown field" },
	{ "field-duplicate", "field given twice" },
	{ "field-value", "invalid field value" },
	{ "unknown-key", "signed by a key that is not trusted" },
	{ "bad-signature", "the signature does not match" },
	{ "bad-key", "not an Ed25519 public key" },
	{ "config", "invalid configuration" },
	{ "corrupt", "file damaged" },
	{ "lock", "could not take the state lock" },
	{ "invalid-argument", "invalid argument" },
	{ "not-yet-valid", "the license is not valid yet" },
	{ "crypto", "the crypto library could not start" },
	{ "no-license", "no license installed" },
	{ "nss", "user or group lookup failed" },
};

const char *
bmsub_err_token(int err)
{
	if (err > 0 || -err >= (int)(sizeof(errtab) / sizeof(errtab[0])))
		return "unknown";
	return errtab[-err].token;
}

const char *
bmsub_strerror(int err)
{
	if (err > 0 || -err >= (int)(sizeof(errtab) / sizeof(errtab[0])))
		return "unknown error";
	return errtab[-err].text;
}

int
bm_err(struct bmsub_error *err, int code, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	err->line = line;
	if (fmt == NULL) {
		snprintf(err->msg, sizeof(err->msg), "%s", bmsub_strerror(code));
		return code;
	}
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

void
bm_err_clear(struct bmsub_error *err)
{
	if (err == NULL)
		return;
	err->code = 0;
	err->line = 0;
	err->msg[0] = '\0';
}

void
bm_log(const struct bmsub_log *log, int priority, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (log == NULL || log->fn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log->fn(log->arg, priority, buf);
}

int
bm_strlist_add(struct bmsub_strlist *l, const char *s)
{
	char **v;
	char *c;

	if ((c = strdup(s)) == NULL)
		return BMSUB_E_NOMEM;
	if ((v = realloc(l->v, (l->n + 1) * sizeof(*v))) == NULL) {
		free(c);
		return BMSUB_E_NOMEM;
	}
	v[l->n++] = c;
	l->v = v;
	return BMSUB_OK;
}

void
bmsub_strlist_free(struct bmsub_strlist *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
