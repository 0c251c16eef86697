/*
 * fuzz_journal.c - libFuzzer harness over the send spool's journal replay
 * (pstfix/outbox/journal.c, replay.c).  The input is replayed twice: as
 * it is (damaged lines, torn tails), and with a valid CRC-32 appended to
 * each of its lines after a valid header, so the fuzzer reaches the
 * record parsers (numbers, indexes, states) instead of stopping at the
 * checksum.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../../pstfix/outbox/spool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void replay(char *text, size_t len)
{
	struct ob_spool *sp = calloc(1, sizeof(*sp));
	size_t good = 0;

	if (!sp)
		return;
	sp->dir = strdup("fuzz");
	sp->lock_fd = sp->jfd = -1;
	pthread_mutex_init(&sp->mu, NULL);
	if (ob_journal_replay(sp, text, len, &good) == 0 && good > len)
		abort();
	ob_spool_close(sp);
}

/* "0\tjournal\t1" then every input line with its CRC. */
static char *with_crcs(const uint8_t *data, size_t size, size_t *len)
{
	static const char head[] = "0\tjournal\t1";
	size_t lines = 1, o = 0;
	char *out, *p;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	out = malloc(size + 10 * lines + sizeof(head) + 16);
	if (!out)
		return NULL;
	o += (size_t)sprintf(out, "%s\t%08lx\n", head,
			     (unsigned long)crc32(0L, (const Bytef *)head,
						  sizeof(head) - 1));
	for (size_t i = 0; i < size; ) {
		const uint8_t *nl = memchr(data + i, '\n', size - i);
		size_t n = nl ? (size_t)(nl - (data + i)) : size - i;

		p = out + o;
		memcpy(p, data + i, n);
		o += n;
		o += (size_t)sprintf(out + o, "\t%08lx\n", (unsigned long)
				     crc32(0L, (const Bytef *)p, (uInt)n));
		i += n + 1;
	}
	*len = o;
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy;
	size_t len;

	if (size > 65536)
		return 0;
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	replay(copy, size);
	free(copy);
	copy = with_crcs(data, size, &len);
	if (copy)
		replay(copy, len);
	free(copy);
	return 0;
}
