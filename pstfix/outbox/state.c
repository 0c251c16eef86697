/*
 * state.c - the vocabulary of a send spool: recipient state names, the
 * clock, queue ids in a 250 reply, freeing messages.
 *
 * Contract: state names are part of the journal format (journal.c) and
 * of `outbox status --json`; they never change once written.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "spool.h"

static const char *const names[OB_NSTATES] = {
	[OB_PENDING] = "pending",
	[OB_ACCEPTED] = "accepted",
	[OB_TEMPFAIL] = "temp-fail",
	[OB_PERMFAIL] = "perm-fail",
	[OB_UNCERTAIN] = "uncertain",
	[OB_EXPIRED] = "expired",
	[OB_SKIPPED] = "skipped",
};

const char *ob_state_name(enum ob_state s)
{
	return (unsigned)s < OB_NSTATES ? names[s] : "?";
}

int ob_state_parse(const char *s)
{
	for (int i = 0; i < OB_NSTATES; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

bool ob_state_final(enum ob_state s)
{
	return s != OB_PENDING && s != OB_TEMPFAIL;
}

int64_t ob_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The token after PREFIX in TEXT (case-insensitive), or NULL. */
static char *token_after(const char *text, const char *prefix)
{
	size_t pl = strlen(prefix), n = 0;

	for (const char *p = text; *p; p++) {
		if (strncasecmp(p, prefix, pl) != 0)
			continue;
		p += pl;
		while (p[n] && (isalnum((unsigned char)p[n]) ||
				strchr("-_.@", p[n])) && n < 128)
			n++;
		return n ? strndup(p, n) : NULL;
	}
	return NULL;
}

/* Postfix "queued as 4ABC", sendmail/Exim "id=1abc", Exchange
 * "InternalId=123"; servers that name no id (aiosmtpd: "OK") get NULL. */
char *ob_queue_id(const char *text)
{
	static const char *const prefixes[] = {
		"queued as ", "InternalId=", "id=",
	};
	char *id;

	if (!text)
		return NULL;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++) {
		id = token_after(text, prefixes[i]);
		if (id)
			return id;
	}
	return NULL;
}

void ob_msg_free(struct ob_msg *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nrcpt; i++) {
		free(m->rcpt[i].addr);
		free(m->rcpt[i].last.text);
		free(m->rcpt[i].queue_id);
		free(m->rcpt[i].why);
	}
	free(m->rcpt);
	free(m->src);
	free(m->msgid);
	free(m->subject);
	free(m->from);
	free(m->why);
	free(m);
}

struct ob_msg *ob_spool_find(struct ob_spool *sp, const char *msgid)
{
	for (size_t i = 0; i < sp->nmsg; i++)
		if (sp->msg[i]->msgid && strcmp(sp->msg[i]->msgid, msgid) == 0)
			return sp->msg[i];
	return NULL;
}
