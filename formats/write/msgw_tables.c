/*
 * msgw_tables.c - the column sets of the store's tables and the helpers
 * that fill them.
 *
 * Contract: the column sets follow the templates of MS-PST 2.4.4.4.1
 * (hierarchy), 2.4.4.5.1 (contents), 2.4.5.3.1 (recipients) and 2.4.6.1.1
 * (attachments), trimmed to what readers use; the builder adds
 * PidTagLtpRowId and PidTagLtpRowVer itself.  String columns take the
 * file's string type.  Rows are copied cell by cell in column order; a
 * property the source lacks is an absent cell.
 */
#include <string.h>

#include "../msg/pf_msg.h"
#include "msgw_int.h"

#define S(id) PF_PROP_TAG(id, str)

static uint32_t put(uint32_t *tags, const uint32_t *src, uint32_t n)
{
	memcpy(tags, src, n * sizeof(*src));
	return n;
}

static uint16_t str_type(const struct pf_storew *s)
{
	return s->unicode ? PF_PT_STRING : PF_PT_STRING8;
}

uint32_t msgw_hierarchy_cols(const struct pf_storew *s, uint32_t *tags)
{
	uint16_t str = str_type(s);
	const uint32_t cols[] = {
		S(0x3001),                          /* PidTagDisplayName */
		PF_PROP_TAG(0x3602, PF_PT_INT32),   /* PidTagContentCount */
		PF_PROP_TAG(0x3603, PF_PT_INT32),   /* ...UnreadCount */
		PF_PROP_TAG(0x360A, PF_PT_BOOLEAN), /* PidTagSubfolders */
		S(0x3613),                          /* PidTagContainerClass */
	};

	return put(tags, cols, sizeof(cols) / sizeof(cols[0]));
}

uint32_t msgw_contents_cols(const struct pf_storew *s, uint32_t *tags)
{
	uint16_t str = str_type(s);
	const uint32_t cols[] = {
		PF_PROP_TAG(0x0017, PF_PT_INT32),   /* PidTagImportance */
		S(0x001A),                          /* PidTagMessageClass */
		PF_PROP_TAG(0x0036, PF_PT_INT32),   /* PidTagSensitivity */
		S(0x0037),                          /* PidTagSubject */
		PF_PROP_TAG(0x0039, PF_PT_TIME),    /* ClientSubmitTime */
		S(0x0042),                          /* SentRepresentingName */
		S(0x0E03),                          /* PidTagDisplayCc */
		S(0x0E04),                          /* PidTagDisplayTo */
		PF_PROP_TAG(0x0E06, PF_PT_TIME),    /* MessageDeliveryTime */
		PF_PROP_TAG(0x0E07, PF_PT_INT32),   /* PidTagMessageFlags */
		PF_PROP_TAG(0x0E08, PF_PT_INT32),   /* PidTagMessageSize */
		PF_PROP_TAG(0x3008, PF_PT_TIME),    /* LastModificationTime */
	};

	return put(tags, cols, sizeof(cols) / sizeof(cols[0]));
}

uint32_t msgw_recipient_cols(const struct pf_storew *s, uint32_t *tags)
{
	uint16_t str = str_type(s);
	const uint32_t cols[] = {
		PF_PROP_TAG(0x0C15, PF_PT_INT32),   /* PidTagRecipientType */
		PF_PROP_TAG(0x0E0F, PF_PT_BOOLEAN), /* PidTagResponsibility */
		PF_PROP_TAG(0x0FF9, PF_PT_BINARY),  /* PidTagRecordKey */
		PF_PROP_TAG(0x0FFE, PF_PT_INT32),   /* PidTagObjectType */
		PF_PROP_TAG(0x0FFF, PF_PT_BINARY),  /* PidTagEntryId */
		S(0x3001),                          /* PidTagDisplayName */
		S(0x3002),                          /* PidTagAddressType */
		S(0x3003),                          /* PidTagEmailAddress */
		PF_PROP_TAG(0x300B, PF_PT_BINARY),  /* PidTagSearchKey */
		PF_PROP_TAG(0x3900, PF_PT_INT32),   /* PidTagDisplayType */
		S(0x39FE),                          /* PidTagSmtpAddress */
		S(0x39FF),                          /* Pid7BitDisplayName */
		PF_PROP_TAG(0x3A40, PF_PT_BOOLEAN), /* PidTagSendRichInfo */
		S(0x5FF6),                          /* RecipientDisplayName */
	};

	return put(tags, cols, sizeof(cols) / sizeof(cols[0]));
}

uint32_t msgw_attachment_cols(const struct pf_storew *s, uint32_t *tags)
{
	uint16_t str = str_type(s);
	const uint32_t cols[] = {
		PF_PROP_TAG(0x0E20, PF_PT_INT32),   /* PidTagAttachSize */
		S(0x3704),                          /* PidTagAttachFilename */
		PF_PROP_TAG(0x3705, PF_PT_INT32),   /* PidTagAttachMethod */
		PF_PROP_TAG(0x370B, PF_PT_INT32),   /* RenderingPosition */
	};

	return put(tags, cols, sizeof(cols) / sizeof(cols[0]));
}

int msgw_empty_table(struct pf_storew *s, uint32_t nid, uint32_t parent,
		     const uint32_t *cols, uint32_t ncols)
{
	uint64_t bid;
	int rc = pf_tcw_write(s->w, cols, ncols, NULL, NULL, 0, NULL, &bid);

	if (rc == 0)
		rc = pf_writer_add_node(s->w, nid, bid, 0, parent);
	return rc;
}
