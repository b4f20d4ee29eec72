/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proto.h - the Postfix policy delegation protocol, read strictly and in
 * bounded memory (bmsub-policy, fuzz/fuzz_policy.c). */
#ifndef BMSUB_POLICY_PROTO_H
#define BMSUB_POLICY_PROTO_H

#include <stddef.h>

/*
 * A request is "name=value" lines ended by LF, then an empty line
 * (Postfix SMTPD_POLICY_README). Limits: a line of at most BP_LINE_MAX
 * bytes without its LF, at most BP_ATTRS_MAX attributes, names of
 * [a-z0-9_], 1 to BP_NAME_MAX bytes, each at most once, no NUL byte.
 * Values of attributes bmsub does not use are not looked at; the ones it
 * uses are checked: request must be "smtpd_access_policy", sasl_username
 * at most BP_USER_MAX bytes without control characters. A defect does
 * not stop the reading: the rest of the request up to its empty line is
 * read and dropped, so the next request is read from its first line.
 */
#define BP_LINE_MAX 4096
#define BP_ATTRS_MAX 128
#define BP_NAME_MAX 64
#define BP_USER_MAX 255
#define BP_INFO_MAX 255		/* client_address, client_name, ...: kept
				 * for the log, cut and made printable */

enum bp_event {
	BP_MORE,	/* everything given was consumed, no request ended */
	BP_REQUEST,	/* a well-formed request ended: see the parser */
	BP_BAD		/* a malformed request ended: err says why */
};

struct bp_parser {
	/* the request being read */
	size_t nattr;
	const char *err;	/* the first defect, a static string */
	char names[BP_ATTRS_MAX][BP_NAME_MAX + 1];
	int have_request, have_user;
	char user[BP_USER_MAX + 1];	/* sasl_username ("" = none) */
	char client[BP_INFO_MAX + 1];	/* client_address, for the log */
	char state[BP_INFO_MAX + 1];	/* protocol_state */
	/* the line being read */
	char line[BP_LINE_MAX + 1];
	size_t len;
	int overlong;		/* past BP_LINE_MAX: dropped up to its LF */
	int ended;		/* the request above is complete */
	unsigned long requests;	/* requests ended so far */
};

void bp_init(struct bp_parser *p);
/*
 * Consumes bytes of buf up to the end of one request, or all of them:
 * *used says how many. BP_REQUEST or BP_BAD when a request ended (its
 * fields stay readable until the next call), else BP_MORE.
 */
enum bp_event bp_feed(struct bp_parser *p, const char *buf, size_t len,
    size_t *used);
/* At end of input: 1 when part of a request was read (it gets no answer:
 * the client is gone). */
int bp_pending(const struct bp_parser *p);

#endif
