/*
 * args.c - small helpers every sub-command uses to read its arguments and
 * to say, in one line, what was wrong with them.
 *
 * Contract: see cli.h.  Usage errors always end in exit status 16
 * (PF_EXIT_USAGE) so scripts can tell "you called me wrong" from "the file
 * is damaged" (4) and "the file could not be read" (8).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pstfix %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'pstfix help %s')\n", cmd);
	return PF_EXIT_USAGE;
}

bool cli_parse_uint(const char *s, uint64_t min, uint64_t max,
		    uint64_t *out)
{
	char *end;
	unsigned long long v;

	/* strtoull accepts leading blanks and a minus sign (and negates);
	 * neither is a sensible way to write a count. */
	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

int cli_bad_option(const char *cmd, int opt, char **argv, int optind_now)
{
	/* getopt_long() returns ':' for a missing value (optstring starts
	 * with ':') and '?' for an unknown option.  For a short option the
	 * culprit is optopt; for a long one optopt is not a character (0
	 * when the name is unknown, the option's value when it was given a
	 * value it does not take), and the culprit is the word just
	 * consumed ("--name" or "--name=x"). */
	const char *word = optind_now > 0 ? argv[optind_now - 1] : "";
	int len = (int)strcspn(word, "=");

	if (strncmp(word, "--", 2) == 0) {
		if (opt == ':')
			return cli_usage(cmd, "option %.*s needs a value",
					 len, word);
		if (optopt)
			return cli_usage(cmd, "option %.*s takes no value",
					 len, word);
		return cli_usage(cmd, "unknown option %.*s", len, word);
	}
	if (opt == ':')
		return cli_usage(cmd, "option -%c needs a value", optopt);
	return cli_usage(cmd, "unknown option -%c", optopt);
}

void cli_put_safe(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		/* C0 controls and DEL, and the C1 controls as UTF-8 encodes
		 * them (C2 80 - C2 9F: U+009B is CSI to xterm): one '?' each.
		 * Other bytes pass, so names in any script stay readable. */
		if (*p < 0x20 || *p == 0x7f) {
			putc('?', out);
			p++;
		} else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			putc('?', out);
			p += 2;
		} else {
			putc(*p++, out);
		}
	}
}

const char *cli_file_msg(const char *path, const char *why)
{
	size_t n = strlen(path);

	if (strncmp(why, path, n) == 0 && why[n] == ':' && why[n + 1] == ' ')
		return why + n + 2;
	return why;
}
