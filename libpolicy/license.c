/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* license.c - license file parser and verifier (STUB: to be written). */
#include "internal.h"
const char *bmsub_kind_name(enum bmsub_kind k) { (void)k; return "?"; }
int bmsub_license_parse(const char *buf, size_t len, struct bmsub_license *lic, struct bmsub_error *err) { (void)buf; (void)len; (void)lic; return bm_err(err, BMSUB_E_INTERNAL, 0, "not implemented"); }
int bmsub_license_verify(const char *buf, size_t len, const struct bmsub_keyring *kr, struct bmsub_license *lic, struct bmsub_error *err) { (void)buf; (void)len; (void)kr; (void)lic; return bm_err(err, BMSUB_E_INTERNAL, 0, "not implemented"); }
int bmsub_license_load(const char *path, const struct bmsub_keyring *kr, struct bmsub_license *lic, struct bmsub_error *err) { (void)path; (void)kr; (void)lic; return bm_err(err, BMSUB_E_INTERNAL, 0, "not implemented"); }
