/*
 * secret.c - the first line of a file or of a command's output, as a
 * secret (secret.h has the contract).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "secret.h"
#include "../../formats/util/pf_err.h"

/* Read the first line of F into BUF (CB bytes); the rest is drained so
 * a command is not blocked writing it.  Returns its length, or -1 when
 * it is too long or holds a NUL. */
static long first_line(FILE *f, char *buf, size_t cb)
{
	size_t n = 0;
	int c;
	bool done = false, bad = false;

	for (;;) {
		c = getc(f);
		if (c == EOF)
			break;
		if (done)
			continue;
		if (c == '\n') {
			done = true;
			continue;
		}
		if (c == '\0' || n + 1 >= cb) {
			bad = true;
			done = true;
			continue;
		}
		buf[n++] = (char)c;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return bad ? -1 : (long)n;
}

static int check(long n, char *buf, const char *what)
{
	if (n < 0) {
		explicit_bzero(buf, CLI_SECRET_MAX + 2);
		return pf_error_set(PF_E_USAGE, "the secret from %s is longer "
				    "than %d bytes or holds a NUL byte", what,
				    CLI_SECRET_MAX);
	}
	if (n == 0)
		return pf_error_set(PF_E_USAGE, "the secret from %s is empty",
				    what);
	return 0;
}

static int from_file(char *buf, const char *file)
{
	FILE *f = fopen(file, "re");
	long n;

	if (f == NULL)
		return pf_error_set(PF_E_IO, "cannot read secret file %s: %s",
				    file, strerror(errno));
	n = first_line(f, buf, CLI_SECRET_MAX + 2);
	fclose(f);
	return check(n, buf, file);
}

static int from_command(char *buf, const char *command)
{
	FILE *f;
	long n;
	int status;

	fflush(NULL);
	f = popen(command, "re");
	if (f == NULL)
		return pf_error_set(PF_E_IO, "cannot run the secret command: "
				    "%s", strerror(errno));
	n = first_line(f, buf, CLI_SECRET_MAX + 2);
	status = pclose(f);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		explicit_bzero(buf, CLI_SECRET_MAX + 2);
		return pf_error_set(PF_E_IO, "the secret command failed (exit "
				    "status %d)", WIFEXITED(status) ?
				    WEXITSTATUS(status) : -1);
	}
	return check(n, buf, "the secret command");
}

int cli_secret_read(char **out, const char *file, const char *command)
{
	char *buf = malloc(CLI_SECRET_MAX + 2);
	int rc;

	*out = NULL;
	if (buf == NULL)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	rc = file ? from_file(buf, file) : from_command(buf, command);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	*out = buf;
	return 0;
}

void cli_secret_free(char *secret)
{
	if (secret == NULL)
		return;
	explicit_bzero(secret, CLI_SECRET_MAX + 2);
	free(secret);
}
