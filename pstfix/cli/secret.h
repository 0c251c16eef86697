/*
 * secret.h - read a password or OAuth2 token for SMTP AUTH from a file
 * or from the output of a command, never from the command line.
 *
 * Contract
 * - Exactly one of FILE and COMMAND is non-NULL.  The secret is the
 *   first line of FILE, or of what COMMAND (run by /bin/sh -c through
 *   popen) prints on stdout; the line end (LF, CRLF) is stripped.  A
 *   command that fails (non-zero exit, killed) or prints nothing, an
 *   empty first line, a NUL byte or a line over CLI_SECRET_MAX bytes are
 *   errors.  argv never holds a secret (other users see it in ps).
 * - *OUT is malloc'd; release it with cli_secret_free(), which wipes it.
 * - Error messages name the file or say "the command", never the
 *   secret's bytes.
 * Errors: 0, PF_E_IO (cannot open / run), PF_E_USAGE (empty, too long).
 */
#ifndef PF_CLI_SECRET_H
#define PF_CLI_SECRET_H

/* An OAuth2 access token is a few KB; RFC 4954 4 caps an AUTH line at
 * 12288 octets, base64 included. */
#define CLI_SECRET_MAX 8192

int cli_secret_read(char **out, const char *file, const char *command);
void cli_secret_free(char *secret);

#endif
