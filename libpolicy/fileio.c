/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fileio.c - reading trusted files safely (STUB: to be written). */
#include "internal.h"
int bmsub_file_read(const char *path, size_t max, char **buf, size_t *len, struct bmsub_error *err) { (void)path; (void)max; *buf = 0; *len = 0; return bm_err(err, BMSUB_E_INTERNAL, 0, "not implemented"); }
