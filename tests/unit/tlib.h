/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tlib.h - helpers linked into every unit test (tests/unit/tlib*.c). */
#ifndef BMSUB_TLIB_H
#define BMSUB_TLIB_H

/* Removes a test's temporary folder and everything in it (nftw, no
 * shell); says so on stderr when something could not be removed. */
void tlib_rmrf(const char *dir);

#endif
