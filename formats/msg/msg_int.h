/*
 * msg_int.h - helpers shared inside formats/msg.
 */
#ifndef PF_MSG_INT_H
#define PF_MSG_INT_H

#include "pf_msg.h"

/* Open node NID's PC together with its subnodes (which the PC borrows). */
int pf_node_pc_open(struct pf_ndb *ndb, uint32_t nid, struct pf_pc *pc,
		    struct pf_subnodes *sub);

#endif
