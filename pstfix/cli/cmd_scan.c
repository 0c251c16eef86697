/*
 * cmd_scan.c - `pstfix scan`: read the options and operands, build the
 * file list, hand both to scan_run().
 *
 * Contract: every option is checked before any file is opened; a bad one
 * is a one-line usage error and status 16.  Operands named on the command
 * line come first, then the paths of each --from-list in the order given.
 * A list that cannot be read stops the command (status 8) before any
 * scan: scanning part of what an admin asked for would look like success.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "filelist.h"
#include "scan.h"

static const char usage_text[] =
"usage: pstfix scan [options] FILE|DIR...\n"
"Check PST/OST files and report every problem found; nothing is written.\n"
"A directory is searched recursively for *.pst and *.ost files.\n"
"\n"
"  -j, --jobs N          check N files at a time (1-256, default 1)\n"
"      --json            JSON Lines on stdout: one record per finding,\n"
"                        one summary per file, a total for several\n"
"  -q, --quiet           only the verdict lines (and the total)\n"
"  -v, --verbose         also informational findings and file statistics\n"
"      --max-per-code N  list at most N findings per problem code\n"
"                        (default 50; 0 lists all); the rest are counted\n"
"      --cross-check     also compare folders and item counts with libpff\n"
"      --xcheck-timeout SEC\n"
"                        give libpff at most SEC seconds (default 60)\n"
"      --from-list FILE  also check the paths in FILE, one per line\n"
"                        ('-' reads stdin; '#' lines are comments)\n"
"  -h, --help            this text\n"
"\n"
"Exit status (bits, as fsck): 0 clean, 4 errors found, 8 a file could not\n"
"be checked, 16 usage error, 32 interrupted; several files: the OR.\n";

enum {
	OPT_JSON = 256,
	OPT_MAX_PER_CODE,
	OPT_CROSS_CHECK,
	OPT_XCHECK_TIMEOUT,
	OPT_FROM_LIST,
};

static const struct option long_opts[] = {
	{ "jobs", required_argument, NULL, 'j' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "max-per-code", required_argument, NULL, OPT_MAX_PER_CODE },
	{ "cross-check", no_argument, NULL, OPT_CROSS_CHECK },
	{ "xcheck-timeout", required_argument, NULL, OPT_XCHECK_TIMEOUT },
	{ "from-list", required_argument, NULL, OPT_FROM_LIST },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct scan_args {
	struct scan_opts o;
	const char **lists;       /* --from-list values, in order */
	size_t nlists;
	bool timeout_set, help;
};

static int number(const char *name, const char *arg, uint64_t min,
		  uint64_t max, uint64_t *out)
{
	if (cli_parse_uint(arg, min, max, out))
		return 0;
	return cli_usage("scan", "%s wants a number from %llu to %llu, "
			 "not '%s'", name, (unsigned long long)min,
			 (unsigned long long)max, arg);
}

/* One option; 0 or a usage status. */
static int take_option(struct scan_args *a, int c, const char *arg)
{
	uint64_t v = 0;
	int rc = 0;

	switch (c) {
	case 'j':
		rc = number("-j", arg, 1, SCAN_MAX_JOBS, &v);
		a->o.jobs = (unsigned)v;
		break;
	case OPT_JSON: a->o.json = true; break;
	/* -q and -v: the last one given wins, like most tools. */
	case 'q': a->o.quiet = true; a->o.verbose = false; break;
	case 'v': a->o.verbose = true; a->o.quiet = false; break;
	case OPT_MAX_PER_CODE:
		rc = number("--max-per-code", arg, 0, UINT32_MAX, &v);
		a->o.max_per_code = (uint32_t)v;
		break;
	case OPT_CROSS_CHECK: a->o.cross_check = true; break;
	case OPT_XCHECK_TIMEOUT:
		rc = number("--xcheck-timeout", arg, 1, 86400, &v);
		a->o.xcheck_timeout = (unsigned)v;
		a->timeout_set = true;
		break;
	case OPT_FROM_LIST: a->lists[a->nlists++] = arg; break;
	case 'h': a->help = true; break;
	}
	return rc;
}

static int parse(struct scan_args *a, int argc, char **argv)
{
	int c, rc;

	opterr = 0;       /* our own one-line messages */
	optind = 0;       /* glibc: full re-initialisation */
	for (;;) {
		c = getopt_long(argc, argv, ":j:qvh", long_opts, NULL);
		if (c == -1)
			break;
		if (c == '?' || c == ':')
			return cli_bad_option("scan", c, argv, optind);
		rc = take_option(a, c, optarg);
		if (rc != 0)
			return rc;
	}
	if (a->help)
		return 0;
	if (a->timeout_set && !a->o.cross_check)
		return cli_usage("scan",
				 "--xcheck-timeout needs --cross-check");
	if (optind >= argc && a->nlists == 0)
		return cli_usage("scan", "no file or directory given");
	return 0;
}

/* The operands, then the lists; -1 if nothing should be scanned. */
static int build_list(struct filelist *fl, const struct scan_args *a,
		      int argc, char **argv)
{
	for (int i = optind; i < argc; i++)
		if (filelist_add_operand(fl, argv[i]) != 0)
			return -1;
	for (size_t i = 0; i < a->nlists; i++)
		if (filelist_add_list(fl, a->lists[i]) != 0)
			return -1;
	return 0;
}

static int run(struct scan_args *a, int argc, char **argv)
{
	struct filelist fl;
	int status = PF_EXIT_OPERATIONAL;

	filelist_init(&fl);
	if (build_list(&fl, a, argc, argv) != 0)
		goto out;
	/* A directory or a list stands for "a set of files": a total even
	 * when the set held one file, so scripts always get one. */
	a->o.want_total = fl.expanded || fl.n != 1;
	if (fl.n == 0 && !fl.incomplete)
		fprintf(stderr, "pstfix scan: no .pst or .ost file found\n");
	status = scan_run(fl.paths, fl.n, &a->o);
	if (fl.incomplete)
		status |= PF_EXIT_OPERATIONAL;
out:
	filelist_free(&fl);
	return status;
}

int cmd_scan(int argc, char **argv)
{
	struct scan_args a = {
		.o = {
			.jobs = 1,
			.max_per_code = SCAN_DEFAULT_MAX_PER_CODE,
			.xcheck_timeout = SCAN_DEFAULT_XCHECK_TIMEOUT,
		},
	};
	int rc;

	/* At most one --from-list per argument: argc bounds the array. */
	a.lists = calloc((size_t)argc + 1, sizeof(*a.lists));
	if (!a.lists) {
		fprintf(stderr, "pstfix scan: out of memory\n");
		return PF_EXIT_OPERATIONAL;
	}
	rc = parse(&a, argc, argv);
	if (rc == 0 && a.help)
		fputs(usage_text, stdout);
	else if (rc == 0)
		rc = run(&a, argc, argv);
	free(a.lists);
	return rc;
}
