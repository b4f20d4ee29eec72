/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.c - bmsub.conf (SPEC section 2): strict libconfig reader, defaults
 * and the PAM service to category mapping. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "internal.h"

/* The folders of the built-in license, keys_dir and state_dir: the
 * Makefile passes $(SYSCONFDIR)/bmsub and $(LOCALSTATEDIR)/lib/bmsub. */
#ifndef BMSUB_CONFDIR
#define BMSUB_CONFDIR "/etc/bmsub"
#endif
#ifndef BMSUB_STATEDIR
#define BMSUB_STATEDIR "/var/lib/bmsub"
#endif

#define BM_CONFIG_MAX 65536
#define BM_CONFIG_STR_MAX 4095
/* Every message that names admin_url names it whole: the longest one,
 * "Too many users (C for N licensed): remove users or extend the
 * subscription at URL.", is 105 bytes besides the URL with a 20-digit C,
 * and a message holds BMSUB_BANNER_MAX - 1 = 511 (PAM_MAX_MSG_SIZE is 512
 * too): 400 leaves room. test_decide checks every message with a URL of
 * this length. */
#define BM_CONFIG_URL_MAX BMSUB_ADMIN_URL_MAX

static const char *const category_names[BMSUB_CAT__COUNT] = {
	[BMSUB_CAT_IMAP] = "imap",
	[BMSUB_CAT_EAS] = "eas",
	[BMSUB_CAT_WEBMAIL] = "webmail",
	[BMSUB_CAT_SMTP] = "smtp",
	[BMSUB_CAT_ADMIN] = "admin",
	[BMSUB_CAT_OTHER] = "other",
};

/* Default PAM service names per category; conf/bmsub.conf documents them. */
static const char *const def_imap[] = { "imap", "imaps", "pop3", "pop3s",
    "pop", "dovecot", "sieve", "managesieve", NULL };
static const char *const def_eas[] = { "eas", "activesync", "z-push", NULL };
static const char *const def_webmail[] = { "webmail", "nginx", "roundcube",
    "sogo", NULL };
static const char *const def_smtp[] = { "smtp", "smtps", "submission", NULL };
static const char *const def_admin[] = { "bmsub-admin", NULL };
static const char *const *const def_services[BMSUB_CAT__COUNT] = {
	[BMSUB_CAT_IMAP] = def_imap,
	[BMSUB_CAT_EAS] = def_eas,
	[BMSUB_CAT_WEBMAIL] = def_webmail,
	[BMSUB_CAT_SMTP] = def_smtp,
	[BMSUB_CAT_ADMIN] = def_admin,
	[BMSUB_CAT_OTHER] = NULL,
};

const char *
bmsub_category_name(enum bmsub_category c)
{
	if ((unsigned)c >= BMSUB_CAT__COUNT)
		return "other";
	return category_names[c];
}

int
bmsub_category_parse(const char *s, enum bmsub_category *out)
{
	int i;

	*out = BMSUB_CAT_OTHER;
	if (s == NULL)
		return BMSUB_E_INVALID;
	for (i = 0; i < BMSUB_CAT__COUNT; i++) {
		if (strcmp(s, category_names[i]) == 0) {
			*out = (enum bmsub_category)i;
			return BMSUB_OK;
		}
	}
	return BMSUB_E_INVALID;
}

int
bmsub_category_is_web(enum bmsub_category c)
{
	return c == BMSUB_CAT_WEBMAIL || c == BMSUB_CAT_ADMIN;
}

void
bmsub_config_free(struct bmsub_config *cfg)
{
	int i;

	if (cfg == NULL)
		return;
	free(cfg->license);
	free(cfg->keys_dir);
	free(cfg->state_dir);
	free(cfg->admin_url);
	bmsub_strlist_free(&cfg->admin_users);
	bmsub_strlist_free(&cfg->admin_groups);
	bmsub_strlist_free(&cfg->user_groups);
	free(cfg->user_roster);
	bmsub_strlist_free(&cfg->user_exclude);
	for (i = 0; i < BMSUB_CAT__COUNT; i++)
		bmsub_strlist_free(&cfg->services[i]);
	free(cfg->sendmail);
	free(cfg->notify_from);
	bmsub_strlist_free(&cfg->local_domains);
	bmsub_strlist_free(&cfg->external_groups);
	free(cfg->external_roster);
	free(cfg->cluster_database);
	free(cfg->cluster_node);
	free(cfg);
}

static int
set_str(char **dst, const char *s)
{
	char *c;

	if ((c = strdup(s)) == NULL)
		return BMSUB_E_NOMEM;
	free(*dst);
	*dst = c;
	return BMSUB_OK;
}

static int
set_list(struct bmsub_strlist *l, const char *const *v)
{
	int r;

	bmsub_strlist_free(l);
	for (; v != NULL && *v != NULL; v++) {
		if ((r = bm_strlist_add(l, *v)) != 0)
			return r;
	}
	return BMSUB_OK;
}

int
bmsub_config_defaults(struct bmsub_config **out)
{
	static const char *const def_admins[] = { "admin0", NULL };
	struct bmsub_config *cfg = NULL;
	int r = BMSUB_E_INTERNAL, i;

	*out = NULL;
	if ((cfg = calloc(1, sizeof(*cfg))) == NULL)
		return BMSUB_E_NOMEM;
	cfg->cluster_node_timeout_hours = 48;
	cfg->cluster_claim_lease_seconds = 900;
	if ((r = set_str(&cfg->license, BMSUB_CONFDIR "/license")) != 0 ||
	    (r = set_str(&cfg->keys_dir, BMSUB_CONFDIR "/keys.d")) != 0 ||
	    (r = set_str(&cfg->state_dir, BMSUB_STATEDIR)) != 0 ||
	    (r = set_str(&cfg->sendmail, "/usr/sbin/sendmail")) != 0 ||
	    (r = set_list(&cfg->admin_users, def_admins)) != 0)
		goto out;
	for (i = 0; i < BMSUB_CAT__COUNT; i++) {
		if ((r = set_list(&cfg->services[i], def_services[i])) != 0)
			goto out;
	}
	*out = cfg;
	cfg = NULL; /* transferred */
	r = 0; /* success */
 out:
	bmsub_config_free(cfg);
	return r;
}

/* ------------------------------------------------------------------ */
/* Strict reader. Each key has a value rule; a group key has children. */

enum val_rule {
	V_GROUP,	/* a group of further keys */
	V_PATH,		/* absolute path */
	V_URL,		/* http:// or https:// URL */
	V_WORD,		/* a single token: no blanks or control characters,
			 * not starting with '-' (it may reach a command line) */
	V_WORDS,	/* list or array of V_WORD */
	V_BOOL,		/* true or false, into an int */
	V_TEXT,		/* printable text, blanks allowed (a libpq conninfo) */
	V_HOURS,	/* integer 1..8760, into an int */
	V_SECONDS,	/* integer 180..86400, into an int */
};

/* The bounded integer rules: their range and the unit named in errors. */
static const struct {
	long long min, max;
	const char *unit;
} int_rules[] = {
	[V_HOURS] = { 1, 8760, "hours" },
	[V_SECONDS] = { 180, 86400, "seconds" },
};

struct key_rule {
	const char *name;
	enum val_rule rule;
	size_t off;			/* offset in struct bmsub_config */
	const struct key_rule *children; /* V_GROUP: NULL-named terminated */
};

#define CFG_OFF(f) offsetof(struct bmsub_config, f)

static const struct key_rule admins_keys[] = {
	{ "users", V_WORDS, CFG_OFF(admin_users), NULL },
	{ "groups", V_WORDS, CFG_OFF(admin_groups), NULL },
	{ NULL, 0, 0, NULL },
};
static const struct key_rule external_keys[] = {
	{ "groups", V_WORDS, CFG_OFF(external_groups), NULL },
	{ "roster", V_PATH, CFG_OFF(external_roster), NULL },
	{ NULL, 0, 0, NULL },
};
static const struct key_rule users_keys[] = {
	{ "groups", V_WORDS, CFG_OFF(user_groups), NULL },
	{ "roster", V_PATH, CFG_OFF(user_roster), NULL },
	{ "exclude", V_WORDS, CFG_OFF(user_exclude), NULL },
	{ "external", V_GROUP, 0, external_keys },
	{ "hosted_only", V_BOOL, CFG_OFF(hosted_only), NULL },
	{ NULL, 0, 0, NULL },
};
static const struct key_rule services_keys[] = {
	{ "imap", V_WORDS, CFG_OFF(services[BMSUB_CAT_IMAP]), NULL },
	{ "eas", V_WORDS, CFG_OFF(services[BMSUB_CAT_EAS]), NULL },
	{ "webmail", V_WORDS, CFG_OFF(services[BMSUB_CAT_WEBMAIL]), NULL },
	{ "smtp", V_WORDS, CFG_OFF(services[BMSUB_CAT_SMTP]), NULL },
	{ "admin", V_WORDS, CFG_OFF(services[BMSUB_CAT_ADMIN]), NULL },
	{ NULL, 0, 0, NULL },
};
static const struct key_rule notify_keys[] = {
	{ "sendmail", V_PATH, CFG_OFF(sendmail), NULL },
	{ "from", V_WORD, CFG_OFF(notify_from), NULL },
	{ "local_domains", V_WORDS, CFG_OFF(local_domains), NULL },
	{ NULL, 0, 0, NULL },
};
static const struct key_rule cluster_keys[] = {
	{ "database", V_TEXT, CFG_OFF(cluster_database), NULL },
	{ "node", V_WORD, CFG_OFF(cluster_node), NULL },
	{ "node_timeout_hours", V_HOURS, CFG_OFF(cluster_node_timeout_hours),
	    NULL },
	{ "claim_lease_seconds", V_SECONDS,
	    CFG_OFF(cluster_claim_lease_seconds), NULL },
	{ NULL, 0, 0, NULL },
};
static const struct key_rule top_keys[] = {
	{ "license", V_PATH, CFG_OFF(license), NULL },
	{ "keys_dir", V_PATH, CFG_OFF(keys_dir), NULL },
	{ "state_dir", V_PATH, CFG_OFF(state_dir), NULL },
	{ "admin_url", V_URL, CFG_OFF(admin_url), NULL },
	{ "admins", V_GROUP, 0, admins_keys },
	{ "users", V_GROUP, 0, users_keys },
	{ "services", V_GROUP, 0, services_keys },
	{ "notify", V_GROUP, 0, notify_keys },
	{ "cluster", V_GROUP, 0, cluster_keys },
	{ NULL, 0, 0, NULL },
};

static int
has_ctl_or_blank(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return 1;
	}
	return 0;
}

/* Checks one string against rule (V_WORDS elements use V_WORD). */
static int
check_string(const char *key, const char *s, enum val_rule rule,
    unsigned line, struct bmsub_error *err)
{
	if (*s == '\0')
		return bm_err(err, BMSUB_E_CONFIG, line,
		    "%s: empty string", key);
	if (strlen(s) > BM_CONFIG_STR_MAX ||
	    (rule == V_URL && strlen(s) > BM_CONFIG_URL_MAX))
		return bm_err(err, BMSUB_E_CONFIG, line,
		    "%s: longer than %d bytes", key, rule == V_URL ?
		    BM_CONFIG_URL_MAX : BM_CONFIG_STR_MAX);
	if (rule == V_TEXT) {
		for (; *s != '\0'; s++)
			if ((unsigned char)*s < 0x20 || *s == 0x7f)
				return bm_err(err, BMSUB_E_CONFIG, line,
				    "%s: control character", key);
		return BMSUB_OK;
	}
	if (has_ctl_or_blank(s))
		return bm_err(err, BMSUB_E_CONFIG, line,
		    "%s: blank or control character in \"%.64s\"", key, s);
	switch (rule) {
	case V_PATH:
		if (s[0] != '/')
			return bm_err(err, BMSUB_E_CONFIG, line,
			    "%s: absolute path expected, not \"%.64s\"", key, s);
		break;
	case V_URL:
		if ((strncmp(s, "https://", 8) != 0 || s[8] == '\0') &&
		    (strncmp(s, "http://", 7) != 0 || s[7] == '\0'))
			return bm_err(err, BMSUB_E_CONFIG, line,
			    "%s: URL starting with https:// or http:// "
			    "expected, not \"%.64s\"", key, s);
		break;
	default:
		if (s[0] == '-')
			return bm_err(err, BMSUB_E_CONFIG, line,
			    "%s: \"%.64s\" must not start with '-'", key, s);
		break;
	}
	return BMSUB_OK;
}

static int
read_value(const config_setting_t *s, const struct key_rule *k,
    const char *key, struct bmsub_config *cfg, struct bmsub_error *err)
{
	unsigned line = config_setting_source_line(s);
	const config_setting_t *e;
	struct bmsub_strlist l = { NULL, 0 };
	const char *v;
	char ekey[160];
	int r = BMSUB_E_INTERNAL, i, n;

	if (k->rule == V_BOOL) {
		if (config_setting_type(s) != CONFIG_TYPE_BOOL)
			return bm_err(err, BMSUB_E_CONFIG, line,
			    "%s: true or false expected", key);
		*(int *)((char *)cfg + k->off) =
		    config_setting_get_bool(s) != 0;
		return BMSUB_OK;
	}
	if (k->rule == V_HOURS || k->rule == V_SECONDS) {
		long long h, lo = int_rules[k->rule].min,
		    hi = int_rules[k->rule].max;

		if (config_setting_type(s) != CONFIG_TYPE_INT &&
		    config_setting_type(s) != CONFIG_TYPE_INT64)
			return bm_err(err, BMSUB_E_CONFIG, line,
			    "%s: whole number of %s expected", key,
			    int_rules[k->rule].unit);
		h = config_setting_get_int64(s);
		if (config_setting_type(s) == CONFIG_TYPE_INT)
			h = config_setting_get_int(s);
		if (h < lo || h > hi)
			return bm_err(err, BMSUB_E_CONFIG, line,
			    "%s: %lld out of range %lld..%lld", key, h, lo, hi);
		*(int *)((char *)cfg + k->off) = (int)h;
		return BMSUB_OK;
	}
	if (k->rule != V_WORDS) {
		if (config_setting_type(s) != CONFIG_TYPE_STRING)
			return bm_err(err, BMSUB_E_CONFIG, line,
			    "%s: string expected", key);
		v = config_setting_get_string(s);
		if ((r = check_string(key, v, k->rule, line, err)) != 0)
			return r;
		if ((r = set_str((char **)((char *)cfg + k->off), v)) != 0)
			return bm_err(err, r, line, "%s: out of memory", key);
		return BMSUB_OK;
	}
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST)
		return bm_err(err, BMSUB_E_CONFIG, line,
		    "%s: list of strings expected", key);
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned)i);
		snprintf(ekey, sizeof(ekey), "%s[%d]", key, i);
		if (e == NULL || config_setting_type(e) != CONFIG_TYPE_STRING) {
			r = bm_err(err, BMSUB_E_CONFIG,
			    e != NULL ? config_setting_source_line(e) : line,
			    "%s: string expected (%s is a list of strings)",
			    ekey, key);
			goto out;
		}
		v = config_setting_get_string(e);
		if ((r = check_string(ekey, v, V_WORD,
		    config_setting_source_line(e), err)) != 0)
			goto out;
		if ((r = bm_strlist_add(&l, v)) != 0) {
			r = bm_err(err, r, line, "%s: out of memory", key);
			goto out;
		}
	}
	bmsub_strlist_free((struct bmsub_strlist *)((char *)cfg + k->off));
	*(struct bmsub_strlist *)((char *)cfg + k->off) = l;
	l.v = NULL; /* transferred */
	l.n = 0;
	r = 0; /* success */
 out:
	bmsub_strlist_free(&l);
	return r;
}

static const struct key_rule *
find_key(const struct key_rule *keys, const char *name)
{
	for (; keys->name != NULL; keys++) {
		if (strcmp(keys->name, name) == 0)
			return keys;
	}
	return NULL;
}

/* Lines where the keys that need cross-checks were given (0 = absent). */
struct seen {
	unsigned user_groups, user_roster, hosted_only;
	unsigned services[BMSUB_CAT__COUNT];
};

static int
read_group(const config_setting_t *g, const struct key_rule *keys,
    const char *prefix, struct bmsub_config *cfg, struct seen *seen,
    struct bmsub_error *err)
{
	const config_setting_t *s;
	const struct key_rule *k;
	const char *name;
	char key[128];
	unsigned line;
	int r, i, n;

	n = config_setting_length(g);
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(g, (unsigned)i);
		if (s == NULL)
			return bm_err(err, BMSUB_E_INTERNAL, 0, "libconfig");
		line = config_setting_source_line(s);
		name = config_setting_name(s);
		if (name == NULL)
			name = "";
		snprintf(key, sizeof(key), "%s%s%.64s", prefix,
		    *prefix != '\0' ? "." : "", name);
		if ((k = find_key(keys, name)) == NULL) {
			if (keys == services_keys)
				return bm_err(err, BMSUB_E_CONFIG, line,
				    "unknown key %s: categories are imap, "
				    "eas, webmail, smtp and admin", key);
			return bm_err(err, BMSUB_E_CONFIG, line,
			    "unknown key %s", key);
		}
		if (k->rule == V_GROUP) {
			if (config_setting_type(s) != CONFIG_TYPE_GROUP)
				return bm_err(err, BMSUB_E_CONFIG, line,
				    "%s: group { ... } expected", key);
			if ((r = read_group(s, k->children, key, cfg, seen,
			    err)) != 0)
				return r;
			continue;
		}
		if ((r = read_value(s, k, key, cfg, err)) != 0)
			return r;
		if (k->off == CFG_OFF(user_groups))
			seen->user_groups = line;
		else if (k->off == CFG_OFF(user_roster))
			seen->user_roster = line;
		else if (k->off == CFG_OFF(hosted_only))
			seen->hosted_only = line;
		else if (keys == services_keys)
			seen->services[k - services_keys] = line;
	}
	return BMSUB_OK;
}

/* A PAM service name must map to one category only. */
static int
check_services(const struct bmsub_config *cfg, const struct seen *seen,
    struct bmsub_error *err)
{
	const struct bmsub_strlist *a, *b;
	size_t i, j;
	int ca, cb;
	unsigned line;

	for (ca = 0; ca < BMSUB_CAT_OTHER; ca++) {
		a = &cfg->services[ca];
		for (cb = ca + 1; cb < BMSUB_CAT_OTHER; cb++) {
			b = &cfg->services[cb];
			for (i = 0; i < a->n; i++) {
				for (j = 0; j < b->n; j++) {
					if (strcmp(a->v[i], b->v[j]) != 0)
						continue;
					line = seen->services[cb] != 0 ?
					    seen->services[cb] :
					    seen->services[ca];
					return bm_err(err, BMSUB_E_CONFIG,
					    line, "service \"%.64s\" is listed "
					    "under services.%s and services.%s "
					    "(the built-in defaults apply to "
					    "categories not set)", a->v[i],
					    category_names[ca],
					    category_names[cb]);
				}
			}
		}
	}
	return BMSUB_OK;
}

/* libconfig would read any file named by @include, bypassing the owner and
 * mode checks every bmsub file gets: refuse the directive. */
static int
check_no_include(const char *text, struct bmsub_error *err)
{
	const char *p = text;
	unsigned line = 1;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '@')
			return bm_err(err, BMSUB_E_CONFIG, line,
			    "@include and other directives are not allowed");
		if ((p = strchr(p, '\n')) == NULL)
			return BMSUB_OK;
		p++;
		line++;
	}
}

/* Names the file (and line) in front of a message that does not yet. */
static void
prefix_name(struct bmsub_error *err, const char *name)
{
	char tmp[sizeof(err->msg)];

	if (err == NULL || strncmp(err->msg, name, strlen(name)) == 0)
		return;
	memcpy(tmp, err->msg, sizeof(tmp));
	/* A long name may truncate the message: still useful. */
	if (err->line != 0)
		bm_err(err, err->code, err->line, "%s line %u: %s", name,
		    err->line, tmp);
	else
		bm_err(err, err->code, 0, "%s: %s", name, tmp);
}

int
bm_config_parse(const char *text, const char *name,
    struct bmsub_config **out, struct bmsub_error *err)
{
	struct bmsub_config *cfg = NULL;
	struct seen seen;
	config_t lc;
	int r = BMSUB_E_INTERNAL;

	*out = NULL;
	bm_err_clear(err);
	memset(&seen, 0, sizeof(seen));
	config_init(&lc);
	if ((r = check_no_include(text, err)) != 0)
		goto out;
	if ((r = bmsub_config_defaults(&cfg)) != 0) {
		r = bm_err(err, r, 0, "%s: out of memory", name);
		goto out;
	}
	if (config_read_string(&lc, text) != CONFIG_TRUE) {
		r = bm_err(err, BMSUB_E_CONFIG,
		    config_error_line(&lc) > 0 ?
		    (unsigned)config_error_line(&lc) : 0, "%s line %d: %s",
		    name, config_error_line(&lc),
		    config_error_text(&lc) != NULL ?
		    config_error_text(&lc) : "parse error");
		goto out;
	}
	if ((r = read_group(config_root_setting(&lc), top_keys, "", cfg,
	    &seen, err)) != 0)
		goto out;
	/* An empty groups list is no source at all, so it may sit beside
	 * a roster (the shipped file shows both). */
	if (cfg->user_groups.n > 0 && seen.user_roster != 0) {
		r = bm_err(err, BMSUB_E_CONFIG,
		    seen.user_groups > seen.user_roster ?
		    seen.user_groups : seen.user_roster,
		    "users.groups and users.roster are exclusive: use one");
		goto out;
	}
	/* every user would be external: nobody could log in */
	if (cfg->hosted_only && cfg->user_groups.n == 0 &&
	    cfg->user_roster == NULL) {
		r = bm_err(err, BMSUB_E_CONFIG, seen.hosted_only,
		    "users.hosted_only needs users.groups or users.roster "
		    "(the hosted users)");
		goto out;
	}
	if ((r = check_services(cfg, &seen, err)) != 0)
		goto out;
	*out = cfg;
	cfg = NULL; /* transferred */
	r = 0; /* success */
 out:
	if (r != 0)
		prefix_name(err, name);
	config_destroy(&lc);
	bmsub_config_free(cfg);
	return r;
}

int
bmsub_config_load(const char *path, struct bmsub_config **out,
    struct bmsub_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	int r = BMSUB_E_INTERNAL;

	*out = NULL;
	bm_err_clear(err);
	if (path == NULL)
		return bm_err(err, BMSUB_E_INVALID, 0, "no configuration path");
	if ((r = bmsub_file_read(path, BM_CONFIG_MAX, &buf, &len, err)) != 0)
		goto out;
	if (strlen(buf) != len) {
		r = bm_err(err, BMSUB_E_CONFIG, 0, "%s: NUL byte in file",
		    path);
		goto out;
	}
	r = bm_config_parse(buf, path, out, err);
 out:
	free(buf);
	return r;
}

int
bmsub_config_has_external(const struct bmsub_config *cfg)
{
	return cfg != NULL && (cfg->hosted_only ||
	    cfg->external_groups.n > 0 || cfg->external_roster != NULL);
}

enum bmsub_category
bmsub_config_category(const struct bmsub_config *cfg, const char *pam_service)
{
	size_t i;
	int c;

	if (cfg == NULL || pam_service == NULL)
		return BMSUB_CAT_OTHER;
	for (c = 0; c < BMSUB_CAT_OTHER; c++) {
		for (i = 0; i < cfg->services[c].n; i++) {
			if (strcmp(cfg->services[c].v[i], pam_service) == 0)
				return (enum bmsub_category)c;
		}
	}
	return BMSUB_CAT_OTHER;
}
