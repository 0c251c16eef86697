/*
 * cmd_import.c - `pstfix import -o OUT.pst SOURCE...`: mbox files and
 * directories of .eml files into a new PST (pstfix/import).
 *
 * Contract: OUT is written under a temporary name and renamed when
 * complete (an existing OUT is kept unless --force); each SOURCE becomes a
 * folder under "Top of Personal Folders".  Exit 0, 8 on failure (nothing
 * is left at OUT), 16 on usage errors.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../import/import.h"
#include "cli.h"

static int usage(void)
{
	printf("usage: pstfix import -o OUT.pst [options] SOURCE...\n"
	       "  SOURCE: an mbox file, an .eml file, or a directory of\n"
	       "  them (subdirectories become subfolders).\n"
	       "  --format unicode|ansi|ost|ost4k  (default unicode)\n"
	       "  --encoding none|permute|cyclic   (default permute)\n"
	       "  --name TEXT   the store's display name\n"
	       "  --force       replace OUT if it exists\n");
	return PF_EXIT_CLEAN;
}

static int run(const char *out, const char *name,
	       const struct pf_write_opts *wo, char **sources, int n)
{
	struct pf_storew_opts so = { .display_name = name,
				     .now = pf_filetime_from_unix(1767225600),
				     .seed = 1 };
	struct pf_import_stats st = { 0 };
	struct pf_storew *s;
	int rc = pf_storew_open(&s, out, wo, &so);

	if (rc != 0)
		return rc;
	for (int i = 0; rc == 0 && i < n; i++)
		rc = pf_import_source(s, pf_storew_std_folder(s, PF_FOLDER_IPM),
				      sources[i], &st);
	if (rc != 0) {
		pf_storew_abort(s);
		return rc;
	}
	rc = pf_storew_commit(s);
	if (rc == 0)
		printf("%s: %" PRIu64 " messages in %" PRIu64 " folders "
		       "(%" PRIu64 " skipped, %" PRIu64 " parse defects)\n",
		       out, st.messages, st.folders, st.skipped, st.defects);
	return rc;
}

int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'F' },
		{ "encoding", required_argument, NULL, 'E' },
		{ "name", required_argument, NULL, 'N' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *name = NULL, *format = "unicode",
		   *encoding = "permute";
	struct pf_write_opts wo = { 0 };
	struct stat st;
	bool force = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'F': format = optarg; break;
		case 'E': encoding = optarg; break;
		case 'N': name = optarg; break;
		case 'f': force = true; break;
		case 'h': return usage();
		default:  return cli_bad_option("import", c, argv, optind);
		}
	}
	if (!out || optind >= argc)
		return cli_usage("import", "needs -o OUT and a SOURCE");
	if (cli_write_opts(format, encoding, &wo) != 0)
		return cli_usage("import", "unknown --format or --encoding");
	if (!force && stat(out, &st) == 0)
		return cli_usage("import", "%s exists (use --force to replace "
				 "it)", out);
	if (run(out, name, &wo, argv + optind, argc - optind) != 0) {
		fprintf(stderr, "pstfix import: %s\n", pf_error_msg());
		return PF_EXIT_OPERATIONAL;
	}
	return PF_EXIT_CLEAN;
}
