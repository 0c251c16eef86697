/*
 * fuzz_outbox.c - libFuzzer harness over pstfix/outbox: the input is a
 * whole file, loaded by pf_outbox_load() (salvage on: the tolerant NBT
 * walk; no work directory, so no trailer-scan rebuild, which
 * fuzz_repair.c covers) and every item rendered by pf_outbox_render().
 *
 * Every rendering must keep the Outbox's contract or the harness aborts:
 * CRLF only, 7-bit, no line over 998 octets, no Bcc field in the header;
 * every item has a class name and a Message-ID.  The bytes go to a memfd
 * so the loader reads them through the same pread path as a real file.
 * fuzz_outbox_crc is this harness in checksum-fixing mode (fixcrc.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

#include "../../pstfix/outbox/outbox.h"
#include "fixcrc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_bytes(const struct pf_mimew_buf *b)
{
	size_t col = 0;
	bool head = true, bol = true;

	for (size_t i = 0; i < b->n; i++) {
		unsigned char c = (unsigned char)b->p[i];

		if (c == 0 || c >= 0x80)
			abort();
		if (head && bol && b->n - i >= 4 &&
		    strncasecmp(b->p + i, "Bcc:", 4) == 0)
			abort();
		bol = false;
		if (c == '\r') {
			if (i + 1 >= b->n || b->p[i + 1] != '\n')
				abort();
			if (col == 0)
				head = false;   /* the blank line */
			i++;
			col = 0;
			bol = true;
			continue;
		}
		if (c == '\n' || ++col > 998)
			abort();
	}
}

static void items(struct pf_outbox *ob)
{
	for (size_t i = 0; i < ob->nitems; i++) {
		const struct pf_outbox_item *it = &ob->items[i];
		struct pf_mimew_buf b = { 0 };

		if (!it->message_id || pf_outbox_class_name(it->cls)[0] == '?')
			abort();
		if (pf_outbox_render(&b, ob, it) == 0)
			check_bytes(&b);
		pf_mimew_buf_free(&b);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_outbox_opts opts = { .now = 134000000000000000ull,
				       .salvage = true };
	struct pf_outbox *ob = NULL;
	char path[64];
	int fd = fz_memfd(data, size, FZ_FIXCRC, path, sizeof(path));

	if (fd < 0)
		return 0;
	if (pf_outbox_load(&ob, path, &opts) == 0) {
		items(ob);
		pf_outbox_free(ob);
	}
	close(fd);
	return 0;
}
