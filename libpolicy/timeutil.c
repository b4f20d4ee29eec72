/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* timeutil.c - UTC calendar arithmetic (STUB: to be written). */
#include "internal.h"
int bmsub_time_parse(const char *s, int end_of_day, int64_t *out) { (void)s; (void)end_of_day; *out = 0; return BMSUB_E_INTERNAL; }
int64_t bmsub_add_months(int64_t t, int n) { (void)n; return t; }
void bmsub_time_format(int64_t t, char *buf, size_t size) { (void)t; if (size) buf[0] = '\0'; }
void bmsub_date_format(int64_t t, char *buf, size_t size) { (void)t; if (size) buf[0] = '\0'; }
