/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sign.h - what bmsub-sign's subcommand files share. */
#ifndef BMSUB_SIGN_H
#define BMSUB_SIGN_H

#include <stddef.h>

#include "bmsub.h"

#define PROG "bmsub-sign"

/* Exit codes: 0 done, 1 failed, 2 usage. */
#define EXIT_FAIL 1
#define EXIT_USAGE 2

#define PASS_MAX 1024

void sign_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * First line of path (no LF, no CR) into sodium_malloc'ed memory of
 * PASS_MAX + 1 bytes; the caller sodium_free()s it. Any file type is
 * accepted, so that --pass-file <(pass show ...) works. NULL on error
 * (reported).
 */
char *read_pass_file(const char *path);
/* Writes all of buf to fd, then fsync. 0 or -1 (errno set). */
int write_all_sync(int fd, const void *buf, size_t n);

struct option;
/*
 * getopt_long for a subcommand, as strict as bmsub-check: long options
 * spelled whole (no abbreviation: "--pass" is not "--pass-file"), and
 * every error said once as "bmsub-sign: CMD: ..." (getopt's own messages,
 * prefixed with the subcommand's name, are off). Returns the option, -1
 * at the end, or '?' after telling the error (exit EXIT_USAGE).
 */
int sign_getopt(int argc, char *argv[], const char *shortopts,
    const struct option *opts);

int cmd_keygen(int argc, char *argv[]);
int cmd_sign(int argc, char *argv[]);
int cmd_keyid(int argc, char *argv[]);

#endif
