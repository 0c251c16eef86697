/*
 * pf_grow.h - room for one more element in a growable array.
 *
 * Contract: PTR_ADDR is the address of the array pointer (any element
 * type), COUNT its length, *CAP its capacity in elements.  When full, the
 * capacity doubles (from 16); 0 on success, PF_E_NOMEM (message set) when
 * the allocation fails or the size would overflow.  The array is left as
 * it was on failure, so the caller still owns and frees it.
 */
#ifndef PF_GROW_H
#define PF_GROW_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pf_err.h"

static inline int pf_grow(void *ptr_addr, size_t count, size_t *cap,
			  size_t elem)
{
	void *old, *grown;
	size_t ncap;

	if (count < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	if (ncap < *cap || ncap > SIZE_MAX / elem)
		return pf_error_set(PF_E_NOMEM, "array too large");
	memcpy(&old, ptr_addr, sizeof(old));
	grown = realloc(old, ncap * elem);
	if (!grown)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	memcpy(ptr_addr, &grown, sizeof(grown));
	*cap = ncap;
	return 0;
}

#endif
