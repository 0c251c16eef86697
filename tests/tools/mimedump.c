/*
 * mimedump.c - print what formats/mime reads from a message, as one JSON
 * object per message (JSON Lines), for tests/cli/mime_python.sh and for
 * looking at a message by hand.
 *
 *   mimedump FILE.eml...        one object per file
 *   mimedump -m FILE.mbox       one object per message of the mbox
 *
 * Strings are printed as JSON strings (they are UTF-8 by contract);
 * attachment data as lower-case hex in "hex".  Exit status: 0, 1 when a
 * file could not be read or parsed (the message goes to stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/mime/pf_mail.h"
#include "../../formats/util/pf_err.h"

static void jstr(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void jkey(const char *k, bool first)
{
	printf("%s\"%s\":", first ? "" : ",", k);
}

static void jaddr(const struct pf_mail_addr *a)
{
	fputs("{\"name\":", stdout);
	jstr(a->name);
	fputs(",\"addr\":", stdout);
	jstr(a->addr);
	putchar('}');
}

static void jaddrs(const char *k, const struct pf_mail_addr *v, size_t n)
{
	jkey(k, false);
	putchar('[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			putchar(',');
		jaddr(&v[i]);
	}
	putchar(']');
}

static void dump(const struct pf_mail *m);

static void jatt(const struct pf_mail_att *a)
{
	fputs("{\"filename\":", stdout);
	jstr(a->filename);
	fputs(",\"mime_type\":", stdout);
	jstr(a->mime_type);
	fputs(",\"content_id\":", stdout);
	jstr(a->content_id);
	printf(",\"inline\":%s,\"cb\":%zu,\"hex\":\"",
	       a->is_inline ? "true" : "false", a->cb);
	for (size_t i = 0; i < a->cb; i++)
		printf("%02x", a->data[i]);
	putchar('"');
	if (a->embedded) {
		fputs(",\"embedded\":", stdout);
		dump(a->embedded);
	}
	putchar('}');
}

static void dump(const struct pf_mail *m)
{
	putchar('{');
	jkey("subject", true);
	jstr(m->subject);
	jkey("from", false);
	jaddr(&m->from);
	jkey("sender", false);
	jaddr(&m->sender);
	jaddrs("reply_to", m->reply_to_all, m->nreply_to);
	jaddrs("to", m->to, m->nto);
	jaddrs("cc", m->cc, m->ncc);
	jaddrs("bcc", m->bcc, m->nbcc);
	jkey("message_id", false);
	jstr(m->message_id);
	jkey("in_reply_to", false);
	jstr(m->in_reply_to);
	jkey("references", false);
	jstr(m->references);
	jkey("date", false);
	if (m->has_date)
		printf("%lld", (long long)m->date);
	else
		fputs("null", stdout);
	jkey("body_text", false);
	jstr(m->body_text);
	jkey("body_html", false);
	jstr(m->body_html);
	jkey("html_charset", false);
	jstr(m->html_charset);
	printf(",\"importance\":%d,\"sensitivity\":%d,\"read_receipt\":%s",
	       m->importance, m->sensitivity,
	       m->read_receipt ? "true" : "false");
	printf(",\"defects\":%u,\"truncated\":%s", m->defects,
	       m->truncated ? "true" : "false");
	jkey("att", false);
	putchar('[');
	for (size_t i = 0; i < m->natt; i++) {
		if (i)
			putchar(',');
		jatt(&m->att[i]);
	}
	fputs("]}", stdout);
}

static int dump_raw(const char *what, const uint8_t *raw, size_t cb)
{
	struct pf_mail m;
	int rc = pf_mail_parse(raw, cb, &m);

	if (rc != 0) {
		fprintf(stderr, "mimedump: %s: %s\n", what, pf_error_msg());
		return 1;
	}
	dump(&m);
	putchar('\n');
	pf_mail_free(&m);
	return 0;
}

static int dump_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0;
	int rc;

	if (!f) {
		perror(path);
		return 1;
	}
	for (;;) {
		size_t got;

		if (n == cap) {
			uint8_t *nb = realloc(buf, cap ? cap * 2 : 65536);

			if (!nb) {
				fclose(f);
				free(buf);
				return 1;
			}
			buf = nb;
			cap = cap ? cap * 2 : 65536;
		}
		got = fread(buf + n, 1, cap - n, f);
		if (got == 0)
			break;
		n += got;
	}
	fclose(f);
	rc = dump_raw(path, buf, n);
	free(buf);
	return rc;
}

static int dump_mbox(const char *path)
{
	struct pf_mbox *mb;
	uint8_t *raw;
	size_t cb;
	int rc = pf_mbox_open(&mb, path), bad = 0;

	if (rc != 0) {
		fprintf(stderr, "mimedump: %s\n", pf_error_msg());
		return 1;
	}
	while ((rc = pf_mbox_next(mb, &raw, &cb)) != 0) {
		if (rc < 0) {
			fprintf(stderr, "mimedump: %s: %s\n", path,
				pf_error_msg());
			bad = 1;
			if (rc != PF_E_LIMIT)
				break;
			continue;
		}
		bad |= dump_raw(path, raw, cb);
		free(raw);
	}
	pf_mbox_close(mb);
	return bad;
}

int main(int argc, char **argv)
{
	int bad = 0;

	if (argc >= 3 && strcmp(argv[1], "-m") == 0) {
		for (int i = 2; i < argc; i++)
			bad |= dump_mbox(argv[i]);
		return bad;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: mimedump FILE.eml... | "
			"mimedump -m FILE.mbox...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		bad |= dump_file(argv[i]);
	return bad;
}
