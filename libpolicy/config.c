/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.c - bmsub.conf with libconfig (STUB: to be written). */
#include "internal.h"
const char *bmsub_category_name(enum bmsub_category c) { (void)c; return "other"; }
int bmsub_category_parse(const char *s, enum bmsub_category *out) { (void)s; *out = BMSUB_CAT_OTHER; return BMSUB_E_INVALID; }
int bmsub_category_is_web(enum bmsub_category c) { return c == BMSUB_CAT_WEBMAIL || c == BMSUB_CAT_ADMIN; }
int bmsub_config_defaults(struct bmsub_config **out) { *out = 0; return BMSUB_E_INTERNAL; }
int bmsub_config_load(const char *path, struct bmsub_config **out, struct bmsub_error *err) { (void)path; *out = 0; return bm_err(err, BMSUB_E_INTERNAL, 0, "not implemented"); }
void bmsub_config_free(struct bmsub_config *cfg) { (void)cfg; }
enum bmsub_category bmsub_config_category(const struct bmsub_config *cfg, const char *pam_service) { (void)cfg; (void)pam_service; return BMSUB_CAT_OTHER; }
