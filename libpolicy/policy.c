/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* policy.c - the subscription policy (STUB: to be written). */
#include <string.h>
#include "internal.h"
const char *bmsub_date_phase_name(enum bmsub_date_phase p) { (void)p; return "?"; }
const char *bmsub_count_phase_name(enum bmsub_count_phase p) { (void)p; return "?"; }
const char *bmsub_decision_name(enum bmsub_decision d) { (void)d; return "?"; }
void bmsub_evaluate(const struct bmsub_license *lic, int lic_err, const struct bmsub_state *st, int64_t now, struct bmsub_eval *ev) { (void)lic; (void)lic_err; (void)st; memset(ev, 0, sizeof(*ev)); ev->now = now; ev->date_phase = BMSUB_DATE_INVALID; }
int bmsub_can_add(const struct bmsub_eval *ev, uint64_t k) { (void)ev; (void)k; return 0; }
void bmsub_decide(const struct bmsub_eval *ev, int is_admin, enum bmsub_category cat, int have_recipients, const char *admin_url, struct bmsub_verdict *v) { (void)ev; (void)is_admin; (void)cat; (void)have_recipients; (void)admin_url; memset(v, 0, sizeof(*v)); v->decision = BMSUB_DENY; v->phase = "invalid"; v->reason = "internal"; }
void bmsub_timeline(const struct bmsub_license *lic, const struct bmsub_state *st, struct bmsub_event *ev, size_t max, size_t *n) { (void)lic; (void)st; (void)ev; (void)max; *n = 0; }
