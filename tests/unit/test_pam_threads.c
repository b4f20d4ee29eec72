/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_pam_threads.c - 8 threads, one PAM handle per transaction each,
 * thousands of transactions through pam_bmsub.so while another thread
 * keeps renaming a valid and an expired license over each other: every
 * answer must be one of the two right ones. Real users (root, nobody):
 * nss_wrapper is not reliable under threads.
 */
#include <check.h>
#include <pthread.h>
#include <sched.h>

#include "pamt.h"
#include "tlib.h"

#define N_THREADS 8

static struct pt_env env;
static char *lic_valid, *lic_expired;
static volatile int stop;
static int iters = 2500;

struct tally {
	long allow, deny, redirect, wrong;
	int last_wrong_rc;
	char last_wrong[256];
};

static void *
replacer(void *arg)
{
	long *swaps = arg;

	while (!stop) {
		pt_write(env.license, (*swaps & 1) ? lic_valid : lic_expired,
		    0644);
		(*swaps)++;
		usleep(500);
	}
	pt_write(env.license, lic_valid, 0644);
	return NULL;
}

static void *
worker(void *arg)
{
	struct tally *t = arg;
	struct pt_out o;
	int i, admin;

	for (i = 0; i < iters; i++) {
		admin = i & 1;
		memset(&o, 0, sizeof(o));
		/* admin on the web: allow (valid) or redirect (expired);
		 * a user on IMAP: allow (valid) or deny (expired) */
		pt_run(env.dir, admin ? "webmail" : "imap",
		    admin ? "root" : "nobody", PT_ACCT, 0, &o);
		if (o.rc == PAM_SUCCESS && strcmp(o.decision, "allow") == 0 &&
		    strcmp(o.phase, "ok") == 0)
			t->allow++;
		else if (o.rc == PAM_SUCCESS && admin &&
		    strcmp(o.decision, "redirect") == 0 &&
		    strcmp(o.phase, "blocked") == 0 &&
		    strcmp(o.redirect, PT_ADMIN_URL) == 0)
			t->redirect++;
		else if (o.rc == PAM_PERM_DENIED && !admin && !o.has_decision)
			t->deny++;
		else {
			t->wrong++;
			t->last_wrong_rc = o.rc;
			snprintf(t->last_wrong, sizeof(t->last_wrong),
			    "%s: decision=%s phase=%s", admin ? "root" :
			    "nobody", o.decision, o.phase);
		}
	}
	return NULL;
}

START_TEST(test_threads)
{
	pthread_t th[N_THREADS], rep;
	struct tally t[N_THREADS];
	struct pt_lic l;
	int64_t now = (int64_t)time(NULL);
	long swaps = 0, allow = 0, deny = 0, redirect = 0, wrong = 0;
	const char *s;
	int i;

	if ((s = getenv("PAMT_THREAD_ITERS")) != NULL)
		iters = (int)strtol(s, NULL, 10);
	pt_env_init(&env, NULL);
	pt_service(&env, "imap", NULL);
	pt_service(&env, "webmail", NULL);
	memset(&l, 0, sizeof(l));
	l.issued = now - 400 * PT_DAY;
	l.expires = now + 200 * PT_DAY;
	l.grace_days = -1;
	lic_valid = pt_license(&l);
	/* different sizes: a rename is seen even if an inode is reused */
	l.expires = now - 20 * PT_DAY;
	l.id = "BM-TEST-EXPIRED-0002";
	lic_expired = pt_license(&l);
	pt_write(env.license, lic_valid, 0644);

	memset(t, 0, sizeof(t));
	ck_assert_int_eq(pthread_create(&rep, NULL, replacer, &swaps), 0);
	for (i = 0; i < N_THREADS; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, worker, &t[i]), 0);
	for (i = 0; i < N_THREADS; i++)
		pthread_join(th[i], NULL);
	stop = 1;
	pthread_join(rep, NULL);

	for (i = 0; i < N_THREADS; i++) {
		allow += t[i].allow;
		deny += t[i].deny;
		redirect += t[i].redirect;
		wrong += t[i].wrong;
		if (t[i].wrong)
			fprintf(stderr, "thread %d: %ld wrong, last rc %d %s\n",
			    i, t[i].wrong, t[i].last_wrong_rc, t[i].last_wrong);
	}
	fprintf(stderr, "%d threads x %d: allow %ld deny %ld redirect %ld"
	    " wrong %ld; %ld license swaps\n", N_THREADS, iters, allow, deny,
	    redirect, wrong, swaps);
	ck_assert_int_eq(wrong, 0);
	ck_assert_int_eq(allow + deny + redirect, (long)N_THREADS * iters);
	/* both licenses were really seen by the workers */
	ck_assert_int_gt(allow, 0);
	ck_assert_int_gt(deny, 0);
	ck_assert_int_gt(redirect, 0);
	ck_assert_int_gt(swaps, 10);
	free(lic_valid);
	free(lic_expired);
	pt_env_free(&env);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("pam_threads");
	TCase *tc = tcase_create("threads");
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_threads);
	suite_add_tcase(s, tc);
	failed = tlib_run(s);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
