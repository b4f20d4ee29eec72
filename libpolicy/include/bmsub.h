/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bmsub.h - public interface of libbmsub: signed license files, trusted
 * keys, configuration, state, and the pure subscription policy.
 *
 * Conventions:
 *  - functions return 0 (BMSUB_OK) or a negative enum bmsub_err;
 *  - a struct bmsub_error, when the caller passes one, receives the code,
 *    the 1-based line where one applies (0 otherwise) and a short message;
 *  - all times are int64_t seconds since the epoch, UTC; BMSUB_TIME_NONE
 *    marks "no such time";
 *  - the library never logs, prints or exits on its own: functions that have
 *    something to report take a struct bmsub_log sink (NULL = silent);
 *  - nothing below bmsub_ctx_decide() reads the clock: "now" is an input.
 */
#ifndef BMSUB_H
#define BMSUB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define BMSUB_API __attribute__((visibility("default")))
#else
#define BMSUB_API
#endif

#define BMSUB_TIME_NONE INT64_MIN

/* ------------------------------------------------------------------ */
/* Errors: each has a stable token (bmsub_err_token), used in logs, CLI
 * output and JSON. Never renumber: append. */
enum bmsub_err {
	BMSUB_OK = 0,
	BMSUB_E_INTERNAL = -1,		/* "internal" */
	BMSUB_E_NOMEM = -2,		/* "no-memory" */
	BMSUB_E_IO = -3,		/* "io" */
	BMSUB_E_NOT_FOUND = -4,		/* "not-found" */
	BMSUB_E_NOT_REGULAR = -5,	/* "not-regular-file" */
	BMSUB_E_PERMISSIONS = -6,	/* "insecure-permissions" */
	BMSUB_E_TOO_LARGE = -7,		/* "too-large" */
	BMSUB_E_SYNTAX = -8,		/* "syntax" */
	BMSUB_E_FIELD_MISSING = -9,	/* "field-missing" */
	BMSUB_E_FIELD_UNKNOWN = -10,	/* "field-unknown" */
	BMSUB_E_FIELD_DUP = -11,	/* "field-duplicate" */
	BMSUB_E_FIELD_VALUE = -12,	/* "field-value" */
	BMSUB_E_UNKNOWN_KEY = -13,	/* "unknown-key" */
	BMSUB_E_BAD_SIGNATURE = -14,	/* "bad-signature" */
	BMSUB_E_BAD_KEY = -15,		/* "bad-key": a key file that is not an Ed25519 SPKI PEM */
	BMSUB_E_CONFIG = -16,		/* "config": invalid configuration */
	BMSUB_E_CORRUPT = -17,		/* "corrupt": state or recipients file damaged */
	BMSUB_E_LOCK = -18,		/* "lock": could not take the state lock */
	BMSUB_E_INVALID = -19,		/* "invalid-argument" */
	BMSUB_E_NOT_YET_VALID = -20,	/* "not-yet-valid": T < starts */
	BMSUB_E_CRYPTO = -21,		/* "crypto": libsodium could not start */
	BMSUB_E_NO_LICENSE = -22,	/* "no-license": no license file installed */
	BMSUB_E_NSS = -23,		/* "nss": user/group lookup failed */
	BMSUB_E__LAST = -23
};

BMSUB_API const char *bmsub_err_token(int err);	/* "syntax"; "unknown" if out of range */
BMSUB_API const char *bmsub_strerror(int err);	/* a sentence for people */

struct bmsub_error {
	int code;		/* enum bmsub_err, 0 on success */
	unsigned line;		/* 1-based line number, 0 when none applies */
	char msg[256];		/* detail, NUL-terminated, never ends in '\n' */
};

/* Log sink. priority is a syslog(3) LOG_* level; msg has no newline. */
typedef void bmsub_log_fn(void *arg, int priority, const char *msg);
struct bmsub_log {
	bmsub_log_fn *fn;
	void *arg;
};

/* ------------------------------------------------------------------ */
/* Time (UTC, proleptic Gregorian, no localtime/timegm dependency). */

/*
 * Parses "YYYY-MM-DDTHH:MM:SSZ" or "YYYY-MM-DD", years 1970-9999, a real
 * calendar date. For a date: end_of_day == 0 gives its 00:00:00, != 0 gives
 * the next midnight (expires semantics). Returns 0 or BMSUB_E_FIELD_VALUE.
 * s must be NUL-terminated; nothing may follow the time.
 */
BMSUB_API int bmsub_time_parse(const char *s, int end_of_day, int64_t *out);
/* Calendar months (n may be negative): same day and time, clamped to the
 * last day of the target month. */
BMSUB_API int64_t bmsub_add_months(int64_t t, int n);
/* The one date formatter. Styles: */
enum bmsub_tstyle {
	BMSUB_TS_ISO,		/* "2027-07-01T00:00:00Z" (files, JSON) */
	BMSUB_TS_DATE,		/* "2027-07-01" */
	BMSUB_TS_LAST_DAY,	/* date of t - 1 s: the last day an expires covers */
	BMSUB_TS_HUMAN,		/* "2027-07-01 00:00:00 UTC" */
	BMSUB_TS_RFC5322	/* "Thu, 01 Jul 2027 00:00:00 +0000" (mail Date:) */
};
#define BMSUB_TIME_STR_MAX 48	/* enough for every style and time (the
				 * longest, RFC 5322 of INT64_MIN + 1, is 40
				 * characters and its NUL) */
/* Formats t into buf and returns buf (so it can stand in a printf
 * argument list); BMSUB_TIME_NONE gives none ("none" when NULL). */
BMSUB_API const char *bmsub_time_str(int64_t t, enum bmsub_tstyle style,
    const char *none, char *buf, size_t size);
/* Shorthands: BMSUB_TS_ISO (buf >= 21 bytes), BMSUB_TS_DATE (>= 11). */
BMSUB_API void bmsub_time_format(int64_t t, char *buf, size_t size);
BMSUB_API void bmsub_date_format(int64_t t, char *buf, size_t size);
/* The one "days left" phrase (status, banners, alert emails), effective
 * time against E: "21 days left", "1 day left", "less than a day left",
 * "expired today", "expired 1 day ago", "expired 5 days ago"; "no expiry"
 * when either is BMSUB_TIME_NONE. Whole days, rounded down both ways.
 * BMSUB_DAYS_STR_MAX bytes are enough. Returns buf. */
#define BMSUB_DAYS_STR_MAX 48
BMSUB_API const char *bmsub_days_left_str(int64_t effective, int64_t expires,
    char *buf, size_t size);
/* From now to t: "in 3 days", "in 1 day", "within a day", "today",
 * "1 day ago", "5 days ago"; "never" for BMSUB_TIME_NONE. Returns buf. */
BMSUB_API const char *bmsub_days_from_str(int64_t now, int64_t t, char *buf,
    size_t size);

/* ------------------------------------------------------------------ */
/* Utilities shared by the tools and tests. */

/* Standard base64 with padding. encode: out must hold 4*((n+2)/3)+1.
 * decode: canonical only (padding exact, unused bits zero, no
 * whitespace); returns 0 and *outlen, or BMSUB_E_SYNTAX. */
BMSUB_API void bmsub_base64_encode(const uint8_t *in, size_t n, char *out);
BMSUB_API int bmsub_base64_decode(const char *in, size_t n, uint8_t *out,
    size_t outmax, size_t *outlen);
/* Lowercase hex; out must hold 2*n+1. */
BMSUB_API void bmsub_hex(const uint8_t *in, size_t n, char *out);

/*
 * Reads a whole file that must be trusted: opened O_NONBLOCK|O_CLOEXEC
 * (a FIFO or device never blocks), fstat'ed on the open descriptor:
 * not a regular file -> BMSUB_E_NOT_REGULAR; larger than max ->
 * BMSUB_E_TOO_LARGE; writable by group/others or owned by anyone but root
 * or the effective user -> BMSUB_E_PERMISSIONS, and the same for every
 * folder its lookup passes through from "/" (symlinks followed, both a
 * link's folder and its target's judged; a relative path from the cwd;
 * a sticky folder such as /tmp may be writable); missing ->
 * BMSUB_E_NOT_FOUND. Messages name the file or folder and what is wrong.
 * *buf is malloc'ed, NUL-terminated (not counted in *len); the caller
 * frees it.
 */
BMSUB_API int bmsub_file_read(const char *path, size_t max, char **buf,
    size_t *len, struct bmsub_error *err);

/*
 * Replaces path (any folder, relative to the cwd or absolute) with data
 * atomically: a temp file ".NAME.bmsub-tmp.XXXXXX" in the same folder
 * (O_CLOEXEC, then fchmod to mode exactly), write, fsync, rename over
 * path, fsync of the folder. On failure the old file is untouched and the
 * temp file removed. The folder must pass the bmsub_file_read rule for
 * the folders above a file (else BMSUB_E_PERMISSIONS; missing or not a
 * folder: BMSUB_E_IO). Our own temp files of that name unchanged for 10
 * minutes, what a killed writer leaves, are removed first (the library's
 * writers under the state lock remove them whatever their age); a live
 * writer's temp file is younger, so concurrent writers without a lock
 * never remove each other's (they still race for path: the state lock
 * serialises everything in state_dir), and another user's are never
 * touched.
 */
BMSUB_API int bmsub_file_write_atomic(const char *path, const void *data,
    size_t len, unsigned mode, struct bmsub_error *err);

/* Growable list of strings: v[0..n-1], each malloc'ed, as v itself. */
struct bmsub_strlist {
	char **v;
	size_t n;
};
/* Frees every string and v, and leaves l empty ({ NULL, 0 }), reusable;
 * l NULL is a no-op. Not the struct itself: it is usually embedded. */
BMSUB_API void bmsub_strlist_free(struct bmsub_strlist *l);

/* ------------------------------------------------------------------ */
/* Trusted keys. */

#define BMSUB_KEYID_LEN 8

struct bmsub_keyring;	/* opaque */

/* An empty keyring, or NULL when out of memory; the caller frees it
 * with bmsub_keyring_free (NULL-safe). A keyring is not locked: share it
 * between threads only once no key is added any more. */
BMSUB_API struct bmsub_keyring *bmsub_keyring_new(void);
BMSUB_API void bmsub_keyring_free(struct bmsub_keyring *kr);
/*
 * Loads every "*.pem" in dir (sorted by name, bmsub_file_read rules).
 * A file that is not an Ed25519 SubjectPublicKeyInfo PEM is skipped with
 * a LOG_WARNING through log. Other names (a "vendor.pub" copied as it
 * came, a README) and dot files are not read and not logged: the module
 * would log them at each reload; bmsub-check doctor names them. A missing
 * dir gives an empty keyring and BMSUB_OK (every license is then
 * unknown-key); an unreadable dir an error.
 */
BMSUB_API int bmsub_keyring_load(const char *dir, const struct bmsub_log *log,
    struct bmsub_keyring **out, struct bmsub_error *err);
/* Adds one public key from PEM text (BMSUB_E_BAD_KEY if not Ed25519 SPKI). */
BMSUB_API int bmsub_keyring_add_pem(struct bmsub_keyring *kr, const char *pem,
    size_t len, struct bmsub_error *err);
/* Keys in kr (0 for NULL). */
BMSUB_API size_t bmsub_keyring_count(const struct bmsub_keyring *kr);
/* Parses an Ed25519 SPKI PEM ("-----BEGIN PUBLIC KEY-----") into raw pk. */
BMSUB_API int bmsub_pubkey_parse_pem(const char *pem, size_t len,
    uint8_t pk[32], struct bmsub_error *err);
/* First 8 bytes of SHA-256(pk). */
BMSUB_API void bmsub_key_id(const uint8_t pk[32], uint8_t id[BMSUB_KEYID_LEN]);

/* ------------------------------------------------------------------ */
/* License files (SPEC section 1). */

#define BMSUB_LICENSE_MAX 65536
#define BMSUB_LICENSE_LINE_MAX 1024
#define BMSUB_USERS_MAX 10000000u
#define BMSUB_FREE_USERS_MAX 10u

enum bmsub_kind {
	BMSUB_KIND_PROD,
	BMSUB_KIND_HOST,
	BMSUB_KIND_TRIAL,
	BMSUB_KIND_FREE
};
/* The license file's token: "prod", "host", "trial", "free"; "unknown"
 * out of range. Static strings, like every *_name below. */
BMSUB_API const char *bmsub_kind_name(enum bmsub_kind k);

struct bmsub_license {
	char id[65];
	char customer[201];
	enum bmsub_kind kind;
	int64_t issued;
	int64_t starts;		/* BMSUB_TIME_NONE when absent */
	int64_t expires;	/* E: first second no longer covered */
	uint32_t users;		/* N */
	uint32_t grace_days;	/* G (defaults applied) */
	uint32_t allowance_percent; /* P (default applied) */
	uint8_t key_id[BMSUB_KEYID_LEN];
	uint8_t signature[64];
	size_t signed_off;	/* offset of the BEGIN line in the buffer */
	size_t signed_len;	/* bytes covered by the signature */
};

/* Syntax and field rules only, no signature check. */
BMSUB_API int bmsub_license_parse(const char *buf, size_t len,
    struct bmsub_license *lic, struct bmsub_error *err);
/* Parse, match key id, verify Ed25519 over the signed bytes. */
BMSUB_API int bmsub_license_verify(const char *buf, size_t len,
    const struct bmsub_keyring *kr, struct bmsub_license *lic,
    struct bmsub_error *err);
/*
 * The rule every body value obeys (SPEC 1), as the parser applies it to
 * "name: value" lines; name is only for the message, value a C string.
 * BMSUB_E_SYNTAX for an empty value, an ASCII space or tab at either end,
 * an ASCII control (below 0x20, 0x7f); BMSUB_E_FIELD_VALUE for a C1
 * control (U+0080-U+009F), a bidirectional control (U+061C, U+200E,
 * U+200F, U+202A-U+202E, U+2066-U+2069) or U+FEFF anywhere, or a Unicode
 * blank (U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F,
 * U+3000) at either end; BMSUB_E_INVALID for a NULL argument. Line 0 in
 * err. The field's own rule (UTF-8, length, format) is not checked here:
 * bmsub-sign calls this before signing, then parses what it built.
 */
BMSUB_API int bmsub_license_value_check(const char *name, const char *value,
    struct bmsub_error *err);
/* bmsub_file_read(path, BMSUB_LICENSE_MAX) then bmsub_license_verify.
 * A missing file gives BMSUB_E_NO_LICENSE. */
BMSUB_API int bmsub_license_load(const char *path,
    const struct bmsub_keyring *kr, struct bmsub_license *lic,
    struct bmsub_error *err);

/* ------------------------------------------------------------------ */
/* Configuration (SPEC section 2). */

enum bmsub_category {
	BMSUB_CAT_IMAP,
	BMSUB_CAT_EAS,
	BMSUB_CAT_WEBMAIL,
	BMSUB_CAT_SMTP,
	BMSUB_CAT_ADMIN,
	BMSUB_CAT_OTHER,
	BMSUB_CAT__COUNT
};
/* "imap", "eas", "webmail", "smtp", "admin", "other" ("other" out of
 * range). */
BMSUB_API const char *bmsub_category_name(enum bmsub_category c);
/* The reverse, exact match: 0 and *out, or BMSUB_E_INVALID (s NULL or
 * no such name) and *out = BMSUB_CAT_OTHER. */
BMSUB_API int bmsub_category_parse(const char *s, enum bmsub_category *out);
/* 1 for the categories a browser reaches (webmail, admin), where
 * bmsub_decide may redirect an administrator to admin_url and show
 * banners; else 0. */
BMSUB_API int bmsub_category_is_web(enum bmsub_category c);

#ifndef BMSUB_DEFAULT_CONF
#define BMSUB_DEFAULT_CONF "/etc/bmsub/bmsub.conf"
#endif

struct bmsub_config {
	char *license;			/* license file */
	char *keys_dir;
	char *state_dir;
	char *admin_url;		/* NULL when unset */
	struct bmsub_strlist admin_users;
	struct bmsub_strlist admin_groups;
	struct bmsub_strlist user_groups;	/* users.groups */
	char *user_roster;			/* users.roster, NULL if unset */
	struct bmsub_strlist user_exclude;
	/* services.<category>: PAM service names per category (not OTHER) */
	struct bmsub_strlist services[BMSUB_CAT__COUNT];
	char *sendmail;
	char *notify_from;		/* NULL when unset */
	struct bmsub_strlist local_domains;
	/* users.external and users.hosted_only (SPEC section 10): users whose
	 * mailboxes live on another mail system, denied ("not-hosted") and
	 * never counted; administrators are never external */
	struct bmsub_strlist external_groups;	/* users.external.groups */
	char *external_roster;		/* users.external.roster, NULL if unset */
	int hosted_only;		/* users.hosted_only: a user that
					 * users.groups/users.roster (or
					 * users.exclude) does not name is
					 * external too */
	/* cluster.* (SPEC section 8): several servers sharing one license
	 * and state through PostgreSQL; only bmsub-check's writers use
	 * them, the login path never connects */
	char *cluster_database;		/* libpq conninfo, NULL: no cluster */
	char *cluster_node;		/* NULL: this host's name */
	int cluster_node_timeout_hours;	/* default 48 */
	int cluster_claim_lease_seconds; /* notify's claim on an alert,
					 * 180..86400, default 900 */
};
/* 1 when users.external or users.hosted_only is set: the login path then
 * reads state_dir/users (BMSUB_USERS_FILE) that refresh writes. */
BMSUB_API int bmsub_config_has_external(const struct bmsub_config *cfg);

/* Built-in defaults (SPEC section 2) into a new *out, freed with
 * bmsub_config_free. 0 or BMSUB_E_NOMEM (*out NULL). */
BMSUB_API int bmsub_config_defaults(struct bmsub_config **out);
/* Reads path (bmsub_file_read rules, 64 KiB max) with libconfig; every
 * unknown key or wrong type is an error naming the key and line. */
BMSUB_API int bmsub_config_load(const char *path, struct bmsub_config **out,
    struct bmsub_error *err);
/* Frees cfg, every string and list in it; NULL-safe. */
BMSUB_API void bmsub_config_free(struct bmsub_config *cfg);
/* Category of a PAM service name; BMSUB_CAT_OTHER when unmapped. */
BMSUB_API enum bmsub_category bmsub_config_category(
    const struct bmsub_config *cfg, const char *pam_service);

/* Administrator role: listed in admins.users, or a member (secondary or
 * primary) of one of admins.groups. Thread-safe (getpwnam_r/getgrnam_r).
 * On an NSS failure returns BMSUB_E_NSS and *is_admin = 0. */
BMSUB_API int bmsub_is_admin(const struct bmsub_config *cfg, const char *user,
    int *is_admin, struct bmsub_error *err);

/* Licensed users: distinct members of users.groups (secondary and primary)
 * or distinct lines of users.roster, minus users.exclude, minus the
 * external users that are not administrators. */
BMSUB_API int bmsub_count_users(const struct bmsub_config *cfg,
    const struct bmsub_log *log, uint64_t *count, struct bmsub_error *err);

/*
 * The hosted and external sets (SPEC section 10), built by refresh (NSS
 * groups and rosters are enumerated here, never at login) and saved as
 * state_dir/users, which the login path reads. Each login has one class:
 * external (users.external, not an administrator), excluded (named by
 * users.exclude: hosted, not counted) or hosted (users.groups or
 * users.roster: counted). counted is the C that refresh records.
 */
#define BMSUB_USERS_FILE "users"
#define BMSUB_USERS_MAGIC "bmsub-users"
struct bmsub_user_sets {
	uint64_t counted;	/* hosted: C */
	uint64_t excluded;	/* excluded */
	uint64_t external;	/* external (administrators left out) */
	uint64_t external_admins; /* named by users.external, but admins */
	char *text;		/* the users file's bytes */
	size_t len;
};
/* Builds *out (freed with bmsub_user_sets_free). Errors as
 * bmsub_count_users: BMSUB_E_CONFIG for no source or a missing group,
 * the roster's reader errors, BMSUB_E_NSS, BMSUB_E_NOMEM. */
BMSUB_API int bmsub_user_sets_build(const struct bmsub_config *cfg,
    const struct bmsub_log *log, struct bmsub_user_sets **out,
    struct bmsub_error *err);
/* Writes state_dir/users (0644) atomically; the caller holds the state
 * lock. */
BMSUB_API int bmsub_user_sets_save(const char *state_dir,
    const struct bmsub_user_sets *s, struct bmsub_error *err);
BMSUB_API void bmsub_user_sets_free(struct bmsub_user_sets *s);

/* ------------------------------------------------------------------ */
/* State (SPEC section 4): state_dir/state. */

#define BMSUB_STATE_VERSION 1
#define BMSUB_ALERT_KEY_MAX 96

struct bmsub_sent {
	char key[BMSUB_ALERT_KEY_MAX];	/* alert key, no spaces */
	int64_t at;			/* when it was last sent */
};

struct bmsub_state {
	int have_count;
	uint64_t count;		/* C, when have_count */
	int64_t over_since;	/* O, BMSUB_TIME_NONE when C <= N or unknown */
	int64_t high_water;	/* H, BMSUB_TIME_NONE when none */
	int64_t last_refresh;	/* BMSUB_TIME_NONE when never */
	int64_t last_notify;	/* BMSUB_TIME_NONE when never */
	struct bmsub_sent *sent;
	size_t n_sent;
	/* added last, the fields above keep their offsets */
	int64_t node_clock;	/* cluster mode: this node's own clock at the
				 * last refresh (last_refresh is the
				 * database's); BMSUB_TIME_NONE otherwise */
};

/* Empty state: no count, every time BMSUB_TIME_NONE, no sent record.
 * Overwrites st without freeing: for a new or cleared state. */
BMSUB_API void bmsub_state_init(struct bmsub_state *st);
/* Frees st->sent and re-initialises st (NULL-safe). */
BMSUB_API void bmsub_state_clear(struct bmsub_state *st);
/* Reads state_dir/state without a lock. On any error *st is left as
 * bmsub_state_init made it: BMSUB_E_NOT_FOUND or BMSUB_E_CORRUPT. */
BMSUB_API int bmsub_state_load(const char *state_dir, struct bmsub_state *st,
    struct bmsub_error *err);
/*
 * Exclusive flock on state_dir/lock (created 0600), waiting for another
 * holder; *fd to unlock, -1 on error. Every writer in state_dir takes it
 * first: it is where state_dir itself is judged (bm_safe_path rules, not
 * even a sticky folder) for all of them. BMSUB_E_PERMISSIONS for an
 * insecure state_dir, BMSUB_E_INVALID for none, BMSUB_E_LOCK for anything
 * else (missing folder, lock not a regular file, flock failure).
 */
BMSUB_API int bmsub_state_lock(const char *state_dir, int *fd,
    struct bmsub_error *err);
/* Releases the lock by closing fd; fd < 0 is a no-op. */
BMSUB_API void bmsub_state_unlock(int fd);
/* Caller holds the lock (which judged state_dir). Refuses, with
 * BMSUB_E_INVALID, a state the reader would call corrupt; then as
 * bmsub_file_write_atomic (0644): temp file, fsync, rename, fsync(dir). */
BMSUB_API int bmsub_state_save(const char *state_dir,
    const struct bmsub_state *st, struct bmsub_error *err);
/* When alert key was last sent: 0 and *at, else BMSUB_E_NOT_FOUND (or
 * BMSUB_E_INVALID for a NULL argument) and *at = BMSUB_TIME_NONE. */
BMSUB_API int bmsub_state_sent_get(const struct bmsub_state *st,
    const char *key, int64_t *at);
/* Records (adds or updates) key sent at at, in memory only: 0,
 * BMSUB_E_INVALID for a key or time the state file cannot hold,
 * BMSUB_E_NOMEM (st unchanged). */
BMSUB_API int bmsub_state_sent_set(struct bmsub_state *st, const char *key,
    int64_t at);

/* Alert recipients: state_dir/recipients, one address a line. A missing
 * file is an empty list (BMSUB_OK). */
BMSUB_API int bmsub_recipients_load(const char *state_dir,
    struct bmsub_strlist *out, struct bmsub_error *err);
/* The same, with the dotless domains notify.local_domains lists accepted
 * (bmsub_recipients_address_check); local may be NULL. */
BMSUB_API int bmsub_recipients_load_local(const char *state_dir,
    const struct bmsub_strlist *local, struct bmsub_strlist *out,
    struct bmsub_error *err);

/* ------------------------------------------------------------------ */
/* Policy (SPEC section 3): pure functions, "now" is an input. */

enum bmsub_date_phase {
	BMSUB_DATE_OK,
	BMSUB_DATE_NOTICE,
	BMSUB_DATE_WARNING,
	BMSUB_DATE_GRACE,
	BMSUB_DATE_BLOCKED,
	BMSUB_DATE_INVALID
};
enum bmsub_count_phase {
	BMSUB_COUNT_UNKNOWN,
	BMSUB_COUNT_WITHIN,
	BMSUB_COUNT_OVER,
	BMSUB_COUNT_OVER_BLOCKED
};
enum bmsub_decision {
	BMSUB_ALLOW,
	BMSUB_REDIRECT,
	BMSUB_DENY
};
/* Stable tokens (logs, JSON): "ok", "notice", "warning", "grace",
 * "blocked", "invalid"; "unknown", "within", "over", "over-blocked";
 * "allow", "redirect", "deny". "unknown" out of range. */
BMSUB_API const char *bmsub_date_phase_name(enum bmsub_date_phase p);
BMSUB_API const char *bmsub_count_phase_name(enum bmsub_count_phase p);
BMSUB_API const char *bmsub_decision_name(enum bmsub_decision d);

/* Everything about "now" that does not depend on who logs in. */
struct bmsub_eval {
	int64_t now;		/* T as given */
	int64_t effective;	/* max(T, H - 1 day, issued) */
	int clock_behind_license; /* T < issued */
	int clock_behind_state;	/* T < H - 1 day */
	int license_err;	/* 0 if a valid license, else why not */
	enum bmsub_date_phase date_phase;
	enum bmsub_count_phase count_phase;
	/* thresholds, BMSUB_TIME_NONE where they do not apply */
	int64_t notice_at;	/* E - 2 months (not trial) */
	int64_t warning_at;	/* E - 1 month (not trial) */
	int64_t expires;	/* E */
	int64_t block_at;	/* E + G days */
	int64_t over_since;	/* O */
	int64_t over_block_at;	/* O + 1 month */
	int64_t days_left;	/* floor((E - effective) / 86400), may be < 0 */
	int have_count;
	uint64_t count;		/* C */
	uint64_t users;		/* N */
	uint64_t ceiling;	/* M = N + floor(N * P / 100) */
	int ceiling_reached;	/* have_count && C >= M */
	int64_t next_event;	/* next phase change after effective, or NONE */
	const char *next_event_what; /* phase name it enters, or NULL */
};

/* lic NULL (or lic_err != 0) means no valid license: phase invalid. */
BMSUB_API void bmsub_evaluate(const struct bmsub_license *lic, int lic_err,
    const struct bmsub_state *st, int64_t now, struct bmsub_eval *ev);

/* "k more users may be created": C + k <= M (unknown C: k <= M; no valid
 * license: no). */
BMSUB_API int bmsub_can_add(const struct bmsub_eval *ev, uint64_t k);

#define BMSUB_BANNER_MAX 512
/* The longest admin_url the config accepts: every banner and message
 * (BMSUB_BANNER_MAX with its NUL) that names it names it whole. */
#define BMSUB_ADMIN_URL_MAX 400

struct bmsub_verdict {
	enum bmsub_decision decision;
	const char *phase;	/* worse of date and count phase, by name */
	const char *reason;	/* stable token: "ok", "notice", "warning",
				 * "grace", "expired", "trial-ended",
				 * "over-count", "over-count-blocked",
				 * "not-hosted", "hosted-unknown" (see
				 * bmsub_decide_hosted), "nss" (the
				 * role lookup failed: bmsub_ctx_decide), or a
				 * license error token ("no-license", ...) */
	const char *redirect;	/* admin_url when decision is REDIRECT */
	char banner[BMSUB_BANNER_MAX];	/* "" when none applies */
	char message[BMSUB_BANNER_MAX];	/* PAM_ERROR_MSG / PAM_TEXT_INFO text */
};

/* The decision table of SPEC section 3. admin_url may be NULL. */
BMSUB_API void bmsub_decide(const struct bmsub_eval *ev, int is_admin,
    enum bmsub_category cat, int have_recipients, const char *admin_url,
    struct bmsub_verdict *v);

/* Where a login's mailbox is, as the sets of state_dir/users say. */
enum bmsub_hosting {
	BMSUB_HOSTED,		/* here (or no users.external/hosted_only) */
	BMSUB_EXTERNAL,		/* on another mail system */
	BMSUB_HOSTING_UNKNOWN	/* users.external/hosted_only is set but the
				 * users file is missing or damaged */
};
/* "hosted", "external", "unknown". */
BMSUB_API const char *bmsub_hosting_name(enum bmsub_hosting h);
/*
 * bmsub_decide, then SPEC section 10 for a non-administrator whose
 * hosting is not BMSUB_HOSTED, whatever the license and phase: deny,
 * reason "not-hosted" (BMSUB_EXTERNAL) or "hosted-unknown" (anything
 * else: fail closed), no banner, a message saying so. Administrators are
 * never external: their verdict is bmsub_decide's.
 */
BMSUB_API void bmsub_decide_hosted(const struct bmsub_eval *ev, int is_admin,
    enum bmsub_category cat, int have_recipients, const char *admin_url,
    enum bmsub_hosting hosting, struct bmsub_verdict *v);

/*
 * Every dated event of a license: phase changes and the emails that
 * bmsub-check notify sends (each at its first run at or after the time
 * listed) with this state (the over-count episode O; NULL: none), as
 * long as the state stays so. The emails are those of the alert
 * schedule that bmsub_alerts_due follows, so the two never disagree:
 * prod, host, free: expiry-2m at notice, expiry-1m at warning, grace at E
 * then every 2 days while in grace, blocked at E + G days then every 2
 * days for ever; trial: grace at E then every 2 days while in grace (only
 * with grace days), trial-ended once at E + G days; invalid (before a
 * later starts) at issued, then every 2 days until starts; over at O then
 * every 7 days until O + 1 month, over-blocked once then.
 */
struct bmsub_event {
	int64_t at;
	const char *what;	/* token: "invalid", "starts", "notice",
				 * "warning", "grace", "blocked", "over",
				 * "over-blocked", "email" */
	const char *alert;	/* an email's alert, bmsub_alert_name
				 * ("grace", ...); NULL for a phase change */
	int64_t every;		/* seconds between repetitions after this
				 * event, for ever (the blocked reminder);
				 * 0 = once. A repetition that ends is
				 * listed event by event instead. */
	char text[200];		/* one line for people, e.g. "email
				 * reminder, then every 2 days" */
};
/* Fills at most max events in time order (equal times: a phase change
 * before its email); *n is the total that exist (may exceed max; an
 * event with every > 0 counts once). Never loops over time: a huge
 * grace_days or hostile state time costs nothing. */
BMSUB_API void bmsub_timeline(const struct bmsub_license *lic,
    const struct bmsub_state *st, struct bmsub_event *ev, size_t max,
    size_t *n);

/* ------------------------------------------------------------------ */
/* Cached context for the PAM module and anything else that decides for
 * many logins: config, keys, license, state and recipients are loaded
 * once and revalidated by stat(2) (dev, ino, size, mtime, ctime) at each
 * call. Thread-safe: one context may be used by many threads. */

struct bmsub_ctx;

/* A context for conf_path (copied). Lazy: reads nothing, so a missing
 * or bad configuration is reported by the first bmsub_ctx_decide or
 * bmsub_ctx_report. 0 and *out; BMSUB_E_INVALID (conf_path NULL or "",
 * out NULL), BMSUB_E_NOMEM, BMSUB_E_INTERNAL (mutex) and *out NULL. */
BMSUB_API int bmsub_ctx_new(const char *conf_path, struct bmsub_ctx **out,
    struct bmsub_error *err);
/* Frees ctx and everything it loaded; NULL-safe. The one call that is
 * not thread-safe: no other thread may be using ctx. Reports taken
 * from it stay valid. */
BMSUB_API void bmsub_ctx_free(struct bmsub_ctx *ctx);

struct bmsub_request {
	const char *user;
	const char *service;	/* PAM service name */
	int category;		/* enum bmsub_category, or -1: from service */
	int64_t now;
};
struct bmsub_result {
	struct bmsub_verdict verdict;
	enum bmsub_category category;
	int is_admin;
	int role_looked_up;	/* 0 when the role could not change anything */
	int license_err;	/* why the license is not valid, 0 if it is */
	char admin_url[512];	/* copy: verdict.redirect points here */
	enum bmsub_hosting hosting; /* what the users file says of the user
				 * (an administrator is let in whatever) */
};
/* Returns BMSUB_E_CONFIG (or another error) when the config cannot be
 * used: the caller must then refuse with a service error. A missing or
 * invalid license is not an error here: it is phase "invalid". When the
 * role matters (the answers for a user and an administrator differ) and
 * its NSS lookup fails, the verdict is deny, reason "nss", whatever the
 * phase: neither role is assumed (res->is_admin 0, role_looked_up 1). */
BMSUB_API int bmsub_ctx_decide(struct bmsub_ctx *ctx,
    const struct bmsub_log *log, const struct bmsub_request *rq,
    struct bmsub_result *res, struct bmsub_error *err);

/* ------------------------------------------------------------------ */
/* Report (ops): a snapshot of everything an operator's command shows,
 * taken from a context, i.e. from the very cache bmsub_ctx_decide answers
 * logins from. */

#define BMSUB_REPORT_EVENTS_MAX 512

/*
 * Everything below is owned by the report (bmsub_report_free): a deep copy
 * taken under the context's lock, so it stays valid and consistent while
 * other threads go on using (and reloading) the context. Each part has
 * err (0 or an enum bmsub_err) and error (its detail); when err != 0 the
 * part's data is empty as described.
 */
struct bmsub_report {
	int64_t now;			/* T as given */
	char *conf_path;		/* the configuration file read */
	struct bmsub_config *config;	/* the configuration in use */
	struct {			/* config->keys_dir */
		int err;		/* the folder could not be used: no key
					 * is trusted and license.err is it too */
		struct bmsub_error error;
		size_t count;		/* keys trusted */
		struct bmsub_strlist notes; /* warnings of the load: a key
					 * file skipped, no such folder */
	} keys;
	struct {			/* config->license */
		int err;		/* 0: lic verifies; BMSUB_E_NO_LICENSE,
					 * BMSUB_E_BAD_SIGNATURE, ... */
		struct bmsub_error error;
		struct bmsub_license lic;	/* zeroed when err != 0 */
	} license;
	struct {			/* config->state_dir/state */
		int err;		/* 0; BMSUB_E_NOT_FOUND: none yet;
					 * BMSUB_E_CORRUPT: damaged; others:
					 * cannot be read (permissions, I/O) */
		struct bmsub_error error;
		struct bmsub_state st;	/* bmsub_state_init'ed when err != 0 */
	} state;
	struct {			/* config->state_dir/recipients */
		int err;		/* 0 (a missing file is no recipient) */
		struct bmsub_error error;
		struct bmsub_strlist list;	/* empty when err != 0 */
	} recipients;
	struct {			/* config->state_dir/users (SPEC 10) */
		int wanted;		/* bmsub_config_has_external: logins
					 * read it; else nothing below is
					 * looked at (err 0, counts 0) */
		int err;		/* 0; BMSUB_E_NOT_FOUND: no refresh
					 * yet; BMSUB_E_CORRUPT...: users are
					 * refused ("hosted-unknown") */
		struct bmsub_error error;
		uint64_t hosted, excluded, external;	/* lines of each class */
		int64_t written;	/* the file's mtime, BMSUB_TIME_NONE */
	} users;
	/* bmsub_evaluate(license, state, now): the policy's view of now */
	struct bmsub_eval eval;
	/* bmsub_timeline of the license and state, in time order; empty
	 * without a valid license */
	struct {
		struct bmsub_event *v;
		size_t n;		/* entries in v, at most
					 * BMSUB_REPORT_EVENTS_MAX */
		size_t total;		/* events that exist (> n when cut) */
		size_t next;		/* index of the first event strictly
					 * after eval.effective (one at it has
					 * happened, as for eval.next_event);
					 * n when none */
	} events;
};

/* Brings ctx up to date with the files (as bmsub_ctx_decide does; log
 * receives what a reload says) and takes the snapshot at now. Fails only
 * when the configuration cannot be used (BMSUB_E_CONFIG or the reader's
 * error, as bmsub_ctx_decide) or on BMSUB_E_NOMEM; a missing license,
 * damaged state... are parts of the report. */
BMSUB_API int bmsub_ctx_report(struct bmsub_ctx *ctx,
    const struct bmsub_log *log, int64_t now, struct bmsub_report **out,
    struct bmsub_error *err);
/* Frees rep and everything in it; NULL-safe. */
BMSUB_API void bmsub_report_free(struct bmsub_report *rep);

/* ------------------------------------------------------------------ */
/* Installing a license (ops): the checks an install makes, then the atomic
 * replacement of the configured license file. One call for every program
 * that installs (bmsub-check install, a web page). */

/* What the checks find, bits of bmsub_install.found, at now on the
 * policy's clock (the state's H applies). */
#define BMSUB_INSTALL_NOT_STARTED 0x1u	/* starts after now: would deny everyone */
#define BMSUB_INSTALL_EXPIRED 0x2u	/* past E + G: would deny everyone */
#define BMSUB_INSTALL_IN_GRACE 0x4u	/* past E, in grace: a warning only */
#define BMSUB_INSTALL_UNDER_COUNT 0x8u	/* N < C: covers fewer users than the
					 * state counts (N, not the ceiling M) */
/* The findings that refuse an install unless BMSUB_INSTALL_FORCE. */
#define BMSUB_INSTALL_REFUSING (BMSUB_INSTALL_NOT_STARTED | \
    BMSUB_INSTALL_EXPIRED | BMSUB_INSTALL_UNDER_COUNT)
/* flags of bmsub_ctx_license_install */
#define BMSUB_INSTALL_FORCE 0x1u

struct bmsub_install {
	int keys_err;		/* the context's keys folder error, 0 if usable */
	int verified;		/* the text verifies: lic is filled */
	int verify_err;		/* why it does not (detail in err), else 0 */
	struct bmsub_license lic;	/* the candidate, when verified */
	struct bmsub_eval eval;	/* the candidate evaluated at now */
	int have_count;		/* the state has a count C */
	uint64_t count;		/* C */
	unsigned found;		/* BMSUB_INSTALL_* */
	const char *refused;	/* NULL, or the first refusing finding, why
				 * it is not installed unless forced:
				 * "not-yet-valid", "expired", "over-count" */
	int installed;		/* config->license was replaced */
};

/* Verifies text against the context's trusted keys and makes the checks
 * at now against its state. 0 when the text verifies (findings in res),
 * else the verification error (res->verify_err, detail in err). Writes
 * nothing. */
BMSUB_API int bmsub_ctx_license_check(struct bmsub_ctx *ctx,
    const struct bmsub_log *log, const char *text, size_t len, int64_t now,
    struct bmsub_install *res, struct bmsub_error *err);
/*
 * Under the state lock: bmsub_ctx_license_check, then, unless a refusing
 * finding stands and flags lack BMSUB_INSTALL_FORCE, replaces the
 * configured license file by text (bmsub_file_write_atomic, 0644). The
 * context (and every other one: the module's) sees the new license at its
 * next call. The state's O follows the new N as bmsub_state_refresh would
 * set it (started when C > N, ended when C <= N; C, H untouched) and
 * res->eval is then the state's view. Returns 0 when the checks ran: res->installed, or
 * res->refused says why not; else the verification error
 * (res->verify_err != 0), the lock or the write error. A configured
 * license path that is a symbolic link is refused (BMSUB_E_INVALID, the
 * message names the link's target): a rename would replace the link.
 */
BMSUB_API int bmsub_ctx_license_install(struct bmsub_ctx *ctx,
    const struct bmsub_log *log, const char *text, size_t len, int64_t now,
    unsigned flags, struct bmsub_install *res, struct bmsub_error *err);

/* ------------------------------------------------------------------ */
/* State updates (ops): rules the writers of the state share. The caller
 * holds the state lock and saves. */

/* Raises the clock high-water mark: H = max(H, now). 1 when H moved. */
BMSUB_API int bmsub_state_saw_time(struct bmsub_state *st, int64_t now);
/*
 * A user count: C = count, refreshed = now; O, on the policy's clock
 * max(now, H - 1 day, issued), is set when C > N is first seen, kept while
 * C > N (a refresh never postpones the block) and cleared when C <= N;
 * without a valid license (lic NULL) there is no N and O is kept as it is;
 * then bmsub_state_saw_time. Returns what bmsub_state_saw_time returned.
 */
BMSUB_API int bmsub_state_refresh(struct bmsub_state *st,
    const struct bmsub_license *lic, uint64_t count, int64_t now);
/* Keeps the bytes of a damaged state_dir/state as state_dir/state.corrupt
 * (bmsub_file_write_atomic, replacing an older one) for a person to look
 * at; the caller holds the state lock and then saves a new state over
 * the damaged one. */
BMSUB_API int bmsub_state_quarantine(const char *state_dir,
    struct bmsub_error *err);

/* ------------------------------------------------------------------ */
/* alerts and recipients (ops) */

/* A recipient address must be plausible: local@domain, at most 254 bytes,
 * printable ASCII without spaces, exactly one '@', a local part of at most
 * 64 bytes of atext and single dots, a domain of at least two dot-separated
 * labels of letters, digits and inner hyphens. 0 or BMSUB_E_INVALID (the
 * reason in err->msg). */
BMSUB_API int bmsub_recipients_address_valid(const char *addr,
    struct bmsub_error *err);
/* The same rule, except that a domain without a dot is accepted when it is
 * one of local (notify.local_domains, compared without case): with
 * local_domains = [ "localhost" ], postmaster@localhost. local may be
 * NULL (= bmsub_recipients_address_valid). */
BMSUB_API int bmsub_recipients_address_check(const char *addr,
    const struct bmsub_strlist *local, struct bmsub_error *err);
/* Two addresses are the same recipient: local parts equal, domains equal
 * ignoring ASCII case. */
BMSUB_API int bmsub_recipients_same(const char *a, const char *b);
/* Writes state_dir/recipients (0644) atomically: temp file, fsync, rename,
 * fsync(dir). The caller holds the state lock. */
BMSUB_API int bmsub_recipients_save(const char *state_dir,
    const struct bmsub_strlist *l, struct bmsub_error *err);
/* Take the state lock, load, change, save, unlock. add: BMSUB_E_INVALID for
 * an implausible address, BMSUB_E_FIELD_DUP when already listed. remove:
 * BMSUB_E_NOT_FOUND when not listed. */
BMSUB_API int bmsub_recipients_add(const char *state_dir, const char *addr,
    struct bmsub_error *err);
/* With notify.local_domains (local may be NULL): its dotless domains are
 * accepted, in addr and in the file. */
BMSUB_API int bmsub_recipients_add_local(const char *state_dir,
    const char *addr, const struct bmsub_strlist *local,
    struct bmsub_error *err);
BMSUB_API int bmsub_recipients_remove_local(const char *state_dir,
    const char *addr, const struct bmsub_strlist *local,
    struct bmsub_error *err);
BMSUB_API int bmsub_recipients_remove(const char *state_dir, const char *addr,
    struct bmsub_error *err);

/* Email alerts: which are due now. Each alert has a key recorded in
 * bmsub_state.sent once sent; the key names the license id (date alerts),
 * the license error (invalid) or the over-count episode O (count alerts),
 * so a renewed license or a new episode starts afresh. Only the alert of
 * the current phase is ever due: one that was missed while its phase
 * lasted is not sent later. A repeating alert is due again once its
 * period has passed since its last sending. The schedule (phase, key,
 * cadence, texts) is one table in the library, also read by
 * bmsub_timeline and bmsub_mail_compose. */
enum bmsub_alert_kind {
	BMSUB_ALERT_EXPIRY_2M,	/* "expiry-2m": phase notice, once a license */
	BMSUB_ALERT_EXPIRY_1M,	/* "expiry-1m": phase warning, once a license */
	BMSUB_ALERT_GRACE,	/* "grace": in grace (trial too); every 2 days */
	BMSUB_ALERT_BLOCKED,	/* "blocked": prod/host/free; every 2 days */
	BMSUB_ALERT_TRIAL_ENDED, /* "trial-ended": trial blocked; once */
	BMSUB_ALERT_INVALID,	/* "invalid": no valid license; every 2 days */
	BMSUB_ALERT_OVER,	/* "over": every 7 days in an episode */
	BMSUB_ALERT_OVER_BLOCKED, /* "over-blocked": once an episode */
	BMSUB_ALERT__COUNT
};
#define BMSUB_ALERTS_MAX 4

struct bmsub_alert {
	enum bmsub_alert_kind kind;
	char key[BMSUB_ALERT_KEY_MAX];	/* e.g. "expiry-2m:BM-1", "over:1790000000" */
	int64_t last_sent;		/* previous sending, BMSUB_TIME_NONE if never */
};
/* The alert's token, as in the comments above ("expiry-2m", ...), which
 * its keys start with (then ':'); "unknown" out of range. */
BMSUB_API const char *bmsub_alert_name(enum bmsub_alert_kind k);

/*
 * The alerts due at ev->effective (the clock-protected time) given what
 * st->sent records: fills out[] and returns how many (0 to
 * BMSUB_ALERTS_MAX). lic is the license ev was computed from (NULL when
 * none is valid). Pure: reads nothing else.
 */
BMSUB_API size_t bmsub_alerts_due(const struct bmsub_license *lic,
    const struct bmsub_eval *ev, const struct bmsub_state *st,
    struct bmsub_alert out[BMSUB_ALERTS_MAX]);
/* Drops sent records that can never matter again (another license id or
 * another over-count episode) and are older than BMSUB_ALERT_KEEP_DAYS, so
 * the state does not grow for ever (cluster mode prunes the database's
 * ledger by the same rule). Returns how many were dropped. */
#define BMSUB_ALERT_KEEP_DAYS 400
BMSUB_API size_t bmsub_alerts_prune(const struct bmsub_license *lic,
    const struct bmsub_eval *ev, struct bmsub_state *st);

/* "Sun, 22 Nov 2026 20:19:27 +0000" (RFC 5322 date-time, UTC; buf >= 32). */
BMSUB_API void bmsub_mail_date(int64_t t, char *buf, size_t size);

/* What an alert message needs besides the alert and the evaluation. */
struct bmsub_mail_params {
	const char *from;		/* From address */
	const struct bmsub_strlist *to;	/* recipients (at least one) */
	const char *message_id;		/* "<unique@host>" */
	const char *hostname;		/* named in the body */
	const char *admin_url;		/* NULL when unset */
	int64_t date;			/* Date header */
};
/*
 * Composes one RFC 5322 message (LF line ends, for "sendmail -t -oi"):
 * headers From, To, Subject (RFC 2047 when not ASCII), Date, Message-ID,
 * Auto-Submitted, MIME headers for 8-bit UTF-8 text, then a body saying
 * what happened, what happens next and when, the figures and what to do.
 * lic may be NULL (alert "invalid"). *out is malloc'ed; the caller frees.
 */
BMSUB_API int bmsub_mail_compose(const struct bmsub_alert *a,
    const struct bmsub_license *lic, const struct bmsub_eval *ev,
    const struct bmsub_mail_params *mp, char **out, struct bmsub_error *err);

#ifdef __cplusplus
}
#endif
#endif /* BMSUB_H */
