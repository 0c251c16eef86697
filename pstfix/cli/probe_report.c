/*
 * probe_report.c - print what `outbox probe` learned (probe.h): labelled
 * lines for people, a table row per port for --try-ports, one JSON
 * object per port for --json.
 *
 * Contract: text that came from the server (greeting, capabilities,
 * certificate names, error messages quoting it) goes through
 * cli_put_safe() or the JSON escaper, never raw to a terminal.  Nothing
 * here knows a secret: the probe never hands one over.
 */
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "cli.h"
#include "json.h"
#include "probe.h"

static const char *exit_name(int code)
{
	switch (code) {
	case EX_OK:          return "OK";
	case EX_USAGE:       return "EX_USAGE";
	case EX_UNAVAILABLE: return "EX_UNAVAILABLE";
	case EX_TEMPFAIL:    return "EX_TEMPFAIL";
	case EX_PROTOCOL:    return "EX_PROTOCOL";
	case EX_NOPERM:      return "EX_NOPERM";
	case EX_CONFIG:      return "EX_CONFIG";
	case EX_IOERR:       return "EX_IOERR";
	}
	return "EX_OSERR";
}

static const char *security_name(enum pf_smtp_security s)
{
	switch (s) {
	case PF_SMTP_IMPLICIT_TLS:      return "implicit TLS";
	case PF_SMTP_STARTTLS_REQUIRED: return "STARTTLS";
	case PF_SMTP_CLEARTEXT:         return "cleartext";
	}
	return "?";
}

/* The value of the EHLO line "AUTH ..." (or "AUTH=..."), or NULL. */
static const char *auth_line(const struct pf_smtp_caps *c, size_t *len)
{
	const char *p = c->lines;

	while (p != NULL && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (n > 5 && strncasecmp(p, "AUTH", 4) == 0 &&
		    (p[4] == ' ' || p[4] == '=')) {
			*len = n - 5;
			return p + 5;
		}
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static void label(FILE *out, const char *name, const char *value)
{
	fprintf(out, "%-13s", name);
	cli_put_safe(out, value);
	fputc('\n', out);
}

static bool starttls_done(const struct probe *p)
{
	return p->tls.active &&
	       p->server.security == PF_SMTP_STARTTLS_REQUIRED;
}

static void print_caps(FILE *out, const struct probe *p)
{
	const char *nl = strchr(p->caps.lines, '\n');
	char buf[sizeof(p->caps.lines)];
	size_t alen = 0;
	const char *auth = auth_line(&p->caps, &alen);

	if (nl == NULL)
		return;
	snprintf(buf, sizeof(buf), "%s", nl + 1);
	for (char *q = buf; *q; q++)
		if (*q == '\n')
			*q = ',';
	label(out, starttls_done(p) ? "EHLO (TLS)" : "EHLO", buf);
	snprintf(buf, sizeof(buf), "%.*s", (int)alen, auth ? auth : "");
	label(out, "AUTH offered", auth ? buf : "none");
}

static void print_tls(FILE *out, const struct probe *p)
{
	const struct pf_smtp_tls_info *t = &p->tls;
	char buf[160];
	long days;

	if (!t->active && t->subject[0] == '\0' && t->verify_result == 0)
		return;
	if (t->active) {
		snprintf(buf, sizeof(buf), "%s, %s", t->version, t->cipher);
		label(out, "TLS", buf);
	}
	label(out, "cert subject", t->subject);
	if (t->names[0])
		label(out, "cert names", t->names);
	label(out, "cert issuer", t->issuer);
	days = t->days_left < 0 ? -t->days_left : t->days_left;
	snprintf(buf, sizeof(buf), "%s (%s%ld day%s%s)", t->not_after,
		 t->days_left < 0 ? "" : "in ", days, days == 1 ? "" : "s",
		 t->days_left < 0 ? " ago" : "");
	label(out, "cert expires", buf);
	if (t->days_left >= 0 && t->days_left < 14 && t->subject[0])
		label(out, "warning", "the certificate expires within two "
		      "weeks: tell the server's administrator");
	snprintf(buf, sizeof(buf), "%u certificate(s) sent", t->chain_len);
	label(out, "cert chain", buf);
	snprintf(buf, sizeof(buf), "%s (%ld)", t->verify_result == 0 ?
		 "ok" : t->verify_text, t->verify_result);
	label(out, "verification", buf);
}

static void print_outcome(FILE *out, const struct probe *p)
{
	char buf[700];

	if (p->auth_tried && p->auth_ok) {
		snprintf(buf, sizeof(buf), "ok (%d %s)", p->r.code,
			 p->r.text);
		label(out, "login", buf);
	}
	if (p->exit == EX_OK) {
		label(out, "result", "OK: this server can be used to send");
		return;
	}
	if (p->rc < 0)
		snprintf(buf, sizeof(buf), "failed at %s: %s",
			 pf_smtp_stage_name(p->r.stage), p->error);
	else
		snprintf(buf, sizeof(buf), "%s answered %d %s",
			 pf_smtp_stage_name(p->r.stage), p->r.code,
			 p->r.text);
	label(out, "result", buf);
	label(out, "what to do", p->advice);
	snprintf(buf, sizeof(buf), "%d %s", p->exit, exit_name(p->exit));
	label(out, "exit", buf);
}

void probe_print_text(FILE *out, const struct probe *p)
{
	char buf[320];

	snprintf(buf, sizeof(buf), "%s port %u, %s", p->server.host,
		 p->server.port, security_name(p->server.security));
	label(out, "server", buf);
	label(out, "connection", p->connected ? "ok" : "failed");
	if (p->greeting[0])
		label(out, "greeting", p->greeting);
	if (starttls_done(p))
		label(out, "STARTTLS", "offered, done");
	else if (p->caps.starttls)
		label(out, "STARTTLS", "offered");
	else if (p->rc == PF_SMTP_E_NOTLS)
		label(out, "STARTTLS", "NOT offered");
	print_tls(out, p);
	print_caps(out, p);
	print_outcome(out, p);
}

void probe_table_head(FILE *out)
{
	fprintf(out, "%-6s %-13s %-16s %s\n", "PORT", "SECURITY", "RESULT",
		"DETAIL");
}

void probe_table_row(FILE *out, const struct probe *p)
{
	char detail[400];
	size_t alen = 0;
	const char *auth = auth_line(&p->caps, &alen);

	if (p->exit == EX_OK)
		snprintf(detail, sizeof(detail), "%s%s%s AUTH %.*s",
			 p->tls.active ? p->tls.version : "no TLS",
			 p->tls.active ? " verified" : "", ",",
			 auth ? (int)alen : 4, auth ? auth : "none");
	else
		snprintf(detail, sizeof(detail), "%s", p->advice);
	fprintf(out, "%-6u %-13s %-16s ", p->server.port,
		security_name(p->server.security), exit_name(p->exit));
	cli_put_safe(out, detail);
	fputc('\n', out);
}

static void json_tls(struct pf_json *j, const struct pf_smtp_tls_info *t)
{
	pf_json_key(j, "tls");
	pf_json_object_begin(j);
	pf_json_key(j, "active");
	pf_json_bool(j, t->active);
	pf_json_kv_str(j, "version", t->active ? t->version : NULL);
	pf_json_kv_str(j, "cipher", t->active ? t->cipher : NULL);
	pf_json_kv_str(j, "subject", t->subject);
	pf_json_kv_str(j, "issuer", t->issuer);
	pf_json_kv_str(j, "not_after", t->not_after);
	pf_json_key(j, "days_left");
	pf_json_i64(j, t->days_left);
	pf_json_kv_str(j, "names", t->names);
	pf_json_kv_u64(j, "chain_len", t->chain_len);
	pf_json_key(j, "verify_result");
	pf_json_i64(j, t->verify_result);
	pf_json_kv_str(j, "verify_text", t->verify_text);
	pf_json_object_end(j);
}

static void json_caps(struct pf_json *j, const struct pf_smtp_caps *c)
{
	static const char *const mechs[] = { "", "PLAIN", "LOGIN",
					     "XOAUTH2" };

	pf_json_key(j, "ehlo");
	pf_json_object_begin(j);
	pf_json_kv_str(j, "lines", c->lines);
	pf_json_key(j, "starttls");
	pf_json_bool(j, c->starttls);
	pf_json_key(j, "enhancedstatuscodes");
	pf_json_bool(j, c->enhancedcodes);
	pf_json_key(j, "size");
	if (c->size)
		pf_json_u64(j, c->size_max);
	else
		pf_json_null(j);
	pf_json_key(j, "auth");
	pf_json_array_begin(j);
	for (unsigned m = 1; m < 4; m++)
		if (c->auth & (1u << m))
			pf_json_str(j, mechs[m]);
	pf_json_array_end(j);
	pf_json_object_end(j);
}

void probe_print_json(FILE *out, const struct probe *p)
{
	struct pf_json j;

	pf_json_init(&j, out);
	pf_json_object_begin(&j);
	pf_json_kv_str(&j, "host", p->server.host);
	pf_json_kv_u64(&j, "port", p->server.port);
	pf_json_kv_str(&j, "security", security_name(p->server.security));
	pf_json_key(&j, "connected");
	pf_json_bool(&j, p->connected);
	pf_json_kv_str(&j, "greeting", p->greeting[0] ? p->greeting : NULL);
	json_caps(&j, &p->caps);
	json_tls(&j, &p->tls);
	pf_json_key(&j, "auth");
	pf_json_str(&j, !p->auth_tried ? "not tried" : p->auth_ok ? "ok" :
		    "failed");
	pf_json_kv_str(&j, "stage", pf_smtp_stage_name(p->r.stage));
	pf_json_kv_u64(&j, "code", (uint64_t)p->r.code);
	pf_json_kv_str(&j, "text", p->r.text);
	pf_json_kv_str(&j, "error", p->rc < 0 ? p->error : NULL);
	pf_json_kv_str(&j, "advice", p->advice[0] ? p->advice : NULL);
	pf_json_kv_u64(&j, "exit", (uint64_t)p->exit);
	pf_json_kv_str(&j, "exit_name", exit_name(p->exit));
	pf_json_object_end(&j);
	pf_json_newline(&j);
}
