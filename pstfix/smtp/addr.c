/*
 * addr.c - pf_smtp_addr_ok(): may this string go between the angle
 * brackets of MAIL FROM:<...> or RCPT TO:<...>?
 *
 * Contract: a deliberately narrow check, made before any byte is sent
 * (smtp.h, "The wire").  It is not a full RFC 5321 4.1.2 Mailbox
 * parser; it guarantees what matters for safety: no CR, LF or other
 * control character (command injection, SMTP smuggling), no '<' or '>'
 * (the path ends there), no space outside a quoted local part, exactly
 * one '@' outside quotes with a non-empty local part and domain, at
 * most 254 octets (RFC 5321 4.5.3.1.3: a path is 256 octets with its
 * brackets).  8-bit octets are refused: sending them needs SMTPUTF8
 * (RFC 6531), which we do not negotiate.
 */
#include <string.h>

#include "smtp.h"

/* RFC 5321 4.5.3.1.3 */
#define ADDR_MAX 254

bool pf_smtp_addr_ok(const char *addr, bool allow_empty)
{
	size_t n, at = 0, ats = 0;
	bool quoted = false;

	if (addr == NULL)
		return false;
	n = strlen(addr);
	if (n == 0)
		return allow_empty;
	if (n > ADDR_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)addr[i];

		if (c < 0x21 && !(c == ' ' && quoted))
			return false;
		if (c >= 0x7f || c == '<' || c == '>')
			return false;
		if (c == '"' && (i == 0 || quoted))
			quoted = !quoted;
		else if (c == '\\' && quoted) {
			/* RFC 5321 quoted-pairSMTP: backslash + printable */
			if (i + 1 >= n || (unsigned char)addr[i + 1] < 0x20)
				return false;
			i++;
		} else if (c == '@' && !quoted) {
			at = i;
			ats++;
		}
	}
	if (quoted || ats != 1)
		return false;
	return at > 0 && at + 1 < n;
}
