/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* state.c - the versioned state file, written atomically (STUB). */
#include <string.h>
#include "internal.h"
void bmsub_state_init(struct bmsub_state *st) { memset(st, 0, sizeof(*st)); st->over_since = st->high_water = st->last_refresh = st->last_notify = BMSUB_TIME_NONE; }
void bmsub_state_clear(struct bmsub_state *st) { (void)st; }
int bmsub_state_load(const char *state_dir, struct bmsub_state *st, struct bmsub_error *err) { (void)state_dir; bmsub_state_init(st); return bm_err(err, BMSUB_E_INTERNAL, 0, "not implemented"); }
int bmsub_state_lock(const char *state_dir, int *fd, struct bmsub_error *err) { (void)state_dir; *fd = -1; return bm_err(err, BMSUB_E_INTERNAL, 0, "not implemented"); }
void bmsub_state_unlock(int fd) { (void)fd; }
int bmsub_state_save(const char *state_dir, const struct bmsub_state *st, struct bmsub_error *err) { (void)state_dir; (void)st; return bm_err(err, BMSUB_E_INTERNAL, 0, "not implemented"); }
int bmsub_state_sent_get(const struct bmsub_state *st, const char *key, int64_t *at) { (void)st; (void)key; *at = BMSUB_TIME_NONE; return BMSUB_E_NOT_FOUND; }
int bmsub_state_sent_set(struct bmsub_state *st, const char *key, int64_t at) { (void)st; (void)key; (void)at; return BMSUB_E_INTERNAL; }
