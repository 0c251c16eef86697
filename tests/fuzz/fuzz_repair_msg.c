/*
 * fuzz_repair_msg.c - libFuzzer harness over the messaging repair stage
 * (pf_repair_messaging): the input is a whole file, repaired into a file
 * under /dev/shm (tmpfs: the writer's fsyncs cost nothing), removed
 * after.  This runs the plan (NBT copy, every message and folder PC and
 * table opened, parent walks, orphans, counts) and the over-mode writing
 * (blocks kept, tables and PCs rebuilt) on hostile bytes; a file whose
 * NDB is not sound must end with an error, never a crash or a hang.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../pstfix/repair/repair.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_repair_ctx ctx = { .note = NULL };
	char in[64], out[96];
	int fd = memfd_create("pstfix-fuzz-msg", MFD_CLOEXEC);

	if (fd < 0 || size == 0) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	snprintf(out, sizeof(out), "/dev/shm/pstfix-fuzz-rmsg-%ld.pst",
		 (long)getpid());
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(in, sizeof(in), "/proc/self/fd/%d", fd);
		pf_repair_messaging(&ctx, in, out);
		unlink(out);
	}
	close(fd);
	return 0;
}
