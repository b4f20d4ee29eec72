/* SPDX-License-Identifier: GPL-2.0-or-later */
/* keyid.c - bmsub-sign keyid: the key id a license names for a public key. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sign.h"

int
cmd_keyid(int argc, char *argv[])
{
	char buf[4097], idhex[2 * BMSUB_KEYID_LEN + 1];
	uint8_t pk[32], id[BMSUB_KEYID_LEN];
	struct bmsub_error e;
	size_t len;
	FILE *f;

	if (argc == 3 && strcmp(argv[1], "--") == 0) {
		argv++;
		argc--;
	} else if (argc == 2 && argv[1][0] == '-' && argv[1][1] != '\0') {
		sign_err("keyid: unknown option '%s'", argv[1]);
		return EXIT_USAGE;
	}
	if (argc != 2) {
		sign_err("keyid: usage: keyid [--] PUBKEY.pem");
		return EXIT_USAGE;
	}
	if ((f = fopen(argv[1], "re")) == NULL) {
		sign_err("%s: %s", argv[1], strerror(errno));
		return EXIT_FAIL;
	}
	len = fread(buf, 1, sizeof(buf), f);
	if (ferror(f)) {
		sign_err("%s: read error", argv[1]);
		fclose(f);
		return EXIT_FAIL;
	}
	fclose(f);
	if (len == sizeof(buf)) {
		sign_err("%s: too large for a public key", argv[1]);
		return EXIT_FAIL;
	}
	if (bmsub_pubkey_parse_pem(buf, len, pk, &e) != 0) {
		sign_err("%s: %s (%s)", argv[1], e.msg, bmsub_err_token(e.code));
		return EXIT_FAIL;
	}
	bmsub_key_id(pk, id);
	bmsub_hex(id, sizeof(id), idhex);
	printf("%s\n", idhex);
	return fflush(stdout) == 0 ? 0 : EXIT_FAIL;
}
