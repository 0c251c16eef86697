/*
 * pf_msg.h - the messaging layer of MS-PST 2.4: the store, folders,
 * messages, recipients and attachments, on top of the LTP.
 *
 * Contract
 * - Objects are read on demand from the NBT; nothing is cached across
 *   calls except what an open object holds.  Every open object owns its
 *   memory and is closed with its *_close function.
 * - Readers are tolerant: a missing optional property is simply absent
 *   (NULL string, 0 number, has_* false); only a node that cannot be read
 *   as the object asked for fails, with PF_E_CORRUPT / PF_E_NOTFOUND and a
 *   one-line message.  Damage details are the checker's business (it opens
 *   the same structures with a sink).
 * - Strings are returned as malloc'd UTF-8.
 */
#ifndef PF_MSG_H
#define PF_MSG_H

#include <stdbool.h>
#include <stdint.h>

#include "../ltp/pf_ltp.h"
#include "../ndb/pf_ndb.h"

/* Well-known NIDs (MS-PST 2.4.1). */
enum {
	PF_NID_MESSAGE_STORE = 0x21,
	PF_NID_NAME_TO_ID_MAP = 0x61,
	PF_NID_ROOT_FOLDER = 0x122,
	PF_NID_HIERARCHY_TEMPLATE = 0x60D,
	PF_NID_CONTENTS_TEMPLATE = 0x60E,
	PF_NID_ASSOC_TEMPLATE = 0x60F,
	PF_NID_SEARCH_CONTENTS_TEMPLATE = 0x610,
	PF_NID_ATTACHMENT_TABLE = 0x671,
	PF_NID_RECIPIENT_TABLE = 0x692,
};

/* The NID of a folder's table of TYPE (MS-PST 2.4.4.1): same index. */
static inline uint32_t pf_nid_with_type(uint32_t nid, unsigned type)
{
	return (nid & ~0x1Fu) | type;
}

/* Property ids used by pstfix (MS-OXPROPS). */
enum {
	PF_TAG_NAMEID_BUCKET_COUNT = 0x0001,
	PF_TAG_MESSAGE_CLASS = 0x001A,
	PF_TAG_SUBJECT = 0x0037,
	PF_TAG_CLIENT_SUBMIT_TIME = 0x0039,
	PF_TAG_SENT_REPRESENTING_NAME = 0x0042,
	PF_TAG_SENT_REPRESENTING_EMAIL = 0x0065,
	PF_TAG_SENDER_NAME = 0x0C1A,
	PF_TAG_SENDER_EMAIL = 0x0C1F,
	PF_TAG_RECIPIENT_TYPE = 0x0C15,
	PF_TAG_MESSAGE_DELIVERY_TIME = 0x0E06,
	PF_TAG_MESSAGE_FLAGS = 0x0E07,
	PF_TAG_MESSAGE_SIZE = 0x0E08,
	PF_TAG_ATTACH_SIZE = 0x0E20,
	PF_TAG_RECORD_KEY = 0x0FF9,
	PF_TAG_DISPLAY_NAME = 0x3001,
	PF_TAG_ADDRESS_TYPE = 0x3002,
	PF_TAG_EMAIL_ADDRESS = 0x3003,
	PF_TAG_CREATION_TIME = 0x3007,
	PF_TAG_CONTENT_COUNT = 0x3602,
	PF_TAG_CONTENT_UNREAD = 0x3603,
	PF_TAG_SUBFOLDERS = 0x360A,
	PF_TAG_CONTAINER_CLASS = 0x3613,
	PF_TAG_IPM_SUBTREE_ENTRYID = 0x35E0,
	PF_TAG_IPM_OUTBOX_ENTRYID = 0x35E2,
	PF_TAG_IPM_WASTEBASKET_ENTRYID = 0x35E3,
	PF_TAG_IPM_SENTMAIL_ENTRYID = 0x35E4,
	PF_TAG_FINDER_ENTRYID = 0x35E7,
	PF_TAG_ATTACH_DATA = 0x3701,
	PF_TAG_ATTACH_FILENAME = 0x3704,
	PF_TAG_ATTACH_METHOD = 0x3705,
	PF_TAG_ATTACH_LONG_FILENAME = 0x3707,
	PF_TAG_SMTP_ADDRESS = 0x39FE,
	PF_TAG_INTERNET_CODEPAGE = 0x3FDE,
	PF_TAG_MESSAGE_CODEPAGE = 0x3FFD,
	PF_TAG_SENDER_SMTP_ADDRESS = 0x5D01,
	PF_TAG_PST_PASSWORD = 0x67FF,
	PF_TAG_LTP_ROW_ID = 0x67F2,
};

/* PidTagMessageFlags bits (MS-OXCMSG 2.2.1.6). */
enum {
	PF_MSGFLAG_READ = 0x0001,
	PF_MSGFLAG_UNMODIFIED = 0x0002,
	PF_MSGFLAG_SUBMIT = 0x0004,
	PF_MSGFLAG_UNSENT = 0x0008,
	PF_MSGFLAG_HASATTACH = 0x0010,
	PF_MSGFLAG_FROMME = 0x0020,
	PF_MSGFLAG_ASSOCIATED = 0x0040,
};

/* An EntryID (MS-OXCDATA 2.2.4.1 as PSTs use it, MS-PST 2.4.3.2): 4 flag
 * bytes, the store's 16-byte provider UID, then the NID.  0 when BIN is
 * not a 24-byte EntryID. */
uint32_t pf_entryid_nid(const uint8_t *bin, size_t cb);

/* ---- the store (MS-PST 2.4.3) ---- */

struct pf_store_info {
	char *display_name;
	uint32_t nid_ipm_subtree;
	uint32_t nid_wastebasket;
	uint32_t nid_finder;
	uint32_t nid_outbox;
	uint32_t nid_sent;
	bool has_record_key;
	bool has_password;
	uint32_t password_crc;
};

int pf_store_read(struct pf_ndb *ndb, struct pf_store_info *out);
void pf_store_info_free(struct pf_store_info *s);

/* ---- folders (MS-PST 2.4.4) ---- */

struct pf_folder_info {
	uint32_t nid;
	uint32_t nid_parent;     /* from the NBT */
	char *name;
	char *container_class;
	int32_t content_count;
	int32_t unread_count;
	bool has_subfolders;
	bool has_content_count;
};

int pf_folder_read(struct pf_ndb *ndb, uint32_t nid,
		   struct pf_folder_info *out);
void pf_folder_info_free(struct pf_folder_info *f);

/* The row IDs of a folder's table (hierarchy: subfolder NIDs, contents:
 * message NIDs) in row order.  TYPE is PF_NT_HIERARCHY_TABLE,
 * PF_NT_CONTENTS_TABLE or PF_NT_ASSOC_CONTENTS_TABLE.  The caller frees
 * *ids. */
int pf_folder_table_ids(struct pf_ndb *ndb, uint32_t folder_nid,
			unsigned type, uint32_t **ids, uint32_t *count);

/* ---- messages (MS-PST 2.4.5) ---- */

struct pf_message {
	struct pf_ndb *ndb;
	uint32_t nid;
	struct pf_subnodes sub;
	struct pf_pc pc;
};

int pf_message_open(struct pf_message *m, struct pf_ndb *ndb, uint32_t nid);
void pf_message_close(struct pf_message *m);

/* A summary of the fields `ls` shows. */
struct pf_message_info {
	char *subject;
	char *sender;            /* name, else address */
	char *message_class;
	uint64_t time;           /* FILETIME: delivery, else submit */
	int32_t size;
	int32_t flags;
	uint32_t recipients;
	uint32_t attachments;
};

int pf_message_info(struct pf_message *m, struct pf_message_info *out);
void pf_message_info_free(struct pf_message_info *i);

/* A table context with its own subnode tree (where a large row matrix
 * lives), opened together; the TC borrows `sub`, so a struct pf_table is
 * never copied once open. */
struct pf_table {
	struct pf_tc tc;
	struct pf_subnodes sub;
};

int pf_table_open(struct pf_table *t, struct pf_ndb *ndb, uint32_t nid,
		  uint64_t bid_data, uint64_t bid_sub);
void pf_table_close(struct pf_table *t);

/* The recipient table / attachment table (subnodes 0x692 / 0x671);
 * PF_E_NOTFOUND when the message has none (notes, contacts). */
int pf_message_recipients(struct pf_message *m, struct pf_table *t);
int pf_message_attachments(struct pf_message *m, struct pf_table *t);

/* An attachment: its own subnodes and PC (MS-PST 2.4.6.2). */
struct pf_attachment {
	uint32_t nid;
	struct pf_subnodes sub;
	struct pf_pc pc;
};

int pf_attachment_open(struct pf_attachment *a, struct pf_message *m,
		       uint32_t nid);
void pf_attachment_close(struct pf_attachment *a);

/* ---- the folder tree (tree.c) ---- */

#define PF_TREE_NONE UINT32_MAX
#define PF_TREE_MAX_DEPTH 256    /* paths deeper than this are cut */

struct pf_tree_folder {
	uint32_t nid;
	uint32_t parent;         /* NBT nidParent */
	char *name;              /* NULL when the PC is unreadable */
	uint32_t messages;       /* NBT messages whose parent this is */
	uint32_t assoc;          /* FAI (associated) messages */
	uint32_t nsub;           /* child folders */
	uint32_t first_child;    /* index, PF_TREE_NONE */
	uint32_t next_sibling;
	uint32_t depth;          /* below the root folder */
	int32_t content_count;   /* PidTagContentCount, if has_content_count */
	bool has_content_count;
	bool reachable;          /* linked to the root folder */
};

struct pf_tree {
	struct pf_tree_folder *f;   /* sorted by NID */
	uint32_t n;
	uint32_t root;              /* index of NID 0x122, or PF_TREE_NONE */
	uint32_t messages;          /* all normal messages in the NBT */
	uint32_t orphan_messages;   /* whose parent is not a folder */
};

int pf_tree_load(struct pf_ndb *ndb, struct pf_tree *t);
void pf_tree_free(struct pf_tree *t);
uint32_t pf_tree_index(const struct pf_tree *t, uint32_t nid);
/* "Top of Personal Folders/Inbox": names below the root in the canonical
 * spelling of formats/util/pf_path.h. */
void pf_tree_path(const struct pf_tree *t, uint32_t idx, char *buf,
		  size_t cb);
/* By path (case-insensitive) or by NID ("0x8082"). */
uint32_t pf_tree_find(const struct pf_tree *t, const char *path);

/* FILETIME to "YYYY-MM-DD HH:MM:SS" UTC (BUF >= 20); "" when 0. */
void pf_filetime_format(uint64_t ft, char *buf, size_t cb);

/* ---- name-to-id map (nameid.c) ---- */

/* The named-property map of MS-PST 2.4.7: NID_NAME_TO_ID_MAP (0x61) is a
 * PC whose properties are the map's streams and hash buckets.
 *
 * Faults (obj PF_OBJ_NAMEID, nid 0x61; hid = the stream's or bucket's
 * property tag, or (0x8000 + wPropIdx) << 16 for one entry's record):
 *   CB        PidTagNameidStreamGuid / PidTagNameidStreamEntry /
 *             "hash bucket": size not a multiple of its record (got = cb,
 *             want = record size); the partial record is ignored
 *   TYPE      a stream or bucket not PtypBinary (got = type)
 *   VALUE     wGuid past the GUID stream, dwPropertyID (string offset) or
 *             "string length" past the string stream, wPropIdx > 0x7FFE
 *             (got = value, want = the largest value allowed)
 *   ALIGN     "string length" odd: not UTF-16 (got = length)
 *   KEY_ORDER wPropIdx: a second entry for the same named property (got =
 *             the property id, want = the second record's position)
 *   MISSING   "entry stream": a hash-bucket record that matches no entry
 *             (same wPropIdx, N, wGuid and hash); "hash table": an entry
 *             with no record in the bucket its hash selects (this is how
 *             a misplaced record shows) (got = property id, want = the
 *             bucket's property id)
 */
enum {
	PF_TAG_NAMEID_STREAM_GUID = 0x0002,
	PF_TAG_NAMEID_STREAM_ENTRY = 0x0003,
	PF_TAG_NAMEID_STREAM_STRING = 0x0004,
	PF_TAG_NAMEID_BUCKET_BASE = 0x1000,
};

/* NAMEID.wGuid values below the GUID stream (MS-PST 2.4.7.1). */
enum {
	PF_NAMEID_GUID_NONE = 0,
	PF_NAMEID_GUID_MAPI = 1,
	PF_NAMEID_GUID_PUBLIC_STRINGS = 2,
	PF_NAMEID_GUID_STREAM = 3,      /* 3 + index into the GUID stream */
};

#define PF_NAMEID_MAX_IDX 0x7FFEu   /* named property ids end at 0xFFFE */
#define PF_NAMEID_MAX_BUCKETS 0xF000u  /* 0x1000 + count fits 16 bits */

/* The well-known property sets, in on-disk (little-endian) byte order. */
extern const uint8_t pf_guid_ps_mapi[16];
extern const uint8_t pf_guid_ps_public_strings[16];

enum pf_nameid_kind {
	PF_NAMEID_NUMERIC = 0,   /* N = 0: (GUID, LID) */
	PF_NAMEID_STRING = 1,    /* N = 1: (GUID, name) */
};

struct pf_nameid_entry {
	uint16_t prop_id;        /* 0x8000 + wPropIdx; 0 when out of range */
	uint16_t wguid;          /* as stored */
	enum pf_nameid_kind kind;
	bool ok;                 /* GUID, name and id all resolved */
	uint8_t guid[16];        /* property set, on-disk byte order */
	uint32_t lid;            /* numeric: dwPropertyID; string: 0 */
	char *name;              /* string: UTF-8, owned; numeric: NULL */
	uint32_t hash;           /* hash key (2.4.7.5): LID, or CRC of name */
};

struct pf_nameid_map {
	struct pf_nameid_entry *v;   /* in entry-stream order */
	uint32_t count;
	uint32_t *slot;              /* wPropIdx -> 1 + index in v; 0 none */
	uint32_t nslot;
	uint32_t bucket_count;       /* 0: unknown, hash table not checked */
	uint32_t faults;             /* reported while parsing */
};

/* One hash bucket's bytes (property 0x1000 + i); p NULL: absent (empty). */
struct pf_nameid_bucket {
	const uint8_t *p;
	size_t cb;
};

/* Decode the streams (pure, no I/O; NULL with size 0 is an empty stream)
 * and check them against each other; BUCKETS has NBUCKETS entries
 * (PidTagNameidBucketCount; 0 skips the hash-table checks).  Every fault
 * goes to SINK.  0, or PF_E_NOMEM (then *map is empty).  Free with
 * pf_nameid_free() in both cases. */
int pf_nameid_parse(const uint8_t *guids, size_t cb_guids,
		    const uint8_t *entries, size_t cb_entries,
		    const uint8_t *strings, size_t cb_strings,
		    const struct pf_nameid_bucket *buckets, uint32_t nbuckets,
		    struct pf_nameid_map *map, const struct pf_sink *sink);

/* Read NID 0x61 and parse it.  PF_E_NOTFOUND without the node,
 * PF_E_CORRUPT when its PC or a stream cannot be read (the LTP and block
 * passes report why); damage inside the map goes to SINK. */
int pf_nameid_load(struct pf_ndb *ndb, struct pf_nameid_map *map,
		   const struct pf_sink *sink);

/* The entry for PROP_ID (0x8000..0xFFFE), the first one when the id is
 * defined twice; NULL when none.  Check entry->ok before using it. */
const struct pf_nameid_entry *pf_nameid_find(const struct pf_nameid_map *m,
					     uint16_t prop_id);
void pf_nameid_free(struct pf_nameid_map *map);

/* The bucket index (0..bucket_count-1) of a hash key (MS-PST 2.4.7.5):
 * (hash XOR (wGuid << 1 | N)) mod bucket_count. */
uint32_t pf_nameid_bucket(uint32_t hash, uint16_t wguid,
			  enum pf_nameid_kind kind, uint32_t bucket_count);

/* "{00020329-0000-0000-C000-000000000046}" (BUF >= 39). */
void pf_guid_format(const uint8_t guid[16], char *buf, size_t cb);

#endif
