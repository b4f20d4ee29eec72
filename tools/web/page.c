/* SPDX-License-Identifier: GPL-2.0-or-later */
/* page.c - the HTML of bmsub-web: the subscription page, the denied page, escaping. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

void
web_buf_free(struct web_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void
web_buf_add(struct web_buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
web_buf_str(struct web_buf *b, const char *s)
{
	web_buf_add(b, s, strlen(s));
}

void
web_buf_printf(struct web_buf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		b->oom = 1;	/* callers print only short figures */
		return;
	}
	web_buf_add(b, tmp, (size_t)n);
}

static const char *
html_entity(char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&#39;";
	default: return NULL;
	}
}

void
web_buf_html(struct web_buf *b, const char *s)
{
	const char *run = s, *e;

	for (; *s != '\0'; s++) {
		if ((e = html_entity(*s)) == NULL)
			continue;
		web_buf_add(b, run, (size_t)(s - run));
		web_buf_str(b, e);
		run = s + 1;
	}
	web_buf_add(b, run, (size_t)(s - run));
}

void
web_buf_html_ascii(struct web_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;

	if (!web_utf8_valid(p, n)) {
		web_buf_str(b, "?");
		return;
	}
	while (i < n) {
		unsigned c = p[i], cp, k, need;
		const char *e;

		if (c < 0x80) {
			if ((e = html_entity((char)c)) != NULL)
				web_buf_str(b, e);
			else if (c >= 0x20 && c < 0x7f)
				web_buf_add(b, (const char *)p + i, 1);
			i++;
			continue;
		}
		need = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
		cp = c & (0x3f >> need);
		for (k = 1; k <= need; k++)
			cp = (cp << 6) | (p[i + k] & 0x3f);
		web_buf_printf(b, "&#%u;", cp);
		i += need + 1;
	}
}

void
web_buf_pct(struct web_buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f && c != '%')
			web_buf_add(b, s, 1);
		else
			web_buf_printf(b, "%%%02X", c);
	}
}

/* ------------------------------------------------------------------ */

static const char css[] =
    "body{font-family:system-ui,sans-serif;margin:0 auto;max-width:52em;"
    "padding:1em;line-height:1.4;color:#1c1c1c}"
    "h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em;border-bottom:"
    "1px solid #ccc}"
    "table{border-collapse:collapse;width:100%}td,th{text-align:left;"
    "padding:.25em .5em;border-bottom:1px solid #eee;vertical-align:top}"
    ".banner{background:#fff3cd;border:1px solid #e0c36c;padding:.6em;"
    "margin:.5em 0}"
    ".ok{background:#d9f2dd;border:1px solid #7cc48a;padding:.6em}"
    ".err{background:#f8d7da;border:1px solid #d9828a;padding:.6em}"
    ".phase{font-weight:bold}.past{color:#777}"
    "textarea{width:100%;font-family:monospace;font-size:.85em}"
    "input[type=email]{width:min(100%,22em)}"
    "button{padding:.3em .9em}form.inline{display:inline}"
    "@media (max-width:30em){td,th{display:block;border:0}}";

static void
head(struct web_buf *b, const char *title)
{
	web_buf_str(b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width,"
	    "initial-scale=1\"><title>");
	web_buf_html(b, title);
	web_buf_str(b, "</title><style>");
	web_buf_str(b, css);
	web_buf_str(b, "</style></head>\n<body>\n");
}

static void
row(struct web_buf *b, const char *k, const char *v)
{
	web_buf_str(b, "<tr><th>");
	web_buf_html(b, k);
	web_buf_str(b, "</th><td>");
	web_buf_html(b, v);
	web_buf_str(b, "</td></tr>\n");
}

static void
row_time(struct web_buf *b, const char *k, int64_t t)
{
	char d[BMSUB_TIME_STR_MAX];

	row(b, k, bmsub_time_str(t, BMSUB_TS_HUMAN, "-", d, sizeof(d)));
}

static void
token_field(struct web_buf *b, const char *token)
{
	web_buf_str(b, "<input type=\"hidden\" name=\"token\" value=\"");
	web_buf_html(b, token);
	web_buf_str(b, "\">");
}

static void
license_part(struct web_buf *b, const struct bmsub_report *rep)
{
	const struct bmsub_license *l = &rep->license.lic;
	char d[BMSUB_TIME_STR_MAX], n[64];

	web_buf_str(b, "<h2>License</h2>\n");
	if (rep->license.err != 0) {
		web_buf_str(b, "<p class=\"err\">No valid license: ");
		web_buf_html(b, bmsub_err_token(rep->license.err));
		web_buf_str(b, " &mdash; ");
		web_buf_html(b, rep->license.error.msg[0] ?
		    rep->license.error.msg : bmsub_strerror(rep->license.err));
		web_buf_str(b, "</p>\n");
		return;
	}
	web_buf_str(b, "<table>\n");
	row(b, "Customer", l->customer);
	row(b, "Id", l->id);
	row(b, "Kind", bmsub_kind_name(l->kind));
	row(b, "Issued", bmsub_time_str(l->issued, BMSUB_TS_DATE, "-", d,
	    sizeof(d)));
	if (l->starts != BMSUB_TIME_NONE)
		row_time(b, "Starts", l->starts);
	row(b, "Valid through", bmsub_time_str(l->expires, BMSUB_TS_LAST_DAY,
	    "-", d, sizeof(d)));
	snprintf(n, sizeof(n), "%" PRIu32, l->users);
	row(b, "Licensed users", n);
	snprintf(n, sizeof(n), "%" PRIu32, l->grace_days);
	row(b, "Grace days", n);
	web_buf_str(b, "</table>\n");
}

static void
status_part(struct web_buf *b, const struct bmsub_report *rep)
{
	const struct bmsub_eval *ev = &rep->eval;
	struct bmsub_verdict v;
	char n[96];

	bmsub_decide(ev, 0, BMSUB_CAT_WEBMAIL, rep->recipients.list.n > 0,
	    rep->config->admin_url, &v);
	web_buf_str(b, "<h2>Status</h2>\n<table>\n");
	web_buf_str(b, "<tr><th>Phase</th><td class=\"phase\" id=\"phase\">");
	web_buf_html(b, v.phase);
	web_buf_str(b, "</td></tr>\n");
	row(b, "Date phase", bmsub_date_phase_name(ev->date_phase));
	row(b, "Count phase", bmsub_count_phase_name(ev->count_phase));
	if (rep->license.err == 0) {
		snprintf(n, sizeof(n), "%" PRId64, ev->days_left);
		row(b, "Days left", n);
	}
	if (ev->have_count)
		snprintf(n, sizeof(n), "%" PRIu64, ev->count);
	else
		snprintf(n, sizeof(n), "unknown (no refresh yet)");
	row(b, "Users counted", n);
	snprintf(n, sizeof(n), "%" PRIu64, ev->users);
	row(b, "Licensed (limit)", n);
	snprintf(n, sizeof(n), "%" PRIu64 "%s", ev->ceiling,
	    ev->ceiling_reached ? " (reached: no user can be created)" : "");
	row(b, "Ceiling", n);
	row(b, "Users' access", v.decision == BMSUB_DENY ? "denied" :
	    "allowed");
	if (ev->next_event != BMSUB_TIME_NONE) {
		char d[BMSUB_TIME_STR_MAX];

		snprintf(n, sizeof(n), "%s at %s", ev->next_event_what ?
		    ev->next_event_what : "?", bmsub_time_str(ev->next_event,
		    BMSUB_TS_HUMAN, "-", d, sizeof(d)));
		row(b, "Next", n);
	}
	web_buf_str(b, "</table>\n");
}

static void
banners_part(struct web_buf *b, const struct bmsub_report *rep)
{
	struct bmsub_verdict u, a;
	int have = rep->recipients.list.n > 0;

	bmsub_decide(&rep->eval, 0, BMSUB_CAT_WEBMAIL, have,
	    rep->config->admin_url, &u);
	bmsub_decide(&rep->eval, 1, BMSUB_CAT_WEBMAIL, have,
	    rep->config->admin_url, &a);
	if (a.banner[0] != '\0') {
		web_buf_str(b, "<p class=\"banner\" id=\"banner-admins\">");
		web_buf_html(b, a.banner);
		web_buf_str(b, "</p>\n");
	}
	if (u.banner[0] != '\0' && strcmp(u.banner, a.banner) != 0) {
		web_buf_str(b, "<p class=\"banner\" id=\"banner-users\">Users see: ");
		web_buf_html(b, u.banner);
		web_buf_str(b, "</p>\n");
	}
}

static void
timeline_part(struct web_buf *b, const struct bmsub_report *rep)
{
	size_t i;

	web_buf_str(b, "<h2>Timeline</h2>\n");
	if (rep->events.n == 0) {
		web_buf_str(b, "<p>No dated event (no valid license).</p>\n");
		return;
	}
	web_buf_str(b, "<table>\n");
	for (i = 0; i < rep->events.n; i++) {
		const struct bmsub_event *e = &rep->events.v[i];
		char d[BMSUB_TIME_STR_MAX];

		web_buf_str(b, i < rep->events.next ? "<tr class=\"past\"><td>" :
		    "<tr><td>");
		web_buf_html(b, bmsub_time_str(e->at, BMSUB_TS_HUMAN, "-", d,
		    sizeof(d)));
		web_buf_str(b, "</td><td>");
		web_buf_html(b, e->text);
		web_buf_str(b, "</td></tr>\n");
	}
	web_buf_str(b, "</table>\n");
	if (rep->events.total > rep->events.n)
		web_buf_printf(b, "<p>%zu more events not shown.</p>\n",
		    rep->events.total - rep->events.n);
}

static void
recipients_part(struct web_buf *b, const struct bmsub_report *rep,
    const char *token)
{
	const struct bmsub_strlist *l = &rep->recipients.list;
	size_t i;

	web_buf_str(b, "<h2>Alert recipients</h2>\n");
	if (rep->recipients.err != 0) {
		web_buf_str(b, "<p class=\"err\">");
		web_buf_html(b, rep->recipients.error.msg);
		web_buf_str(b, "</p>\n");
	} else if (l->n == 0)
		web_buf_str(b, "<p id=\"no-recipient\">No recipient: no alert "
		    "email can be sent.</p>\n");
	web_buf_str(b, "<ul id=\"recipients\">\n");
	for (i = 0; i < l->n; i++) {
		web_buf_str(b, "<li>");
		web_buf_html(b, l->v[i]);
		web_buf_str(b, " <form class=\"inline\" method=\"post\" "
		    "action=\"recipients\">");
		token_field(b, token);
		web_buf_str(b, "<input type=\"hidden\" name=\"op\" "
		    "value=\"remove\"><input type=\"hidden\" name=\"address\" "
		    "value=\"");
		web_buf_html(b, l->v[i]);
		web_buf_str(b, "\"><button type=\"submit\">Remove</button>"
		    "</form></li>\n");
	}
	web_buf_str(b, "</ul>\n<form method=\"post\" action=\"recipients\">");
	token_field(b, token);
	web_buf_str(b, "<input type=\"hidden\" name=\"op\" value=\"add\">"
	    "<label>Add <input type=\"email\" name=\"address\" id=\"address\" "
	    "required maxlength=\"254\" placeholder=\"ops@example.com\">"
	    "</label> <button type=\"submit\" id=\"add\">Add</button></form>\n");
}

static void
install_part(struct web_buf *b, const char *token)
{
	web_buf_str(b, "<h2>Install a renewed license</h2>\n"
	    "<form method=\"post\" action=\"license\" "
	    "enctype=\"multipart/form-data\">");
	token_field(b, token);
	web_buf_str(b, "<p><label for=\"license_file\">Upload the license "
	    "file the vendor sent:</label> <input type=\"file\" "
	    "name=\"license_file\" id=\"license_file\" "
	    "accept=\".lic,.txt,text/plain\"></p>"
	    "<p><label for=\"license\">or paste it:</label></p>"
	    "<textarea name=\"license\" id=\"license\" rows=\"12\" "
	    "placeholder=\"-----BEGIN BMSUB LICENSE-----\"></textarea>"
	    "<p><button type=\"submit\" id=\"install\">Install</button></p>"
	    "</form>\n");
}

void
web_page(struct web_buf *b, const struct bmsub_report *rep,
    const char *user, const char *token, const struct web_notice *notice)
{
	head(b, "Subscription");
	web_buf_str(b, "<h1>Subscription</h1>\n<p>Signed in as <b>");
	web_buf_html(b, user);
	web_buf_str(b, "</b>.</p>\n");
	if (notice != NULL && notice->text[0] != '\0') {
		web_buf_str(b, notice->error ? "<p class=\"err\" id=\"notice\">" :
		    "<p class=\"ok\" id=\"notice\">");
		web_buf_html(b, notice->text);
		web_buf_str(b, "</p>\n");
	}
	banners_part(b, rep);
	status_part(b, rep);
	license_part(b, rep);
	recipients_part(b, rep, token);
	install_part(b, token);
	timeline_part(b, rep);
	web_buf_str(b, "</body></html>\n");
}

void
web_denied_page(struct web_buf *b, const char *message, const char *phase)
{
	head(b, "Access suspended");
	web_buf_str(b, "<h1>Access suspended</h1>\n<p class=\"err\" "
	    "id=\"message\">");
	web_buf_html(b, message);
	web_buf_str(b, "</p>\n<p>Phase: <span class=\"phase\">");
	web_buf_html(b, phase);
	web_buf_str(b, "</span>. Please contact your administrator.</p>\n"
	    "</body></html>\n");
}

void
web_error_page(struct web_buf *b, const char *title, const char *text)
{
	head(b, title);
	web_buf_str(b, "<h1>");
	web_buf_html(b, title);
	web_buf_str(b, "</h1>\n<p class=\"err\" id=\"message\">");
	web_buf_html(b, text);
	web_buf_str(b, "</p>\n</body></html>\n");
}
