/*
 * mimew_entryid.c - EntryIDs that carry an address of their own: the
 * One-Off EntryID (MS-OXCDATA 2.2.5.1) and the FlatEntryList that holds
 * several (2.3.3), as PidTagReplyRecipientEntries and the one-off members
 * of a distribution list store them.
 *
 * One-Off EntryID: Flags 4, ProviderUID 16 (MAPI's one-off UID), Version
 * 2, a 16-bit flags word whose top bit (U) says the strings are UTF-16LE,
 * then DisplayName, AddressType and EmailAddress, each NUL-terminated.
 * Every length is checked against the value; nothing past it is read.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/pf_le.h"
#include "mimew_int.h"

/* A NUL-terminated string at P[N] (UTF-16LE when WIDE) as UTF-8; *used
 * gets the bytes it took with its terminator; NULL when unterminated. */
static char *oneoff_str(const uint8_t *p, size_t n, bool wide, size_t *used)
{
	char *s = NULL;
	size_t k = 0;

	if (wide) {
		while (k + 1 < n && (p[k] || p[k + 1]))
			k += 2;
		if (k + 1 >= n || pf_utf16le_to_utf8(p, k, &s) != 0)
			return NULL;
		*used = k + 2;
		return s;
	}
	while (k < n && p[k])
		k++;
	if (k >= n || pf_8bit_to_utf8(p, k, 1252, &s) != 0)
		return NULL;
	*used = k + 1;
	return s;
}

int pmw_oneoff(const uint8_t *p, size_t n, char **name, char **addr)
{
	static const uint8_t uid[16] = { 0x81, 0x2B, 0x1F, 0xA4, 0xBE, 0xA3,
					 0x10, 0x19, 0x9D, 0x6E, 0x00, 0xDD,
					 0x01, 0x0F, 0x54, 0x02 };
	char *s[3] = { NULL, NULL, NULL };
	size_t off = 24, used = 0;
	bool wide;
	int i;

	*name = *addr = NULL;
	if (n < 24 || memcmp(p + 4, uid, 16) != 0)
		return PF_E_NOTFOUND;
	wide = (p[23] & 0x80) != 0;
	for (i = 0; i < 3 && off < n; i++) {
		s[i] = oneoff_str(p + off, n - off, wide, &used);
		if (!s[i])
			break;
		off += used;
	}
	if (i == 3 && strcmp(s[1], "SMTP") == 0 && strchr(s[2], '@')) {
		*name = s[0];
		*addr = s[2];
		free(s[1]);
		return 0;
	}
	for (i = 0; i < 3; i++)
		free(s[i]);
	return PF_E_NOTFOUND;
}

int pmw_flat_entries(const uint8_t *p, size_t n, struct pf_mimew_addr **v,
		     size_t *count)
{
	uint32_t want, off = 8;

	*v = NULL;
	*count = 0;
	if (n < 8)
		return 0;
	want = pf_le32(p);
	if (want == 0 || want > n / 4)
		return 0;
	*v = calloc(want, sizeof(**v));
	if (!*v)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	/* FlatEntry: cb 4, the EntryID, padded to a multiple of 4 */
	for (uint32_t i = 0; i < want && off + 4 <= n; i++) {
		uint32_t cb = pf_le32(p + off);
		struct pf_mimew_addr *a = &(*v)[*count];

		if (cb > n - off - 4)
			break;
		if (pmw_oneoff(p + off + 4, cb, &a->name, &a->addr) == 0) {
			a->type = PF_MIMEW_TO;
			(*count)++;
		}
		off += 4 + ((cb + 3) & ~3u);
	}
	return 0;
}
