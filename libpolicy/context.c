/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* context.c - cached, stat-revalidated decisions for many logins (STUB). */
#include "internal.h"
int bmsub_ctx_new(const char *conf_path, struct bmsub_ctx **out, struct bmsub_error *err) { (void)conf_path; *out = 0; return bm_err(err, BMSUB_E_INTERNAL, 0, "not implemented"); }
void bmsub_ctx_free(struct bmsub_ctx *ctx) { (void)ctx; }
int bmsub_ctx_decide(struct bmsub_ctx *ctx, const struct bmsub_log *log, const struct bmsub_request *rq, struct bmsub_result *res, struct bmsub_error *err) { (void)ctx; (void)log; (void)rq; (void)res; return bm_err(err, BMSUB_E_INTERNAL, 0, "not implemented"); }
