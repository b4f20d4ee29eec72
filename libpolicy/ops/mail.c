/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail.c - composes the RFC 5322 alert messages that bmsub-check notify hands to sendmail. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* A growing string; an allocation failure is remembered, not fatal. */
struct sbuf {
	char *p;
	size_t len, cap;
	int oom;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) BM_PRINTF(2, 3);

static void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int w;
	char *np;
	size_t need;

	if (b->oom)
		return;
	va_start(ap, fmt);
	w = vsnprintf(b->p != NULL ? b->p + b->len : NULL,
	    b->p != NULL ? b->cap - b->len : 0, fmt, ap);
	va_end(ap);
	if (w < 0) {
		b->oom = 1;
		return;
	}
	if (b->p != NULL && (size_t)w < b->cap - b->len) {
		b->len += (size_t)w;
		return;
	}
	need = b->len + (size_t)w + 1;
	if (need < 2 * b->cap)
		need = 2 * b->cap;
	if (need < 1024)
		need = 1024;
	if ((np = realloc(b->p, need)) == NULL) {
		b->oom = 1;
		return;
	}
	b->p = np;
	b->cap = need;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)w;
}

void
bmsub_mail_date(int64_t t, char *buf, size_t size)
{
	bmsub_time_str(t, BMSUB_TS_RFC5322, "", buf, size);
}

/* A copy fit for a header or the body: controls become '?'. */
static char *
clean_dup(const char *s)
{
	char *c = strdup(s != NULL ? s : ""), *p;

	if (c == NULL)
		return NULL;
	for (p = c; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return c;
}

static int
is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/*
 * "Subject: ..." plus newline. Non-ASCII text becomes RFC 2047 B
 * encoded-words of at most 45 bytes of UTF-8 (75 characters encoded, 42
 * bytes for the first so that its line stays within 78), cut between
 * characters and folded one per line.
 */
static void
put_subject(struct sbuf *b, const char *subj)
{
	size_t len = strlen(subj), off = 0, n, lim;
	char enc[64];

	if (is_ascii(subj)) {
		sb_printf(b, "Subject: %s\n", subj);
		return;
	}
	sb_printf(b, "Subject:");
	while (off < len) {
		/* "Subject: " takes 9 of the first line's 78 */
		lim = off == 0 ? 42 : 45;
		n = len - off > lim ? lim : len - off;
		/* never end a word before a continuation byte */
		while (off + n < len && n > 1 &&
		    ((unsigned char)subj[off + n] & 0xc0) == 0x80)
			n--;
		bmsub_base64_encode((const uint8_t *)subj + off, n, enc);
		sb_printf(b, " =?UTF-8?B?%s?=\n", enc);
		off += n;
	}
}

/*
 * Appends text to b with its paragraphs wrapped at 72 bytes; lines that
 * begin with a space (commands, figures) are kept as they are.
 */
static void
put_wrapped(struct sbuf *b, const char *text)
{
	const char *line = text, *nl, *cut, *p, *indent;
	size_t len, width;

	while (*line != '\0') {
		nl = strchr(line, '\n');
		len = nl != NULL ? (size_t)(nl - line) : strlen(line);
		/* a "- " list item continues under its text */
		indent = strncmp(line, "- ", 2) == 0 ? "  " : "";
		width = 72;
		while (len > width && line[0] != ' ') {
			for (cut = NULL, p = line; p <= line + width; p++)
				if (*p == ' ')
					cut = p;
			if (cut == NULL)
				break;	/* one long word: keep it whole */
			sb_printf(b, "%.*s\n%s", (int)(cut - line), line,
			    indent);
			len -= (size_t)(cut + 1 - line);
			line = cut + 1;
			width = 72 - strlen(indent);
		}
		sb_printf(b, "%.*s\n", (int)len, line);
		if (nl == NULL)
			break;
		line = nl + 1;
	}
}

/* "2027-07-01 00:00:00 UTC" */
static void
when(int64_t t, char *buf, size_t size)
{
	bmsub_time_str(t, BMSUB_TS_HUMAN, "(no date)", buf, size);
}

/* The last day a license covers: the day of E - 1 second. */
static void
last_day(int64_t e, char *buf, size_t size)
{
	bmsub_time_str(e, BMSUB_TS_LAST_DAY, "(no date)", buf, size);
}

static const char *
days_word(int64_t d)
{
	return d == 1 || d == -1 ? "day" : "days";
}

int
bmsub_mail_compose(const struct bmsub_alert *a, const struct bmsub_license *lic,
    const struct bmsub_eval *ev, const struct bmsub_mail_params *mp,
    char **out, struct bmsub_error *err)
{
	int r = BMSUB_E_INTERNAL;
	struct sbuf b = { NULL, 0, 0, 0 }, subj = { NULL, 0, 0, 0 };
	char *cust = NULL, *from = NULL, *url = NULL, *host = NULL;
	char date[40], lday[16], wexp[40], wblock[40], wobl[40], wover[40];
	char wwarn[40];
	const char *kind = lic != NULL ? bmsub_kind_name(lic->kind) : "";
	const char *id = lic != NULL ? lic->id : "";
	int64_t dl = ev->days_left;
	size_t i;

	*out = NULL;
	if (mp == NULL || mp->to == NULL || mp->to->n == 0 ||
	    mp->from == NULL || mp->message_id == NULL) {
		r = bm_err(err, BMSUB_E_INVALID, 0, "no sender or recipient");
		goto out;
	}
	if ((cust = clean_dup(lic != NULL ? lic->customer : "")) == NULL ||
	    (from = clean_dup(mp->from)) == NULL ||
	    (url = clean_dup(mp->admin_url)) == NULL ||
	    (host = clean_dup(mp->hostname)) == NULL) {
		r = bm_err(err, BMSUB_E_NOMEM, 0, NULL);
		goto out;
	}
	bmsub_mail_date(mp->date, date, sizeof(date));
	last_day(ev->expires, lday, sizeof(lday));
	when(ev->expires, wexp, sizeof(wexp));
	when(ev->block_at, wblock, sizeof(wblock));
	when(ev->over_block_at, wobl, sizeof(wobl));
	when(ev->over_since, wover, sizeof(wover));
	when(ev->warning_at, wwarn, sizeof(wwarn));

	/* Subject, then the body's "what happened / next / to do". */
	switch (a->kind) {
	case BMSUB_ALERT_EXPIRY_2M:
	case BMSUB_ALERT_EXPIRY_1M:
		sb_printf(&subj, "[bmsub] %s: license %s expires on %s "
		    "(%" PRId64 " %s left)", cust, id, lday, dl, days_word(dl));
		sb_printf(&b, "What happened\n\n"
		    "The bmsub license %s of %s is valid through %s: it "
		    "ends at %s, in %" PRId64 " %s.\n\n", id, cust, lday, wexp,
		    dl, days_word(dl));
		sb_printf(&b, "What happens next\n\n");
		if (a->kind == BMSUB_ALERT_EXPIRY_2M)
			sb_printf(&b, "- from %s, administrators see a banner "
			    "at login;\n", wwarn);
		if (ev->block_at != ev->expires)
			sb_printf(&b, "- from %s, every user sees a banner and "
			    "administrators are sent to the admin page;\n", wexp);
		sb_printf(&b, "- from %s, every login (IMAP, POP, "
		    "ActiveSync, webmail, SMTP) is denied. Incoming mail "
		    "keeps flowing.\n\n", wblock);
		sb_printf(&b, "What to do\n\n"
		    "Order the renewal now and install the new license with\n"
		    "  bmsub-check install FILE\n"
		    "Installing it stops these alerts at once.\n\n");
		break;
	case BMSUB_ALERT_GRACE:
		sb_printf(&subj, "[bmsub] %s: license %s has EXPIRED, logins "
		    "will be blocked on %.10s", cust, id, wblock);
		sb_printf(&b, "What happened\n\n"
		    "The bmsub license %s of %s expired at %s. Users can still "
		    "log in during the grace period, with a banner; "
		    "administrators are sent to the admin page.\n\n"
		    "What happens next\n\n"
		    "From %s every login (IMAP, POP, ActiveSync, webmail, SMTP) "
		    "is denied. Incoming mail keeps flowing. This alert is "
		    "repeated every 2 days.\n\n"
		    "What to do\n\n"
		    "Install a renewed license now with\n"
		    "  bmsub-check install FILE\n\n", id, cust, wexp, wblock);
		break;
	case BMSUB_ALERT_BLOCKED:
	case BMSUB_ALERT_TRIAL_ENDED:
		if (a->kind == BMSUB_ALERT_TRIAL_ENDED)
			sb_printf(&subj, "[bmsub] %s: trial license %s has "
			    "ended, logins are BLOCKED", cust, id);
		else
			sb_printf(&subj, "[bmsub] %s: license %s expired, "
			    "logins are BLOCKED", cust, id);
		sb_printf(&b, "What happened\n\n"
		    "The bmsub %s license %s of %s expired at %s. Since %s "
		    "every login (IMAP, POP, ActiveSync, webmail, SMTP) is "
		    "denied; administrators are sent to the admin page on "
		    "web services. Incoming mail keeps flowing.\n\n"
		    "What happens next\n\n"
		    "Logins stay blocked until a valid license is installed.%s"
		    "\n\n"
		    "What to do\n\n"
		    "Install a valid license with\n"
		    "  bmsub-check install FILE\n"
		    "Logins are allowed again at once.\n\n", kind, id, cust,
		    wexp, wblock, a->kind == BMSUB_ALERT_BLOCKED ?
		    " This alert is repeated every 2 days." : "");
		break;
	case BMSUB_ALERT_INVALID:
		sb_printf(&subj, "[bmsub] no valid license (%s), logins are "
		    "BLOCKED", bmsub_err_token(ev->license_err != 0 ?
		    ev->license_err : BMSUB_E_NOT_YET_VALID));
		sb_printf(&b, "What happened\n\n"
		    "bmsub finds no valid license: %s (%s). Every login "
		    "(IMAP, POP, ActiveSync, webmail, SMTP) is denied; "
		    "administrators are sent to the admin page on web "
		    "services. Incoming mail keeps flowing.\n\n"
		    "What happens next\n\n"
		    "Logins stay blocked until a valid license is installed. "
		    "This alert is repeated every 2 days.\n\n"
		    "What to do\n\n"
		    "Check the license with\n"
		    "  bmsub-check status\n"
		    "and install a valid one with\n"
		    "  bmsub-check install FILE\n\n",
		    bmsub_strerror(ev->license_err != 0 ? ev->license_err :
		    BMSUB_E_NOT_YET_VALID), bmsub_err_token(ev->license_err !=
		    0 ? ev->license_err : BMSUB_E_NOT_YET_VALID));
		break;
	case BMSUB_ALERT_OVER:
		sb_printf(&subj, "[bmsub] %s: %" PRIu64 " users, more than "
		    "the %" PRIu64 " licensed", cust, ev->count, ev->users);
		sb_printf(&b, "What happened\n\n"
		    "%" PRIu64 " users are counted, more than the %" PRIu64
		    " that license %s of %s allows, since %s. Administrators "
		    "see a banner.%s\n\n"
		    "What happens next\n\n"
		    "If the count is still above %" PRIu64 " at %s, every "
		    "login (IMAP, POP, ActiveSync, webmail, SMTP) is denied. "
		    "This alert is repeated every 7 days until then.\n\n"
		    "What to do\n\n"
		    "Remove users (or exclude technical accounts with "
		    "users.exclude) and recount with\n"
		    "  bmsub-check refresh\n"
		    "or order a license for more users and install it with\n"
		    "  bmsub-check install FILE\n\n", ev->count, ev->users, id,
		    cust, wover, ev->ceiling_reached ?
		    " No user can be created (the ceiling is reached)." : "",
		    ev->users, wobl);
		break;
	case BMSUB_ALERT_OVER_BLOCKED:
		sb_printf(&subj, "[bmsub] %s: logins are BLOCKED, %" PRIu64
		    " users for %" PRIu64 " licensed", cust, ev->count,
		    ev->users);
		sb_printf(&b, "What happened\n\n"
		    "%" PRIu64 " users have been counted since %s, more than "
		    "the %" PRIu64 " that license %s of %s allows, for over a "
		    "month. Since %s every login (IMAP, POP, ActiveSync, "
		    "webmail, SMTP) is denied; administrators are sent to the "
		    "admin page on web services. Incoming mail keeps "
		    "flowing.\n\n"
		    "What happens next\n\n"
		    "Logins stay blocked until the count is back to %" PRIu64
		    " or less, or a license for more users is installed.\n\n"
		    "What to do\n\n"
		    "Remove users and recount with\n"
		    "  bmsub-check refresh\n"
		    "or install a license for more users with\n"
		    "  bmsub-check install FILE\n\n", ev->count, wover,
		    ev->users, id, cust, wobl, ev->users);
		break;
	default:
		r = bm_err(err, BMSUB_E_INVALID, 0, "unknown alert kind");
		goto out;
	}

	/* Figures */
	sb_printf(&b, "Figures\n\n");
	if (lic != NULL) {
		sb_printf(&b, "  Customer:      %s\n", cust);
		sb_printf(&b, "  License:       %s (%s)\n", id, kind);
		sb_printf(&b, "  Valid through: %s (ends %s)\n", lday, wexp);
		sb_printf(&b, "  Days left:     %" PRId64 "\n", dl);
	}
	sb_printf(&b, "  Phase:         %s, users %s\n",
	    bmsub_date_phase_name(ev->date_phase),
	    bmsub_count_phase_name(ev->count_phase));
	if (ev->have_count)
		sb_printf(&b, "  Users:         %" PRIu64 " counted, %" PRIu64
		    " licensed, ceiling %" PRIu64 "\n", ev->count, ev->users,
		    ev->ceiling);
	else
		sb_printf(&b, "  Users:         not counted (bmsub-check "
		    "refresh), %" PRIu64 " licensed\n", ev->users);
	if (mp->admin_url != NULL && mp->admin_url[0] != '\0')
		sb_printf(&b, "  Admin page:    %s\n", url);
	sb_printf(&b, "  Server:        %s\n", host);
	sb_printf(&b, "  Alert:         %s\n", a->key);
	sb_printf(&b, "\n-- \nbmsub-check notify on %s. Recipients: "
	    "bmsub-check recipients list.\n", host);

	/* Headers, then the body. */
	{
		struct sbuf m = { NULL, 0, 0, 0 };

		sb_printf(&m, "From: %s\nTo: ", from);
		for (i = 0; i < mp->to->n; i++)
			sb_printf(&m, "%s%s", i > 0 ? ",\n " : "",
			    mp->to->v[i]);
		sb_printf(&m, "\n");
		if (!subj.oom)
			put_subject(&m, subj.p != NULL ? subj.p : "");
		sb_printf(&m, "Date: %s\nMessage-ID: %s\n"
		    "Auto-Submitted: auto-generated\n"
		    "X-Bmsub-Alert: %s\n"
		    "MIME-Version: 1.0\n"
		    "Content-Type: text/plain; charset=UTF-8\n"
		    "Content-Transfer-Encoding: 8bit\n\n", date,
		    mp->message_id, a->key);
		if (b.p != NULL)
			put_wrapped(&m, b.p);
		if (m.oom || b.oom || subj.oom) {
			free(m.p);
			r = bm_err(err, BMSUB_E_NOMEM, 0, NULL);
			goto out;
		}
		*out = m.p;	/* transferred */
	}
	r = 0; /* success */
 out:
	free(b.p);
	free(subj.p);
	free(cust);
	free(from);
	free(url);
	free(host);
	return r;
}
