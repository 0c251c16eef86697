/*
 * sample.c - the generator behind `pstfix create --sample` (see sample.h).
 *
 * Contract: the same SPEC gives the same file, byte for byte: a seeded
 * xorshift64* generator, a fixed clock (2026-01-01 plus one minute per
 * message) and no other input.  Content stays in memory one message at a
 * time.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/msg/pf_msg.h"
#include "sample.h"

#define SAMPLE_EPOCH PF_SAMPLE_EPOCH
#define MAX_FOLDERS 100000u
#define MAX_MESSAGES 50000000u
#define MAX_ITEMS 100000u               /* recipients, attachments */
#define MAX_SIZE (1ull << 31)           /* bytes of one body/attachment */

struct rng {
	uint64_t x;
};

static uint64_t next(struct rng *r)
{
	r->x ^= r->x >> 12;
	r->x ^= r->x << 25;
	r->x ^= r->x >> 27;
	return r->x * 0x2545F4914F6CDD1Dull;
}

static uint64_t in_range(struct rng *r, struct pf_range g)
{
	return g.hi <= g.lo ? g.lo : g.lo + next(r) % (g.hi - g.lo + 1);
}

/* ---- the spec ---- */

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (end == s)
		return -1;
	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'm' || *end == 'M')
		v <<= 20, end++;
	if (*end != '\0' || v > MAX_SIZE)
		return -1;
	*out = v;
	return 0;
}

static int parse_range(const char *v, struct pf_range *r, uint64_t max)
{
	char buf[64];
	char *dash;

	if (strlen(v) >= sizeof(buf))
		return -1;
	strcpy(buf, v);
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (parse_size(buf, &r->lo) != 0 ||
	    parse_size(dash ? dash + 1 : buf, &r->hi) != 0 ||
	    r->hi < r->lo || r->hi > max)
		return -1;
	return 0;
}

static int parse_u32(const char *v, uint32_t *out, uint64_t max)
{
	uint64_t n;

	if (parse_size(v, &n) != 0 || n > max)
		return -1;
	*out = (uint32_t)n;
	return 0;
}

static int parse_bool(const char *v, bool *out)
{
	if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
		return -1;
	*out = v[0] == '1';
	return 0;
}

static int set_key(struct pf_sample_spec *sp, const char *k, const char *v)
{
	if (!strcmp(k, "folders"))
		return parse_u32(v, &sp->folders, MAX_FOLDERS);
	if (!strcmp(k, "depth"))
		return parse_u32(v, &sp->depth, 200);
	if (!strcmp(k, "messages"))
		return parse_u32(v, &sp->messages, MAX_MESSAGES);
	if (!strcmp(k, "outbox"))
		return parse_u32(v, &sp->outbox, MAX_MESSAGES);
	if (!strcmp(k, "body"))
		return parse_range(v, &sp->body, MAX_SIZE);
	if (!strcmp(k, "recipients"))
		return parse_range(v, &sp->recipients, MAX_ITEMS);
	if (!strcmp(k, "attachments"))
		return parse_range(v, &sp->attachments, MAX_ITEMS);
	if (!strcmp(k, "attach-size"))
		return parse_range(v, &sp->attach_size, MAX_SIZE);
	if (!strcmp(k, "html"))
		return parse_bool(v, &sp->html);
	if (!strcmp(k, "unicode"))
		return parse_bool(v, &sp->unicode);
	if (!strcmp(k, "outbox-mix"))
		return parse_bool(v, &sp->outbox_mix);
	if (!strcmp(k, "seed"))
		return parse_size(v, &sp->seed);
	return -2;
}

int pf_sample_parse(const char *spec, struct pf_sample_spec *out)
{
	char *copy, *save = NULL, *item;
	int rc = 0;

	*out = (struct pf_sample_spec){
		.folders = 3, .depth = 1, .messages = 10,
		.body = { 200, 2000 }, .recipients = { 1, 3 },
		.attachments = { 0, 1 }, .attach_size = { 100, 20000 },
		.html = true, .unicode = true, .seed = 1,
	};
	copy = strdup(spec ? spec : "");
	if (!copy)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	for (item = strtok_r(copy, ",", &save); item && rc == 0;
	     item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');

		if (!eq) {
			rc = pf_error_set(PF_E_USAGE, "'%s' is not key=value",
					  item);
			break;
		}
		*eq = '\0';
		switch (set_key(out, item, eq + 1)) {
		case 0:
			break;
		case -2:
			rc = pf_error_set(PF_E_USAGE, "unknown sample key '%s'",
					  item);
			break;
		default:
			rc = pf_error_set(PF_E_USAGE, "bad value for '%s': "
					  "'%s'", item, eq + 1);
		}
	}
	free(copy);
	if (rc == 0 && out->depth == 0)
		out->depth = 1;
	return rc;
}

/* ---- content ---- */

static const char *const words[] = {
	"report", "meeting", "budget", "draft", "review", "quarterly",
	"project", "update", "invoice", "schedule", "notes", "agenda",
	"proposal", "contract", "summary", "launch", "design", "minutes",
};
static const char *const uwords[] = {
	"Grüße", "café", "日本語", "Ελληνικά", "русский", "naïve",
	"ünïcödé", "中文", "🎉", "façade", "Ærø", "עברית",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))
#define NUWORDS (sizeof(uwords) / sizeof(uwords[0]))

struct gen {
	struct rng r;
	const struct pf_sample_spec *sp;
	uint32_t *folders;      /* NIDs mail goes to */
	char **paths;           /* their paths */
	uint32_t nfolders;
};

/* Words up to CB bytes (at least one word), a sentence per ~12 words. */
static char *text(struct gen *g, uint64_t cb, bool unicode)
{
	char *out = malloc(cb + 64);
	size_t n = 0, count = 0;

	if (!out)
		return NULL;
	do {
		const char *w = unicode && next(&g->r) % 5 == 0 ?
			uwords[next(&g->r) % NUWORDS] :
			words[next(&g->r) % NWORDS];
		size_t len = strlen(w);

		if (n + len + 3 > cb + 60)
			break;
		memcpy(out + n, w, len);
		n += len;
		out[n++] = ++count % 12 == 0 ? '\n' : ' ';
	} while (n < cb);
	out[n] = '\0';
	return out;
}

static char *xprintf(const char *f, ...) PF_PRINTF(1, 2);

static char *xprintf(const char *f, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, f);
	n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	s = malloc((size_t)n + 1);
	if (!s)
		return NULL;
	va_start(ap, f);
	vsnprintf(s, (size_t)n + 1, f, ap);
	va_end(ap);
	return s;
}

static int make_folders(struct pf_storew *s, struct gen *g)
{
	const struct pf_sample_spec *sp = g->sp;
	uint32_t inbox = pf_storew_std_folder(s, PF_FOLDER_INBOX);
	uint32_t parent = inbox, n = sp->folders;
	int rc = 0;

	g->folders = calloc(n + 1, sizeof(*g->folders));
	g->paths = calloc(n + 1, sizeof(*g->paths));
	if (!g->folders || !g->paths)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	g->folders[0] = inbox;
	g->paths[0] = strdup("Top of Personal Folders/Inbox");
	g->nfolders = 1;
	for (uint32_t i = 0; rc == 0 && i < n; i++) {
		uint32_t pidx = i % sp->depth == 0 ? 0 : g->nfolders - 1;
		char *name = sp->unicode ?
			xprintf("Folder %u %s", i + 1, uwords[i % NUWORDS]) :
			xprintf("Folder %u", i + 1);

		parent = g->folders[pidx];
		if (!name)
			return pf_error_set(PF_E_NOMEM, "out of memory");
		rc = pf_storew_add_folder(s, parent, name, "IPF.Note",
					  &g->folders[g->nfolders]);
		g->paths[g->nfolders] = malloc(strlen(g->paths[pidx]) +
					       strlen(name) + 2);
		if (rc == 0 && g->paths[g->nfolders])
			sprintf(g->paths[g->nfolders], "%s/%s",
				g->paths[pidx], name);
		free(name);
		g->nfolders++;
	}
	return rc;
}

/* One message's content, owned by M_BUF, freed by free_message(). */
struct msgbuf {
	struct pf_msgw_message m;
	struct pf_msgw_rcpt *rcpt;
	struct pf_msgw_att *att;
	char **strings;
	size_t nstrings;
	uint8_t **blobs;
	size_t nblobs;
};

static char *keep(struct msgbuf *b, char *s)
{
	char **n;

	if (!s)
		return NULL;
	n = realloc(b->strings, (b->nstrings + 1) * sizeof(*n));
	if (!n) {
		free(s);
		return NULL;
	}
	b->strings = n;
	b->strings[b->nstrings++] = s;
	return s;
}

static void free_message(struct msgbuf *b)
{
	for (size_t i = 0; i < b->nstrings; i++)
		free(b->strings[i]);
	for (size_t i = 0; i < b->nblobs; i++)
		free(b->blobs[i]);
	free(b->strings);
	free(b->blobs);
	free(b->rcpt);
	free(b->att);
	memset(b, 0, sizeof(*b));
}

static int recipients(struct gen *g, struct msgbuf *b, bool outbox)
{
	uint32_t n = (uint32_t)in_range(&g->r, g->sp->recipients);

	if (outbox && n < 2)
		n = 2;   /* room for a Bcc */
	b->rcpt = calloc(n + 1, sizeof(*b->rcpt));
	if (!b->rcpt)
		return PF_E_NOMEM;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t who = next(&g->r) % 1000;

		b->rcpt[i].type = i == 0 ? PF_RCPT_TO :
			outbox && i == n - 1 ? PF_RCPT_BCC :
			i % 3 == 2 ? PF_RCPT_CC : PF_RCPT_TO;
		b->rcpt[i].name = keep(b, xprintf("%s %" PRIu64,
			g->sp->unicode && who % 7 == 0 ? "Usér" : "User", who));
		b->rcpt[i].addr = keep(b, xprintf("user%" PRIu64
						  "@example.com", who));
	}
	b->m.rcpt = b->rcpt;
	b->m.nrcpt = n;
	return 0;
}

static int attachments(struct gen *g, struct msgbuf *b)
{
	uint32_t n = (uint32_t)in_range(&g->r, g->sp->attachments);

	b->att = calloc(n + 1, sizeof(*b->att));
	b->blobs = calloc(n + 1, sizeof(*b->blobs));
	if (!b->att || !b->blobs)
		return PF_E_NOMEM;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t cb = in_range(&g->r, g->sp->attach_size);
		uint8_t *p = malloc(cb ? cb : 1);

		if (!p)
			return PF_E_NOMEM;
		for (uint64_t k = 0; k < cb; k += 8) {
			uint64_t v = next(&g->r);

			memcpy(p + k, &v, cb - k < 8 ? cb - k : 8);
		}
		b->blobs[b->nblobs++] = p;
		b->att[i].data = p;
		b->att[i].cb = (size_t)cb;
		b->att[i].mime_type = "application/octet-stream";
		b->att[i].filename = keep(b, xprintf("%s-%u.bin",
			g->sp->unicode && i % 2 ? "Anhang-ü" : "attachment",
			i + 1));
	}
	b->m.att = b->att;
	b->m.natt = n;
	return 0;
}

static int make_message(struct gen *g, uint64_t k, bool outbox,
			struct msgbuf *b)
{
	char *body = text(g, in_range(&g->r, g->sp->body), g->sp->unicode);
	char *subj = text(g, 40, g->sp->unicode);

	memset(b, 0, sizeof(*b));
	keep(b, body);
	keep(b, subj);
	if (!body || !subj)
		return PF_E_NOMEM;
	subj[strcspn(subj, "\n")] = '\0';
	while (*subj && subj[strlen(subj) - 1] == ' ')
		subj[strlen(subj) - 1] = '\0';
	b->m.subject = keep(b, xprintf("%" PRIu64 ": %s", k + 1, subj));
	b->m.body_text = body;
	if (g->sp->html)
		b->m.body_html = keep(b, xprintf("<html><body><p>%" PRIu64
			"</p><pre>%s</pre></body></html>", k + 1, body));
	b->m.sender_name = keep(b, xprintf("Sender %" PRIu64,
					   next(&g->r) % 100));
	b->m.sender_addr = keep(b, xprintf("sender%" PRIu64 "@example.org",
					   next(&g->r) % 100));
	b->m.message_id = keep(b, xprintf("sample-%" PRIu64 "@pstfix.test",
					  g->sp->seed * 1000003 + k));
	b->m.submit_time = pf_filetime_from_unix(SAMPLE_EPOCH +
						 (int64_t)k * 60);
	b->m.flags = outbox ? PF_MSGFLAG_UNSENT | PF_MSGFLAG_SUBMIT :
		     k % 2 ? PF_MSGFLAG_READ : 0;
	if (!b->m.subject || !b->m.sender_addr || !b->m.message_id)
		return PF_E_NOMEM;
	if (recipients(g, b, outbox) != 0 || attachments(g, b) != 0)
		return PF_E_NOMEM;
	return 0;
}

static int write_one(struct pf_storew *s, struct gen *g, uint64_t k,
		     uint32_t folder, const char *path, bool outbox,
		     pf_sample_fn fn, void *ctx)
{
	struct msgbuf b;
	struct pf_sample_msg sm = { .folder = path, .m = &b.m,
				    .outbox_class = outbox ? "stranded" :
				    NULL };
	int rc = make_message(g, k, outbox, &b);

	if (rc == PF_E_NOMEM)
		rc = pf_error_set(rc, "out of memory");
	if (rc == 0)
		rc = pf_storew_add_message(s, folder, &b.m, &sm.nid);
	if (rc == 0 && fn)
		rc = fn(ctx, &sm);
	free_message(&b);
	return rc;
}

int pf_sample_generate(struct pf_storew *s, const struct pf_sample_spec *sp,
		       pf_sample_fn fn, void *ctx)
{
	struct gen g = { .r = { sp->seed * 0x9E3779B97F4A7C15ull + 1 },
			 .sp = sp };
	int rc = make_folders(s, &g);
	uint64_t k;

	for (k = 0; rc == 0 && k < sp->messages; k++) {
		uint32_t f = (uint32_t)(k % g.nfolders);

		rc = write_one(s, &g, k, g.folders[f], g.paths[f], false, fn,
			       ctx);
	}
	for (uint64_t i = 0; rc == 0 && i < sp->outbox; i++, k++)
		rc = write_one(s, &g, k,
			       pf_storew_std_folder(s, PF_FOLDER_OUTBOX),
			       "Top of Personal Folders/Outbox", true, fn, ctx);
	if (rc == 0 && sp->outbox_mix)
		rc = pf_sample_outbox_mix(s, k, fn, ctx);
	for (uint32_t i = 0; i < g.nfolders && g.paths; i++)
		free(g.paths[i]);
	free(g.paths);
	free(g.folders);
	return rc;
}
