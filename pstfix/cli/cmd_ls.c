/*
 * cmd_ls.c - `pstfix ls FILE [FOLDER] [--json]`: the folder tree with item
 * counts, or the items of one folder (lspst's job).
 *
 * Contract: the tree is the one the NBT parent links define (formats/msg
 * tree.c), so a folder whose contents table is damaged still lists what
 * it holds.  FOLDER is a path as printed by `ls` ("Top of Personal
 * Folders/Inbox", case-insensitive) or a NID ("0x8082").  Folders the root
 * does not reach are listed last as orphans.  Exit 0, 8 when the file or
 * its node B-tree cannot be read, 16 on usage errors.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/msg/pf_msg.h"
#include "cli.h"
#include "json.h"

struct ls {
	struct pf_ndb *ndb;
	struct pf_tree tree;
	bool json;
	struct pf_json j;
};

static void folder_line(struct ls *ls, uint32_t i, bool orphan)
{
	const struct pf_tree_folder *f = &ls->tree.f[i];
	char path[4096];

	pf_tree_path(&ls->tree, i, path, sizeof(path));
	if (ls->json) {
		pf_json_object_begin(&ls->j);
		pf_json_kv_str(&ls->j, "type", "folder");
		pf_json_kv_hex(&ls->j, "nid", f->nid);
		pf_json_kv_str(&ls->j, "name", f->name);
		pf_json_kv_str(&ls->j, "path", path);
		pf_json_kv_u64(&ls->j, "depth", f->depth);
		pf_json_kv_u64(&ls->j, "items", f->messages);
		pf_json_kv_u64(&ls->j, "fai_items", f->assoc);
		pf_json_kv_u64(&ls->j, "subfolders", f->nsub);
		pf_json_kv_bool(&ls->j, "orphan", orphan);
		pf_json_object_end(&ls->j);
		pf_json_newline(&ls->j);
		return;
	}
	printf("%*s", (int)(2 * (f->depth > 40 ? 40 : f->depth)), "");
	cli_put_safe(stdout, f->name ? f->name : "(unreadable folder)");
	printf("  [%u item%s", f->messages, f->messages == 1 ? "" : "s");
	if (f->assoc)
		printf(", %u hidden", f->assoc);
	printf("]  nid 0x%x%s\n", f->nid, orphan ? "  (orphan)" : "");
}

/* Pre-order from the root; the tree's reachable flags bound the walk. */
static void list_tree(struct ls *ls)
{
	const struct pf_tree *t = &ls->tree;
	uint32_t *stack = malloc((t->n + 1) * sizeof(*stack));
	uint32_t top = 0;

	if (!stack)
		return;
	if (t->root != PF_TREE_NONE)
		stack[top++] = t->root;
	while (top > 0) {
		uint32_t i = stack[--top], n = 0, k, c;

		if (i != t->root)
			folder_line(ls, i, false);
		/* push children so the first pops first (NID order); each
		 * folder is in one child list, so the stack holds <= n */
		for (c = t->f[i].first_child; c != PF_TREE_NONE;
		     c = t->f[c].next_sibling)
			n++;
		top += n;
		k = top;
		for (c = t->f[i].first_child; c != PF_TREE_NONE;
		     c = t->f[c].next_sibling)
			stack[--k] = c;
	}
	for (uint32_t i = 0; i < t->n; i++)
		if (!t->f[i].reachable)
			folder_line(ls, i, true);
	free(stack);
}

static void flags_text(int32_t flags, uint32_t natt, char out[5])
{
	out[0] = flags & PF_MSGFLAG_READ ? 'R' : '-';
	out[1] = flags & PF_MSGFLAG_UNSENT ? 'U' : '-';
	out[2] = flags & PF_MSGFLAG_SUBMIT ? 'S' : '-';
	out[3] = natt || (flags & PF_MSGFLAG_HASATTACH) ? 'A' : '-';
	out[4] = '\0';
}

static void item_line(struct ls *ls, uint32_t nid,
		      const struct pf_message_info *mi, const char *err)
{
	char when[32], fl[5];

	pf_filetime_format(mi->time, when, sizeof(when));
	flags_text(mi->flags, mi->attachments, fl);
	if (ls->json) {
		pf_json_object_begin(&ls->j);
		pf_json_kv_str(&ls->j, "type", "item");
		pf_json_kv_hex(&ls->j, "nid", nid);
		if (err) {
			pf_json_kv_str(&ls->j, "error", err);
		} else {
			pf_json_kv_str(&ls->j, "subject", mi->subject);
			pf_json_kv_str(&ls->j, "sender", mi->sender);
			pf_json_kv_str(&ls->j, "date", when[0] ? when : NULL);
			pf_json_kv_i64(&ls->j, "size", mi->size);
			pf_json_kv_str(&ls->j, "flags", fl);
			pf_json_kv_str(&ls->j, "class", mi->message_class);
			pf_json_kv_u64(&ls->j, "recipients", mi->recipients);
			pf_json_kv_u64(&ls->j, "attachments",
				       mi->attachments);
		}
		pf_json_object_end(&ls->j);
		pf_json_newline(&ls->j);
		return;
	}
	if (err) {
		printf("0x%-8x (unreadable: %s)\n", nid, err);
		return;
	}
	printf("0x%-8x %-19s %9d %s  ", nid, when[0] ? when : "-", mi->size,
	       fl);
	cli_put_safe(stdout, mi->sender ? mi->sender : "-");
	printf("  |  ");
	cli_put_safe(stdout, mi->subject ? mi->subject : "(no subject)");
	printf("\n");
}

struct items_ctx {
	struct ls *ls;
	uint32_t folder;
	uint32_t shown;
};

static int one_item(void *arg, const struct pf_nbt_entry *e)
{
	struct items_ctx *c = arg;
	struct pf_message m;
	struct pf_message_info mi;

	if (e->nid_parent != c->folder ||
	    PF_NID_TYPE(e->nid) != PF_NT_NORMAL_MESSAGE)
		return 0;
	c->shown++;
	memset(&mi, 0, sizeof(mi));
	if (pf_message_open(&m, c->ls->ndb, (uint32_t)e->nid) != 0) {
		item_line(c->ls, (uint32_t)e->nid, &mi, pf_error_msg());
		return 0;
	}
	pf_message_info(&m, &mi);
	item_line(c->ls, (uint32_t)e->nid, &mi, NULL);
	pf_message_info_free(&mi);
	pf_message_close(&m);
	return 0;
}

static int list_items(struct ls *ls, const char *folder)
{
	uint32_t i = pf_tree_find(&ls->tree, folder);
	struct items_ctx c = { .ls = ls };

	if (i == PF_TREE_NONE)
		return cli_usage("ls", "no folder '%s'; 'pstfix ls FILE' lists "
				 "them", folder);
	c.folder = ls->tree.f[i].nid;
	if (!ls->json)
		printf("%-10s %-19s %9s %s  %s  |  %s\n", "nid", "date (UTC)",
		       "size", "flag", "from", "subject");
	pf_nbt_foreach(ls->ndb, one_item, &c);
	if (!ls->json)
		printf("%u item%s\n", c.shown, c.shown == 1 ? "" : "s");
	return PF_EXIT_CLEAN;
}

static int usage(void)
{
	printf("usage: pstfix ls [--json] FILE [FOLDER]\n"
	       "  Without FOLDER: the folder tree with item counts.\n"
	       "  With FOLDER (a path as ls prints it, or a NID such as\n"
	       "  0x8082): the items, with date, size, flags (R read,\n"
	       "  U unsent, S submitted, A attachments), sender, subject.\n");
	return PF_EXIT_CLEAN;
}

int cmd_ls(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ls ls;
	int c, rc = PF_EXIT_CLEAN;

	memset(&ls, 0, sizeof(ls));
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'J')
			ls.json = true;
		else if (c == 'h')
			return usage();
		else
			return cli_bad_option("ls", c, argv, optind);
	}
	if (optind != argc - 1 && optind != argc - 2)
		return cli_usage("ls", "expects FILE and at most one FOLDER");
	pf_json_init(&ls.j, stdout);
	if (pf_ndb_open(&ls.ndb, argv[optind]) != 0 ||
	    pf_tree_load(ls.ndb, &ls.tree) != 0) {
		fprintf(stderr, "pstfix ls: %s: %s\n", argv[optind],
			pf_error_msg());
		pf_ndb_close(ls.ndb);
		return PF_EXIT_OPERATIONAL;
	}
	if (optind == argc - 2)
		rc = list_items(&ls, argv[optind + 1]);
	else
		list_tree(&ls);
	pf_tree_free(&ls.tree);
	pf_ndb_close(ls.ndb);
	return rc;
}
