/*
 * fuzz_scan.c - libFuzzer harness over the `scan` entry point: the input is
 * a whole file, checked by pf_check_file() with every pass.
 *
 * The bytes go to a memfd so the checker reads them through the same
 * pread path as a real file.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../pstfix/check/check.h"

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
	int fd = memfd_create("pstfix-fuzz", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		pf_check_file(path, &opts, ignore, NULL, &sum);
	}
	close(fd);
	return 0;
}
