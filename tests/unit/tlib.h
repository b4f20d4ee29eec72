/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tlib.h - helpers linked into every unit test (tests/unit/tlib*.c). */
#ifndef BMSUB_TLIB_H
#define BMSUB_TLIB_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bmsub.h"

/* Removes a test's temporary folder and everything in it (nftw, no
 * shell); says so on stderr when something could not be removed. */
void tlib_rmrf(const char *dir);

/* Runs every test of s, frees the runner; returns the number of failed
 * tests (0 = all passed). */
int tlib_run(Suite *s);

/* A license time (bmsub_time_parse, start of day for dates); fails the
 * running test on a bad string. */
int64_t ts(const char *s);

/* ---- fixtures: build inputs by hand, fail the running test on error --- */

/*
 * A license built in memory (no file, no signature): id "BM-TEST",
 * customer "Example SA", 250 users, 10 % allowance, no starts. issued,
 * starts and expires are license times (NULL: 2026-11-01, none,
 * 2027-11-01, so E = 2027-11-02T00:00:00Z); a date for expires covers
 * the whole day, as in a license file. Change fields after as needed.
 */
struct bmsub_license tlib_license(enum bmsub_kind kind, uint32_t grace,
    const char *issued, const char *starts, const char *expires);
/* A state built in memory: every time BMSUB_TIME_NONE but those given. */
struct bmsub_state tlib_state(int have_count, uint64_t count,
    int64_t over_since, int64_t high_water);

/* mkdtemp("/tmp/<name>.XXXXXX") into buf (at least 64 bytes). */
char *tlib_tmpdir(char *buf, size_t size, const char *name);
/* Writes exactly len bytes to dir/name (dir NULL: name is the path) and
 * sets mode; returns the malloc'ed path. */
char *tlib_put(const char *dir, const char *name, const void *data,
    size_t len, mode_t mode);
/* The whole of $TOP/rel (TOP unset: the current folder), NUL-terminated;
 * *len (may be NULL) gets its size. Plain read, no permission rules. */
char *tlib_slurp(const char *rel, size_t *len);
/* tlib_slurp of tests/data/<rel>: the committed fixtures. */
char *tlib_data(const char *rel, size_t *len);
/* 1 when s holds a control byte (below 0x20, or 0x7f). */
int tlib_has_control(const char *s);

/*
 * Privileges (tests/run.sh). A row only root can set up (giving a file to
 * another owner) runs when tlib_need_root() is true; run unprivileged, the
 * call prints "not run (needs root): " and its printf-style text instead,
 * which run.sh counts and names. A row whose answer holds only without
 * root (root reads and writes through any mode) runs when tlib_need_user()
 * is true; as root the call prints "not run (needs an unprivileged user):
 * ...", and run.sh then runs the whole test program again as uid 65534:
 * every row runs in one make check.
 */
int tlib_need_root(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
int tlib_need_user(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

#endif
