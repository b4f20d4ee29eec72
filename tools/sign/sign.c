/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sign.c - bmsub-sign sign: builds, signs and self-checks a license. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

#include "sign.h"

#define MAX_X_FIELDS 64

struct sign_opts {
	const char *key, *pass_file, *out;
	const char *v[16];		/* field values by index in names[] */
	const char *x[MAX_X_FIELDS];	/* "x-name=value" */
	size_t nx;
};

/* Option index = field index; body order is this table's order. */
static const char *const names[] = {
	"id", "customer", "kind", "issued", "starts", "expires", "users",
	"grace-days", "allowance-percent",
};
#define N_NAMES (sizeof(names) / sizeof(names[0]))
static const int required[N_NAMES] = { 1, 1, 1, 1, 0, 1, 1, 0, 0 };

enum { O_KEY = 100, O_PASS, O_FIELD };

/* OpenSSL must never prompt on a terminal: no --pass-file, no passphrase. */
static int
pass_cb(char *buf, int size, int rwflag, void *u)
{
	const char *pass = u;
	size_t n;

	(void)rwflag;
	if (pass == NULL || size <= 0)
		return -1;
	n = strlen(pass);
	if (n > (size_t)size)
		return -1;
	memcpy(buf, pass, n);
	return (int)n;
}

/*
 * Loads a PKCS#8 Ed25519 private key (encrypted or not) and turns its
 * 32-byte seed into a libsodium secret key in guarded memory.
 */
static int
load_key(const char *path, const char *pass, unsigned char **skp,
    uint8_t pk[32])
{
	int r = -1;
	BIO *bio = NULL;
	EVP_PKEY *pkey = NULL;
	unsigned char seed[32], *sk = NULL;
	size_t seedlen = sizeof(seed);

	*skp = NULL;
	if ((bio = BIO_new_file(path, "r")) == NULL) {
		sign_err("%s: %s", path, strerror(errno));
		goto out;
	}
	if ((pkey = PEM_read_bio_PrivateKey(bio, NULL, pass_cb,
	    (void *)pass)) == NULL) {
		sign_err("%s: cannot read the private key (%s)", path,
		    pass == NULL ? "encrypted keys need --pass-file" :
		    "wrong passphrase or not a PEM private key");
		goto out;
	}
	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_ED25519) {
		sign_err("%s: not an Ed25519 key", path);
		goto out;
	}
	if (EVP_PKEY_get_raw_private_key(pkey, seed, &seedlen) != 1 ||
	    seedlen != sizeof(seed)) {
		sign_err("%s: cannot extract the Ed25519 key", path);
		goto out;
	}
	if ((sk = sodium_malloc(crypto_sign_SECRETKEYBYTES)) == NULL) {
		sign_err("out of memory");
		goto out;
	}
	if (crypto_sign_seed_keypair(pk, sk, seed) != 0) {
		sign_err("%s: cannot derive the key pair", path);
		goto out;
	}
	*skp = sk;
	sk = NULL;	/* transferred */
	r = 0; /* success */
 out:
	OPENSSL_cleanse(seed, sizeof(seed));
	sodium_free(sk);
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	return r;
}

/*
 * The value rule of the parser itself (bmsub_license_value_check), before
 * anything is signed: a control byte would forge extra lines, a bidi
 * control or an end blank would make a name that reads differently from
 * its bytes. The field's own rules wait for the parse of the result.
 */
static int
value_ok(const char *what, const char *v)
{
	struct bmsub_error e;
	int r;

	if ((r = bmsub_license_value_check(what, v, &e)) != 0) {
		sign_err("%s (%s)", e.msg, bmsub_err_token(r));
		return 0;
	}
	return 1;
}

/*
 * "-----BEGIN BMSUB LICENSE-----" and the body in the SPEC's field order,
 * then the x- fields in the order given: exactly the signed bytes.
 */
static void
write_body(FILE *f, const struct sign_opts *o, const char *idhex)
{
	size_t i;

	fputs("-----BEGIN BMSUB LICENSE-----\nformat: 1\n", f);
	for (i = 0; i < N_NAMES; i++)
		if (o->v[i] != NULL)
			fprintf(f, "%s: %s\n", names[i], o->v[i]);
	fprintf(f, "key: %s\n", idhex);
	for (i = 0; i < o->nx; i++) {
		const char *eq = strchr(o->x[i], '=');

		fprintf(f, "%.*s: %s\n", (int)(eq - o->x[i]), o->x[i], eq + 1);
	}
}

/* The whole license into *out (malloc'ed): the body, signed with sk, then
 * the signature block. -1 when out of memory (told). */
static int
build_license(const struct sign_opts *o, const char *idhex,
    const unsigned char *sk, char **out, size_t *outlen, size_t *bodylen)
{
	uint8_t sig[crypto_sign_BYTES];
	char sigb64[4 * (64 + 2) / 3 + 1];
	FILE *f;

	*out = NULL;
	*outlen = 0;
	if ((f = open_memstream(out, outlen)) == NULL)
		goto nomem;
	write_body(f, o, idhex);
	/* after fflush, *out and *outlen hold the body written so far */
	if (fflush(f) != 0 || ferror(f)) {
		fclose(f);
		goto nomem;
	}
	*bodylen = *outlen;
	crypto_sign_detached(sig, NULL, (const unsigned char *)*out, *bodylen,
	    sk);
	bmsub_base64_encode(sig, sizeof(sig), sigb64);
	fprintf(f, "-----BEGIN BMSUB SIGNATURE-----\n%s\n"
	    "-----END BMSUB LICENSE-----\n", sigb64);
	if (fclose(f) != 0)
		goto nomem;
	return 0;
 nomem:
	free(*out);
	*out = NULL;
	sign_err("out of memory");
	return -1;
}

static int
parse_opts(int argc, char *argv[], struct sign_opts *o)
{
	struct option opts[N_NAMES + 5];
	size_t i;
	int c;

	memset(o, 0, sizeof(*o));
	memset(opts, 0, sizeof(opts));
	for (i = 0; i < N_NAMES; i++) {
		opts[i].name = names[i];
		opts[i].has_arg = required_argument;
		opts[i].val = (int)i;
	}
	opts[i++] = (struct option){ "key", required_argument, NULL, O_KEY };
	opts[i++] = (struct option){ "pass-file", required_argument, NULL, O_PASS };
	opts[i++] = (struct option){ "field", required_argument, NULL, O_FIELD };
	opts[i++] = (struct option){ "output", required_argument, NULL, 'o' };
	while ((c = sign_getopt(argc, argv, "o:", opts)) != -1) {
		if (c >= 0 && (size_t)c < N_NAMES) {
			if (o->v[c] != NULL) {
				sign_err("--%s given twice", names[c]);
				return -1;
			}
			o->v[c] = optarg;
		} else if (c == O_KEY)
			o->key = optarg;
		else if (c == O_PASS)
			o->pass_file = optarg;
		else if (c == 'o')
			o->out = optarg;
		else if (c == O_FIELD) {
			if (o->nx == MAX_X_FIELDS) {
				sign_err("at most %d --field options",
				    MAX_X_FIELDS);
				return -1;
			}
			o->x[o->nx++] = optarg;
		} else
			return -1;
	}
	if (optind != argc) {
		sign_err("unexpected argument \"%s\"", argv[optind]);
		return -1;
	}
	if (o->key == NULL) {
		sign_err("--key is required");
		return -1;
	}
	for (i = 0; i < N_NAMES; i++) {
		if (required[i] && o->v[i] == NULL) {
			sign_err("--%s is required", names[i]);
			return -1;
		}
		if (o->v[i] != NULL && !value_ok(names[i], o->v[i]))
			return -1;
	}
	for (i = 0; i < o->nx; i++) {
		const char *eq = strchr(o->x[i], '=');
		char name[BMSUB_LICENSE_LINE_MAX + 1];

		if (strncmp(o->x[i], "x-", 2) != 0 || eq == NULL) {
			sign_err("--field %s: want x-NAME=VALUE", o->x[i]);
			return -1;
		}
		/* the name, too, on one line (its letters are the parser's) */
		snprintf(name, sizeof(name), "%.*s", (int)(eq - o->x[i]),
		    o->x[i]);
		if (!value_ok("--field name", name))
			return -1;
		if (!value_ok(name, eq + 1))
			return -1;
	}
	return 0;
}

int
cmd_sign(int argc, char *argv[])
{
	int r = EXIT_FAIL;
	struct sign_opts o;
	struct bmsub_license lic;
	struct bmsub_error e;
	char *pass = NULL, *text = NULL;
	unsigned char *sk = NULL;
	uint8_t pk[32], id[BMSUB_KEYID_LEN];
	char idhex[2 * BMSUB_KEYID_LEN + 1];
	size_t len = 0, bodylen = 0;

	if (parse_opts(argc, argv, &o) != 0) {
		r = EXIT_USAGE;
		goto out;
	}
	if (o.pass_file != NULL && (pass = read_pass_file(o.pass_file)) == NULL)
		goto out;
	if (load_key(o.key, pass, &sk, pk) != 0)
		goto out;
	bmsub_key_id(pk, id);
	bmsub_hex(id, sizeof(id), idhex);
	if (build_license(&o, idhex, sk, &text, &len, &bodylen) != 0)
		goto out;
	/* the same parser as every reader: never hand out a license that
	 * bmsub would refuse, nor one whose written signature is wrong */
	if (bmsub_license_parse(text, len, &lic, &e) != 0) {
		sign_err("refusing to write an invalid license: %s (line %u: %s)",
		    bmsub_err_token(e.code), e.line, e.msg);
		goto out;
	}
	if (crypto_sign_verify_detached(lic.signature,
	    (const unsigned char *)text, bodylen, pk) != 0) {
		sign_err("internal error: the signature does not verify");
		goto out;
	}
	/* -o replaces an existing file, atomically */
	if (o.out != NULL) {
		if (bmsub_file_write_atomic(o.out, text, len, 0644, &e) != 0) {
			sign_err("%s", e.msg);
			goto out;
		}
	} else if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
		sign_err("stdout: %s", strerror(errno));
		goto out;
	}
	r = 0; /* success */
 out:
	sodium_free(sk);
	sodium_free(pass);
	free(text);
	return r;
}
