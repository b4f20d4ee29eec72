/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_keys.c - strict Ed25519 SPKI PEM reader, key ids, keyring loading from a directory. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "bmsub.h"
#include "tlib.h"
#include "internal.h"

/* Key ids from README.keys (computed there with openssl + sha256sum). */
/* A committed key file, tests/data/keys/<rel>. */
static char *
keyfile(const char *rel, size_t *len)
{
	char path[256];

	snprintf(path, sizeof(path), "keys/%s", rel);
	return tlib_data(path, len);
}

static const struct {
	const char *file, *id;
} good[] = {
	{ "vendor1.pub", "d6147a148c10bf1f" },
	{ "vendor2.pub", "bb78a1e23d7ab0db" },
	{ "other.pub", "0a330a5fbe72c684" },
};

START_TEST(test_good_ids)
{
	uint8_t pk[32], id[8];
	char hex[17];
	struct bmsub_error e;
	size_t len;
	char *pem = keyfile(good[_i].file, &len);

	ck_assert_int_eq(bmsub_pubkey_parse_pem(pem, len, pk, &e), 0);
	ck_assert_int_eq(e.code, 0);
	bmsub_key_id(pk, id);
	bmsub_hex(id, 8, hex);
	ck_assert_str_eq(hex, good[_i].id);
	/* without the final LF too */
	ck_assert_int_eq(bmsub_pubkey_parse_pem(pem, len - 1, pk, &e), 0);
	free(pem);
}
END_TEST

/* The raw key of vendor1 (its seed is in README.keys; the public key is
 * the SPKI's last 32 bytes, checked here against a fixed value). */
START_TEST(test_raw_key)
{
	static const char v1[] =
	    "-----BEGIN PUBLIC KEY-----\n"
	    "MCowBQYDK2VwAyEAvng6OMPJ186YW+EZieNgtvRp/tlNlspdS2CjkJzxUtc=\n"
	    "-----END PUBLIC KEY-----\n";
	uint8_t pk[32];
	char hex[65];

	ck_assert_int_eq(bmsub_pubkey_parse_pem(v1, strlen(v1), pk, NULL), 0);
	bmsub_hex(pk, 32, hex);
	ck_assert_str_eq(hex,
	    "be783a38c3c9d7ce985be11989e360b6f469fed94d96ca5d4b60a3909cf152d7");
}
END_TEST

static const char *const wrong_alg[] = {
	"rsa.pub", "ec.pub", "x25519.pub", "ed448.pub", "vendor1.key",
};

START_TEST(test_wrong_algorithm)
{
	uint8_t pk[32];
	struct bmsub_error e;
	size_t len;
	char *pem = keyfile(wrong_alg[_i], &len);

	ck_assert_int_eq(bmsub_pubkey_parse_pem(pem, len, pk, &e),
	    BMSUB_E_BAD_KEY);
	ck_assert_int_eq(e.code, BMSUB_E_BAD_KEY);
	ck_assert_str_ne(e.msg, "");
	free(pem);
}
END_TEST

#define B "-----BEGIN PUBLIC KEY-----\n"
#define E "-----END PUBLIC KEY-----\n"
#define V1 "MCowBQYDK2VwAyEAvng6OMPJ186YW+EZieNgtvRp/tlNlspdS2CjkJzxUtc=\n"

static const char *const malformed[] = {
	"",
	B,
	B E,
	B V1,					/* truncated: no END */
	V1 E,
	B V1 E "extra\n",			/* text after the block */
	"text\n" B V1 E,			/* text before */
	B V1 E E,
	B V1 "\n" E,				/* blank line */
	"-----BEGIN PUBLIC KEY-----\r\n" V1 E,	/* CRLF */
	B "MCowBQYDK2VwAyEAvng6OMPJ186YW+EZieNgtvRp/tlNlspdS2CjkJzxUtc=\r\n" E,
	"-----BEGIN RSA PUBLIC KEY-----\n" V1 "-----END RSA PUBLIC KEY-----\n",
	"-----BEGIN ED25519 PUBLIC KEY-----\n" V1 "-----END ED25519 PUBLIC KEY-----\n",
	"-----BEGIN PUBLIC KEY-----\n" V1 "-----END PUBLIC KEY----- \n",
	" -----BEGIN PUBLIC KEY-----\n" V1 E,
	B "Proc-Type: 4,ENCRYPTED\n" V1 E,
	B " MCowBQYDK2VwAyEAvng6OMPJ186YW+EZieNgtvRp/tlNlspdS2CjkJzxUtc=\n" E,
	/* base64 non-canonical (last char 'c' -> 'd': unused bits set) */
	B "MCowBQYDK2VwAyEAvng6OMPJ186YW+EZieNgtvRp/tlNlspdS2CjkJzxUtd=\n" E,
	/* one byte of DER short (43 bytes) */
	B "MCowBQYDK2VwAyEAvng6OMPJ186YW+EZieNgtvRp/tlNlspdS2CjkJzxUg==\n" E,
	/* 45 bytes: trailing garbage after the key */
	B "MCowBQYDK2VwAyEAvng6OMPJ186YW+EZieNgtvRp/tlNlspdS2CjkJzxUtcA\n" E,
	/* X25519 OID (1.3.101.110) with the same key bytes */
	B "MCowBQYDK2VuAyEAvng6OMPJ186YW+EZieNgtvRp/tlNlspdS2CjkJzxUtc=\n" E,
	/* BIT STRING with 1 unused bit */
	B "MCowBQYDK2VwAyEBvng6OMPJ186YW+EZieNgtvRp/tlNlspdS2CjkJzxUtc=\n" E,
	/* outer SEQUENCE length 43 */
	B "MCswBQYDK2VwAyEAvng6OMPJ186YW+EZieNgtvRp/tlNlspdS2CjkJzxUtc=\n" E,
	/* a 65-character line */
	B "MCowBQYDK2VwAyEAvng6OMPJ186YW+EZieNgtvRp/tlNlspdS2CjkJzxUtc=AAAA=\n" E,
	B "not base64 at all!\n" E,
};

START_TEST(test_malformed)
{
	uint8_t pk[32];
	struct bmsub_error e;

	ck_assert_int_eq(bmsub_pubkey_parse_pem(malformed[_i],
	    strlen(malformed[_i]), pk, &e), BMSUB_E_BAD_KEY);
}
END_TEST

/* Base64 split over lines of at most 64 characters is still PEM. */
START_TEST(test_wrapped_ok)
{
	static const char pem[] = B
	    "MCowBQYDK2VwAyEAvng6OMPJ186YW+EZ\n"
	    "ieNgtvRp/tlNlspdS2CjkJzxUtc=\n" E;
	uint8_t pk[32];

	ck_assert_int_eq(bmsub_pubkey_parse_pem(pem, strlen(pem), pk, NULL), 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Keyring from a directory. */

static char dir[64];
static char logbuf[4096];
static int nwarn;

static void
logfn(void *arg, int prio, const char *msg)
{
	(void)arg;
	if (prio == LOG_WARNING)
		nwarn++;
	strncat(logbuf, msg, sizeof(logbuf) - strlen(logbuf) - 2);
	strcat(logbuf, "\n");
}

static const struct bmsub_log sink = { logfn, NULL };

static void
setup(void)
{
	tlib_tmpdir(dir, sizeof(dir), "test_keys");
	logbuf[0] = '\0';
	nwarn = 0;
}

static void
teardown(void)
{
	tlib_rmrf(dir);
}

static void
put(const char *name, const char *src, mode_t mode)
{
	size_t len;
	char *data = keyfile(src, &len);

	free(tlib_put(dir, name, data, len, mode));
	free(data);
}

static int
has_key(const struct bmsub_keyring *kr, const char *hexid)
{
	uint8_t id[8];
	const uint8_t *pk;
	unsigned v;
	int i;

	for (i = 0; i < 8; i++) {
		ck_assert_int_eq(sscanf(hexid + 2 * i, "%2x", &v), 1);
		id[i] = (uint8_t)v;
	}
	return bm_keyring_find(kr, id, &pk) == 0 && pk != NULL;
}

START_TEST(test_load_dir)
{
	struct bmsub_keyring *kr = NULL;
	struct bmsub_error e;
	char *p;

	put("vendor1.pem", "vendor1.pub", 0644);
	put("vendor2.pem", "vendor2.pub", 0444);
	put("vendor1-copy.pem", "vendor1.pub", 0644);	/* duplicate id */
	put("rsa.pem", "rsa.pub", 0644);		/* skipped, warned */
	put("loose.pem", "other.pub", 0666);		/* skipped, warned */
	put("other.pub", "other.pub", 0644);		/* not *.pem */
	put(".other.pem", "other.pub", 0644);		/* dot file */
	put("other.pem.bak", "other.pub", 0644);
	put("other.pex", "other.pub", 0644);		/* not *.pem either */
	ck_assert_int_ge(asprintf(&p, "%s/fifo.pem", dir), 0);
	ck_assert_int_eq(mkfifo(p, 0644), 0);		/* must not block */
	free(p);
	ck_assert_int_ge(asprintf(&p, "%s/sub.pem", dir), 0);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	free(p);

	ck_assert_int_eq(bmsub_keyring_load(dir, &sink, &kr, &e), 0);
	ck_assert_uint_eq(bmsub_keyring_count(kr), 2);
	ck_assert(has_key(kr, "d6147a148c10bf1f"));
	ck_assert(has_key(kr, "bb78a1e23d7ab0db"));
	ck_assert(!has_key(kr, "0a330a5fbe72c684"));
	ck_assert_int_eq(nwarn, 4);
	ck_assert_ptr_nonnull(strstr(logbuf, "/rsa.pem"));
	ck_assert_ptr_nonnull(strstr(logbuf, "bad-key"));
	ck_assert_ptr_nonnull(strstr(logbuf, "/loose.pem"));
	ck_assert_ptr_nonnull(strstr(logbuf, "insecure-permissions"));
	ck_assert_ptr_nonnull(strstr(logbuf, "/fifo.pem"));
	ck_assert_ptr_nonnull(strstr(logbuf, "not-regular-file"));
	ck_assert_ptr_nonnull(strstr(logbuf, "/sub.pem"));
	ck_assert_ptr_null(strstr(logbuf, "other.pub"));
	/* sorted by name: fifo < loose < rsa < sub */
	ck_assert(strstr(logbuf, "/fifo.pem") < strstr(logbuf, "/loose.pem"));
	ck_assert(strstr(logbuf, "/loose.pem") < strstr(logbuf, "/rsa.pem"));
	ck_assert(strstr(logbuf, "/rsa.pem") < strstr(logbuf, "/sub.pem"));
	bmsub_keyring_free(kr);
}
END_TEST

START_TEST(test_symlinked_key)
{
	struct bmsub_keyring *kr = NULL;
	char *p, *t;

	put("target", "vendor2.pub", 0644);
	ck_assert_int_ge(asprintf(&p, "%s/link.pem", dir), 0);
	ck_assert_int_ge(asprintf(&t, "%s/target", dir), 0);
	ck_assert_int_eq(symlink(t, p), 0);
	ck_assert_int_eq(bmsub_keyring_load(dir, NULL, &kr, NULL), 0);
	ck_assert_uint_eq(bmsub_keyring_count(kr), 1);
	ck_assert(has_key(kr, "bb78a1e23d7ab0db"));
	bmsub_keyring_free(kr);
	free(p);
	free(t);
}
END_TEST

START_TEST(test_missing_dir)
{
	struct bmsub_keyring *kr = NULL;
	struct bmsub_error e;
	char *p;

	ck_assert_int_ge(asprintf(&p, "%s/none", dir), 0);
	ck_assert_int_eq(bmsub_keyring_load(p, &sink, &kr, &e), 0);
	ck_assert_ptr_nonnull(kr);
	ck_assert_uint_eq(bmsub_keyring_count(kr), 0);
	ck_assert_ptr_nonnull(strstr(logbuf, p));
	bmsub_keyring_free(kr);
	free(p);
}
END_TEST

START_TEST(test_empty_dir)
{
	struct bmsub_keyring *kr = NULL;

	ck_assert_int_eq(bmsub_keyring_load(dir, &sink, &kr, NULL), 0);
	ck_assert_uint_eq(bmsub_keyring_count(kr), 0);
	ck_assert_int_eq(nwarn, 0);
	bmsub_keyring_free(kr);
}
END_TEST

START_TEST(test_bad_dirs)
{
	struct bmsub_keyring *kr = (struct bmsub_keyring *)1;
	struct bmsub_error e;
	char *p;

	put("vendor1.pem", "vendor1.pub", 0644);
	/* a directory others can write: anyone could add a trusted key */
	ck_assert_int_eq(chmod(dir, 0777), 0);
	ck_assert_int_eq(bmsub_keyring_load(dir, NULL, &kr, &e),
	    BMSUB_E_PERMISSIONS);
	ck_assert_ptr_null(kr);
	ck_assert_ptr_nonnull(strstr(e.msg, dir));
	ck_assert_int_eq(chmod(dir, 0775), 0);
	ck_assert_int_eq(bmsub_keyring_load(dir, NULL, &kr, &e),
	    BMSUB_E_PERMISSIONS);
	ck_assert_int_eq(chmod(dir, 0755), 0);
	ck_assert_int_eq(bmsub_keyring_load(dir, NULL, &kr, &e), 0);
	bmsub_keyring_free(kr);
	/* a file where the directory should be */
	ck_assert_int_ge(asprintf(&p, "%s/vendor1.pem", dir), 0);
	ck_assert_int_ne(bmsub_keyring_load(p, NULL, &kr, &e), 0);
	ck_assert_ptr_null(kr);
	free(p);
	if (tlib_need_root("test_bad_dirs: a folder owned by another user")) {
		ck_assert_int_eq(chown(dir, 65534, 65534), 0);
		ck_assert_int_eq(bmsub_keyring_load(dir, NULL, &kr, &e),
		    BMSUB_E_PERMISSIONS);
		ck_assert_int_eq(chown(dir, 0, 0), 0);
	}
}
END_TEST

START_TEST(test_add_pem)
{
	struct bmsub_keyring *kr = bmsub_keyring_new();
	struct bmsub_error e;
	size_t len;
	char *pem = tlib_data("keys/vendor1.pub", &len), *rsa;

	ck_assert_int_eq(bmsub_keyring_add_pem(kr, pem, len, &e), 0);
	ck_assert_int_eq(bmsub_keyring_add_pem(kr, pem, len, &e), 0);
	ck_assert_uint_eq(bmsub_keyring_count(kr), 1);
	rsa = tlib_data("keys/rsa.pub", &len);
	ck_assert_int_eq(bmsub_keyring_add_pem(kr, rsa, len, &e),
	    BMSUB_E_BAD_KEY);
	ck_assert_uint_eq(bmsub_keyring_count(kr), 1);
	ck_assert_int_eq(bmsub_keyring_add_pem(NULL, pem, len, &e),
	    BMSUB_E_INVALID);
	ck_assert_uint_eq(bmsub_keyring_count(NULL), 0);
	bmsub_keyring_free(NULL);
	bmsub_keyring_free(kr);
	free(pem);
	free(rsa);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("keys");
	TCase *tc = tcase_create("pem");
	int nf;

	tcase_add_loop_test(tc, test_good_ids, 0,
	    (int)(sizeof(good) / sizeof(good[0])));
	tcase_add_test(tc, test_raw_key);
	tcase_add_loop_test(tc, test_wrong_algorithm, 0,
	    (int)(sizeof(wrong_alg) / sizeof(wrong_alg[0])));
	tcase_add_loop_test(tc, test_malformed, 0,
	    (int)(sizeof(malformed) / sizeof(malformed[0])));
	tcase_add_test(tc, test_wrapped_ok);
	tcase_add_test(tc, test_add_pem);
	suite_add_tcase(s, tc);

	tc = tcase_create("keyring");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_load_dir);
	tcase_add_test(tc, test_symlinked_key);
	tcase_add_test(tc, test_missing_dir);
	tcase_add_test(tc, test_empty_dir);
	tcase_add_test(tc, test_bad_dirs);
	suite_add_tcase(s, tc);
	nf = tlib_run(s);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
