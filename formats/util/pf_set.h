/*
 * pf_set.h - a set of 64-bit keys (page offsets, BIDs, NIDs) for the
 * visited sets every walk keeps.
 *
 * Contract: open addressing, grows by doubling; pf_set_add() returns 1 if
 * the key was new, 0 if it was already there, or PF_E_NOMEM.  Key
 * UINT64_MAX is reserved as the empty marker and is never stored.
 */
#ifndef PF_SET_H
#define PF_SET_H

#include <stddef.h>
#include <stdint.h>

struct pf_set {
	uint64_t *slots;
	size_t cap;    /* power of two, or 0 */
	size_t count;
};

int pf_set_add(struct pf_set *s, uint64_t key);
int pf_set_has(const struct pf_set *s, uint64_t key);
void pf_set_free(struct pf_set *s);

#endif
