/*
 * probe.h - what `outbox probe` learns about one server port
 * (cmd_outbox_probe.c gathers it, probe_report.c prints it).
 */
#ifndef PF_CLI_PROBE_H
#define PF_CLI_PROBE_H

#include <stdio.h>

#include "../smtp/smtp.h"

struct probe {
	struct pf_smtp_server server;
	int rc;                   /* 0 or the PF_SMTP_E_* that ended it */
	struct pf_smtp_reply r;   /* the last reply (or the failed stage) */
	bool connected;           /* the TCP connection was made */
	bool auth_tried, auth_ok;
	char greeting[512];
	struct pf_smtp_caps caps;
	struct pf_smtp_tls_info tls;
	char error[512];          /* pf_error_msg() when rc < 0 */
	char advice[400];         /* pf_smtp_explain() */
	int exit;                 /* pf_smtp_sysexit() */
};

void probe_run(struct probe *p, const struct pf_smtp_server *srv,
	       const struct pf_smtp_opts *o);

void probe_print_text(FILE *out, const struct probe *p);
void probe_print_json(FILE *out, const struct probe *p);
void probe_table_head(FILE *out);
void probe_table_row(FILE *out, const struct probe *p);

#endif
