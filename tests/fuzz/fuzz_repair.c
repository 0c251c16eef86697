/*
 * fuzz_repair.c - libFuzzer harness over the NDB repair stage
 * (pf_repair_ndb): the input is a whole file, repaired at the maps or the
 * btree level (the last byte's low bit chooses) into a file under
 * /dev/shm (tmpfs: the writer's fsyncs cost nothing), removed after.
 * This runs the probing open, the trailer scan, the tolerant B-tree walks,
 * the block and node choices and the writer's over mode on hostile bytes.
 * fuzz_repair_crc is this harness in checksum-fixing mode (fixcrc.h).
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
	snprintf(out, sizeof(out), "/dev/shm/pstfix-fuzz-repair-%ld.pst",
		 (long)getpid());
	pf_repair_ndb(&ctx, in, out, (data[size - 1] & 1) ?
		      PF_REPAIR_MAPS : PF_REPAIR_BTREE);
	unlink(out);
	close(fd);
	return 0;
}
