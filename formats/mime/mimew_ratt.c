/*
 * mimew_ratt.c - a message's attachments (MS-PST 2.4.6, MS-OXCMSG 2.2.2)
 * to struct pf_mimew_att, in attachment-table row order.
 *
 * - By value (afByValue): PidTagAttachDataBinary's bytes.
 * - Embedded message (afEmbeddedMessage): PidTagAttachDataObject is a
 *   PtypObject naming a subnode of the attachment; that subnode is a
 *   message node of its own (its PC and its own subnodes: recipients,
 *   attachments), read recursively up to PF_MIMEW_MAX_DEPTH.
 * - OLE (afStorage): the object's bytes as they are (an OLE compound
 *   file), written as application/octet-stream.
 * - By reference: no bytes in the file; left out of the MIME message.
 * An attachment that cannot be read is counted in msg->lost (with a note)
 * and the others go on: one bad subnode must not cost the whole message.
 */
#include <stdlib.h>
#include <string.h>

#include "mimew_int.h"

enum {
	TAG_ATTACH_MIME_TAG = 0x370E,
	TAG_ATTACH_CONTENT_ID = 0x3712,
	TAG_ATTACH_CONTENT_LOCATION = 0x3713,
	TAG_ATTACHMENT_HIDDEN = 0x7FFE,
};

static char *first_str(const struct pf_pc *pc, const uint16_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *s = NULL;

		if (pf_pc_get_string(pc, ids[i], &s) == 0 && s && *s)
			return s;
		free(s);
	}
	return NULL;
}

/* Open the subnode named by a PtypObject as a message of its own. */
static int object_message(struct pf_message *em, struct pf_message *m,
			  struct pf_attachment *a, uint32_t nid)
{
	const struct pf_subnode *s = pf_subnodes_find(&a->sub, nid);
	int rc;

	memset(em, 0, sizeof(*em));
	if (!s)
		return pf_error_set(PF_E_NOTFOUND, "embedded message 0x%x is "
				    "not a subnode of attachment 0x%x", nid,
				    a->nid);
	em->ndb = m->ndb;
	em->nid = nid;
	rc = pf_subnodes_load(m->ndb, s->bid_sub, NULL, &em->sub);
	if (rc != 0)
		return rc;
	rc = pf_pc_open(&em->pc, m->ndb, nid, s->bid_data, &em->sub, NULL);
	if (rc != 0)
		pf_subnodes_free(&em->sub);
	return rc;
}

static int embedded(struct pf_mimew_att *out, struct pf_message *m,
		    struct pf_attachment *a, const struct pf_nameid_map *map,
		    unsigned depth)
{
	struct pf_message em;
	uint32_t nid, size;
	int rc;

	if (depth + 1 >= PF_MIMEW_MAX_DEPTH)
		return pf_error_set(PF_E_LIMIT, "messages embedded more than "
				    "%d deep", PF_MIMEW_MAX_DEPTH);
	rc = pf_pc_get_object(&a->pc, PF_TAG_ATTACH_DATA, &nid, &size);
	if (rc != 0)
		return rc;
	rc = object_message(&em, m, a, nid);
	if (rc != 0)
		return rc;
	rc = pmw_read_depth(&out->embedded, &em, map, depth + 1);
	pf_message_close(&em);
	return rc;
}

/* OLE storage: the bytes of the object's subnode (or a binary value). */
static int ole_bytes(struct pf_mimew_att *out, struct pf_message *m,
		     struct pf_attachment *a)
{
	const struct pf_subnode *s;
	uint32_t nid, size;

	if (pf_pc_get_object(&a->pc, PF_TAG_ATTACH_DATA, &nid, &size) != 0)
		return pf_pc_get_bin(&a->pc, PF_TAG_ATTACH_DATA, &out->data,
				     &out->cb);
	s = pf_subnodes_find(&a->sub, nid);
	if (!s)
		return pf_error_set(PF_E_NOTFOUND, "OLE object 0x%x is not a "
				    "subnode of attachment 0x%x", nid, a->nid);
	return pf_node_data_read(m->ndb, s->bid_data, PF_NODE_DATA_MAX,
				 &out->data, &out->cb);
}

static int one(struct pf_mimew_att *out, struct pf_message *m,
	       struct pf_attachment *a, const struct pf_nameid_map *map,
	       unsigned depth)
{
	static const uint16_t names[] = { PF_TAG_ATTACH_LONG_FILENAME,
					  PF_TAG_ATTACH_FILENAME,
					  PF_TAG_DISPLAY_NAME };
	int32_t method = PF_ATT_BY_VALUE;
	bool hidden = false;
	int rc;

	pf_pc_get_i32(&a->pc, PF_TAG_ATTACH_METHOD, &method);
	out->method = (enum pf_mimew_method)method;
	out->filename = first_str(&a->pc, names, 3);
	out->mime_type = first_str(&a->pc, (const uint16_t[]){
		TAG_ATTACH_MIME_TAG }, 1);
	out->content_id = first_str(&a->pc, (const uint16_t[]){
		TAG_ATTACH_CONTENT_ID }, 1);
	out->content_location = first_str(&a->pc, (const uint16_t[]){
		TAG_ATTACH_CONTENT_LOCATION }, 1);
	if (pf_pc_get_bool(&a->pc, TAG_ATTACHMENT_HIDDEN, &hidden) == 0)
		out->hidden = hidden;
	switch (method) {
	case PF_ATT_EMBEDDED:
		rc = embedded(out, m, a, map, depth);
		break;
	case PF_ATT_OLE:
		rc = ole_bytes(out, m, a);
		break;
	case PF_ATT_BY_REFERENCE:
	case PF_ATT_REF_RESOLVE:
	case PF_ATT_REF_ONLY:
		return 0;
	default:
		rc = pf_pc_get_bin(&a->pc, PF_TAG_ATTACH_DATA, &out->data,
				   &out->cb);
		if (rc == PF_E_NOTFOUND) {
			out->method = PF_ATT_BY_VALUE;
			rc = 0;   /* an empty attachment */
		}
	}
	return rc;
}

void pmw_att_clear(struct pf_mimew_att *a)
{
	free(a->filename);
	free(a->mime_type);
	free(a->content_id);
	free(a->content_location);
	free(a->data);
	pf_mimew_msg_free(a->embedded);
	memset(a, 0, sizeof(*a));
}

int pmw_read_atts(struct pf_mimew_msg *msg, struct pf_message *m,
		  const struct pf_nameid_map *map, unsigned depth)
{
	struct pf_table t;
	uint32_t rows;

	if (pf_message_attachments(m, &t) != 0)
		return 0;
	rows = pf_tc_rows(&t.tc);
	if (rows > PF_MIMEW_MAX_ATT) {
		pf_error_set(PF_E_LIMIT, "%u attachments, %d kept", rows,
			     PF_MIMEW_MAX_ATT);
		pmw_lost(msg, "attachments");
		rows = PF_MIMEW_MAX_ATT;
	}
	msg->att = calloc(rows ? rows : 1, sizeof(*msg->att));
	if (!msg->att) {
		pf_table_close(&t);
		return pf_error_set(PF_E_NOMEM, "out of memory");
	}
	for (uint32_t r = 0; r < rows; r++) {
		struct pf_mimew_att *out = &msg->att[msg->natt];
		struct pf_attachment a;
		uint32_t rid;
		int rc;

		if (pf_tc_row_id(&t.tc, r, &rid) != 0 ||
		    pf_attachment_open(&a, m, rid) != 0) {
			pmw_lost(msg, "attachment");
			continue;
		}
		pf_pc_set_codepage(&a.pc, m->pc.codepage);
		rc = one(out, m, &a, map, depth);
		pf_attachment_close(&a);
		if (rc == PF_E_NOMEM) {
			pmw_att_clear(out);
			pf_table_close(&t);
			return rc;
		}
		if (rc != 0) {
			pmw_lost(msg, "attachment");
			pmw_att_clear(out);
			continue;
		}
		msg->natt++;
	}
	pf_table_close(&t);
	return 0;
}
