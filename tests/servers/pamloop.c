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
 *
 *   pamloop CONFDIR PLAN
 *
 * runs the plan's steps in one process, one a line: "SERVICE USER N [SRC
 * DST]" (with SRC DST, a copy of SRC is renamed over DST first: a license
 * or config swapped in) and prints "step K: rc R: COUNT" for each. A line
 * "! COMMAND" runs COMMAND through sh between two steps (a refresh while
 * the process keeps its PAM module loaded, as a daemon does) and prints
 * "step K: exit E".
 */
#include <security/pam_appl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

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

/* a copy of src renamed over dst */
static int
swap_in(const char *src, const char *dst)
{
	char tmp[4200], buf[65536];
	size_t n;
	FILE *in, *out;
	int r = -1;

	snprintf(tmp, sizeof(tmp), "%s.pamloop", dst);
	if ((in = fopen(src, "rb")) == NULL)
		return -1;
	if ((out = fopen(tmp, "wb")) != NULL) {
		n = fread(buf, 1, sizeof(buf), in);
		r = fwrite(buf, 1, n, out) == n ? 0 : -1;
		if (fclose(out) != 0)
			r = -1;
	}
	fclose(in);
	return r == 0 ? rename(tmp, dst) : -1;
}

static int
plan(const char *confdir, const char *path)
{
	struct pam_conv c = { conv, NULL };
	char line[8400], service[64], user[64], src[4096], dst[4096];
	unsigned long counts[64], n, i, step = 0;
	pam_handle_t *pamh;
	FILE *f;
	int rc, k;

	if ((f = fopen(path, "r")) == NULL) {
		perror(path);
		return 1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		step++;
		if (line[0] == '!') {
			fflush(stdout);
			rc = system(line + 1);
			printf("step %lu: exit %d\n", step, rc == -1 ? -1 :
			    WIFEXITED(rc) ? WEXITSTATUS(rc) : 128);
			continue;
		}
		k = sscanf(line, "%63s %63s %lu %4095s %4095s", service, user,
		    &n, src, dst);
		if (k != 3 && k != 5) {
			fprintf(stderr, "pamloop: bad plan line %lu\n", step);
			return 2;
		}
		if (k == 5 && swap_in(src, dst) != 0) {
			fprintf(stderr, "pamloop: %s -> %s: %s\n", src, dst,
			    strerror(errno));
			return 1;
		}
		memset(counts, 0, sizeof(counts));
		for (i = 0; i < n; i++) {
			pamh = NULL;
			if ((rc = pam_start_confdir(service, user, &c, confdir,
			    &pamh)) != PAM_SUCCESS) {
				fprintf(stderr, "pamloop: pam_start_confdir: "
				    "%d\n", rc);
				return 1;
			}
			rc = pam_acct_mgmt(pamh, PAM_SILENT);
			pam_end(pamh, rc);
			counts[rc >= 0 && rc < 64 ? rc : 63]++;
		}
		for (i = 0; i < 64; i++)
			if (counts[i])
				printf("step %lu: rc %lu: %lu\n", step, i,
				    counts[i]);
	}
	fclose(f);
	return 0;
}

int
main(int argc, char **argv)
{
	struct pam_conv c = { conv, NULL };
	unsigned long counts[64], n, i;
	pam_handle_t *pamh;
	char *end;
	int rc;

	if (argc == 3)
		return plan(argv[1], argv[2]);
	if (argc != 5 && argc != 7) {
		fprintf(stderr, "usage: pamloop CONFDIR SERVICE USER N"
		    " [FILE NEWFILE] | pamloop CONFDIR PLAN\n");
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
