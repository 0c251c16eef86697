/*
 * outbox_send.h - the options of `pstfix outbox send` (cmd_outbox_send.c
 * parses them) and the run (outbox_send_run.c).
 */
#ifndef PF_CLI_OUTBOX_SEND_H
#define PF_CLI_OUTBOX_SEND_H

#include "../outbox/select.h"
#include "../outbox/send.h"

struct obs_opts {
	char **files;
	int nfiles;
	const char *server_url, *spool, *sendmail;
	bool dry_run, json, verbose, no_salvage;
	struct pf_smtp_server server;
	struct pf_smtp_opts smtp;
	const char *password_file, *password_command;
	const char *token_file, *token_command;
	struct ob_select_opts sel;
	struct ob_send_cfg cfg;
	uint32_t only[256];
	char default_spool[4096];
};

/* Spool the selected items of every file, send, report; the exit
 * status (sysexits.h). */
int obs_run(struct obs_opts *o);
/* --dry-run: select, render and check everything, connect to nothing. */
int obs_dry_run(struct obs_opts *o);

#endif
