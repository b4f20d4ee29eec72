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

/* Replaces path with data: a temp file in the same folder, fsync, rename,
 * fsync of the folder. On failure the old file is untouched and the temp
 * file removed. */
int bm_write_atomic(const char *path, const void *data, size_t len,
    mode_t mode, struct bmsub_error *err);

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
/* The text bmsub_state_save writes (malloc'ed); BMSUB_E_INVALID for a
 * state the reader would refuse (time out of range, bad alert key). */
int bm_state_format(const struct bmsub_state *st, char **out,
    size_t *outlen, struct bmsub_error *err);
/* Counts distinct valid logins in roster text (see bmsub_count_users),
 * minus exclude; name is used in messages. */
int bm_roster_count(const char *buf, size_t len, const char *name,
    const struct bmsub_strlist *exclude, uint64_t *count,
    struct bmsub_error *err);

#endif
