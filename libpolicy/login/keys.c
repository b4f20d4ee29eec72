/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* keys.c - trusted Ed25519 public keys: strict SPKI PEM reader and keyring. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <sodium.h>

#include "internal.h"

/* A key file is one PEM block of 44 DER bytes: far below this. */
#define KEY_FILE_MAX 4096

static const char pem_begin[] = "-----BEGIN PUBLIC KEY-----";
static const char pem_end[] = "-----END PUBLIC KEY-----";

/*
 * SubjectPublicKeyInfo of an Ed25519 key (RFC 8410): SEQUENCE(42) {
 * SEQUENCE(5) { OID 1.3.101.112 }, BIT STRING(33) { 0 unused bits, pk } }.
 * Comparing the whole prefix rejects every other algorithm (X25519 differs
 * only in the OID's last byte) and any parameters or extra DER.
 */
static const uint8_t ed25519_spki_prefix[12] = {
	0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
};

struct bm_key {
	uint8_t pk[32];
	uint8_t id[BMSUB_KEYID_LEN];
};

struct bmsub_keyring {
	struct bm_key *k;
	size_t n;
};

void
bmsub_key_id(const uint8_t pk[32], uint8_t id[BMSUB_KEYID_LEN])
{
	uint8_t h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, pk, 32);
	memcpy(id, h, BMSUB_KEYID_LEN);
}

/* Next line of [*p, end): sets *line and *n (without the LF); 0 at end. */
static int
next_line(const char **p, const char *end, const char **line, size_t *n)
{
	const char *lf;

	if (*p >= end)
		return 0;
	*line = *p;
	if ((lf = memchr(*p, '\n', (size_t)(end - *p))) == NULL) {
		*n = (size_t)(end - *p);
		*p = end;
	} else {
		*n = (size_t)(lf - *p);
		*p = lf + 1;
	}
	return 1;
}

static int
line_is(const char *line, size_t n, const char *want)
{
	return n == strlen(want) && memcmp(line, want, n) == 0;
}

/*
 * Exactly what "openssl pkey -pubout" writes: the BEGIN line, base64 lines
 * of at most 64 characters, the END line, LF endings (the last LF may be
 * missing). No headers, no text around the block, no CR.
 */
int
bmsub_pubkey_parse_pem(const char *pem, size_t len, uint8_t pk[32],
    struct bmsub_error *err)
{
	const char *p = pem, *end = pem + len, *line;
	char b64[KEY_FILE_MAX];
	uint8_t der[64];
	size_t n, blen = 0, dlen;
	int ended = 0;

	memset(pk, 0, 32);
	if (!next_line(&p, end, &line, &n) || !line_is(line, n, pem_begin))
		return bm_err(err, BMSUB_E_BAD_KEY, 1,
		    "first line is not \"%s\"", pem_begin);
	while (next_line(&p, end, &line, &n)) {
		if (line_is(line, n, pem_end)) {
			ended = 1;
			break;
		}
		if (n == 0 || n > 64 || blen + n >= sizeof(b64))
			return bm_err(err, BMSUB_E_BAD_KEY, 0,
			    "malformed base64 line");
		memcpy(b64 + blen, line, n);
		blen += n;
	}
	if (!ended)
		return bm_err(err, BMSUB_E_BAD_KEY, 0, "no \"%s\" line",
		    pem_end);
	if (p != end)
		return bm_err(err, BMSUB_E_BAD_KEY, 0,
		    "text after \"%s\"", pem_end);
	if (bmsub_base64_decode(b64, blen, der, sizeof(der), &dlen) != 0)
		return bm_err(err, BMSUB_E_BAD_KEY, 0, "invalid base64");
	if (dlen != sizeof(ed25519_spki_prefix) + 32 ||
	    memcmp(der, ed25519_spki_prefix, sizeof(ed25519_spki_prefix)) != 0)
		return bm_err(err, BMSUB_E_BAD_KEY, 0,
		    "not an Ed25519 SubjectPublicKeyInfo");
	memcpy(pk, der + sizeof(ed25519_spki_prefix), 32);
	bm_err_clear(err);
	return BMSUB_OK;
}

struct bmsub_keyring *
bmsub_keyring_new(void)
{
	return calloc(1, sizeof(struct bmsub_keyring));
}

void
bmsub_keyring_free(struct bmsub_keyring *kr)
{
	if (kr == NULL)
		return;
	free(kr->k);
	free(kr);
}

size_t
bmsub_keyring_count(const struct bmsub_keyring *kr)
{
	return kr == NULL ? 0 : kr->n;
}

int
bm_keyring_find(const struct bmsub_keyring *kr, const uint8_t id[8],
    const uint8_t **pk)
{
	size_t i;

	*pk = NULL;
	if (kr == NULL)
		return BMSUB_E_UNKNOWN_KEY;
	for (i = 0; i < kr->n; i++) {
		if (memcmp(kr->k[i].id, id, BMSUB_KEYID_LEN) == 0) {
			*pk = kr->k[i].pk;
			return BMSUB_OK;
		}
	}
	return BMSUB_E_UNKNOWN_KEY;
}

/* Adds pk unless a key with its id is already there (duplicates are a
 * copy of the same file, harmless). */
static int
keyring_add(struct bmsub_keyring *kr, const uint8_t pk[32])
{
	struct bm_key *k;
	uint8_t id[BMSUB_KEYID_LEN];
	const uint8_t *have;

	bmsub_key_id(pk, id);
	if (bm_keyring_find(kr, id, &have) == 0)
		return BMSUB_OK;
	if ((k = realloc(kr->k, (kr->n + 1) * sizeof(*k))) == NULL)
		return BMSUB_E_NOMEM;
	kr->k = k;
	memcpy(k[kr->n].pk, pk, 32);
	memcpy(k[kr->n].id, id, BMSUB_KEYID_LEN);
	kr->n++;
	return BMSUB_OK;
}

int
bmsub_keyring_add_pem(struct bmsub_keyring *kr, const char *pem, size_t len,
    struct bmsub_error *err)
{
	uint8_t pk[32];
	int r;

	if (kr == NULL)
		return bm_err(err, BMSUB_E_INVALID, 0, "no keyring");
	if (sodium_init() < 0)
		return bm_err(err, BMSUB_E_CRYPTO, 0, "sodium_init failed");
	if ((r = bmsub_pubkey_parse_pem(pem, len, pk, err)) != 0)
		return r;
	if ((r = keyring_add(kr, pk)) != 0)
		return bm_err(err, r, 0, "out of memory");
	bm_err_clear(err);
	return BMSUB_OK;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "*.pem" as the shell would match it: dot files (editor and package
 * manager leftovers such as ".x.pem.swp" or ".pem") never match. */
static int
is_pem_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 4 && strcmp(name + n - 4, ".pem") == 0;
}

/*
 * Names of the "*.pem" files of dir, sorted. Returns 0, or 1 with no
 * names when dir does not exist, or an error. Whoever can write the
 * directory can add a trusted key, so it and every folder above it get
 * the same owner and mode rules as the files in it (bm_safe_path).
 */
static int
list_pem(const char *dir, struct bmsub_strlist *names, struct bmsub_error *err)
{
	int r = BMSUB_E_INTERNAL, dfd = -1;
	struct dirent *de;
	DIR *d = NULL;

	if ((r = bm_folder_open(dir, 0, &dfd, err)) == BMSUB_E_NOT_FOUND) {
		bm_err_clear(err);
		r = 1;
		goto out;
	}
	if (r != 0)
		goto out;
	if ((d = fdopendir(dfd)) == NULL) {
		r = bm_err(err, BMSUB_E_IO, 0, "%s: %s", dir, strerror(errno));
		goto out;
	}
	dfd = -1;	/* transferred to d */
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL)
			break;
		if (is_pem_name(de->d_name) &&
		    bm_strlist_add(names, de->d_name) != 0) {
			r = bm_err(err, BMSUB_E_NOMEM, 0, "out of memory");
			goto out;
		}
	}
	if (errno != 0) {
		r = bm_err(err, BMSUB_E_IO, 0, "%s: readdir: %s", dir,
		    strerror(errno));
		goto out;
	}
	if (names->n > 1)
		qsort(names->v, names->n, sizeof(names->v[0]), name_cmp);
	r = 0; /* success */
 out:
	if (d != NULL)
		closedir(d);
	if (dfd >= 0)
		close(dfd);
	return r;
}

/*
 * A bad key file is skipped with a warning rather than failing the whole
 * keyring: one stray file must not lock every user out when another good
 * key signs the license.
 */
int
bmsub_keyring_load(const char *dir, const struct bmsub_log *log,
    struct bmsub_keyring **out, struct bmsub_error *err)
{
	int r = BMSUB_E_INTERNAL, fr;
	struct bmsub_keyring *kr = NULL;
	struct bmsub_strlist names = { NULL, 0 };
	struct bmsub_error ferr;
	char *path = NULL, *buf = NULL;
	size_t i, blen;

	*out = NULL;
	if (sodium_init() < 0) {
		r = bm_err(err, BMSUB_E_CRYPTO, 0, "sodium_init failed");
		goto out;
	}
	if ((kr = bmsub_keyring_new()) == NULL) {
		r = bm_err(err, BMSUB_E_NOMEM, 0, "out of memory");
		goto out;
	}
	if ((r = list_pem(dir, &names, err)) < 0)
		goto out;
	if (r == 1)
		bm_log(log, LOG_WARNING, "%s: no such directory: no key is "
		    "trusted", dir);
	for (i = 0; i < names.n; i++) {
		free(path);
		free(buf);
		buf = NULL;
		if (asprintf(&path, "%s/%s", dir, names.v[i]) < 0) {
			path = NULL;
			r = bm_err(err, BMSUB_E_NOMEM, 0, "out of memory");
			goto out;
		}
		if ((fr = bmsub_file_read(path, KEY_FILE_MAX, &buf, &blen,
		    &ferr)) == 0)
			fr = bmsub_keyring_add_pem(kr, buf, blen, &ferr);
		if (fr == BMSUB_E_NOMEM) {
			r = bm_err(err, fr, 0, "out of memory");
			goto out;
		}
		if (fr != 0)
			bm_log(log, LOG_WARNING, "%s: key skipped: %s (%s)",
			    path, ferr.msg, bmsub_err_token(fr));
	}
	*out = kr;
	kr = NULL;	/* transferred */
	bm_err_clear(err);
	r = 0; /* success */
 out:
	free(path);
	free(buf);
	bmsub_strlist_free(&names);
	bmsub_keyring_free(kr);
	return r;
}
