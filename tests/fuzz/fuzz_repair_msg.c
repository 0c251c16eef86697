/*
 * fuzz_repair_msg.c - libFuzzer harness over the messaging repair stage
 * (pf_repair_messaging): the input is a whole file, repaired into a file
 * under /dev/shm (tmpfs: the writer's fsyncs cost nothing), removed
 * after.  This runs the plan (NBT copy, every message and folder PC and
 * table opened, parent walks, orphans, counts) and the over-mode writing
 * (blocks kept, tables and PCs rebuilt) on hostile bytes; a file whose
 * NDB is not sound must end with an error, never a crash or a hang.
 * fuzz_repair_msg_crc is this harness in checksum-fixing mode (fixcrc.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "../../pstfix/repair/repair.h"
#include "fixcrc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_repair_ctx ctx = { .note = NULL };
	char in[64], out[96];
	int fd;

	if (size == 0)
		return 0;
	fd = fz_memfd(data, size, FZ_FIXCRC, in, sizeof(in));
	if (fd < 0)
		return 0;
	snprintf(out, sizeof(out), "/dev/shm/pstfix-fuzz-rmsg-%ld.pst",
		 (long)getpid());
	pf_repair_messaging(&ctx, in, out);
	unlink(out);
	close(fd);
	return 0;
}
