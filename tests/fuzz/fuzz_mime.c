/*
 * fuzz_mime.c - libFuzzer harness for formats/mime: pf_mail_parse() on
 * the input, then the contract checked on the result (every string valid
 * UTF-8, text bodies with CRLF line ends only, attachment data present
 * when cb says so, depth within PF_MAIL_MAX_DEPTH); then the same bytes
 * read as an mbox through a memfd, each message parsed.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../formats/mime/mime_int.h"
#include "../../formats/mime/pf_mail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(const char *s)
{
	if (s && !pfm_utf8_valid((const uint8_t *)s, strlen(s)))
		abort();
}

static void check_text(const char *s)
{
	check_str(s);
	for (size_t i = 0; s && s[i]; i++) {
		if (s[i] == '\r' && s[i + 1] != '\n')
			abort();
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
			abort();
	}
}

static void check_addrs(const struct pf_mail_addr *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		check_str(v[i].name);
		check_str(v[i].addr);
		if (!v[i].name && !v[i].addr)
			abort();
	}
}

static void check_mail(const struct pf_mail *m, unsigned depth)
{
	if (depth > PF_MAIL_MAX_DEPTH)
		abort();
	check_str(m->subject);
	check_str(m->from.name);
	check_str(m->from.addr);
	check_str(m->sender.name);
	check_str(m->sender.addr);
	check_addrs(m->to, m->nto);
	check_addrs(m->cc, m->ncc);
	check_addrs(m->bcc, m->nbcc);
	check_addrs(m->reply_to_all, m->nreply_to);
	check_str(m->message_id);
	check_str(m->in_reply_to);
	check_str(m->references);
	check_text(m->body_text);
	check_text(m->body_html);
	check_str(m->html_charset);
	check_text(m->headers);
	if (m->importance < 0 || m->importance > 2 || m->sensitivity < 0 ||
	    m->sensitivity > 3)
		abort();
	for (size_t i = 0; i < m->natt; i++) {
		const struct pf_mail_att *a = &m->att[i];

		check_str(a->filename);
		check_str(a->mime_type);
		check_str(a->content_id);
		if (!a->mime_type || (a->cb && !a->data))
			abort();
		if (a->filename && (strchr(a->filename, '/') ||
				    strchr(a->filename, '\\')))
			abort();
		if (a->embedded)
			check_mail(a->embedded, depth + 1);
	}
}

static void read_mbox(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz_mbox", 0);
	struct pf_mbox *mb;
	uint8_t *raw;
	size_t cb;
	int rc, n = 0;

	if (fd < 0)
		return;
	if (write(fd, data, size) != (ssize_t)size ||
	    lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return;
	}
	if (pf_mbox_open_fd(&mb, fd) != 0)
		return;
	pf_mbox_set_max(mb, 1u << 20);
	while (n++ < 64 && (rc = pf_mbox_next(mb, &raw, &cb)) != 0) {
		struct pf_mail m;

		if (rc < 0) {
			if (rc != PF_E_LIMIT)
				break;
			continue;
		}
		if (pf_mail_parse(raw, cb, &m) == 0) {
			check_mail(&m, 0);
			pf_mail_free(&m);
		}
		free(raw);
	}
	pf_mbox_close(mb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_mail m;

	if (pf_mail_parse(data, size, &m) == 0) {
		check_mail(&m, 0);
		pf_mail_free(&m);
	}
	read_mbox(data, size);
	return 0;
}
