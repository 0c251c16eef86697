/*
 * fuzz_scan.c - libFuzzer harness over the `scan` entry point: the input is
 * a whole file, checked by pf_check_file() with every pass.
 *
 * The bytes go to a memfd so the checker reads them through the same
 * pread path as a real file.  fuzz_scan_crc is this harness in
 * checksum-fixing mode (fixcrc.h): header CRCs, page and block trailers
 * recomputed first so mutations reach the structural checks.
 */
#include <stdint.h>
#include <unistd.h>

#include "../../pstfix/check/check.h"
#include "fixcrc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ignore(void *ctx, const struct pf_finding *f)
{
	(void)ctx;
	(void)f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_check_opts opts = { .max_per_code = 10 };
	struct pf_check_summary sum;
	char path[64];
	int fd = fz_memfd(data, size, FZ_FIXCRC, path, sizeof(path));

	if (fd < 0)
		return 0;
	pf_check_file(path, &opts, ignore, NULL, &sum);
	close(fd);
	return 0;
}
