/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* internal.h - helpers shared by libbmsub's files, never exported. */
#ifndef BMSUB_INTERNAL_H
#define BMSUB_INTERNAL_H

#include <stdarg.h>
#include <sys/types.h>

#include "bmsub.h"

#define BM_DAY 86400

#if defined(__GNUC__)
#define BM_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define BM_PRINTF(a, b)
#endif

/* Fills err (may be NULL) and returns code, so callers can write
 * "return bm_err(err, BMSUB_E_SYNTAX, line, "...", ...);". */
int bm_err(struct bmsub_error *err, int code, unsigned line,
    const char *fmt, ...) BM_PRINTF(4, 5);
/* Clears err to success. */
void bm_err_clear(struct bmsub_error *err);
/* Formats and sends one message to log (NULL-safe). */
void bm_log(const struct bmsub_log *log, int priority, const char *fmt, ...)
    BM_PRINTF(3, 4);
/* Appends a copy of s to l. */
int bm_strlist_add(struct bmsub_strlist *l, const char *s);

/* --- the one text builder (text.c) --- */
/* Bounded (bm_text_fixed: truncates at size - 1, remembers it) or growing
 * (bm_text_dynamic: realloc, remembers an allocation failure). buf is
 * always NUL-terminated once something was added. */
struct bm_text {
	char *buf;
	size_t size;	/* capacity */
	size_t len;
	int grow;
	int truncated;	/* bounded text cut short */
	int failed;	/* allocation or format failure: take() refuses */
};
void bm_text_fixed(struct bm_text *t, char *buf, size_t size);
void bm_text_dynamic(struct bm_text *t);
void bm_text_add(struct bm_text *t, const char *fmt, ...) BM_PRINTF(2, 3);
void bm_text_vadd(struct bm_text *t, const char *fmt, va_list ap)
    BM_PRINTF(2, 0);
/* Appends sep unless the text is still empty. */
void bm_text_sep(struct bm_text *t, const char *sep);
/* Control bytes to '?', a cut UTF-8 sequence at the end dropped. */
void bm_text_finish(struct bm_text *t);
/* Growing text only: the malloc'ed string (transferred), or
 * BMSUB_E_NOMEM when anything failed (the buffer is then freed). */
int bm_text_take(struct bm_text *t, char **out, size_t *outlen);
void bm_text_free(struct bm_text *t);

/* --- trusted files and folders (login/fileio.c) --- */
struct stat;
/* The one owner-and-mode rule of SPEC section 2: the object the caller
 * opened at path (st from fstat, or NULL to stat path) and every folder
 * its lookup goes through, links followed; see fileio.c. 0 or
 * BMSUB_E_PERMISSIONS (the message names the file or folder), NOT_FOUND,
 * IO. */
#define BM_SAFE_STICKY 1	/* the object may be a sticky folder others
				 * can write (a folder we only write into) */
int bm_safe_path(const char *path, const struct stat *st, int flags,
    struct bmsub_error *err);
/* Opens dir (O_DIRECTORY, O_CLOEXEC) after the bm_safe_path check: *fd,
 * or NOT_FOUND, NOT_REGULAR (not a folder), PERMISSIONS, IO. */
int bm_folder_open(const char *dir, int flags, int *fd,
    struct bmsub_error *err);

/* --- keys (keys.c) --- */
/* Finds the trusted key with this id: 0 and *pk (owned by kr), or
 * BMSUB_E_UNKNOWN_KEY and *pk NULL. kr may be NULL (nothing trusted). */
int bm_keyring_find(const struct bmsub_keyring *kr, const uint8_t id[8],
    const uint8_t **pk);

/* --- config, state, users (confstate) --- */
/* Parses configuration text (NUL-terminated); name is used in messages.
 * Same rules and results as bmsub_config_load without the file checks. */
int bm_config_parse(const char *text, const char *name,
    struct bmsub_config **out, struct bmsub_error *err);
/* Parses state file contents (len bytes, NUL bytes are corruption). On
 * error *st is as bmsub_state_init made it. */
int bm_state_parse(const char *buf, size_t len, struct bmsub_state *st,
    struct bmsub_error *err);
/* The state file's line keywords, in the order the writer writes them:
 * one table (login/state.c) for the reader and ops/state_write.c. */
enum bm_state_kw { BM_KW_COUNT, BM_KW_TIME, BM_KW_SENT };
struct bm_state_keyword {
	const char *word;
	enum bm_state_kw kind;
	size_t off;	/* BM_KW_TIME: offsetof its int64_t in bmsub_state */
};
extern const struct bm_state_keyword bm_state_keywords[];
extern const size_t bm_state_nkeywords;
#define RCPT_FILE "recipients"
#define RCPT_MAX 65536		/* bytes in the recipients file */
/* Parses the recipients file's text (len bytes and a NUL, changed in
 * place); path is used in messages. BMSUB_E_CORRUPT names the line. */
int bm_recipients_parse(char *buf, size_t len, const char *path,
    const struct bmsub_strlist *local,
    struct bmsub_strlist *out, struct bmsub_error *err);
#define STATE_MAX (1024 * 1024)
#define STATE_MAGIC "bmsub-state"
#define STATE_TIME_MAX INT64_C(253402300799)
/* Rules the state reader and writer share (login/state.c). */
int bm_key_valid(const char *key);
int bm_time_valid(int64_t t);
/* *dup: a key recorded twice in st->sent, or NULL. */
int bm_find_dup(const struct bmsub_state *st, const struct bmsub_sent **dup);
/* "dir/name" into buf; BMSUB_E_INVALID when dir is empty or too long. */
int bm_state_path(char *buf, size_t size, const char *dir, const char *name,
    struct bmsub_error *err);
/* The text bmsub_state_save writes (malloc'ed); BMSUB_E_INVALID for a
 * state the reader would refuse (time out of range, bad alert key). */
int bm_state_format(const struct bmsub_state *st, char **out,
    size_t *outlen, struct bmsub_error *err);
/* NSS helpers (login/admin.c), shared with the user count. */
struct nssbuf {
	char *p;
	size_t size;
};
int bm_nss_errno(int e);
int bm_nss_not_found(int e);
int bm_nssbuf_grow(struct nssbuf *b);
int bm_nss_fail(struct bmsub_error *err, int code, const char *what,
    const char *name, int e);
/* getgrnam_r with a buffer grown on ERANGE; *found = 0: no such group. */
struct group;
int bm_group_lookup(const char *name, struct group *gr, struct nssbuf *b,
    int *found, struct bmsub_error *err);
/* Counts distinct valid logins in roster text (see bmsub_count_users),
 * minus exclude; name is used in messages. */
int bm_roster_count(const char *buf, size_t len, const char *name,
    const struct bmsub_strlist *exclude, uint64_t *count,
    struct bmsub_error *err);

/* --- the hosted and external sets: state_dir/users (login/hosted.c) --- */
#define BM_LOGIN_MAX 255
#define BM_USERS_FILE_MAX (256u * 1024 * 1024)
enum bm_uclass { BM_U_NONE, BM_U_HOSTED, BM_U_EXCLUDED, BM_U_EXTERNAL };
/* A validated users file: buf (malloc'ed) and the byte range [lo, hi) of
 * its login lines; n[class] lines of each class. */
struct bm_users {
	char *buf;
	size_t len, lo, hi;
	uint64_t n[BM_U_EXTERNAL + 1];
};
void bm_users_init(struct bm_users *u);
void bm_users_free(struct bm_users *u);
const char *bm_users_class_name(enum bm_uclass c);
/* Validates the whole text (len bytes, NUL-terminated); on success buf
 * is owned by u, else untouched and BMSUB_E_CORRUPT names the line. */
int bm_users_parse(char *buf, size_t len, const char *name,
    struct bm_users *u, struct bmsub_error *err);
/* bmsub_file_read (the one trusted-file rule) then bm_users_parse. */
int bm_users_load(const char *path, struct bm_users *u,
    struct bmsub_error *err);
/* The class of user (BM_U_NONE when not listed or u empty). */
enum bm_uclass bm_users_find(const struct bm_users *u, const char *user);
/* What the login path concludes for user: HOSTED when cfg names no
 * external users; UNKNOWN when users_err != 0 (file missing or corrupt);
 * EXTERNAL when listed so, or unlisted under users.hosted_only. */
enum bmsub_hosting bm_users_hosting(const struct bmsub_config *cfg,
    const struct bm_users *u, int users_err, const char *user);

/* --- the alert schedule (ops/schedule.c) --- */
/*
 * One row per email alert (bm_schedule[enum bmsub_alert_kind]): the phase
 * that sends it, the licenses it applies to, what its key names, how often
 * it repeats while the phase lasts, its timeline text and its mail texts.
 * bmsub_alerts_due, bmsub_timeline and bmsub_mail_compose all read it, so
 * what notify sends, what timeline lists and what the mail says about its
 * own repetition cannot disagree.
 */
enum bm_axis {
	BM_AXIS_DATE,		/* phase is an enum bmsub_date_phase */
	BM_AXIS_COUNT		/* phase is an enum bmsub_count_phase */
};
enum bm_class {
	BM_CLASS_ANY,		/* any license, or none (phase invalid) */
	BM_CLASS_TRIAL,
	BM_CLASS_NOT_TRIAL	/* prod, host, free */
};
enum bm_keyby {
	BM_KEY_LICENSE,		/* "name:ID": a renewed license starts afresh */
	BM_KEY_ERROR,		/* "name:TOKEN": the invalid license cannot
				 * be trusted to name itself */
	BM_KEY_EPISODE		/* "name:O": a new over-count episode afresh */
};
/* When a piece of mail text is included. */
enum bm_cond {
	BM_ALWAYS,
	BM_IF_GRACE,		/* the license has grace days (block > E) */
	BM_IF_CEILING,		/* C >= M: no user can be created */
	BM_IF_REPEATS,		/* the row's every > 0 */
	BM_IF_WAITING,		/* a valid license whose starts is ahead */
	BM_UNLESS_WAITING,
	BM_COND__COUNT
};
/* Text with {name} placeholders (bm_var_names), included when cond
 * holds; a list ends with text NULL. */
struct bm_piece {
	enum bm_cond cond;
	const char *text;
};
struct bm_sched {
	const char *name;		/* bmsub_alert_name, key prefix */
	enum bm_axis axis;
	int phase;
	enum bm_class cls;
	enum bm_keyby key;
	int64_t every;			/* seconds between sendings while the
					 * phase lasts; 0 = once */
	const char *event;		/* timeline text of the email */
	const char *subject;		/* mail Subject template */
	const struct bm_piece *happened, *next, *todo;	/* mail body */
};
extern const struct bm_sched bm_schedule[BMSUB_ALERT__COUNT];
/* The row sent in this phase of this axis for lic (NULL: no valid
 * license), or NULL when the phase sends nothing. */
const struct bm_sched *bm_sched_find(enum bm_axis axis, int phase,
    const struct bmsub_license *lic);
/* The alert key of row at ev into buf: 0, or -1 when the row has no key
 * here (no license id, no episode, or too long): then it is never due. */
int bm_sched_key(const struct bm_sched *row, const struct bmsub_license *lic,
    const struct bmsub_eval *ev, char *buf, size_t size);

/* The values a text may name, formatted once (bm_vars_init). */
enum bm_var {
	BM_V_CUSTOMER, BM_V_ID, BM_V_KIND, BM_V_LAST_DAY, BM_V_EXPIRES,
	BM_V_WARNING, BM_V_BLOCK, BM_V_BLOCK_DATE, BM_V_STARTS,
	BM_V_DAYS_LEFT, BM_V_GRACE_DAYS, BM_V_ERROR, BM_V_ERROR_TEXT,
	BM_V_COUNT, BM_V_USERS, BM_V_OVER_SINCE, BM_V_OVER_BLOCK, BM_V_EVERY,
	BM_V__COUNT
};
extern const char *const bm_var_names[BM_V__COUNT];
struct bm_vars {
	const char *val[BM_V__COUNT];
	char buf[BM_V__COUNT][BMSUB_TIME_STR_MAX];
	char customer[sizeof(((struct bmsub_license *)0)->customer)];
	unsigned cond;		/* bit (1u << enum bm_cond) when it holds */
};
/* lic may be NULL (no valid license), row NULL (no {every}). */
void bm_vars_init(struct bm_vars *v, const struct bm_sched *row,
    const struct bmsub_license *lic, const struct bmsub_eval *ev);
/* Changes only what depends on the row: {every}, BM_IF_REPEATS. */
void bm_vars_row(struct bm_vars *v, const struct bm_sched *row);
/* Appends a template with its placeholders replaced; the pieces of a
 * list whose condition holds, in order. -1 on an unknown placeholder. */
int bm_expand(struct bm_text *t, const char *tmpl, const struct bm_vars *v);
int bm_expand_pieces(struct bm_text *t, const struct bm_piece *p,
    const struct bm_vars *v);

/* --- context (login/context.c), for the operators' calls in ops/ --- */
/* What a context holds, as bm_ctx_view shows it to its callback: every
 * pointer is into the context and valid only during the callback. */
struct bm_ctx_view {
	const char *conf_path;
	const struct bmsub_config *cfg;
	const struct bmsub_keyring *kr;		/* NULL when keys_err != 0 */
	int keys_err;
	const struct bmsub_error *keys_error;
	const struct bmsub_strlist *keys_notes;
	int lic_err;
	const struct bmsub_error *lic_error;
	const struct bmsub_license *lic;	/* NULL when lic_err != 0 */
	int st_err;
	const struct bmsub_error *st_error;
	const struct bmsub_state *st;		/* NULL when st_err != 0 */
	int rcpt_err;
	const struct bmsub_error *rcpt_error;
	const struct bmsub_strlist *rcpt;
	int users_wanted;			/* bmsub_config_has_external */
	int users_err;				/* state_dir/users unusable */
	const struct bmsub_error *users_error;
	const struct bm_users *users;		/* empty when users_err */
	int64_t users_mtime;			/* BMSUB_TIME_NONE: none */
};
typedef int bm_ctx_view_fn(const struct bm_ctx_view *v, void *arg);
/* Revalidates ctx as bmsub_ctx_decide does, then calls fn under the
 * context's lock (fn must not call into ctx). A refresh error, else what
 * fn returns. */
int bm_ctx_view(struct bmsub_ctx *ctx, const struct bmsub_log *log,
    bm_ctx_view_fn *fn, void *arg, struct bmsub_error *err);

/* --- one context per config path and process (login/context.c) --- */
/* For the modules (pam_bmsub.so, the Lua module), which keep a context
 * across transactions: *out is the context for conf, made at its first
 * use and never freed (the modules are linked -z nodelete, so it outlives
 * the dlclose of pam_end or lua_close). Thread-safe. 0, or BMSUB_E_NOMEM,
 * BMSUB_E_INTERNAL (the lock) or what bmsub_ctx_new returns; *out is then
 * NULL and the next call tries again. */
int bm_ctx_shared(const char *conf, struct bmsub_ctx **out,
    struct bmsub_error *err);

/* --- the atomic writer (ops/atomic.c) --- */
/* bmsub_file_write_atomic with flags: BM_WRITE_LOCKED when the caller
 * holds the lock that serialises every writer of the folder (the state
 * lock), so every temp file of ours left there is a dead writer's,
 * whatever its age. */
#define BM_WRITE_LOCKED 0x1u
int bm_write_atomic(const char *path, const void *data, size_t len,
    unsigned mode, unsigned flags, struct bmsub_error *err);

#endif
