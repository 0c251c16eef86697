/*
 * import.c - mbox files and .eml directories into folders of a PST (see
 * import.h).
 *
 * Contract: a directory is read in sorted order so the same input gives
 * the same file; a file inside a directory is an .eml when its name ends
 * in .eml and an mbox when it starts with "From "; anything else is
 * ignored.  Directory depth is bounded (IMPORT_MAX_DEPTH) and symbolic
 * links to directories are not followed, so a loop cannot recurse.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "../../formats/mime/pf_mail.h"
#include "../../formats/msg/pf_msg.h"
#include "../../formats/util/pf_err.h"
#include "import.h"

#define IMPORT_MAX_DEPTH 64
#define EML_MAX (512u << 20)   /* bytes of one .eml */

/* A pf_mail as the writer wants it; arrays owned here. */
struct conv {
	struct pf_msgw_message m;
	struct pf_msgw_rcpt *rcpt;
	struct pf_msgw_att *att;
	struct conv *emb;          /* one per attachment (most unused) */
	uint32_t nemb;
};

/* EMB and ATT are allocated together with natt + 1 zeroed slots. */
static void conv_free(struct conv *c)
{
	for (uint32_t i = 0; c->emb && i < c->nemb; i++)
		conv_free(&c->emb[i]);
	free(c->rcpt);
	free(c->att);
	free(c->emb);
}

static void add_rcpts(struct conv *c, const struct pf_mail_addr *a, size_t n,
		      enum pf_rcpt_type t)
{
	for (size_t i = 0; i < n; i++) {
		struct pf_msgw_rcpt *r = &c->rcpt[c->m.nrcpt++];

		r->name = a[i].name;
		r->addr = a[i].addr;
		r->type = t;
	}
}

static int convert(const struct pf_mail *mail, struct conv *c,
		   unsigned depth);

static int convert_atts(const struct pf_mail *mail, struct conv *c,
			unsigned depth)
{
	c->att = calloc(mail->natt + 1, sizeof(*c->att));
	c->emb = calloc(mail->natt + 1, sizeof(*c->emb));
	if (!c->att || !c->emb)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	c->nemb = (uint32_t)mail->natt;
	for (size_t i = 0; i < mail->natt; i++) {
		const struct pf_mail_att *a = &mail->att[i];
		struct pf_msgw_att *w = &c->att[i];

		w->filename = a->filename;
		w->mime_type = a->mime_type;
		w->content_id = a->content_id;
		w->is_inline = a->is_inline;
		w->data = a->data;
		w->cb = a->cb;
		if (a->embedded && depth < 16 &&
		    convert(a->embedded, &c->emb[i], depth + 1) == 0)
			w->embedded = &c->emb[i].m;
	}
	c->m.att = c->att;
	c->m.natt = (uint32_t)mail->natt;
	return 0;
}

static int convert(const struct pf_mail *mail, struct conv *c,
		   unsigned depth)
{
	size_t n = mail->nto + mail->ncc + mail->nbcc;
	uint64_t when = mail->has_date ? pf_filetime_from_unix(mail->date) : 0;

	memset(c, 0, sizeof(*c));
	c->rcpt = calloc(n + 1, sizeof(*c->rcpt));
	if (!c->rcpt)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	add_rcpts(c, mail->to, mail->nto, PF_RCPT_TO);
	add_rcpts(c, mail->cc, mail->ncc, PF_RCPT_CC);
	add_rcpts(c, mail->bcc, mail->nbcc, PF_RCPT_BCC);
	c->m.rcpt = c->rcpt;
	c->m.subject = mail->subject;
	c->m.sender_name = mail->from.name;
	c->m.sender_addr = mail->from.addr;
	c->m.body_text = mail->body_text;
	c->m.body_html = mail->body_html;
	c->m.message_id = mail->message_id;
	c->m.in_reply_to = mail->in_reply_to;
	c->m.references = mail->references;
	c->m.headers = mail->headers;
	c->m.submit_time = when;
	c->m.delivery_time = when;
	c->m.flags = PF_MSGFLAG_READ;   /* archived mail has been read */
	c->m.importance = mail->importance;
	c->m.sensitivity = mail->sensitivity;
	return convert_atts(mail, c, depth);
}

static int import_raw(struct pf_storew *s, uint32_t folder,
		      const uint8_t *raw, size_t cb,
		      struct pf_import_stats *st)
{
	struct pf_mail mail;
	struct conv c;
	int rc;

	if (pf_mail_parse(raw, cb, &mail) != 0) {
		st->skipped++;
		return 0;
	}
	st->defects += mail.defects;
	rc = convert(&mail, &c, 0);
	if (rc == 0)
		rc = pf_storew_add_message(s, folder, &c.m, NULL);
	if (rc == 0)
		st->messages++;
	conv_free(&c);
	pf_mail_free(&mail);
	return rc;
}

static int import_mbox(struct pf_storew *s, uint32_t folder,
		       const char *path, struct pf_import_stats *st)
{
	struct pf_mbox *mb;
	uint8_t *raw;
	size_t cb;
	int rc = pf_mbox_open(&mb, path), more;

	if (rc != 0)
		return rc;
	while ((more = pf_mbox_next(mb, &raw, &cb)) == 1) {
		rc = import_raw(s, folder, raw, cb, st);
		free(raw);
		if (rc != 0)
			break;
	}
	pf_mbox_close(mb);
	return rc != 0 ? rc : more < 0 ? more : 0;
}

static int read_file(const char *path, uint8_t **out, size_t *cb)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *buf;

	if (!f)
		return pf_error_set(PF_E_IO, "%s: cannot open", path);
	if (fstat(fileno(f), &st) != 0 || st.st_size > EML_MAX) {
		fclose(f);
		return pf_error_set(PF_E_LIMIT, "%s: too large for one "
				    "message", path);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf || fread(buf, 1, (size_t)st.st_size, f) !=
		    (size_t)st.st_size) {
		free(buf);
		fclose(f);
		return pf_error_set(PF_E_IO, "%s: read failed", path);
	}
	fclose(f);
	*out = buf;
	*cb = (size_t)st.st_size;
	return 0;
}

static int import_eml(struct pf_storew *s, uint32_t folder,
		      const char *path, struct pf_import_stats *st)
{
	uint8_t *raw = NULL;
	size_t cb = 0;
	int rc = read_file(path, &raw, &cb);

	if (rc == 0) {
		rc = import_raw(s, folder, raw, cb, st);
		free(raw);
	}
	return rc;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

static bool looks_like_mbox(const char *path)
{
	char head[5];
	FILE *f = fopen(path, "rb");
	bool yes;

	if (!f)
		return false;
	yes = fread(head, 1, 5, f) == 5 && memcmp(head, "From ", 5) == 0;
	fclose(f);
	return yes;
}

/* "Work.mbox" -> "Work"; "/a/b/" -> "b". */
static char *folder_name(const char *path)
{
	const char *base = strrchr(path, '/');
	char *name;
	size_t n;

	base = base ? base + 1 : path;
	if (!*base)
		base = "Imported";
	name = strdup(base);
	if (!name)
		return NULL;
	n = strlen(name);
	if (ends_with(name, ".mbox"))
		name[n - 5] = '\0';
	else if (ends_with(name, ".mbx"))
		name[n - 4] = '\0';
	return name;
}

static int new_folder(struct pf_storew *s, uint32_t parent, const char *path,
		      uint32_t *nid, struct pf_import_stats *st)
{
	char *name = folder_name(path);
	int rc;

	if (!name)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	rc = pf_storew_add_folder(s, parent, name, "IPF.Note", nid);
	free(name);
	if (rc == 0)
		st->folders++;
	return rc;
}

static int import_dir(struct pf_storew *s, uint32_t parent, const char *path,
		      unsigned depth, struct pf_import_stats *st);

static int import_entry(struct pf_storew *s, uint32_t folder,
			const char *path, unsigned depth,
			struct pf_import_stats *st)
{
	struct stat sb;

	if (lstat(path, &sb) != 0)
		return 0;
	if (S_ISDIR(sb.st_mode))
		return import_dir(s, folder, path, depth + 1, st);
	if (!S_ISREG(sb.st_mode))
		return 0;
	if (ends_with(path, ".eml"))
		return import_eml(s, folder, path, st);
	if (looks_like_mbox(path)) {
		uint32_t sub;
		int rc = new_folder(s, folder, path, &sub, st);

		return rc != 0 ? rc : import_mbox(s, sub, path, st);
	}
	return 0;
}

static int import_dir(struct pf_storew *s, uint32_t parent, const char *path,
		      unsigned depth, struct pf_import_stats *st)
{
	struct dirent **names;
	uint32_t folder;
	int n, rc;

	if (depth > IMPORT_MAX_DEPTH)
		return pf_error_set(PF_E_LIMIT, "%s: directories nested more "
				    "than %d deep", path, IMPORT_MAX_DEPTH);
	n = scandir(path, &names, NULL, alphasort);
	if (n < 0)
		return pf_error_set(PF_E_IO, "%s: cannot read the directory",
				    path);
	rc = new_folder(s, parent, path, &folder, st);
	for (int i = 0; i < n; i++) {
		char *child;

		if (rc == 0 && names[i]->d_name[0] != '.' &&
		    (child = malloc(strlen(path) + strlen(names[i]->d_name) +
				    2))) {
			sprintf(child, "%s/%s", path, names[i]->d_name);
			rc = import_entry(s, folder, child, depth, st);
			free(child);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int pf_import_source(struct pf_storew *s, uint32_t parent,
		     const char *source, struct pf_import_stats *st)
{
	struct stat sb;
	uint32_t folder;
	int rc;

	if (stat(source, &sb) != 0)
		return pf_error_set(PF_E_IO, "%s: no such file or directory",
				    source);
	if (S_ISDIR(sb.st_mode))
		return import_dir(s, parent, source, 0, st);
	rc = new_folder(s, parent, ends_with(source, ".eml") ? "Imported" :
			source, &folder, st);
	if (rc != 0)
		return rc;
	if (ends_with(source, ".eml"))
		return import_eml(s, folder, source, st);
	return import_mbox(s, folder, source, st);
}
