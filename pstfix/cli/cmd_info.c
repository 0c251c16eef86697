/*
 * cmd_info.c - `pstfix info FILE [--json]`: what a file is, at a glance
 * (pffinfo's job): format and encoding, sizes, the store's name, whether a
 * password is set, and the counts of folders, messages, attachments and
 * named properties (the name-to-id map's entries).
 *
 * Contract: reads through formats/ only; never judges (that is `scan`).
 * A file whose trees cannot be read still gets its header facts, and the
 * counts it could not make are said to be unknown.  Exit 0, or 8 when the
 * file cannot be opened, 16 on usage errors.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/msg/pf_msg.h"
#include "cli.h"
#include "json.h"

struct info {
	const struct pf_header *h;
	uint64_t size;
	struct pf_store_info store;
	bool store_ok;
	struct pf_tree tree;
	bool tree_ok;
	uint32_t attachments;
	uint32_t nodes;
	uint32_t named_props;    /* entries of the name-to-id map */
	bool named_ok;
};

static const char *format_name(const struct pf_header *h)
{
	bool ost = h->magic_client == PF_MAGIC_CLIENT_OST;

	switch (h->variant) {
	case PF_ANSI:
		return ost ? "ANSI OST" : "ANSI PST (Outlook 97-2002)";
	case PF_UNICODE:
		return ost ? "Unicode OST" : "Unicode PST";
	case PF_UNICODE4K:
		return "Unicode OST with 4 KiB pages (Outlook 2013+)";
	}
	return "unknown";
}

static const char *crypt_name(uint8_t m)
{
	switch (m) {
	case PF_CRYPT_NONE:    return "none";
	case PF_CRYPT_PERMUTE: return "permute (compressible)";
	case PF_CRYPT_CYCLIC:  return "cyclic (high)";
	}
	return "unknown";
}

static int count_nodes(void *ctx, const struct pf_nbt_entry *e)
{
	(void)e;
	(*(uint32_t *)ctx)++;
	return 0;
}

/* Attachments are subnodes of messages: one subnode-tree read each. */
static int count_attachments(void *ctx, const struct pf_nbt_entry *e)
{
	struct { struct pf_ndb *ndb; uint32_t n; } *c = ctx;
	struct pf_subnodes sub;

	if (PF_NID_TYPE(e->nid) != PF_NT_NORMAL_MESSAGE || !e->bid_sub)
		return 0;
	if (pf_subnodes_load(c->ndb, e->bid_sub, NULL, &sub) != 0)
		return 0;
	for (uint32_t i = 0; i < sub.count; i++)
		if (PF_NID_TYPE(sub.v[i].nid) == PF_NT_ATTACHMENT)
			c->n++;
	pf_subnodes_free(&sub);
	return 0;
}

/* The named-property map's size (MS-PST 2.4.7); its damage is scan's. */
static void gather_named(struct pf_ndb *ndb, struct info *in)
{
	struct pf_nameid_map map;

	if (pf_nameid_load(ndb, &map, NULL) != 0)
		return;
	in->named_ok = true;
	in->named_props = map.count;
	pf_nameid_free(&map);
}

static void gather(struct pf_ndb *ndb, struct info *in)
{
	struct { struct pf_ndb *ndb; uint32_t n; } ac = { ndb, 0 };

	in->h = pf_ndb_header(ndb);
	in->size = pf_ndb_file_size(ndb);
	in->store_ok = pf_store_read(ndb, &in->store) == 0;
	in->tree_ok = pf_tree_load(ndb, &in->tree) == 0;
	gather_named(ndb, in);
	pf_nbt_foreach(ndb, count_nodes, &in->nodes);
	if (in->tree_ok && pf_nbt_foreach(ndb, count_attachments, &ac) == 0)
		in->attachments = ac.n;
}

/* PidTagPstPassword is a PST property; an OST has no password of its
 * own (it belongs to a mail profile), whatever the property holds. */
static const char *password_text(const struct info *in)
{
	if (in->h->magic_client == PF_MAGIC_CLIENT_OST)
		return "not applicable (OST)";
	if (!in->store_ok)
		return "unknown";
	return in->store.has_password ? "set (stored as a CRC; not needed to "
					"read the file)" : "none";
}

static void print_text(const char *path, const struct info *in)
{
	const struct pf_header *h = in->h;

	printf("file:             ");
	cli_put_safe(stdout, path);
	printf("\nformat:           %s (wVer %u, client %c%c)\n", format_name(h),
	       h->ver, h->magic_client & 0xFF, h->magic_client >> 8);
	printf("encoding:         %s\n", crypt_name(h->crypt_method));
	printf("size:             %llu bytes (ibFileEof %llu)\n",
	       (unsigned long long)in->size,
	       (unsigned long long)h->root.ib_file_eof);
	printf("store name:       ");
	cli_put_safe(stdout, in->store_ok && in->store.display_name ?
			     in->store.display_name : "(unknown)");
	printf("\npassword:         %s\n", password_text(in));
	printf("nodes:            %u\n", in->nodes);
	if (in->named_ok)
		printf("named properties: %u\n", in->named_props);
	else
		printf("named properties: unknown\n");
	if (!in->tree_ok) {
		printf("folders:          unknown (the node B-tree is unreadable; "
		       "run pstfix scan)\n");
		return;
	}
	printf("folders:          %u\n", in->tree.n);
	printf("messages:         %u", in->tree.messages);
	if (in->tree.orphan_messages)
		printf(" (%u outside any folder)", in->tree.orphan_messages);
	printf("\nattachments:      %u\n", in->attachments);
}

static void print_json(const char *path, const struct info *in)
{
	const struct pf_header *h = in->h;
	struct pf_json j;

	pf_json_init(&j, stdout);
	pf_json_object_begin(&j);
	pf_json_kv_str(&j, "file", path);
	pf_json_kv_str(&j, "format", format_name(h));
	pf_json_kv_u64(&j, "format_ver", h->ver);
	pf_json_kv_str(&j, "client", h->magic_client == PF_MAGIC_CLIENT_OST ?
				     "OST" : "PST");
	pf_json_kv_str(&j, "encoding", crypt_name(h->crypt_method));
	pf_json_kv_u64(&j, "size", in->size);
	pf_json_kv_u64(&j, "ib_file_eof", h->root.ib_file_eof);
	pf_json_kv_str(&j, "store_name",
		       in->store_ok ? in->store.display_name : NULL);
	pf_json_key(&j, "password_set");
	if (in->store_ok && h->magic_client != PF_MAGIC_CLIENT_OST)
		pf_json_bool(&j, in->store.has_password);
	else
		pf_json_null(&j);
	pf_json_kv_u64(&j, "nodes", in->nodes);
	pf_json_key(&j, "named_properties");
	if (in->named_ok)
		pf_json_u64(&j, in->named_props);
	else
		pf_json_null(&j);
	if (in->tree_ok) {
		pf_json_kv_u64(&j, "folders", in->tree.n);
		pf_json_kv_u64(&j, "messages", in->tree.messages);
		pf_json_kv_u64(&j, "orphan_messages",
			       in->tree.orphan_messages);
		pf_json_kv_u64(&j, "attachments", in->attachments);
	}
	pf_json_object_end(&j);
	pf_json_newline(&j);
}

static int usage(void)
{
	printf("usage: pstfix info [--json] FILE\n"
	       "  Show the format, encoding, sizes, store name, password\n"
	       "  state and the counts of folders, messages, attachments.\n");
	return PF_EXIT_CLEAN;
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pf_ndb *ndb;
	struct info in;
	bool json = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'J')
			json = true;
		else if (c == 'h')
			return usage();
		else
			return cli_bad_option("info", c, argv, optind);
	}
	if (optind != argc - 1)
		return cli_usage("info", "expects exactly one FILE");
	if (pf_ndb_open(&ndb, argv[optind]) != 0) {
		fprintf(stderr, "pstfix info: %s: %s\n", argv[optind],
			pf_error_msg());
		return PF_EXIT_OPERATIONAL;
	}
	memset(&in, 0, sizeof(in));
	gather(ndb, &in);
	if (json)
		print_json(argv[optind], &in);
	else
		print_text(argv[optind], &in);
	if (in.store_ok)
		pf_store_info_free(&in.store);
	if (in.tree_ok)
		pf_tree_free(&in.tree);
	pf_ndb_close(ndb);
	return PF_EXIT_CLEAN;
}
