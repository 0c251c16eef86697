/*
 * pass_nameid.c - pass 6, after the LTP pass: the name-to-id map (MS-PST
 * 2.4.7), NID 0x61.
 *
 * Checks: the map's streams decode (GUID, entry and string streams are
 * whole records, every wGuid names a GUID, every string name lies inside
 * the string stream and is UTF-16, no named property is defined twice),
 * and its hash table agrees with the entry stream both ways (every bucket
 * record matches the entry it names, every entry is in the bucket its
 * hash selects).  The rules and faults are formats/msg/nameid.c's; they
 * become findings 6081..6086 through ck->sink.
 * Collects: nothing.
 * Relies on: pass 3 (a usable BBT: the map's data is read).  The PC's
 * own heap and BTH were checked by pass_ltp; a map that cannot be opened
 * was reported there, and PidTagNameidBucketCount is judged by pass 7.
 */
#include "../../formats/msg/pf_msg.h"
#include "ck.h"

void pass_nameid(struct pf_ck *ck)
{
	struct pf_nameid_map map;

	if (!ck->bbt_ok)
		return;
	if (pf_nameid_load(ck->ndb, &map, &ck->sink) == 0)
		pf_nameid_free(&map);
}
