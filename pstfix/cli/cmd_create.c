/*
 * cmd_create.c - `pstfix create --sample SPEC -o OUT.pst`: a new PST with
 * generated content (pstfix/create/sample.h), for tests, benchmarks and
 * demonstrations.
 *
 * Contract: OUT is written under a temporary name and renamed when
 * complete; an existing OUT is never replaced unless --force is given.
 * --manifest writes what was generated as JSON Lines (one message per
 * line: folder, subject, sender, recipients, message-id, flags, SHA-256
 * and size of the body text and of each attachment) so tests can compare
 * what other readers find.  Exit 0, 8 on failure, 16 on usage errors.
 */
#include <getopt.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../create/sample.h"
#include "cli.h"
#include "json.h"

static void sha256_hex(const void *p, size_t cb, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!EVP_Digest(p, cb, md, &n, EVP_sha256(), NULL))
		n = 0;
	for (unsigned i = 0; i < n && i < 32; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
	out[2 * (n < 32 ? n : 32)] = '\0';
}

static void rcpt_list(struct pf_json *j, const char *key,
		      const struct pf_msgw_message *m, enum pf_rcpt_type t)
{
	pf_json_key(j, key);
	pf_json_array_begin(j);
	for (uint32_t i = 0; i < m->nrcpt; i++)
		if (m->rcpt[i].type == t)
			pf_json_str(j, m->rcpt[i].addr);
	pf_json_array_end(j);
}

/* Outbox items: the class meant, and which recipients the writer made
 * unresolvable (no SMTP address) or delivered (PidTagRecipientFlags
 * 0x80000000), by display name. */
static void outbox_keys(struct pf_json *j, const struct pf_sample_msg *sm)
{
	const struct pf_msgw_message *m = sm->m;

	pf_json_kv_str(j, "outbox_class", sm->outbox_class);
	pf_json_key(j, "unresolvable");
	pf_json_array_begin(j);
	for (uint32_t i = 0; i < m->nrcpt; i++)
		if (!m->rcpt[i].addr)
			pf_json_str(j, m->rcpt[i].name);
	pf_json_array_end(j);
	pf_json_key(j, "delivered");
	pf_json_array_begin(j);
	for (uint32_t i = 0; i < m->nrcpt; i++)
		if (m->rcpt[i].flags & 0x80000000u)
			pf_json_str(j, m->rcpt[i].addr);
	pf_json_array_end(j);
}

static int manifest_line(void *ctx, const struct pf_sample_msg *sm)
{
	const struct pf_msgw_message *m = sm->m;
	struct pf_json *j = ctx;
	char hex[65];

	pf_json_object_begin(j);
	pf_json_kv_str(j, "folder", sm->folder);
	pf_json_kv_hex(j, "nid", sm->nid);
	if (sm->outbox_class)
		outbox_keys(j, sm);
	pf_json_kv_str(j, "subject", m->subject);
	pf_json_kv_str(j, "sender_name", m->sender_name);
	pf_json_kv_str(j, "sender", m->sender_addr);
	rcpt_list(j, "to", m, PF_RCPT_TO);
	rcpt_list(j, "cc", m, PF_RCPT_CC);
	rcpt_list(j, "bcc", m, PF_RCPT_BCC);
	pf_json_kv_str(j, "message_id", m->message_id);
	pf_json_kv_u64(j, "flags", m->flags);
	sha256_hex(m->body_text, strlen(m->body_text), hex);
	pf_json_kv_str(j, "body_sha256", hex);
	pf_json_kv_u64(j, "body_size", strlen(m->body_text));
	pf_json_key(j, "attachments");
	pf_json_array_begin(j);
	for (uint32_t i = 0; i < m->natt; i++) {
		sha256_hex(m->att[i].data, m->att[i].cb, hex);
		pf_json_object_begin(j);
		pf_json_kv_str(j, "name", m->att[i].filename);
		pf_json_kv_u64(j, "size", m->att[i].cb);
		pf_json_kv_str(j, "sha256", hex);
		pf_json_object_end(j);
	}
	pf_json_array_end(j);
	pf_json_object_end(j);
	pf_json_newline(j);
	return 0;
}

static int parse_format(const char *v, struct pf_write_opts *o)
{
	if (!strcmp(v, "unicode"))
		o->variant = PF_UNICODE;
	else if (!strcmp(v, "ansi"))
		o->variant = PF_ANSI;
	else if (!strcmp(v, "ost4k")) {
		o->variant = PF_UNICODE4K;
		o->ost = true;
	} else if (!strcmp(v, "ost")) {
		o->variant = PF_UNICODE;
		o->ost = true;
	} else
		return -1;
	return 0;
}

static int parse_encoding(const char *v, struct pf_write_opts *o)
{
	if (!strcmp(v, "none"))
		o->crypt = PF_CRYPT_NONE;
	else if (!strcmp(v, "permute"))
		o->crypt = PF_CRYPT_PERMUTE;
	else if (!strcmp(v, "cyclic"))
		o->crypt = PF_CRYPT_CYCLIC;
	else
		return -1;
	return 0;
}

int cli_write_opts(const char *format, const char *encoding,
		   struct pf_write_opts *o)
{
	o->variant = PF_UNICODE;
	o->crypt = PF_CRYPT_PERMUTE;
	if (format && parse_format(format, o) != 0)
		return -1;
	if (encoding && parse_encoding(encoding, o) != 0)
		return -1;
	return 0;
}

static int usage(void)
{
	printf("usage: pstfix create --sample SPEC -o OUT.pst [options]\n"
	       "  --format unicode|ansi|ost|ost4k  (default unicode)\n"
	       "  --encoding none|permute|cyclic   (default permute)\n"
	       "  --name TEXT        the store's display name\n"
	       "  --manifest FILE    what was generated, as JSON Lines\n"
	       "  --force            replace OUT if it exists\n"
	       "SPEC: key=value,... with folders, depth, messages, body,\n"
	       "  html, recipients, attachments, attach-size, unicode,\n"
	       "  outbox, outbox-mix, seed (see docs/pstfix.1).\n");
	return PF_EXIT_CLEAN;
}

struct create_args {
	const char *spec, *out, *name, *manifest;
	bool force;
	struct pf_write_opts wo;
};

static int parse_args(int argc, char **argv, struct create_args *a)
{
	static const struct option opts[] = {
		{ "sample", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'F' },
		{ "encoding", required_argument, NULL, 'E' },
		{ "name", required_argument, NULL, 'N' },
		{ "manifest", required_argument, NULL, 'M' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	a->wo.variant = PF_UNICODE;
	a->wo.crypt = PF_CRYPT_PERMUTE;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': a->spec = optarg; break;
		case 'o': a->out = optarg; break;
		case 'N': a->name = optarg; break;
		case 'M': a->manifest = optarg; break;
		case 'f': a->force = true; break;
		case 'h': return -1;
		case 'F':
			if (parse_format(optarg, &a->wo) != 0)
				return cli_usage("create", "unknown format "
						 "'%s'", optarg);
			break;
		case 'E':
			if (parse_encoding(optarg, &a->wo) != 0)
				return cli_usage("create", "unknown encoding "
						 "'%s'", optarg);
			break;
		default:
			return cli_bad_option("create", c, argv, optind);
		}
	}
	if (optind != argc)
		return cli_usage("create", "unexpected argument '%s'",
				 argv[optind]);
	if (!a->spec || !a->out)
		return cli_usage("create", "needs --sample SPEC and -o OUT");
	return 0;
}

static int generate(const struct create_args *a,
		    const struct pf_sample_spec *sp, FILE *mf)
{
	struct pf_storew_opts so = {
		.display_name = a->name,
		.now = pf_filetime_from_unix(1767225600ll),
		.seed = (uint32_t)sp->seed,
	};
	struct pf_storew *s;
	struct pf_json j;
	int rc = pf_storew_open(&s, a->out, &a->wo, &so);

	if (rc != 0)
		return rc;
	pf_json_init(&j, mf);
	rc = pf_sample_generate(s, sp, mf ? manifest_line : NULL, &j);
	if (rc != 0) {
		pf_storew_abort(s);
		return rc;
	}
	return pf_storew_commit(s);
}

int cmd_create(int argc, char **argv)
{
	struct create_args a = { 0 };
	struct pf_sample_spec sp;
	struct stat st;
	FILE *mf = NULL;
	int rc = parse_args(argc, argv, &a);

	if (rc < 0)
		return usage();
	if (rc != 0)
		return rc;
	if (pf_sample_parse(a.spec, &sp) != 0)
		return cli_usage("create", "%s", pf_error_msg());
	if (!a.force && stat(a.out, &st) == 0)
		return cli_usage("create", "%s exists (use --force to replace "
				 "it)", a.out);
	if (a.manifest && !(mf = fopen(a.manifest, "w"))) {
		fprintf(stderr, "pstfix create: %s: cannot write\n",
			a.manifest);
		return PF_EXIT_OPERATIONAL;
	}
	rc = generate(&a, &sp, mf);
	if (mf && fclose(mf) != 0 && rc == 0)
		rc = pf_error_set(PF_E_IO, "%s: write failed", a.manifest);
	if (rc != 0 && a.manifest)
		unlink(a.manifest);   /* no manifest of a file that is not there */
	if (rc != 0) {
		fprintf(stderr, "pstfix create: %s\n", pf_error_msg());
		return PF_EXIT_OPERATIONAL;
	}
	printf("%s: %u messages in %u folders (+%u in the Outbox)\n", a.out,
	       sp.messages, sp.folders, sp.outbox);
	return PF_EXIT_CLEAN;
}
