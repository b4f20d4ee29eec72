/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench_pam.c - cost of one PAM transaction (pam_start_confdir +
 * pam_acct_mgmt + pam_end) with pam_bmsub.so against a pam_permit.so
 * baseline: warm medians, and the cold cost of the first transaction in a
 * fresh process. Run by "make bench" (not by make check).
 *
 *   bench_pam BUILD_DIR [N]
 */
#include <dlfcn.h>
#include <sys/wait.h>

#include "pamt.h"

#ifndef PAM_PERMIT
#define PAM_PERMIT "/lib/x86_64-linux-gnu/security/pam_permit.so"
#endif

static int
conv(int n, const struct pam_message **msg, struct pam_response **resp,
    void *arg)
{
	(void)msg;
	(void)arg;
	if ((*resp = calloc((size_t)n, sizeof(**resp))) == NULL)
		return PAM_BUF_ERR;
	return PAM_SUCCESS;
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One transaction; returns its duration in ns, dies on a wrong answer. */
static int64_t
one(const char *dir, const char *service, const char *user, int want)
{
	struct pam_conv c = { conv, NULL };
	pam_handle_t *pamh = NULL;
	int64_t t0 = now_ns();
	int rc;

	if (pam_start_confdir(service, user, &c, dir, &pamh) != PAM_SUCCESS)
		pt_die("pam_start_confdir %s", service);
	rc = pam_acct_mgmt(pamh, PAM_SILENT);
	pam_end(pamh, rc);
	if (rc != want)
		pt_die("%s: rc %d, want %d", service, rc, want);
	return now_ns() - t0;
}

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static double
median_us(int64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp64);
	return (n % 2 ? (double)v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0) /
	    1000.0;
}

static double
warm(const char *dir, const char *service, const char *user, int want,
    size_t n)
{
	int64_t *v = calloc(n, sizeof(*v));
	double m;
	size_t i;

	if (v == NULL)
		pt_die("calloc");
	for (i = 0; i < 50; i++)
		(void)one(dir, service, user, want);
	for (i = 0; i < n; i++)
		v[i] = one(dir, service, user, want);
	m = median_us(v, n);
	free(v);
	return m;
}

/* First transaction of a fresh (forked) process, k times. */
static double
cold(const char *dir, const char *service, const char *user, int want,
    size_t k)
{
	int64_t v[64], t;
	size_t i;
	int fd[2], st;
	pid_t pid;

	if (k > 64)
		k = 64;
	for (i = 0; i < k; i++) {
		if (pipe(fd) != 0 || (pid = fork()) < 0)
			pt_die("fork");
		if (pid == 0) {
			close(fd[0]);
			t = one(dir, service, user, want);
			_exit(write(fd[1], &t, sizeof(t)) == sizeof(t) ? 0 : 1);
		}
		close(fd[1]);
		if (read(fd[0], &v[i], sizeof(v[i])) != sizeof(v[i]))
			pt_die("child %zu failed", i);
		close(fd[0]);
		waitpid(pid, &st, 0);
	}
	return median_us(v, k);
}

int
main(int argc, char **argv)
{
	struct pt_env e;
	char line[PATH_MAX * 3];
	double base_raw, base, bm, bm_role, cold_base, cold_bm;
	size_t n = 2000;
	char *end;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: bench_pam BUILD_DIR [N]\n");
		return 2;
	}
	if (argc == 3) {
		n = strtoul(argv[2], &end, 10);
		if (*end != '\0' || n < 10 || n > 1000000) {
			fprintf(stderr, "bench_pam: bad N %s\n", argv[2]);
			return 2;
		}
	}
	pt_env_init(&e, NULL);
	snprintf(e.module, sizeof(e.module), "%s/pam_bmsub.so", argv[1]);
	if (access(e.module, R_OK) != 0)
		pt_die("%s: %s", e.module, strerror(errno));
	pt_install_days(&e, 200);			/* phase ok */
	pt_state(&e, 5, BMSUB_TIME_NONE);
	pt_service_raw(&e, "permit", "account required pam_permit.so\n");
	snprintf(line, sizeof(line), "account required %s conf=%s\n",
	    e.module, e.conf);
	pt_service_raw(&e, "imap", line);
	pt_service_raw(&e, "webmail", line);

	cold_base = cold(e.dir, "permit", "nobody", PAM_SUCCESS, 21);
	cold_bm = cold(e.dir, "imap", "nobody", PAM_SUCCESS, 21);
	base_raw = warm(e.dir, "permit", "nobody", PAM_SUCCESS, n);
	/* pam_bmsub stays loaded (-z nodelete) while libpam dlopens and
	 * dlcloses pam_permit at every transaction: pin pam_permit too, so
	 * the baseline is the PAM machinery alone */
	if (dlopen(PAM_PERMIT, RTLD_NOW | RTLD_NODELETE) == NULL)
		pt_die("dlopen %s: %s", PAM_PERMIT, dlerror());
	base = warm(e.dir, "permit", "nobody", PAM_SUCCESS, n);
	bm = warm(e.dir, "imap", "nobody", PAM_SUCCESS, n);
	/* warning phase on the web: the role matters and is looked up
	 * (admins.users only here: no NSS group is configured) */
	pt_install_days(&e, 10);
	bm_role = warm(e.dir, "webmail", "nobody", PAM_SUCCESS, n);

	printf("PAM transaction = pam_start_confdir + pam_acct_mgmt + pam_end,"
	    " median of %zu (cold: of 21 fresh processes)\n", n);
	printf("  pam_permit.so, unloaded at pam_end %8.1f us\n", base_raw);
	printf("  pam_permit.so kept loaded: baseline %7.1f us\n", base);
	printf("  pam_bmsub.so ok phase, warm cache  %8.1f us  (%.2f x baseline,"
	    " +%.1f us)\n", bm, bm / base, bm - base);
	printf("  pam_bmsub.so role looked up        %8.1f us  (%.2f x baseline)\n",
	    bm_role, bm_role / base);
	printf("  pam_permit.so cold (first in process) %5.1f us\n", cold_base);
	printf("  pam_bmsub.so cold (first in process)  %5.1f us  (%.2f x cold"
	    " baseline)\n", cold_bm, cold_bm / cold_base);
	pt_env_free(&e);
	return 0;
}
