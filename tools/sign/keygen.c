/* SPDX-License-Identifier: GPL-2.0-or-later */
/* keygen.c - bmsub-sign keygen: an Ed25519 key pair as openssl writes it. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

#include "sign.h"

/* The new file's name is durable only once its folder is synced. */
static int
sync_folder(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	int fd, r;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if ((size_t)(slash - path) >= sizeof(dir)) {
		sign_err("%s: path too long", path);
		return -1;
	} else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 :
		    (int)(slash - path), path);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		sign_err("%s: %s", dir, strerror(errno));
		return -1;
	}
	r = fsync(fd);
	close(fd);
	if (r != 0) {
		sign_err("%s: syncing the folder: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* Writes the PEM held in bio to a new file (never over an existing one:
 * O_EXCL, which the atomic writer's rename cannot give), fsynced. */
static int
write_new(const char *path, mode_t mode, BIO *bio)
{
	char *data;
	long n;
	int fd;

	if ((n = BIO_get_mem_data(bio, &data)) <= 0) {
		sign_err("%s: could not encode the key", path);
		return -1;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, mode)) < 0) {
		sign_err("%s: %s%s", path, strerror(errno),
		    errno == EEXIST ? " (refusing to overwrite)" : "");
		return -1;
	}
	/* the umask must not decide who may read a private key */
	if (fchmod(fd, mode) != 0 || write_all_sync(fd, data, (size_t)n) != 0) {
		sign_err("%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	if (close(fd) != 0) {
		sign_err("%s: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return sync_folder(path);
}

/* A new Ed25519 key pair, PEM-encoded in memory: *kbio the private key
 * (PKCS#8; with a passphrase, PBES2 with AES-256-CBC as "openssl genpkey
 * -aes-256-cbc" writes it), *pbio the public key; pk its raw public key. */
static int
generate(const char *pass, BIO **kbio, BIO **pbio, uint8_t pk[32])
{
	EVP_PKEY *pkey = NULL;
	size_t pklen = 32;
	int r = -1;

	*kbio = *pbio = NULL;
	if ((pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL ||
	    EVP_PKEY_get_raw_public_key(pkey, pk, &pklen) != 1 ||
	    pklen != 32) {
		sign_err("could not generate an Ed25519 key");
		goto out;
	}
	if ((*kbio = BIO_new(BIO_s_mem())) == NULL ||
	    (*pbio = BIO_new(BIO_s_mem())) == NULL) {
		sign_err("out of memory");
		goto out;
	}
	if (PEM_write_bio_PKCS8PrivateKey(*kbio, pkey,
	    pass != NULL ? EVP_aes_256_cbc() : NULL, NULL, 0, NULL,
	    (void *)pass) != 1 || PEM_write_bio_PUBKEY(*pbio, pkey) != 1) {
		sign_err("could not encode the key");
		goto out;
	}
	r = 0; /* success */
 out:
	EVP_PKEY_free(pkey);
	return r;
}

/* Frees a memory BIO that held a private key, wiping it first. */
static void
free_secret_bio(BIO *bio)
{
	char *data;
	long n;

	if (bio == NULL)
		return;
	if ((n = BIO_get_mem_data(bio, &data)) > 0)
		OPENSSL_cleanse(data, (size_t)n);
	BIO_free(bio);
}

#ifndef BMSUB_CONFDIR
#define BMSUB_CONFDIR "/etc/bmsub"
#endif

/* On stderr: the two files, their modes, and which one the operators
 * copy into keys.d under which name (a .pub file there is not read). */
static void
tell_files(const char *prefix, const char *keypath, const char *pubpath,
    const char *idhex)
{
	const char *name = strrchr(prefix, '/');

	name = name != NULL ? name + 1 : prefix;
	if (name[0] == '\0')
		name = "vendor";
	sign_err("wrote %s (private key, mode 0600: keep it secret, never "
	    "on a mail server)", keypath);
	sign_err("wrote %s (public key, mode 0644, key id %s)", pubpath,
	    idhex);
	sign_err("install the public key on each server as " BMSUB_CONFDIR
	    "/keys.d/%s.pem:\n  cp %s " BMSUB_CONFDIR "/keys.d/%s.pem", name,
	    pubpath, name);
}

int
cmd_keygen(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "pass-file", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	int r = EXIT_FAIL, c, wrote_key = 0;
	const char *pass_file = NULL;
	char *pass = NULL, *keypath = NULL, *pubpath = NULL;
	BIO *kbio = NULL, *pbio = NULL;
	uint8_t pk[32], id[BMSUB_KEYID_LEN];
	char idhex[2 * BMSUB_KEYID_LEN + 1];

	while ((c = sign_getopt(argc, argv, "", opts)) != -1) {
		if (c != 'p') {
			r = EXIT_USAGE;
			goto out;
		}
		pass_file = optarg;
	}
	if (argc - optind != 1 || argv[optind][0] == '\0') {
		sign_err("keygen: usage: keygen [--pass-file FILE] OUTPREFIX");
		r = EXIT_USAGE;
		goto out;
	}
	if (asprintf(&keypath, "%s.key", argv[optind]) < 0 ||
	    asprintf(&pubpath, "%s.pub", argv[optind]) < 0) {
		keypath = pubpath = NULL;
		sign_err("out of memory");
		goto out;
	}
	if (pass_file != NULL && (pass = read_pass_file(pass_file)) == NULL)
		goto out;
	if (generate(pass, &kbio, &pbio, pk) != 0 ||
	    write_new(keypath, 0600, kbio) != 0)
		goto out;
	wrote_key = 1;
	if (write_new(pubpath, 0644, pbio) != 0)
		goto out;
	wrote_key = 0;
	bmsub_key_id(pk, id);
	bmsub_hex(id, sizeof(id), idhex);
	/* stdout stays the key id alone (id=$(bmsub-sign keygen x) works);
	 * what was written and what to do with it is for the person */
	printf("%s\n", idhex);
	tell_files(argv[optind], keypath, pubpath, idhex);
	if (fflush(stdout) != 0) {
		sign_err("stdout: %s", strerror(errno));
		goto out;
	}
	r = 0; /* success */
 out:
	if (wrote_key)
		unlink(keypath);
	free_secret_bio(kbio);
	BIO_free(pbio);
	sodium_free(pass);
	free(keypath);
	free(pubpath);
	return r;
}
