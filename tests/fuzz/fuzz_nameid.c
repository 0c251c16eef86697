/*
 * fuzz_nameid.c - libFuzzer harness over pf_nameid_parse() (MS-PST 2.4.7)
 * without a file: the input is cut into the GUID, entry and string
 * streams and up to 16 hash buckets (a 2-byte length before each part),
 * parsed with a bucket count from the first byte, and every entry looked
 * up again by its property id.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/msg/pf_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PARTS (3 + 16)

/* Parts point into DATA; a missing part is NULL with size 0. */
static void split(const uint8_t *data, size_t size,
		  struct pf_nameid_bucket *parts)
{
	for (unsigned i = 0; i < MAX_PARTS; i++) {
		size_t cb;

		parts[i].p = NULL;
		parts[i].cb = 0;
		if (size < 2)
			continue;
		cb = (size_t)(data[0] | (data[1] << 8));
		data += 2;
		size -= 2;
		if (cb > size)
			cb = size;
		parts[i].p = data;
		parts[i].cb = cb;
		data += cb;
		size -= cb;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_nameid_bucket parts[MAX_PARTS];
	struct pf_nameid_map map;
	uint32_t nb;

	if (size < 1)
		return 0;
	nb = data[0] % 17;          /* 0: hash table not checked */
	split(data + 1, size - 1, parts);
	if (pf_nameid_parse(parts[0].p, parts[0].cb, parts[1].p, parts[1].cb,
			    parts[2].p, parts[2].cb, parts + 3, nb, &map,
			    NULL) != 0)
		return 0;
	for (uint32_t i = 0; i < map.count; i++)
		if (map.v[i].prop_id &&
		    !pf_nameid_find(&map, map.v[i].prop_id))
			abort();
	pf_nameid_free(&map);
	return 0;
}
