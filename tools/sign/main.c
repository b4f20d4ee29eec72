/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c - bmsub-sign, the vendor's CLI: subcommand table and shared helpers. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "sign.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char *argv[]);
	const char *args;
	const char *help;
} subcommands[] = {
	{ "keygen", cmd_keygen, "[--pass-file FILE] OUTPREFIX",
	    "make an Ed25519 key pair: OUTPREFIX.key (PKCS#8, 0600) and OUTPREFIX.pub" },
	{ "sign", cmd_sign, "--key KEY [--pass-file FILE] --id ID --customer NAME\n"
	    "\t\t--kind prod|host|trial|free --issued TIME --expires TIME --users N\n"
	    "\t\t[--starts TIME] [--grace-days N] [--allowance-percent N]\n"
	    "\t\t[--field x-NAME=VALUE]... [-o OUT]",
	    "write a signed license (stdout unless -o)" },
	{ "keyid", cmd_keyid, "PUBKEY.pem",
	    "print the key id a license names in its key: field" },
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s COMMAND [ARGS]\n\n", PROG);
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %s %s\n\t%s\n", subcommands[i].name,
		    subcommands[i].args, subcommands[i].help);
	fprintf(f, "\nTIME is YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC).\n"
	    "Exit: 0 done, 1 failed, 2 usage.\n");
}

void
sign_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The long option named by a "--NAME" or "--NAME=VALUE" word, exactly. */
static const struct option *
long_opt(const char *word, const struct option *opts)
{
	size_t n = strcspn(word + 2, "=");

	for (; opts->name != NULL; opts++)
		if (strlen(opts->name) == n &&
		    strncmp(opts->name, word + 2, n) == 0)
			return opts;
	return NULL;
}

int
sign_getopt(int argc, char *argv[], const char *shortopts,
    const struct option *opts)
{
	char sopts[32];
	const struct option *lo;
	int c, i;

	if (optind <= 1) {
		/* once, before getopt permutes: every long word is whole */
		for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
			if (strncmp(argv[i], "--", 2) != 0)
				continue;
			if ((lo = long_opt(argv[i], opts)) == NULL) {
				sign_err("%s: unknown option '%s'", argv[0],
				    argv[i]);
				return '?';
			}
			if (lo->has_arg == required_argument &&
			    strchr(argv[i], '=') == NULL)
				i++;	/* its value, whatever it looks like */
		}
	}
	snprintf(sopts, sizeof(sopts), ":%s", shortopts);
	opterr = 0;
	c = getopt_long(argc, argv, sopts, opts, NULL);
	if (c == ':') {
		sign_err("%s: option '%s' needs a value", argv[0],
		    argv[optind - 1]);
		return '?';
	}
	if (c == '?') {
		if (optopt != 0)
			sign_err("%s: unknown option '-%c'", argv[0], optopt);
		else
			sign_err("%s: unknown option '%s'", argv[0],
			    argv[optind - 1]);
		return '?';
	}
	return c;
}

char *
read_pass_file(const char *path)
{
	char *pass = NULL;
	size_t len = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		sign_err("%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((pass = sodium_malloc(PASS_MAX + 1)) == NULL) {
		sign_err("out of memory");
		close(fd);
		return NULL;
	}
	while (len < PASS_MAX) {
		n = read(fd, pass + len, PASS_MAX - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			sign_err("%s: read: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		if (memchr(pass + len, '\n', (size_t)n) != NULL) {
			len += (size_t)n;
			break;
		}
		len += (size_t)n;
	}
	close(fd);
	fd = -1;
	pass[len] = '\0';
	pass[strcspn(pass, "\n")] = '\0';
	len = strlen(pass);
	if (len > 0 && pass[len - 1] == '\r')
		pass[--len] = '\0';
	if (len == 0) {
		sign_err("%s: empty passphrase", path);
		goto fail;
	}
	if (len == PASS_MAX) {
		sign_err("%s: passphrase longer than %d bytes", path,
		    PASS_MAX - 1);
		goto fail;
	}
	return pass;
 fail:
	if (fd >= 0)
		close(fd);
	sodium_free(pass);	/* sodium_free wipes */
	return NULL;
}

int
write_all_sync(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return fsync(fd);
}

int
main(int argc, char *argv[])
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("%s %s\n", PROG, BMSUB_VERSION);
		return 0;
	}
	if (sodium_init() < 0) {
		sign_err("libsodium could not start");
		return EXIT_FAIL;
	}
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (strcmp(argv[1], subcommands[i].name) == 0)
			return subcommands[i].fn(argc - 1, argv + 1);
	/* names are matched whole, as bmsub-check's: "sig" is no "sign" */
	if (argv[1][0] == '-')
		sign_err("unknown option '%s'", argv[1]);
	else
		sign_err("unknown command '%s'", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
