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
/* Replaces path with data: a temp file in the same folder, fsync, rename,
 * fsync of the folder. On failure the old file is untouched and the temp
 * file removed. */
int bm_write_atomic(const char *path, const void *data, size_t len,
    mode_t mode, struct bmsub_error *err);

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

#endif
