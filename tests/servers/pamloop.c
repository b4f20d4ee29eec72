/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pamloop.c - runs N PAM transactions (pam_start_confdir, pam_acct_mgmt,
 * pam_end) and prints how many returned each code: a plain libpam client
 * for valgrind (tests/sh/pam_valgrind.sh), built by the script itself.
 *
 *   pamloop CONFDIR SERVICE USER N [FILE NEWFILE]
 *
 * With FILE and NEWFILE, NEWFILE is renamed over FILE after N/2
 * transactions (a license dropped in while the process runs).
 */
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
conv(int n, const struct pam_message **msg, struct pam_response **resp,
    void *arg)
{
	(void)msg;
	(void)arg;
	/* messages are dropped, as most servers do; nothing is asked */
	if ((*resp = calloc((size_t)n, sizeof(**resp))) == NULL)
		return PAM_BUF_ERR;
	return PAM_SUCCESS;
}

int
main(int argc, char **argv)
{
	struct pam_conv c = { conv, NULL };
	unsigned long counts[64], n, i;
	pam_handle_t *pamh;
	char *end;
	int rc;

	if (argc != 5 && argc != 7) {
		fprintf(stderr, "usage: pamloop CONFDIR SERVICE USER N"
		    " [FILE NEWFILE]\n");
		return 2;
	}
	n = strtoul(argv[4], &end, 10);
	if (*argv[4] == '\0' || *end != '\0' || n == 0 || n > 10000000) {
		fprintf(stderr, "pamloop: bad count %s\n", argv[4]);
		return 2;
	}
	memset(counts, 0, sizeof(counts));
	for (i = 0; i < n; i++) {
		if (argc == 7 && i == n / 2 && rename(argv[6], argv[5]) != 0) {
			perror("pamloop: rename");
			return 1;
		}
		pamh = NULL;
		if ((rc = pam_start_confdir(argv[2], argv[3], &c, argv[1],
		    &pamh)) != PAM_SUCCESS) {
			fprintf(stderr, "pamloop: pam_start_confdir: %d\n", rc);
			return 1;
		}
		rc = pam_acct_mgmt(pamh, PAM_SILENT);
		pam_end(pamh, rc);
		counts[rc >= 0 && rc < 64 ? rc : 63]++;
	}
	for (i = 0; i < 64; i++)
		if (counts[i])
			printf("rc %lu: %lu\n", i, counts[i]);
	return 0;
}
