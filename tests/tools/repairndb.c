/*
 * repairndb.c - run the NDB repair stage (pf_repair_ndb) alone, for
 * bench/repair and for looking at a damaged file by hand: the stage's
 * notes on stderr, its counts as one line on stdout.
 *
 *   repairndb [-l maps|btree|nodes] [-k] IN OUT
 *
 * -k keeps deleted nodes found on stale NBT pages (ctx.keep_deleted).
 * Exit status 0, or 1 with the one-line error on stderr.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../formats/util/pf_err.h"
#include "../../pstfix/repair/repair.h"

static void note(void *ctx, enum pf_repair_level level, const char *line)
{
	(void)ctx;
	(void)level;
	fprintf(stderr, "  %s\n", line);
}

int main(int argc, char **argv)
{
	struct pf_repair_ctx ctx = { .note = note };
	enum pf_repair_level level = PF_REPAIR_BTREE;
	const struct pf_repair_counts *c = &ctx.counts;
	int opt, rc;

	while ((opt = getopt(argc, argv, "l:k")) != -1) {
		if (opt == 'k')
			ctx.keep_deleted = true;
		else if (strcmp(optarg, "maps") == 0)
			level = PF_REPAIR_MAPS;
		else if (strcmp(optarg, "nodes") == 0)
			level = PF_REPAIR_NODES;
		else if (strcmp(optarg, "btree") != 0)
			optind = argc;   /* usage below */
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: repairndb [-l maps|btree|nodes] [-k] "
			"IN OUT\n");
		return 1;
	}
	rc = pf_repair_ndb(&ctx, argv[optind], argv[optind + 1], level);
	if (rc != 0) {
		fprintf(stderr, "repairndb: %s\n", pf_error_msg());
		return 1;
	}
	printf("pages_scanned=%llu blocks_scanned=%llu nodes_kept=%llu "
	       "nodes_scavenged=%llu nodes_dropped=%llu blocks_dropped=%llu "
	       "trees_truncated=%llu subnodes_dropped=%llu "
	       "messages_kept=%llu messages_lost=%llu nodes_rebuilt=%llu\n",
	       (unsigned long long)c->pages_scanned,
	       (unsigned long long)c->blocks_scanned,
	       (unsigned long long)c->nodes_kept,
	       (unsigned long long)c->nodes_scavenged,
	       (unsigned long long)c->nodes_dropped,
	       (unsigned long long)c->blocks_dropped,
	       (unsigned long long)c->trees_truncated,
	       (unsigned long long)c->subnodes_dropped,
	       (unsigned long long)c->messages_kept,
	       (unsigned long long)c->messages_lost,
	       (unsigned long long)c->nodes_rebuilt);
	return 0;
}
