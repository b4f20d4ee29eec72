/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* users.c - administrator role and licensed user count via NSS (STUB). */
#include "internal.h"
int bmsub_is_admin(const struct bmsub_config *cfg, const char *user, int *is_admin, struct bmsub_error *err) { (void)cfg; (void)user; *is_admin = 0; return bm_err(err, BMSUB_E_INTERNAL, 0, "not implemented"); }
int bmsub_count_users(const struct bmsub_config *cfg, const struct bmsub_log *log, uint64_t *count, struct bmsub_error *err) { (void)cfg; (void)log; *count = 0; return bm_err(err, BMSUB_E_INTERNAL, 0, "not implemented"); }
