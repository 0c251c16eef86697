/*
 * problem.c - the problem table: every finding `pstfix scan` can report.
 *
 * Contract: codes are stable and documented (docs/problems.md is generated
 * from this table by `pstfix problems`); the first digit is the pass.  The
 * table is sorted by code and has no duplicates (tests/unit/test_problem.c).
 * Rows with an (obj, kind) pair receive the faults formats/ reports;
 * each object also has a catch-all row (kind 0) for rules without a row of
 * their own.  Wording follows scanpst's log where users know it ("CRC
 * mismatch", "BID mismatch", "btkeyMin mismatch", "Data block not found in
 * BBT").
 *
 * Template escapes: %F field name, %G/%W read/expected value in hex,
 * %g/%w in decimal, %S the finding's extra text.
 */
#include <stddef.h>

#include "check.h"

#define E PF_SEV_ERROR
#define W PF_SEV_WARNING
#define I PF_SEV_INFO

/* A page-validation block of rows, shared shape for each page kind. */
#define PAGE_ROWS(base, obj, name, id) PAGE_ROWS_SEV(base, obj, name, id, E)
#define PAGE_ROWS_SEV(base, obj, name, id, E)                              \
	PAGE_ROWS_BID(base, obj, name, id, E, name                         \
		      " page: BID mismatch (trailer %G, referenced as %W)")
#define PAGE_ROWS_BID(base, obj, name, id, E, bid_text)                    \
	{ base + 1, E, obj, PF_F_PTYPE, id "_PTYPE",                       \
	  name " page: ptype mismatch (read %G, expected %W)",               \
	  "rebuild from the remaining pages" },                              \
	{ base + 2, E, obj, PF_F_PTYPE_REPEAT, id "_PTYPE_REPEAT",         \
	  name " page: ptypeRepeat %G differs from ptype %W",                \
	  "rewrite the page trailer" },                                      \
	{ base + 3, E, obj, PF_F_BID, id "_BID", bid_text,                 \
	  "rebuild from the remaining pages" },                              \
	{ base + 4, E, obj, PF_F_SIG, id "_SIG",                           \
	  name " page: Sig mismatch (read %G, computed %W)",                 \
	  "rewrite the page trailer" },                                      \
	{ base + 5, E, obj, PF_F_CRC, id "_CRC",                           \
	  name " page: CRC mismatch (read %G, computed %W)",                 \
	  "rebuild the page" }

const struct pf_problem pf_problems[] = {
	/* ---- pass 1: header and ROOT (MS-PST 2.2.2.5, 2.2.2.6) ---- */
	{ 1001, E, PF_OBJ_HEADER, PF_F_CRC, "HEADER_CRC",
	  "header: %F CRC mismatch (read %G, computed %W)",
	  "recompute the header CRCs" },
	{ 1002, E, PF_OBJ_HEADER, PF_F_MAGIC, "HEADER_CLIENT_MAGIC",
	  "header: wMagicClient is %G, expected 0x4d53 (SM) or 0x4f53 (SO)",
	  "rewrite the header" },
	/* also the header's catch-all row: formats/ reports no header
	 * faults (pass_header.c checks the fields itself), and the 1000 that
	 * once was had this same template and was never emitted */
	{ 1003, E, PF_OBJ_HEADER, 0, "HEADER_VALUE",
	  "header: %F is %G, expected %W", "rewrite the header" },
	{ 1004, W, 0, 0, "HEADER_CLIENT_PAB",
	  "header: a Personal Address Book (wMagicClient AB): checked as a PST",
	  NULL },
	{ 1010, E, PF_OBJ_ROOT, 0, "ROOT",
	  "ROOT: %F is %G, expected %W", "rewrite ROOT" },
	{ 1011, E, PF_OBJ_ROOT, PF_F_PAST_EOF, "ROOT_PAST_EOF",
	  "ROOT: %F %G points past the end of the file (%W bytes)",
	  "rebuild from a scan of the file" },
	{ 1012, E, 0, 0, "ROOT_FILE_TRUNCATED",
	  "ROOT.ibFileEof is %G but the file has only %W bytes: truncated",
	  "rebuild from what remains" },
	{ 1013, W, 0, 0, "ROOT_FILE_PADDED",
	  "ROOT.ibFileEof is %G but the file has %W bytes (trailing bytes "
	  "ignored)", "set ibFileEof to the file size, or cut the trailing "
	  "bytes when no AMap covers them" },
	{ 1014, E, PF_OBJ_ROOT, PF_F_ALIGN, "ROOT_ALIGN",
	  "ROOT: %F %G is not aligned", "rebuild from a scan of the file" },
	{ 1015, E, 0, 0, "ROOT_AMAP_INVALID",
	  "ROOT.fAMapValid is 0: the allocation maps are marked invalid "
	  "(a write was interrupted)", "rebuild the allocation maps" },
	{ 1016, W, 0, 0, "ROOT_AMAP_VALID1",
	  "ROOT.fAMapValid is 1 (VALID_AMAP1, written by older Outlook)",
	  "none needed (a maps rebuild writes 2)" },
	{ 1017, E, 0, 0, "ROOT_AMAP_FLAG",
	  "ROOT.fAMapValid is %G, not 0, 1 or 2", "rebuild the allocation maps" },
	{ 1020, E, 0, 0, "HEADER_BID_NEXT_B",
	  "header: bidNextB %G is not above the largest block BID in use (%W)",
	  "set bidNextB above the largest BID" },
	{ 1021, E, 0, 0, "HEADER_BID_NEXT_P",
	  "header: bidNextP %G is not above the largest page BID in use (%W)",
	  "set bidNextP above the largest BID" },
	{ 1022, E, 0, 0, "HEADER_RGNID",
	  "header: rgnid[%S] is %G but NID index %W is in use (NIDs would "
	  "be handed out twice)",
	  "raise the NID counter" },

	/* ---- pass 2: allocation maps (MS-PST 2.2.2.7.2 - 2.2.2.7.6) ---- */
	PAGE_ROWS(2000, PF_OBJ_AMAP, "AMap", "AMAP"),
	{ 2006, E, PF_OBJ_AMAP, 0, "AMAP",
	  "AMap page: %F is %G, expected %W", "rebuild the allocation maps" },
	{ 2007, E, PF_OBJ_AMAP, PF_F_PAST_EOF, "AMAP_MISSING",
	  "AMap page at %G is past the end of the file (%W bytes)",
	  "rebuild the allocation maps" },
	PAGE_ROWS(2010, PF_OBJ_PMAP, "PMap", "PMAP"),
	{ 2016, E, PF_OBJ_PMAP, 0, "PMAP",
	  "PMap page: %F is %G, expected %W", "rebuild the allocation maps" },
	PAGE_ROWS(2020, PF_OBJ_FMAP, "FMap", "FMAP"),
	{ 2026, E, PF_OBJ_FMAP, 0, "FMAP",
	  "FMap page: %F is %G, expected %W", "rebuild the allocation maps" },
	PAGE_ROWS(2030, PF_OBJ_FPMAP, "FPMap", "FPMAP"),
	{ 2036, E, PF_OBJ_FPMAP, 0, "FPMAP",
	  "FPMap page: %F is %G, expected %W", "rebuild the allocation maps" },
	/* the DList is a hint Outlook rebuilds (MS-PST 2.2.2.7.4); Outlook
	 * leaves its CRC zero on files it wrote, so its faults are warnings */
	/* nothing references the DList: Outlook gives it a page BID from
	 * bidNextP, Aspose its offset (both in the corpus; pass_amap.c) */
	PAGE_ROWS_BID(2040, PF_OBJ_DLIST, "DList", "DLIST", W,
		      "DList page: BID %G is neither its offset nor a page "
		      "BID up to bidNextP %W"),
	{ 2046, W, PF_OBJ_DLIST, 0, "DLIST",
	  "DList page: %F is %G, expected %W", "rebuild the DList" },
	{ 2047, W, 0, 0, "DLIST_ZERO",
	  "DList page at 0x4200 is all zeros (Outlook writes such files)",
	  "none needed (rebuilt with the maps)" },
	{ 2050, E, 0, 0, "AMAP_FREE_IN_USE",
	  "space in use is marked free in the AMap: %g bytes, first at %W",
	  "rebuild the allocation maps" },
	{ 2051, W, 0, 0, "AMAP_LEAKED",
	  "allocated space is referenced by nothing: %g bytes in %w runs",
	  "none needed (a maps rebuild frees the space)" },
	{ 2052, E, 0, 0, "SPACE_OVERLAP",
	  "space at %G is claimed twice (%S)", "drop the damaged copy" },
	{ 2053, W, 0, 0, "AMAP_FREE_STALE",
	  "ROOT.cbAMapFree is %g, the AMaps add up to %w",
	  "none needed (recomputed when the header is rewritten)" },
	{ 2054, I, 0, 0, "AMAP_SKIPPED",
	  "allocation maps not compared with the B-trees: %S", NULL },

	/* ---- pass 3: BBT pages (MS-PST 2.2.2.7.7) ---- */
	PAGE_ROWS(3000, PF_OBJ_BBT, "BBT", "BBT"),
	{ 3006, E, PF_OBJ_BBT, PF_F_CBENT, "BBT_CBENT",
	  "BBT page: cbEnt is %g, expected %w", "rebuild the BBT" },
	{ 3007, E, PF_OBJ_BBT, PF_F_CENT, "BBT_CENT",
	  "BBT page: %F is %g, at most %w fit", "rebuild the BBT" },
	{ 3008, E, PF_OBJ_BBT, PF_F_LEVEL, "BBT_LEVEL",
	  "BBT page: cLevel is %g, expected %w", "rebuild the BBT" },
	{ 3009, E, PF_OBJ_BBT, PF_F_KEY_ORDER, "BBT_KEY_ORDER",
	  "BBT page: keys out of order (%G after %W)", "rebuild the BBT" },
	{ 3010, E, PF_OBJ_BBT, PF_F_KEY_MIN, "BBT_KEY_MIN",
	  "BBT page: btkeyMin mismatch (first key %G, parent says %W)",
	  "rebuild the BBT" },
	{ 3011, E, PF_OBJ_BBT, PF_F_CYCLE, "BBT_CYCLE",
	  "BBT page at %G is reached twice (cycle or shared page)",
	  "rebuild the BBT" },
	{ 3012, E, PF_OBJ_BBT, PF_F_PAST_EOF, "BBT_PAST_EOF",
	  "BBT: %F %G is past the end of the file (%W bytes)",
	  "rebuild the BBT" },
	{ 3013, E, PF_OBJ_BBT, PF_F_ALIGN, "BBT_ALIGN",
	  "BBT: %F %G is not aligned", "rebuild the BBT" },
	{ 3014, E, PF_OBJ_BBT, 0, "BBT",
	  "BBT page: %F is %G, expected %W", "rebuild the BBT" },
	{ 3020, E, 0, 0, "BBT_DUP_BID",
	  "BBT lists block %G twice", "keep the copy that validates" },
	{ 3021, E, 0, 0, "BBT_UNREADABLE",
	  "BBT root is unusable: the block index cannot be read (%S)",
	  "rebuild the BBT from a scan of block trailers" },

	/* ---- pass 4: NBT pages ---- */
	PAGE_ROWS(4000, PF_OBJ_NBT, "NBT", "NBT"),
	{ 4006, E, PF_OBJ_NBT, PF_F_CBENT, "NBT_CBENT",
	  "NBT page: cbEnt is %g, expected %w", "rebuild the NBT" },
	{ 4007, E, PF_OBJ_NBT, PF_F_CENT, "NBT_CENT",
	  "NBT page: %F is %g, at most %w fit", "rebuild the NBT" },
	{ 4008, E, PF_OBJ_NBT, PF_F_LEVEL, "NBT_LEVEL",
	  "NBT page: cLevel is %g, expected %w", "rebuild the NBT" },
	{ 4009, E, PF_OBJ_NBT, PF_F_KEY_ORDER, "NBT_KEY_ORDER",
	  "NBT page: keys out of order (%G after %W)", "rebuild the NBT" },
	{ 4010, E, PF_OBJ_NBT, PF_F_KEY_MIN, "NBT_KEY_MIN",
	  "NBT page: btkeyMin mismatch (first key %G, parent says %W)",
	  "rebuild the NBT" },
	{ 4011, E, PF_OBJ_NBT, PF_F_CYCLE, "NBT_CYCLE",
	  "NBT page at %G is reached twice (cycle or shared page)",
	  "rebuild the NBT" },
	{ 4012, E, PF_OBJ_NBT, PF_F_PAST_EOF, "NBT_PAST_EOF",
	  "NBT: %F %G is past the end of the file (%W bytes)",
	  "rebuild the NBT" },
	{ 4013, E, PF_OBJ_NBT, PF_F_ALIGN, "NBT_ALIGN",
	  "NBT: %F %G is not aligned", "rebuild the NBT" },
	{ 4014, E, PF_OBJ_NBT, 0, "NBT",
	  "NBT page: %F is %G, expected %W", "rebuild the NBT" },
	{ 4020, E, 0, 0, "NBT_DUP_NID",
	  "NBT lists node %G twice", "keep the copy that validates" },
	{ 4021, E, 0, 0, "NBT_UNREADABLE",
	  "NBT root is unusable: the node index cannot be read (%S)",
	  "rebuild the NBT from a scan of the file" },
	{ 4022, E, 0, 0, "NBT_DATA_NOT_IN_BBT",
	  "Data block not found in BBT (bidData %G)",
	  "drop the node or recover its data by scan" },
	{ 4023, E, 0, 0, "NBT_SUB_NOT_IN_BBT",
	  "Subnode block not found in BBT (bidSub %G)",
	  "drop the subnode tree" },
	{ 4024, I, 0, 0, "NBT_NID_TYPE",
	  "node has NID type %G, which MS-PST does not define (Outlook uses "
	  "some undocumented ones)", NULL },
	{ 4025, E, 0, 0, "NBT_BID_KIND",
	  "%F %G: an %S block where the other kind is required",
	  "drop the reference" },

	/* ---- pass 5: blocks and reference counts (MS-PST 2.2.2.8) ---- */
	{ 5001, E, PF_OBJ_BLOCK, PF_F_CRC, "BLOCK_CRC",
	  "block: CRC mismatch (read %G, computed %W)",
	  "drop the block; salvage its bytes" },
	{ 5002, E, PF_OBJ_BLOCK, PF_F_SIG, "BLOCK_SIG",
	  "block: Sig mismatch (read %G, computed %W)",
	  "rewrite the block trailer" },
	{ 5003, E, PF_OBJ_BLOCK, PF_F_BID, "BLOCK_BID",
	  "block: BID mismatch (trailer %G, BBT %W)",
	  "find the block by scan" },
	{ 5004, E, PF_OBJ_BLOCK, PF_F_CB, "BLOCK_CB",
	  "block: cb mismatch (%F read %g, expected %w)",
	  "find the block by scan" },
	{ 5005, E, PF_OBJ_BLOCK, PF_F_PAST_EOF, "BLOCK_PAST_EOF",
	  "block: extent ends at %G, past the end of the file (%W bytes)",
	  "drop the block" },
	{ 5006, E, PF_OBJ_BLOCK, PF_F_ALIGN, "BLOCK_ALIGN",
	  "block: offset is not aligned (remainder %g)", "drop the block" },
	{ 5007, E, PF_OBJ_BLOCK, PF_F_INFLATE, "BLOCK_INFLATE",
	  "block: compressed data does not inflate to %w bytes (got %g)",
	  "drop the block" },
	{ 5008, E, PF_OBJ_BLOCK, PF_F_MISSING, "BLOCK_NOT_IN_BBT",
	  "Data block not found in BBT (bid %G)", "drop the reference" },
	{ 5009, E, PF_OBJ_BLOCK, 0, "BLOCK",
	  "block: %F is %G, expected %W", "drop the block" },
	{ 5010, E, PF_OBJ_XBLOCK, PF_F_MAGIC, "XBLOCK_BTYPE",
	  "XBLOCK: btype is %G, expected %W", "truncate the data tree" },
	{ 5011, E, PF_OBJ_XBLOCK, PF_F_LEVEL, "XBLOCK_LEVEL",
	  "XBLOCK: cLevel is %g, expected %w", "truncate the data tree" },
	{ 5012, E, PF_OBJ_XBLOCK, PF_F_CENT, "XBLOCK_CENT",
	  "XBLOCK: cEnt %g does not fit (at most %w)",
	  "truncate the data tree" },
	/* PF_F_VALUE, not PF_F_CB: a block too short for the XBLOCK header
	 * (a cb fault) is the catch-all's "cb is 4, expected 8" */
	{ 5013, E, PF_OBJ_XBLOCK, PF_F_VALUE, "XBLOCK_LCB",
	  "XBLOCK: %F is %g, the data blocks hold %w",
	  "recompute lcbTotal" },
	{ 5014, E, PF_OBJ_XBLOCK, 0, "XBLOCK",
	  "XBLOCK: %F is %G, expected %W", "truncate the data tree" },
	{ 5020, E, PF_OBJ_SUBNODE, PF_F_MAGIC, "SLBLOCK_BTYPE",
	  "SLBLOCK/SIBLOCK: btype is %G, expected %W",
	  "drop the subnode tree" },
	{ 5021, E, PF_OBJ_SUBNODE, PF_F_LEVEL, "SLBLOCK_LEVEL",
	  "SLBLOCK/SIBLOCK: cLevel is %g, expected %w",
	  "drop the subnode tree" },
	{ 5022, E, PF_OBJ_SUBNODE, PF_F_CENT, "SLBLOCK_CENT",
	  "SLBLOCK/SIBLOCK: cEnt %g does not fit (at most %w)",
	  "drop the subnode tree" },
	{ 5023, E, PF_OBJ_SUBNODE, PF_F_KEY_ORDER, "SLBLOCK_KEY_ORDER",
	  "SLBLOCK/SIBLOCK: subnode NIDs out of order (%G after %W)",
	  "sort the entries" },
	{ 5024, E, PF_OBJ_SUBNODE, 0, "SLBLOCK",
	  "SLBLOCK/SIBLOCK: %F is %G, expected %W", "drop the subnode tree" },
	{ 5030, E, 0, 0, "BLOCK_CREF",
	  "block: cRef is %g, but %w references were found (expected %w+1)",
	  "set cRef" },
	{ 5031, W, 0, 0, "BLOCK_UNREFERENCED",
	  "block is referenced by nothing (cRef %g)",
	  "none needed (a nodes rebuild frees it)" },
	{ 5032, E, 0, 0, "BLOCK_TREE_CYCLE",
	  "data or subnode tree reaches block %G twice",
	  "truncate the tree" },

	/* ---- pass 6: LTP (MS-PST 2.3) ---- */
	{ 6000, E, PF_OBJ_HN, 0, "HN",
	  "heap-on-node: %F is %G, expected %W", "drop the node" },
	{ 6001, E, PF_OBJ_HN, PF_F_MAGIC, "HN_SIG",
	  "heap-on-node: %F is %G, expected %W", "drop the node" },
	{ 6002, E, PF_OBJ_HN, PF_F_CB, "HN_CB",
	  "heap-on-node: %F %g out of range (limit %w)", "drop the node" },
	{ 6003, E, PF_OBJ_HN, PF_F_MISSING, "HN_HID",
	  "heap-on-node: HID %G does not resolve", "drop the property" },
	{ 6020, E, PF_OBJ_BTH, 0, "BTH",
	  "BTH: %F is %G, expected %W", "drop the node" },
	{ 6021, E, PF_OBJ_BTH, PF_F_KEY_ORDER, "BTH_KEY_ORDER",
	  "BTH: keys out of order (%G after %W)", "rebuild the BTH" },
	{ 6022, E, PF_OBJ_BTH, PF_F_DEPTH, "BTH_DEPTH",
	  "BTH: bIdxLevels %g deeper than %w", "drop the node" },
	{ 6040, E, PF_OBJ_PC, 0, "PC",
	  "property context: %F is %G, expected %W", "drop the property" },
	{ 6041, E, PF_OBJ_PC, PF_F_TYPE, "PC_TYPE",
	  "property context: property %G has invalid type %W",
	  "drop the property" },
	{ 6042, E, PF_OBJ_PC, PF_F_CB, "PC_CB",
	  "property context: property %G has %g bytes, expected %w",
	  "drop the property" },
	{ 6043, E, PF_OBJ_PC, PF_F_MISSING, "PC_VALUE_MISSING",
	  "property context: %F %G names no heap allocation or subnode",
	  "drop the property" },
	{ 6060, E, PF_OBJ_TC, 0, "TC",
	  "table context: %F is %G, expected %W", "rebuild the table" },
	{ 6061, E, PF_OBJ_TC, PF_F_MISSING, "TC_NO_ROWS",
	  "table context: %F is missing (%g rows in the index, no row "
	  "matrix)", "rebuild the table" },
	{ 6062, E, PF_OBJ_TC, PF_F_CB, "TC_CB",
	  "table context: %F %g out of range (limit %w)", "rebuild the table" },
	{ 6063, E, PF_OBJ_TC, PF_F_TYPE, "TC_TYPE",
	  "table context: column %G has invalid type", "rebuild the table" },
	{ 6064, E, PF_OBJ_TC, PF_F_KEY_ORDER, "TC_COL_ORDER",
	  "table context: columns out of order (%G after %W)",
	  "rebuild the table" },
	{ 6065, W, 0, 0, "TC_EMPTY_ROOT_ALLOC",
	  "table context is empty, but its row index hidRoot %G is a "
	  "zero-byte allocation (Outlook writes 0); libpff misreads this as "
	  "rows without a row matrix and fails to read the folder",
	  "rewrite the table's row index" },
	{ 6080, E, PF_OBJ_NAMEID, 0, "NAMEID",
	  "name-to-id map: %F is %G, expected %W",
	  "rebuild the name-to-id map" },
	/* MS-PST 2.4.7: hid is the stream's or bucket's tag, or the named
	 * property's (0x8000 + wPropIdx) << 16 (formats/msg/pf_msg.h) */
	{ 6081, E, PF_OBJ_NAMEID, PF_F_CB, "NAMEID_STREAM_CB",
	  "name-to-id map: %F is %g bytes, not a multiple of its %w-byte "
	  "record", "rebuild the name-to-id map" },
	{ 6082, E, PF_OBJ_NAMEID, PF_F_VALUE, "NAMEID_VALUE",
	  "name-to-id map: %F %G is out of range (limit %W)",
	  "rebuild the name-to-id map" },
	{ 6083, E, PF_OBJ_NAMEID, PF_F_ALIGN, "NAMEID_NAME_ODD",
	  "name-to-id map: string name of %g bytes is not UTF-16 (odd "
	  "length)", "rebuild the name-to-id map" },
	{ 6084, E, PF_OBJ_NAMEID, PF_F_KEY_ORDER, "NAMEID_DUPLICATE",
	  "name-to-id map: named property %G is defined twice in the entry "
	  "stream (again at record %w)", "rebuild the name-to-id map" },
	{ 6085, W, PF_OBJ_NAMEID, PF_F_MISSING, "NAMEID_HASH_MISMATCH",
	  "name-to-id map: named property %G has no matching record in the "
	  "%F (hash bucket %W); lookups by name miss or misdirect",
	  "none by itself (a map rebuilt for another reason is rehashed)" },
	{ 6086, E, PF_OBJ_NAMEID, PF_F_TYPE, "NAMEID_TYPE",
	  "name-to-id map: %F has property type %G, expected %W "
	  "(PtypBinary)", "rebuild the name-to-id map" },
	{ 6090, E, 0, 0, "LTP_UNREADABLE",
	  "node cannot be read as %S", "drop the node" },

	/* ---- pass 7: messaging (MS-PST 2.4) ---- */
	{ 7001, E, 0, 0, "MANDATORY_NODE_MISSING",
	  "mandatory node %G (%S) is missing", "recreate it" },
	{ 7002, E, 0, 0, "FOLDER_TABLE_MISSING",
	  "folder lacks its %S (NID %G)", "recreate the table" },
	{ 7003, E, 0, 0, "FOLDER_ORPHAN",
	  "folder's parent %G does not exist", "move to Recovered Items" },
	{ 7004, E, 0, 0, "FOLDER_CYCLE",
	  "folder tree has a cycle through %G", "move to Recovered Items" },
	{ 7005, E, 0, 0, "MESSAGE_ORPHAN",
	  "message's parent folder %G does not exist",
	  "move to Recovered Items" },
	{ 7006, E, 0, 0, "CONTENTS_EXTRA_ROW",
	  "contents table lists message %G, which is not in this folder",
	  "rebuild the contents table" },
	{ 7007, E, 0, 0, "CONTENTS_MISSING_ROW",
	  "message %G is in the folder but not in its contents table",
	  "rebuild the contents table" },
	{ 7008, E, 0, 0, "HIERARCHY_EXTRA_ROW",
	  "hierarchy table lists folder %G, which is not a subfolder here",
	  "rebuild the hierarchy table" },
	{ 7009, E, 0, 0, "HIERARCHY_MISSING_ROW",
	  "subfolder %G is missing from the hierarchy table",
	  "rebuild the hierarchy table" },
	{ 7010, W, 0, 0, "CONTENT_COUNT",
	  "PidTagContentCount is %g, the folder holds %w messages",
	  "recount" },
	{ 7011, W, 0, 0, "SUBFOLDERS_FLAG",
	  "PidTagSubfolders is %g, the folder has %w subfolders", "recount" },
	{ 7012, E, 0, 0, "MESSAGE_UNREADABLE",
	  "message cannot be read: %S", "keep what survives" },
	{ 7013, E, 0, 0, "RECIPIENTS_UNREADABLE",
	  "message recipient table cannot be read: %S",
	  "rebuild the recipient table" },
	{ 7014, E, 0, 0, "ATTACHMENT_MISSING",
	  "attachment table lists %G, which is not a subnode of the message",
	  "drop the row" },
	{ 7015, E, 0, 0, "ATTACHMENT_UNLISTED",
	  "attachment subnode %G is not in the attachment table",
	  "add the row" },
	{ 7016, E, 0, 0, "STORE_PROPERTY_MISSING",
	  "message store lacks %S", "recreate the property" },
	{ 7017, E, 0, 0, "NAMEID_BUCKETS",
	  "name-to-id map: PidTagNameidBucketCount is %g, expected %w",
	  "rebuild the name-to-id map" },
	{ 7018, E, 0, 0, "FOLDER_UNREADABLE",
	  "folder cannot be read: %S", "recreate the folder" },
	{ 7019, W, 0, 0, "UNREAD_COUNT",
	  "PidTagContentUnreadCount is %g, the folder holds %w unread",
	  "recount" },
	{ 7020, E, 0, 0, "ATTACHMENT_UNREADABLE",
	  "attachment %G cannot be read: %S",
	  "rewrite its PC from a tolerant read, else keep it as it is" },

	{ 7022, W, 0, 0, "OLD_NODE_MISSING",
	  "node %G (%S) is missing (files from Outlook before 2003 lack it)",
	  "none needed (valid in older files)" },

	{ 7023, W, 0, 0, "TABLE_NODE_PARENT",
	  "folder table node has nidParent %G (Outlook writes 0); readpst "
	  "lists it as an extra item of that folder", "set nidParent to 0" },

	/* ---- pass 8: cross-check with libpff ---- */
	{ 8001, W, 0, 0, "XCHECK_LIBPFF_FAILED",
	  "libpff could not read the file: %S", NULL },
	{ 8002, W, 0, 0, "XCHECK_FOLDER_ONLY_OURS",
	  "folder \"%S\" is seen by pstfix, not by libpff", NULL },
	{ 8003, W, 0, 0, "XCHECK_FOLDER_ONLY_LIBPFF",
	  "folder \"%S\" is seen by libpff, not by pstfix", NULL },
	{ 8004, W, 0, 0, "XCHECK_ITEM_COUNT",
	  "folder \"%S\": pstfix counts %g items, libpff %w", NULL },
	{ 8005, W, 0, 0, "XCHECK_SUBFOLDER_COUNT",
	  "folder \"%S\": pstfix counts %g subfolders, libpff %w", NULL },
	{ 8006, I, 0, 0, "XCHECK_AGREE",
	  "libpff agrees: %g folders, %w items", NULL },
	{ 8007, W, 0, 0, "XCHECK_LIBPFF_NO_COUNT",
	  "folder \"%S\": libpff cannot count its items (pstfix counts %g)",
	  NULL },

	/* ---- 9: capped output ---- */
	{ 9001, I, 0, 0, "MORE_SUPPRESSED",
	  "... and %g more findings of %S", NULL },
};

const unsigned pf_problem_count = sizeof(pf_problems) / sizeof(pf_problems[0]);

const struct pf_problem *pf_problem_by_code(uint16_t code)
{
	unsigned lo = 0, hi = pf_problem_count;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (pf_problems[mid].code == code)
			return &pf_problems[mid];
		if (pf_problems[mid].code < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *pf_severity_name(enum pf_severity s)
{
	switch (s) {
	case PF_SEV_ERROR:   return "error";
	case PF_SEV_WARNING: return "warning";
	case PF_SEV_INFO:    return "info";
	}
	return "?";
}
