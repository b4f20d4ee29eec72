/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tlib.h - helpers linked into every unit test (tests/unit/tlib*.c). */
#ifndef BMSUB_TLIB_H
#define BMSUB_TLIB_H

#include <check.h>
#include <stdint.h>

/* Removes a test's temporary folder and everything in it (nftw, no
 * shell); says so on stderr when something could not be removed. */
void tlib_rmrf(const char *dir);

/* Runs every test of s, frees the runner; returns the number of failed
 * tests (0 = all passed). */
int tlib_run(Suite *s);

/* A license time (bmsub_time_parse, start of day for dates); fails the
 * running test on a bad string. */
int64_t ts(const char *s);

#endif
