/*
 * fzread.c - read every value of an opened PC or TC (fzread.h).
 */
#include <stdlib.h>

#include "fzread.h"

void fz_read_pc(struct pf_pc *pc, const struct pf_sink *sink)
{
	pf_pc_validate(pc, sink);
	for (uint32_t i = 0; i < pf_pc_count(pc); i++) {
		struct pf_value v;
		char *s = NULL;

		if (pf_pc_prop(pc, i, &v) != 0)
			continue;
		pf_value_string(&v, 0, &s);
		free(s);
		pf_value_free(&v);
	}
	pf_pc_close(pc);
}

void fz_read_tc(struct pf_tc *tc, const struct pf_sink *sink)
{
	pf_tc_validate(tc, sink);
	for (uint32_t r = 0; r < pf_tc_rows(tc) && r < 64; r++)
		for (uint32_t c = 0; c < pf_tc_cols(tc); c++) {
			struct pf_value v;

			if (pf_tc_get_value(tc, r, pf_tc_col_tag(tc, c),
					    &v) == 0)
				pf_value_free(&v);
		}
	pf_tc_close(tc);
}
