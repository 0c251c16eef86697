/*
 * pf_set.c - the open-addressing set behind pf_set.h.
 */
#include <stdlib.h>
#include <string.h>

#include "pf_err.h"
#include "pf_set.h"

#define EMPTY UINT64_MAX

static size_t slot_of(uint64_t key, size_t cap)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdull;   /* murmur3 finaliser */
	key ^= key >> 33;
	return (size_t)key & (cap - 1);
}

static void insert(uint64_t *slots, size_t cap, uint64_t key)
{
	size_t i = slot_of(key, cap);

	while (slots[i] != EMPTY)
		i = (i + 1) & (cap - 1);
	slots[i] = key;
}

static int grow(struct pf_set *s)
{
	size_t ncap = s->cap ? s->cap * 2 : 64;
	uint64_t *n = malloc(ncap * sizeof(*n));

	if (!n)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	memset(n, 0xff, ncap * sizeof(*n));
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i] != EMPTY)
			insert(n, ncap, s->slots[i]);
	free(s->slots);
	s->slots = n;
	s->cap = ncap;
	return 0;
}

int pf_set_has(const struct pf_set *s, uint64_t key)
{
	if (s->cap == 0 || key == EMPTY)
		return 0;
	for (size_t i = slot_of(key, s->cap);; i = (i + 1) & (s->cap - 1)) {
		if (s->slots[i] == key)
			return 1;
		if (s->slots[i] == EMPTY)
			return 0;
	}
}

int pf_set_add(struct pf_set *s, uint64_t key)
{
	int rc;

	if (key == EMPTY || pf_set_has(s, key))
		return 0;
	if ((s->count + 1) * 2 > s->cap) {   /* keep load <= 1/2 */
		rc = grow(s);
		if (rc != 0)
			return rc;
	}
	insert(s->slots, s->cap, key);
	s->count++;
	return 1;
}

void pf_set_free(struct pf_set *s)
{
	free(s->slots);
	memset(s, 0, sizeof(*s));
}
