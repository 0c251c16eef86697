/*
 * fuzz_mimew.c - libFuzzer harness over the MIME writer.  Two ways in:
 * - the input's first half as a property context (heap blocks, as
 *   fuzz_ltp.c splits them) read by pf_mimew_read() as a message and
 *   rendered as mail, vCard and iCalendar;
 * - the input's NUL-separated strings as the fields of a hand-built
 *   message (subject, names, addresses, bodies, a file name, a
 *   Content-ID, transport headers) rendered with and without Bcc.
 * Every rendering must keep the writer's contract or the harness aborts:
 * 7-bit, CRLF only, no line over 998 octets; the result is then parsed
 * by the import parser (which must not crash either).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/mime/pf_mail.h"
#include "../../formats/mime/pf_mimew.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_BLOCKS 8

static void check_safe(const struct pf_mimew_buf *b, bool mail)
{
	size_t col = 0;

	if (b->err)
		return;
	for (size_t i = 0; i < b->n; i++) {
		unsigned char c = (unsigned char)b->p[i];

		if (c == 0 || (mail && c >= 0x80))
			abort();
		if (c == '\r') {
			if (i + 1 >= b->n || b->p[i + 1] != '\n')
				abort();
			i++;
			col = 0;
			continue;
		}
		if (c == '\n' || ++col > 998)
			abort();
	}
	if (mail) {
		struct pf_mail m;

		if (pf_mail_parse((const uint8_t *)b->p, b->n, &m) == 0)
			pf_mail_free(&m);
	}
}

static void from_pc(const uint8_t *data, size_t size)
{
	uint8_t *blocks[MAX_BLOCKS];
	size_t cbs[MAX_BLOCKS];
	uint32_t n = 0;
	struct pf_message m;
	struct pf_mimew_msg *msg = NULL;
	struct pf_hn hn;

	while (size >= 2 && n < MAX_BLOCKS) {
		size_t cb = (size_t)(data[0] | (data[1] << 8)) % 8193;

		data += 2;
		size -= 2;
		if (cb > size)
			cb = size;
		blocks[n] = malloc(cb ? cb : 1);
		if (!blocks[n])
			break;
		memcpy(blocks[n], data, cb);
		cbs[n++] = cb;
		data += cb;
		size -= cb;
	}
	memset(&m, 0, sizeof(m));
	m.nid = 0x200024;
	if (n == 0 || pf_hn_open_blocks(&hn, blocks, cbs, n, m.nid, NULL))
		return;
	if (pf_pc_open_hn(&m.pc, &hn, NULL, NULL, NULL) != 0)
		return;
	if (pf_mimew_read(&msg, &m, NULL) == 0) {
		struct pf_mimew_buf b = { 0 };

		pf_mimew_render(&b, msg, NULL);
		check_safe(&b, true);
		b.n = 0;
		if (pf_mimew_vcard(&b, msg) == 0)
			check_safe(&b, false);
		b.n = 0;
		if (pf_mimew_ical(&b, msg, PF_MIMEW_VEVENT) == 0)
			check_safe(&b, false);
		pf_mimew_buf_free(&b);
		pf_mimew_msg_free(msg);
	}
	pf_message_close(&m);
}

/* The next NUL-terminated string of the input, copied. */
static char *next(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *z;
	char *s;

	if (*p >= end)
		return NULL;
	z = memchr(*p, 0, (size_t)(end - *p));
	if (!z)
		z = end;
	s = malloc((size_t)(z - *p) + 1);
	if (s) {
		memcpy(s, *p, (size_t)(z - *p));
		s[z - *p] = '\0';
	}
	*p = z < end ? z + 1 : end;
	return s;
}

static void from_strings(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct pf_mimew_msg *m = calloc(1, sizeof(*m));
	struct pf_mimew_opts o = { .include_bcc = true };
	struct pf_mimew_buf b = { 0 };

	if (!m)
		return;
	m->importance = m->priority = m->sensitivity = -1;
	m->subject = next(&p, end);
	m->from.name = next(&p, end);
	m->from.addr = next(&p, end);
	m->message_id = next(&p, end);
	m->references = next(&p, end);
	m->transport_headers = next(&p, end);
	m->body_text = next(&p, end);
	m->rcpt = calloc(2, sizeof(*m->rcpt));
	if (m->rcpt) {
		m->nrcpt = 2;
		m->rcpt[0].name = next(&p, end);
		m->rcpt[0].addr = next(&p, end);
		m->rcpt[1].name = next(&p, end);
		m->rcpt[1].type = PF_MIMEW_BCC;
	}
	m->att = calloc(1, sizeof(*m->att));
	if (m->att) {
		m->natt = 1;
		m->att[0].method = PF_ATT_BY_VALUE;
		m->att[0].filename = next(&p, end);
		m->att[0].content_id = next(&p, end);
		m->att[0].mime_type = next(&p, end);
	}
	m->body_html = (uint8_t *)next(&p, end);
	m->body_html_cb = m->body_html ? strlen((char *)m->body_html) : 0;
	pf_mimew_render(&b, m, &o);
	check_safe(&b, true);
	pf_mimew_buf_free(&b);
	pf_mimew_msg_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 200000)
		return 0;
	from_pc(data, size);
	from_strings(data, size);
	return 0;
}
