/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench_pam.c - cost of one PAM transaction (pam_start_confdir +
 * pam_acct_mgmt + pam_end) with pam_bmsub.so against a pam_permit.so
 * baseline: warm medians (one key file and 10,000 in keys.d), pam_access
 * with a group rule for scale, pam_permit and a copy of it given
 * bmsub's arguments (what one more line, another module doing nothing,
 * costs libpam: parsing the line, dlopen finding the loaded module, the
 * dispatch), and the cold cost of the
 * first transaction in a fresh process; then pure decisions per second,
 * license parse + verify, and "bmsub-check decide" as a process. Prints
 * each target of issue 12 with its ratio and "ok" or "MISSED", the warm
 * ones also on bmsub's own cost, (permit + bmsub) - (permit + permit
 * copy).
 * Run by "make bench" (not by make check).
 *
 *   bench_pam BUILD_DIR [N]
 *   BENCH_ONLY=permit|permit2|imap|many|access|alone bench_pam BUILD_DIR [N]
 *	(N transactions of one stack, nothing printed: for callgrind)
 *   BENCH_ONLY=decide bench_pam BUILD_DIR	(decisions per second only)
 */
#include <dlfcn.h>
#include <spawn.h>
#include <sys/wait.h>

#include "pamt.h"

#ifndef PAM_PERMIT
#define PAM_PERMIT "/lib/x86_64-linux-gnu/security/pam_permit.so"
#endif
#ifndef PAM_ACCESS
#define PAM_ACCESS "/lib/x86_64-linux-gnu/security/pam_access.so"
#endif

extern char **environ;

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

/* A byte copy of a binary (pt_copy is for text). */
static void
copy_bin(const char *from, const char *to)
{
	char buf[65536];
	ssize_t n;
	int in, out;

	if ((in = open(from, O_RDONLY | O_CLOEXEC)) < 0 ||
	    (out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) < 0)
		pt_die("copy %s to %s: %s", from, to, strerror(errno));
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			pt_die("write %s: %s", to, strerror(errno));
	if (n < 0 || close(out) != 0)
		pt_die("copy %s: %s", to, strerror(errno));
	close(in);
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One transaction; returns its duration in ns, dies on a wrong answer.
 * Never inlined nor cloned: tools/bench_callgrind.sh counts the
 * instructions inside it (--toggle-collect=transaction). */
__attribute__((noinline, noclone)) static int64_t
transaction(const char *dir, const char *service, const char *user, int want)
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
		(void)transaction(dir, service, user, want);
	for (i = 0; i < n; i++)
		v[i] = transaction(dir, service, user, want);
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
			t = transaction(dir, service, user, want);
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

/* Median of k runs of "bmsub-check -c CONF decide ...", fork to exit. */
static double
decide_process(const char *check, const char *conf, size_t k)
{
	char *argv[] = { (char *)check, "-c", (char *)conf, "decide",
	    "--user", "nobody", "--service", "imap", NULL };
	int64_t v[64], t0;
	posix_spawn_file_actions_t fa;
	size_t i;
	pid_t pid;
	int st;

	if (k > 64)
		k = 64;
	if (posix_spawn_file_actions_init(&fa) != 0 ||
	    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY,
	    0) != 0)
		pt_die("posix_spawn_file_actions");
	for (i = 0; i < k; i++) {
		t0 = now_ns();
		if (posix_spawn(&pid, check, &fa, NULL, argv, environ) != 0)
			pt_die("posix_spawn %s", check);
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			pt_die("%s decide: status %d", check, st);
		v[i] = now_ns() - t0;
	}
	posix_spawn_file_actions_destroy(&fa);
	return median_us(v, k);
}

static int64_t
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Decisions per second of this thread's CPU time (the machine is shared:
 * wall time would count the other processes), best of 21 rounds of
 * 100,000: bmsub_evaluate + bmsub_decide, ok phase, user and admin.
 */
static double
decisions_per_s(const char *license, const char *keys_dir)
{
	struct bmsub_keyring *kr = NULL;
	struct bmsub_license lic;
	struct bmsub_state st;
	struct bmsub_eval ev;
	struct bmsub_verdict vd;
	struct bmsub_error err;
	int64_t now = (int64_t)time(NULL), t0, t, best = INT64_MAX;
	unsigned long sink = 0;
	size_t i, round, n = 100000;

	if (bmsub_keyring_load(keys_dir, NULL, &kr, &err) != 0 ||
	    bmsub_license_load(license, kr, &lic, &err) != 0)
		pt_die("license: %s", err.msg);
	bmsub_state_init(&st);
	for (round = 0; round < 21; round++) {
		t0 = cpu_ns();
		for (i = 0; i < n; i++) {
			bmsub_evaluate(&lic, 0, &st, now + (int64_t)(i & 63),
			    &ev);
			bmsub_decide(&ev, (int)(i & 1), BMSUB_CAT_IMAP, 1, NULL,
			    &vd);
			sink += (unsigned long)vd.decision;
		}
		if ((t = cpu_ns() - t0) < best)
			best = t;
	}
	if (sink == 12345)
		printf(" ");
	bmsub_keyring_free(kr);
	return (double)n / ((double)best / 1e9);
}

/* Median µs of bmsub_license_verify over the license in memory. */
static double
verify_us(const char *license, const char *keys_dir)
{
	struct bmsub_keyring *kr = NULL;
	struct bmsub_license lic;
	struct bmsub_error err;
	int64_t v[201], t0;
	char *buf = NULL;
	size_t i, len;

	if (bmsub_keyring_load(keys_dir, NULL, &kr, &err) != 0 ||
	    bmsub_file_read(license, BMSUB_LICENSE_MAX, &buf, &len, &err) != 0)
		pt_die("license: %s", err.msg);
	for (i = 0; i < 201; i++) {
		t0 = now_ns();
		if (bmsub_license_verify(buf, len, kr, &lic, &err) != 0)
			pt_die("verify: %s", err.msg);
		v[i] = now_ns() - t0;
	}
	free(buf);
	bmsub_keyring_free(kr);
	return median_us(v, 201);
}

#define ROUNDS 7

static double
med_rounds(double *v)
{
	int64_t t[ROUNDS];
	size_t j;

	for (j = 0; j < ROUNDS; j++)
		t[j] = (int64_t)(v[j] * 1000.0);
	return median_us(t, ROUNDS);
}

static const char *
verdict(int ok)
{
	return ok ? "ok" : "MISSED";
}

int
main(int argc, char **argv)
{
	struct pt_env e, e2;
	char line[PATH_MAX * 3], key[PATH_MAX], pem[PATH_MAX + 32];
	char check[PATH_MAX], accfile[PATH_MAX + 16], permit2[PATH_MAX + 32];
	double base_raw, base, base2, bm, bm_many, bm_alone, acc, bm_role,
	    cold_base, cold_bm, proc, dps, ver, own, acc_own;
	size_t n = 1000, i;
	char *end;
	const char *only;

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
	snprintf(check, sizeof(check), "%s/bmsub-check", argv[1]);
	if (access(e.module, R_OK) != 0)
		pt_die("%s: %s", e.module, strerror(errno));
	pt_install_days(&e, 200);			/* phase ok */
	pt_state(&e, 5, BMSUB_TIME_NONE);
	/* the same, with 10,000 more key files in its keys.d */
	pt_env_init(&e2, NULL);
	pt_install_days(&e2, 200);
	pt_state(&e2, 5, BMSUB_TIME_NONE);
	pt_data_key("vendor1.pub", key, sizeof(key));
	for (i = 0; i < 10000; i++) {
		snprintf(pem, sizeof(pem), "%s/k%05zu.pem", e2.keys_dir, i);
		pt_copy(key, pem);
	}
	/* pam_access: nobody is let in by the group rule, others refused */
	snprintf(accfile, sizeof(accfile), "%s/access.conf", e.dir);
	pt_write(accfile, "+:(nogroup):ALL\n-:ALL:ALL\n", 0644);

	pt_service_raw(&e, "permit", "account required pam_permit.so\n");
	/* libpam loads a path once per handle: the second pam_permit line
	 * must name another file (a copy, kept loaded like the module) */
	snprintf(permit2, sizeof(permit2), "%s/pam_permit_copy.so", e.dir);
	copy_bin(PAM_PERMIT, permit2);
	snprintf(line, sizeof(line), "account required pam_permit.so\n"
	    "account required %s conf=%s\n", permit2, e.conf);
	pt_service_raw(&e, "permit2", line);
	snprintf(line, sizeof(line), "account required %s conf=%s\n"
	    "account required pam_permit.so\n", e.module, e.conf);
	pt_service_raw(&e, "imap", line);
	snprintf(line, sizeof(line), "account required %s conf=%s\n",
	    e.module, e.conf);
	pt_service_raw(&e, "alone", line);
	pt_service_raw(&e, "webmail", line);
	snprintf(line, sizeof(line), "account required %s conf=%s\n"
	    "account required pam_permit.so\n", e.module, e2.conf);
	pt_service_raw(&e, "many", line);
	snprintf(line, sizeof(line), "account required pam_access.so "
	    "accessfile=%s\naccount required pam_permit.so\n", accfile);
	pt_service_raw(&e, "access", line);

	/* BENCH_ONLY=SERVICE: n warm transactions of that stack alone, for
	 * valgrind --tool=callgrind or strace -c (subtract "permit") */
	if ((only = getenv("BENCH_ONLY")) != NULL &&
	    strcmp(only, "decide") == 0) {
		printf("%.2f million decisions/s of CPU\n",
		    decisions_per_s(e.license, e.keys_dir) / 1e6);
		pt_env_free(&e);
		pt_env_free(&e2);
		return 0;
	}
	if (only != NULL) {
		if (dlopen(PAM_PERMIT, RTLD_NOW | RTLD_NODELETE) == NULL ||
		    dlopen(PAM_ACCESS, RTLD_NOW | RTLD_NODELETE) == NULL ||
		    dlopen(permit2, RTLD_NOW | RTLD_NODELETE) == NULL)
			pt_die("dlopen: %s", dlerror());
		for (i = 0; i < n; i++)
			(void)transaction(e.dir, only, "nobody", PAM_SUCCESS);
		pt_env_free(&e);
		pt_env_free(&e2);
		return 0;
	}
	cold_base = cold(e.dir, "permit", "nobody", PAM_SUCCESS, 21);
	cold_bm = cold(e.dir, "imap", "nobody", PAM_SUCCESS, 21);
	base_raw = warm(e.dir, "permit", "nobody", PAM_SUCCESS, n);
	/* pam_bmsub stays loaded (-z nodelete) while libpam dlopens and
	 * dlcloses the others at every transaction: pin them too, so the
	 * baseline is the PAM machinery alone */
	if (dlopen(PAM_PERMIT, RTLD_NOW | RTLD_NODELETE) == NULL)
		pt_die("dlopen %s: %s", PAM_PERMIT, dlerror());
	if (dlopen(PAM_ACCESS, RTLD_NOW | RTLD_NODELETE) == NULL)
		pt_die("dlopen %s: %s", PAM_ACCESS, dlerror());
	/* last, just before pam_bmsub.so is first loaded: dlopen finds a
	 * loaded module by walking the list of loaded objects, so the
	 * copy's walk is as long as the module's (pam_access brings a
	 * dozen libraries) */
	if (dlopen(permit2, RTLD_NOW | RTLD_NODELETE) == NULL)
		pt_die("dlopen %s: %s", permit2, dlerror());
	/* interleaved, so that a load change on the machine hits all */
	base = base2 = bm = bm_many = acc = bm_alone = 0;
	{
		double vb[ROUNDS], vb2[ROUNDS], vm[ROUNDS], vmany[ROUNDS],
		    va[ROUNDS], val[ROUNDS];
		size_t r;

		for (r = 0; r < ROUNDS; r++) {
			vb[r] = warm(e.dir, "permit", "nobody", PAM_SUCCESS, n);
			vb2[r] = warm(e.dir, "permit2", "nobody", PAM_SUCCESS,
			    n);
			vm[r] = warm(e.dir, "imap", "nobody", PAM_SUCCESS, n);
			vmany[r] = warm(e.dir, "many", "nobody", PAM_SUCCESS, n);
			va[r] = warm(e.dir, "access", "nobody", PAM_SUCCESS, n);
			val[r] = warm(e.dir, "alone", "nobody", PAM_SUCCESS, n);
		}
		base = med_rounds(vb);
		base2 = med_rounds(vb2);
		bm = med_rounds(vm);
		bm_many = med_rounds(vmany);
		acc = med_rounds(va);
		bm_alone = med_rounds(val);
	}
	/* what bmsub's code costs, without libpam's for one more line
	 * (parsing it, dlopen's refcount, the dispatch): the same for any
	 * module, pam_permit's included */
	own = bm - base2;
	acc_own = acc - base2;
	/* warning phase on the web: the role matters and is looked up
	 * (admins.users only here: no NSS group is configured) */
	pt_install_days(&e, 10);
	bm_role = warm(e.dir, "webmail", "nobody", PAM_SUCCESS, n);
	pt_install_days(&e, 200);
	proc = decide_process(check, e.conf, 21);
	dps = decisions_per_s(e.license, e.keys_dir);
	ver = verify_us(e.license, e.keys_dir);

	printf("PAM transaction = pam_start_confdir + pam_acct_mgmt + pam_end,"
	    " median of %d rounds x median of %zu (cold: of 21 fresh"
	    " processes)\n", ROUNDS, n);
	printf("  pam_permit, unloaded at pam_end       %8.1f us\n", base_raw);
	printf("  pam_permit kept loaded: baseline      %8.1f us\n", base);
	printf("  permit + permit copy: one more line   %8.1f us  (%.3f x, +%.2f us)\n",
	    base2, base2 / base, base2 - base);
	printf("  permit + bmsub, ok phase, warm        %8.1f us  (%.3f x, +%.2f us)\n",
	    bm, bm / base, bm - base);
	printf("  bmsub's own: (permit + bmsub) - (permit + copy)  %+.2f us\n",
	    own);
	printf("  permit + bmsub, 10,000 key files      %8.1f us  (%.3f x, +%.2f us)\n",
	    bm_many, bm_many / base, bm_many - base);
	printf("  permit + pam_access (group rule)      %8.1f us  (%.3f x, +%.2f us)\n",
	    acc, acc / base, acc - base);
	printf("  bmsub alone (module only)             %8.1f us\n", bm_alone);
	printf("  bmsub alone, role looked up           %8.1f us\n", bm_role);
	printf("  pam_permit cold (first in process)    %8.1f us\n", cold_base);
	printf("  permit + bmsub cold                   %8.1f us  (+%.1f us)\n",
	    cold_bm, cold_bm - cold_base);
	printf("  pure decisions (evaluate + decide)    %8.2f million/s of CPU\n",
	    dps / 1e6);
	printf("  license parse + verify (in memory)    %8.1f us\n", ver);
	printf("  bmsub-check decide, spawn to exit     %8.1f us\n", proc);
	printf("Targets (issue 12):\n");
	printf("  warm permit+bmsub <= 1.05 x permit:         %.3f  %s\n",
	    bm / base, verdict(bm / base <= 1.05));
	printf("  bmsub overhead <= 1/20 of pam_access's:     %.3f  %s\n",
	    (bm - base) / (acc - base), verdict((bm - base) * 20 <= acc - base));
	printf("  bmsub's own cost (less one more line):\n");
	printf("    permit + own <= 1.05 x permit:            %.3f  %s\n",
	    (base + own) / base, verdict(own <= 0.05 * base));
	printf("    own <= 1/20 of pam_access's own:          %.3f  %s\n",
	    own / acc_own, verdict(own * 20 <= acc_own));
	printf("  10,000 key files within 1.2 x of one:       %.3f  %s\n",
	    bm_many / bm, verdict(bm_many <= 1.2 * bm));
	printf("  cold <= 1 ms above pam_permit's cold:       +%.1f us  %s\n",
	    cold_bm - cold_base, verdict(cold_bm - cold_base <= 1000.0));
	printf("  pure decisions >= 10 million/s:             %.2f  %s\n",
	    dps / 1e6, verdict(dps >= 1e7));
	pt_env_free(&e);
	pt_env_free(&e2);
	return 0;
}
