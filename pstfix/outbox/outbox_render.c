/*
 * outbox_render.c - the bytes an Outbox item is submitted as: the
 * exporter's MS-OXCMAIL rendering (formats/mime pf_mimew_render) of the
 * message read again from the file (pf_outbox_read), with no Bcc header
 * (Bcc recipients go in RCPT TO only, RFC 5322 3.6.3 and smtp-facts.md)
 * and its own Message-ID (or the deterministic one, so every retry
 * carries the same id).  Header fields from
 * PidTagTransportMessageHeaders follow the exporter's rule, so the id is
 * the one `pstfix export` writes for the same item.
 *
 * Output: CRLF only, 7-bit, lines <= 998 octets (the pf_mimew contract).
 */
#include "outbox.h"
#include "../../formats/util/pf_err.h"

int pf_outbox_render(struct pf_mimew_buf *out, struct pf_outbox *ob,
		     const struct pf_outbox_item *item)
{
	struct pf_mimew_opts o = { .include_bcc = false };
	struct pf_mimew_msg *msg = NULL;
	int rc = pf_outbox_read(&msg, ob, item);

	if (rc == 0)
		rc = pf_mimew_render(out, msg, &o);
	pf_mimew_msg_free(msg);
	return rc;
}
