/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* recipients.c - alert recipients file (STUB: to be written). */
#include "internal.h"
int bmsub_recipients_load(const char *state_dir, struct bmsub_strlist *out, struct bmsub_error *err) { (void)state_dir; out->v = 0; out->n = 0; return bm_err(err, BMSUB_E_INTERNAL, 0, "not implemented"); }
