/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail.c - composes the RFC 5322 alert messages that bmsub-check notify hands to sendmail, from the texts of the schedule (schedule.c). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

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
put_subject(struct bm_text *b, const char *subj)
{
	size_t len = strlen(subj), off = 0, n, lim;
	char enc[64];

	if (is_ascii(subj)) {
		bm_text_add(b, "Subject: %s\n", subj);
		return;
	}
	bm_text_add(b, "Subject:");
	while (off < len) {
		/* "Subject: " takes 9 of the first line's 78 */
		lim = off == 0 ? 42 : 45;
		n = len - off > lim ? lim : len - off;
		/* never end a word before a continuation byte */
		while (off + n < len && n > 1 &&
		    ((unsigned char)subj[off + n] & 0xc0) == 0x80)
			n--;
		bmsub_base64_encode((const uint8_t *)subj + off, n, enc);
		bm_text_add(b, " =?UTF-8?B?%s?=\n", enc);
		off += n;
	}
}

/*
 * Appends text to b with its paragraphs wrapped at 72 bytes; lines that
 * begin with a space (commands, figures) are kept as they are.
 */
static void
put_wrapped(struct bm_text *b, const char *text)
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
			bm_text_add(b, "%.*s\n%s", (int)(cut - line), line,
			    indent);
			len -= (size_t)(cut + 1 - line);
			line = cut + 1;
			width = 72 - strlen(indent);
		}
		bm_text_add(b, "%.*s\n", (int)len, line);
		if (nl == NULL)
			break;
		line = nl + 1;
	}
}

/* The body before the figures: what happened, what happens next and
 * what to do, each under its heading. */
static int
put_parts(struct bm_text *b, const struct bm_sched *row,
    const struct bm_vars *v)
{
	static const char *const heading[] = { "What happened",
	    "What happens next", "What to do" };
	const struct bm_piece *part[] = { row->happened, row->next, row->todo };
	size_t i;

	for (i = 0; i < sizeof(part) / sizeof(part[0]); i++) {
		bm_text_add(b, "%s\n\n", heading[i]);
		if (bm_expand_pieces(b, part[i], v) != 0)
			return -1;
		bm_text_add(b, "\n\n");
	}
	return 0;
}

/* The figures every message ends with, and the signature. */
static void
put_figures(struct bm_text *b, const struct bmsub_alert *a,
    const struct bmsub_license *lic, const struct bmsub_eval *ev,
    const struct bm_vars *v, const char *url, const char *host)
{
	bm_text_add(b, "Figures\n\n");
	if (lic != NULL) {
		bm_text_add(b, "  Customer:      %s\n", v->val[BM_V_CUSTOMER]);
		bm_text_add(b, "  License:       %s (%s)\n", v->val[BM_V_ID],
		    v->val[BM_V_KIND]);
		bm_text_add(b, "  Valid through: %s (ends %s)\n",
		    v->val[BM_V_LAST_DAY], v->val[BM_V_EXPIRES]);
		bm_text_add(b, "  Expiry:        %s\n", v->val[BM_V_DAYS_LEFT]);
	}
	bm_text_add(b, "  Phase:         %s, users %s\n",
	    bmsub_date_phase_name(ev->date_phase),
	    bmsub_count_phase_name(ev->count_phase));
	if (ev->have_count)
		bm_text_add(b, "  Users:         %" PRIu64 " counted, %" PRIu64
		    " licensed, ceiling %" PRIu64 "\n", ev->count, ev->users,
		    ev->ceiling);
	else
		bm_text_add(b, "  Users:         not counted (bmsub-check "
		    "refresh), %" PRIu64 " licensed\n", ev->users);
	if (url[0] != '\0')
		bm_text_add(b, "  Admin page:    %s\n", url);
	bm_text_add(b, "  Server:        %s\n", host);
	bm_text_add(b, "  Alert:         %s\n", a->key);
	bm_text_add(b, "\n-- \nbmsub-check notify on %s. Recipients: "
	    "bmsub-check recipients list.\n", host);
}

/* Headers, then the body wrapped. */
static void
put_message(struct bm_text *m, const struct bmsub_alert *a,
    const struct bmsub_mail_params *mp, const char *from, const char *subj,
    const char *body)
{
	char date[BMSUB_TIME_STR_MAX];
	size_t i;

	bmsub_mail_date(mp->date, date, sizeof(date));
	bm_text_add(m, "From: %s\nTo: ", from);
	for (i = 0; i < mp->to->n; i++)
		bm_text_add(m, "%s%s", i > 0 ? ",\n " : "", mp->to->v[i]);
	bm_text_add(m, "\n");
	put_subject(m, subj);
	bm_text_add(m, "Date: %s\nMessage-ID: %s\n"
	    "Auto-Submitted: auto-generated\n"
	    "X-Bmsub-Alert: %s\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=UTF-8\n"
	    "Content-Transfer-Encoding: 8bit\n\n", date, mp->message_id, a->key);
	put_wrapped(m, body);
}

int
bmsub_mail_compose(const struct bmsub_alert *a, const struct bmsub_license *lic,
    const struct bmsub_eval *ev, const struct bmsub_mail_params *mp,
    char **out, struct bmsub_error *err)
{
	int r = BMSUB_E_INTERNAL;
	struct bm_text subj, body, m;
	struct bm_vars v;
	const struct bm_sched *row;
	char *from = NULL, *url = NULL, *host = NULL;

	*out = NULL;
	bm_text_dynamic(&subj);
	bm_text_dynamic(&body);
	bm_text_dynamic(&m);
	if (mp == NULL || mp->to == NULL || mp->to->n == 0 ||
	    mp->from == NULL || mp->message_id == NULL) {
		r = bm_err(err, BMSUB_E_INVALID, 0, "no sender or recipient");
		goto out;
	}
	if ((unsigned)a->kind >= BMSUB_ALERT__COUNT) {
		r = bm_err(err, BMSUB_E_INVALID, 0, "unknown alert kind");
		goto out;
	}
	row = &bm_schedule[a->kind];
	if ((from = clean_dup(mp->from)) == NULL ||
	    (url = clean_dup(mp->admin_url)) == NULL ||
	    (host = clean_dup(mp->hostname)) == NULL) {
		r = bm_err(err, BMSUB_E_NOMEM, 0, NULL);
		goto out;
	}
	bm_vars_init(&v, row, lic, ev);
	if (bm_expand(&subj, row->subject, &v) != 0 ||
	    put_parts(&body, row, &v) != 0) {
		r = bm_err(err, BMSUB_E_INTERNAL, 0, "alert text of %s",
		    row->name);
		goto out;
	}
	put_figures(&body, a, lic, ev, &v, url, host);
	if (subj.failed || body.failed) {
		r = bm_err(err, BMSUB_E_NOMEM, 0, NULL);
		goto out;
	}
	put_message(&m, a, mp, from, subj.buf != NULL ? subj.buf : "",
	    body.buf != NULL ? body.buf : "");
	if (bm_text_take(&m, out, NULL) != 0) {
		r = bm_err(err, BMSUB_E_NOMEM, 0, NULL);
		goto out;
	}
	r = 0; /* success */
 out:
	bm_text_free(&subj);
	bm_text_free(&body);
	bm_text_free(&m);
	free(from);
	free(url);
	free(host);
	return r;
}
