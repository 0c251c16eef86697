/*
 * pf_fault.h - damage found while reading (the second trouble channel).
 *
 * Contract: a validator that finds something wrong in the file describes it
 * in a struct pf_fault -- which object, which rule, where, what was read and
 * what was expected -- and hands it to the caller's sink.  formats/ never
 * prints and never judges severity; pstfix/check maps (object, kind) to a
 * problem code.  A NULL sink is allowed: the fault is dropped and the
 * validator's return value alone says whether the object is usable.
 */
#ifndef PF_FAULT_H
#define PF_FAULT_H

#include <stdint.h>

/* What was being read. */
enum pf_obj {
	PF_OBJ_HEADER = 1,
	PF_OBJ_ROOT,
	PF_OBJ_AMAP,
	PF_OBJ_PMAP,
	PF_OBJ_FMAP,
	PF_OBJ_FPMAP,
	PF_OBJ_DLIST,
	PF_OBJ_BBT,        /* a BBT page */
	PF_OBJ_NBT,        /* an NBT page */
	PF_OBJ_BLOCK,      /* a data block */
	PF_OBJ_XBLOCK,     /* XBLOCK / XXBLOCK */
	PF_OBJ_SUBNODE,    /* SLBLOCK / SIBLOCK */
	PF_OBJ_HN,         /* heap-on-node */
	PF_OBJ_BTH,
	PF_OBJ_PC,
	PF_OBJ_TC,
	PF_OBJ_NAMEID,
	PF_OBJ__COUNT
};

/* Which rule was broken. */
enum pf_fault_kind {
	PF_F_CRC = 1,      /* stored CRC != computed CRC */
	PF_F_SIG,          /* wSig != computed signature */
	PF_F_PTYPE,        /* page type is not the expected one */
	PF_F_PTYPE_REPEAT, /* ptypeRepeat != ptype */
	PF_F_BID,          /* trailer BID != the BID that referenced it */
	PF_F_CB,           /* a byte count disagrees or is out of range */
	PF_F_PAST_EOF,     /* an offset or extent lies past the end of file */
	PF_F_ALIGN,        /* an offset is not aligned as required */
	PF_F_CENT,         /* cEnt > cEntMax or an entry count is impossible */
	PF_F_CBENT,        /* entry size is not the one for this page type */
	PF_F_LEVEL,        /* B-tree level inconsistent with the parent */
	PF_F_KEY_ORDER,    /* keys not strictly ascending */
	PF_F_KEY_MIN,      /* child's first key != parent entry key */
	PF_F_CYCLE,        /* an object was reached twice in one walk */
	PF_F_MISSING,      /* a referenced object does not exist */
	PF_F_INFLATE,      /* a compressed block does not inflate */
	PF_F_MAGIC,        /* a magic / signature byte is wrong */
	PF_F_VALUE,        /* a field holds a value the spec does not allow */
	PF_F_DEPTH,        /* nesting deeper than the spec allows */
	PF_F_TYPE,         /* a property or column type is invalid */
	PF_F__COUNT
};

struct pf_fault {
	enum pf_obj obj;
	enum pf_fault_kind kind;
	const char *field;  /* the field that is wrong, spec spelling */
	uint64_t ib;        /* file offset, or UINT64_MAX */
	uint64_t bid;       /* BID involved, or 0 */
	uint32_t nid;       /* NID involved, or 0 */
	uint32_t hid;       /* HID / property tag involved, or 0 */
	uint64_t got;       /* value read from the file */
	uint64_t want;      /* value expected or computed */
};

struct pf_sink {
	void (*fault)(void *ctx, const struct pf_fault *f);
	void *ctx;
};

static inline void pf_report(const struct pf_sink *s, const struct pf_fault *f)
{
	if (s && s->fault)
		s->fault(s->ctx, f);
}

#define PF_NO_IB UINT64_MAX

#endif
