/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_pam_load.c - load: 8 threads, one PAM handle each (pam_start_confdir
 * once, then pam_acct_mgmt over and over), PAMT_LOAD_TOTAL transactions in
 * all (20,000 by default, 100,000 from tests/sh/pam_load.sh, 1,000,000 in
 * make bench), while a forked process (its allocations are not the PAM
 * host's) swaps the license between valid and blocked (expired), the
 * state between under and long over the count, and the config between two
 * admin lists. No wrong decision: every answer is the one a
 * single-threaded run gives for some combination of the versions present
 * during the call (each writer bumps a generation counter after its
 * rename; a call that saw generations g0..g1 may meet g0..g1+1). RSS
 * (its anonymous part, RssAnon: library pages a rarer path first touches
 * late are not growth; total RSS printed) and malloc's bytes in use at the
 * end within 64 KiB of their value after the first 1,000 transactions,
 * every worker paused between two transactions; judged outside ASan only
 * (tests/sh/pam_load.sh builds this with the normal build's flags).
 */
#include <check.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "pamt.h"
#include "tlib.h"

/* ASan's quarantine would hold freed memory (and grow RSS) for ever */
#if defined(__SANITIZE_ADDRESS__)
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "quarantine_size_mb=0";
}
#endif

#define N_WORKERS 8
/* RSS at the end within 64 KiB of RSS after the first 1,000 (see main
 * for the allocator's settings); PAMT_LOAD_ONLY=N runs only writer N (0
 * license, 1 state, 2 config), a diagnosis (its "more than 10 rewrites"
 * checks then fail) */
#define RSS_TARGET_KB 64
#define RSS_AFTER 1000

enum { F_LIC, F_STATE, F_CONF, N_FILES };

/* what one transaction gave */
struct answer {
	int rc;
	char decision[32];
	char phase[32];
};

static struct pt_env env;
static char *lic_text[2];
/* in memory shared with the writers' process */
struct shared {
	_Atomic long gen[N_FILES];
	_Atomic int stop;
};
static struct shared *sh;
static pthread_barrier_t quiet_point;
static long total = 20000;
static long rss_first = -1, anon_first = -1, heap_first = -1;
static pthread_mutex_t rss_mu = PTHREAD_MUTEX_INITIALIZER;
/* oracle[user/service pair][lic][state][conf] */
static struct answer oracle[4][2][2][2];
static const struct {
	const char *service, *user;
} pairs[4] = {
	{ "imap", "nobody" }, { "webmail", "root" },
	{ "webmail", "nobody" }, { "imap", "root" },
};

/* RSS in KiB: all of it (anon 0), or its anonymous part (anon 1: heap,
 * stacks; not the library pages a rarer path touches first later) */
static long
rss_kb(int anon)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, anon ? "RssAnon:" : "VmRSS:", anon ? 8 : 6) == 0)
			kb = strtol(line + (anon ? 8 : 6), NULL, 10);
	fclose(f);
	return kb;
}

/* bytes malloc has handed out and not got back */
static long
heap_kb(void)
{
	struct mallinfo2 mi = mallinfo2();

	return (long)((mi.uordblks + mi.hblkhd) / 1024);
}

/*
 * RSS after the first RSS_AFTER transactions (first 1) and after the last
 * (first 0), every worker paused between two transactions, its handle
 * open:
 * raw, then after malloc_trim (what the heap cannot give back; the bound
 * judges that one, the raw figures are printed).
 */
static long raw_first, raw_end, anon_end, rss_end, heap_end;

static void
measure(int first)
{
	long raw;

	pthread_mutex_lock(&rss_mu);
	raw = rss_kb(1);
#if !defined(__SANITIZE_ADDRESS__)
	malloc_trim(0);
#endif
	if (first) {
		raw_first = raw;
		rss_first = rss_kb(0);
		anon_first = rss_kb(1);
		heap_first = heap_kb();
	} else {
		raw_end = raw;
		rss_end = rss_kb(0);
		anon_end = rss_kb(1);
		heap_end = heap_kb();
	}
	pthread_mutex_unlock(&rss_mu);
}

static void
put_license(int v)
{
	pt_write(env.license, lic_text[v], 0644);
}

static void
put_state(int v)
{
	int64_t now = (int64_t)time(NULL);

	if (v == 0)
		pt_state(&env, 5, BMSUB_TIME_NONE);
	else
		pt_state(&env, 500, now - 120 * PT_DAY);
}

static void
put_conf(int v)
{
	pt_env_conf(&env, v == 0 ? "admins = { users = [\"root\"]; };\n" :
	    "admins = { users = [\"root\", \"nobody\"]; };\n");
}

static void
set_version(int f, int v)
{
	if (f == F_LIC)
		put_license(v);
	else if (f == F_STATE)
		put_state(v);
	else
		put_conf(v);
}

static int
same(const struct answer *a, const struct answer *b)
{
	return a->rc == b->rc && strcmp(a->decision, b->decision) == 0 &&
	    strcmp(a->phase, b->phase) == 0;
}

/* one pam_acct_mgmt on h; the module's variables cleared first */
static void
transact(pam_handle_t *h, struct answer *a)
{
	int has;

	(void)pam_putenv(h, "BMSUB_DECISION");
	(void)pam_putenv(h, "BMSUB_PHASE");
	a->rc = pam_acct_mgmt(h, 0);
	pt_getenv(h, "BMSUB_DECISION", a->decision, sizeof(a->decision), &has);
	pt_getenv(h, "BMSUB_PHASE", a->phase, sizeof(a->phase), &has);
}

/* a handle for pair, talking through conv (filled here, kept by caller) */
static pam_handle_t *
handle(int pair, struct pam_conv *conv, struct pt_out *o)
{
	pam_handle_t *h = NULL;

	conv->conv = pt_conv;
	conv->appdata_ptr = o;
	ck_assert_int_eq(pam_start_confdir(pairs[pair].service,
	    pairs[pair].user, conv, env.dir, &h), PAM_SUCCESS);
	return h;
}

struct worker {
	int id;
	long n, wrong;
	char last_wrong[200];
};

static void *
worker(void *arg)
{
	struct worker *w = arg;
	struct pt_out o;
	struct pam_conv conv;
	struct answer a;
	long g0[N_FILES], g1[N_FILES], d;
	int pair = w->id % 4, f, l, s, c, ok;
	pam_handle_t *h;

	memset(&o, 0, sizeof(o));
	h = handle(pair, &conv, &o);
	for (d = 0; d < total / N_WORKERS; d++) {
		/* every worker between two transactions, handles open: the
		 * memory then is what stays, not what calls in flight hold */
		if (d == RSS_AFTER / N_WORKERS &&
		    pthread_barrier_wait(&quiet_point) == PTHREAD_BARRIER_SERIAL_THREAD)
			measure(1);
		for (f = 0; f < N_FILES; f++)
			g0[f] = atomic_load(&sh->gen[f]);
		o.n_msg = 0;
		transact(h, &a);
		for (f = 0; f < N_FILES; f++)
			g1[f] = atomic_load(&sh->gen[f]) + 1;
		/* version parity k & 1 for k in g0..g1: both when g1 > g0 */
		ok = 0;
		for (l = 0; l < 2 && !ok; l++)
			for (s = 0; s < 2 && !ok; s++)
				for (c = 0; c < 2 && !ok; c++) {
					int v[N_FILES] = { l, s, c }, fine = 1;

					for (f = 0; f < N_FILES; f++)
						fine &= g1[f] > g0[f] ||
						    (g0[f] & 1) == v[f];
					ok = fine && same(&a,
					    &oracle[pair][l][s][c]);
				}
		w->n++;
		if (!ok) {
			w->wrong++;
			snprintf(w->last_wrong, sizeof(w->last_wrong),
			    "%s %s: rc %d decision '%s' phase '%s' (gen %ld-%ld"
			    " %ld-%ld %ld-%ld)", pairs[pair].service,
			    pairs[pair].user, a.rc, a.decision, a.phase,
			    g0[0], g1[0], g0[1], g1[1], g0[2], g1[2]);
		}
		if (getenv("PAMT_LOAD_TRACE") != NULL && w->id == 0 &&
		    (d + 1) % (total / N_WORKERS / 10) == 0)
			fprintf(stderr, "after %ld: RSS %ld KiB, anonymous %ld "
			    "KiB\n", (d + 1) * N_WORKERS, rss_kb(0), rss_kb(1));
	}
	if (pthread_barrier_wait(&quiet_point) == PTHREAD_BARRIER_SERIAL_THREAD)
		measure(0);
	(void)pthread_barrier_wait(&quiet_point);	/* measured before any pam_end */
	pam_end(h, PAM_SUCCESS);
	return NULL;
}

/* a writer of one file: the next version, then its generation */
static void *
changer(void *arg)
{
	int f = (int)(intptr_t)arg;
	long k = 0;

	if (getenv("PAMT_LOAD_ONLY") != NULL &&
	    strtol(getenv("PAMT_LOAD_ONLY"), NULL, 10) != f)
		return NULL;	/* a diagnosis: see RSS_TARGET_KB */
	while (!atomic_load(&sh->stop) && getenv("PAMT_LOAD_STILL") == NULL) {
		set_version(f, (int)((k + 1) & 1));
		k = atomic_fetch_add(&sh->gen[f], 1) + 1;
		usleep(f == F_LIC ? 300 : f == F_STATE ? 700 : 1100);
	}
	return NULL;
}

START_TEST(test_load)
{
	pthread_t th[N_WORKERS], ch[N_FILES];
	struct worker w[N_WORKERS];
	struct pt_out o;
	struct pam_conv conv;
	struct timespec t0, t1;
	struct pt_lic lic;
	int64_t now = (int64_t)time(NULL);
	long wrong = 0, n = 0;
	double secs;
	const char *e;
	int i, p, l, s, c, kinds = 0, arenas, st;
	pid_t pid;

	memset(&o, 0, sizeof(o));
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED |
	    MAP_ANONYMOUS, -1, 0);
	ck_assert(sh != MAP_FAILED);
	memset(sh, 0, sizeof(*sh));
	if ((e = getenv("PAMT_LOAD_TOTAL")) != NULL)
		total = strtol(e, NULL, 10);
	/* see main: glibc's per-thread caches off, unless PAMT_LOAD_ARENAS */
	arenas = getenv("PAMT_LOAD_ARENAS") != NULL;
	pt_env_init(&env, NULL);
	pt_service(&env, "imap", NULL);
	pt_service(&env, "webmail", NULL);
	memset(&lic, 0, sizeof(lic));
	lic.issued = now - 400 * PT_DAY;
	lic.expires = now + 200 * PT_DAY;
	lic.users = 100;
	lic.grace_days = -1;
	lic_text[0] = pt_license(&lic);
	lic.expires = now - 20 * PT_DAY;
	lic.id = "BM-TEST-EXPIRED-0002";
	lic_text[1] = pt_license(&lic);

	/* the oracle: every combination, one thread, fresh handles */
	for (l = 0; l < 2; l++)
		for (s = 0; s < 2; s++)
			for (c = 0; c < 2; c++) {
				put_license(l);
				put_state(s);
				put_conf(c);
				for (p = 0; p < 4; p++) {
					pam_handle_t *h = handle(p, &conv, &o);

					transact(h, &oracle[p][l][s][c]);
					pam_end(h, PAM_SUCCESS);
					fprintf(stderr, "oracle %s %s lic %d state %d"
					    " conf %d: rc %d %s %s\n",
					    pairs[p].service, pairs[p].user, l, s,
					    c, oracle[p][l][s][c].rc,
					    oracle[p][l][s][c].decision,
					    oracle[p][l][s][c].phase);
				}
			}
	/* each file changes some answer: else the test could not notice */
	for (p = 0; p < 4; p++) {
		kinds |= !same(&oracle[p][0][0][0], &oracle[p][1][0][0]) << 0;
		kinds |= !same(&oracle[p][0][0][0], &oracle[p][0][1][0]) << 1;
		kinds |= !same(&oracle[p][1][0][0], &oracle[p][1][0][1]) << 2;
	}
	ck_assert_int_eq(kinds, 7);
	put_license(0);
	put_state(0);
	put_conf(0);

	memset(w, 0, sizeof(w));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* the writers run in a process of their own, as bmsub-check and the
	 * operator do: their allocations are not in the RSS judged here */
	if ((pid = fork()) == 0) {
		for (i = 0; i < N_FILES; i++)
			if (pthread_create(&ch[i], NULL, changer,
			    (void *)(intptr_t)i) != 0)
				_exit(1);
		for (i = 0; i < N_FILES; i++)
			pthread_join(ch[i], NULL);
		_exit(0);
	}
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(total % N_WORKERS, 0);
	ck_assert_int_ge(total, 2 * RSS_AFTER);
	ck_assert_int_eq(pthread_barrier_init(&quiet_point, NULL, N_WORKERS), 0);
	for (i = 0; i < N_WORKERS; i++) {
		w[i].id = i;
		ck_assert_int_eq(pthread_create(&th[i], NULL, worker, &w[i]), 0);
	}
	for (i = 0; i < N_WORKERS; i++)
		pthread_join(th[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	atomic_store(&sh->stop, 1);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "writers: %d", st);
	if (getenv("PAMT_LOAD_TRACE") != NULL)
		fprintf(stderr, "after every pam_end: malloc in use %+ld KiB\n",
		    heap_kb() - heap_first);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	for (i = 0; i < N_WORKERS; i++) {
		n += w[i].n;
		wrong += w[i].wrong;
		if (w[i].wrong)
			fprintf(stderr, "thread %d: %ld wrong, last: %s\n", i,
			    w[i].wrong, w[i].last_wrong);
	}
	fprintf(stderr, "load: %d threads, %ld transactions in %.1f s (%.0f/s), "
	    "%ld wrong; license %ld, state %ld, config %ld rewrites; RSS %ld KiB "
	    "after %d, %ld KiB after the last (%+ld KiB; anonymous %+ld KiB, "
	    "%+ld KiB untrimmed); malloc in use %+ld KiB; "
	    "%s\n", N_WORKERS, n, secs,
	    (double)n / secs, wrong, (long)atomic_load(&sh->gen[F_LIC]),
	    (long)atomic_load(&sh->gen[F_STATE]), (long)atomic_load(&sh->gen[F_CONF]),
	    rss_first, RSS_AFTER, rss_end, rss_end - rss_first,
	    anon_end - anon_first, raw_end - raw_first,
	    heap_end - heap_first,
#if defined(__SANITIZE_ADDRESS__)
	    "ASan's allocator");
#else
	    arenas ? "glibc's malloc defaults" :
	    "one malloc arena, no tcache");
#endif
	ck_assert_int_eq(n, total);
	ck_assert_int_eq(wrong, 0);
	ck_assert_int_gt(atomic_load(&sh->gen[F_LIC]), 10);
	ck_assert_int_gt(atomic_load(&sh->gen[F_STATE]), 10);
	ck_assert_int_gt(atomic_load(&sh->gen[F_CONF]), 10);
	ck_assert_int_gt(rss_first, 0);
	ck_assert_int_gt(anon_first, 0);
#if defined(__SANITIZE_ADDRESS__)
	(void)arenas;
	fprintf(stderr, "RSS not judged under ASan (its allocator keeps what "
	    "it maps): tests/sh/pam_load.sh runs the normal build\n");
#else
	fprintf(stderr, "RSS target (+%d KiB): %s\n", RSS_TARGET_KB,
	    anon_end - anon_first <= RSS_TARGET_KB ? "met" : "NOT met");
	if (!arenas) {
		ck_assert_msg(heap_end - heap_first <= RSS_TARGET_KB,
		    "malloc in use grew by %ld KiB", heap_end - heap_first);
		ck_assert_msg(anon_end - anon_first <= RSS_TARGET_KB,
		    "anonymous RSS grew by %ld KiB", anon_end - anon_first);
	}
#endif
	free(lic_text[0]);
	free(lic_text[1]);
	pt_env_free(&env);
}
END_TEST

/*
 * glibc keeps per-thread caches: an arena per thread (memory one thread
 * frees into another's is reused slowly) and a tcache (up to 7 freed
 * chunks per size class and thread, counted as in use). Under load with
 * the config rewritten they fill up slowly, so RSS and "in use" creep
 * (+150 KiB over 100,000 here) with nothing lost: valgrind finds no
 * leak, and with the caches off both stay flat. The bound judges the
 * module's own footprint: this program runs itself again with one arena
 * and no tcache (GLIBC_TUNABLES), unless PAMT_LOAD_ARENAS is set (glibc's
 * defaults: figures printed, not judged) or under ASan (its allocator).
 */
#define TUNABLES "glibc.malloc.arena_max=1:glibc.malloc.tcache_count=0"

int
main(int argc, char **argv)
{
	Suite *s = suite_create("pam_load");
	TCase *tc = tcase_create("load");
	int failed;

#if !defined(__SANITIZE_ADDRESS__)
	if (getenv("PAMT_LOAD_ARENAS") == NULL &&
	    getenv("PAMT_LOAD_TUNED") == NULL && argc > 0) {
		setenv("GLIBC_TUNABLES", TUNABLES, 1);
		setenv("PAMT_LOAD_TUNED", "1", 1);
		execv("/proc/self/exe", argv);
		fprintf(stderr, "test_pam_load: cannot run itself again: %s\n",
		    strerror(errno));
		return EXIT_FAILURE;
	}
#endif
	(void)argc;
	(void)argv;
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_load);
	suite_add_tcase(s, tc);
	failed = tlib_run(s);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
