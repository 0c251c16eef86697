/*
 * advice.c - one mapping from an SMTP outcome (a reply, or a failure
 * with no reply) to plain words and to a sysexits.h code, so `outbox
 * probe` and `outbox send` say and return the same thing for the same
 * trouble (msmtp's exit-code model).
 *
 * Contract: pure functions of (rc, reply, session facts); no I/O.  The
 * reply codes follow RFC 5321 4.2.2/4.2.3 and RFC 4954 6 (530, 534, 535,
 * 538); the words say what the code usually means in practice and the
 * next step for the operator.  Text from the server is not repeated here
 * (the caller prints the reply itself).
 */
#include <errno.h>
#include <stdio.h>
#include <sysexits.h>

#include <openssl/x509_vfy.h>

#include "smtp_int.h"

static const char *tls_verify_words(long v)
{
	switch (v) {
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		return "the server's certificate is for another name: connect "
		       "with a name the certificate lists (its names are "
		       "shown), not an alias or an IP address";
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		return "the certificate's issuer (CA) is not trusted here: "
		       "for a private CA give its certificate with --ca-file; "
		       "otherwise someone may be intercepting the connection";
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return "the server's certificate has expired: its "
		       "administrator must renew it (and check this "
		       "machine's clock)";
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return "the server's certificate is not valid yet: check "
		       "this machine's clock";
	}
	return "the server's certificate could not be verified: see the "
	       "reason above; do not send a password to this server";
}

static const char *net_words(int rc, enum pf_smtp_stage st, int err)
{
	if (st == PF_SMTP_CONNECT && rc == PF_SMTP_E_TIMEOUT)
		return "no answer to the connection attempt: the port is "
		       "probably filtered by a firewall (many networks block "
		       "25); try 587 or 465, or --try-ports";
	if (st == PF_SMTP_CONNECT && err == ECONNREFUSED)
		return "connection refused: nothing listens on that port "
		       "(wrong port, or the service is down); try --try-ports";
	if (st == PF_SMTP_CONNECT && (err == ENETUNREACH ||
				      err == EHOSTUNREACH))
		return "the host cannot be reached: check the network and "
		       "the address";
	if (st == PF_SMTP_CONNECT)
		return "cannot connect: check the host name and the port";
	if (st == PF_SMTP_TLS)
		return "connected, but the TLS handshake failed: this port "
		       "may expect STARTTLS (use smtp://, port 587) rather "
		       "than TLS at once";
	if (st == PF_SMTP_GREETING && rc == PF_SMTP_E_TIMEOUT)
		return "connected, but no greeting came: the server is "
		       "overloaded, or this port expects TLS from the start "
		       "(use smtps://, port 465)";
	if (rc == PF_SMTP_E_TIMEOUT)
		return "the server stopped answering (timeout): try again "
		       "later, or raise --timeout";
	return "the connection was lost: try again later";
}

static const char *failure_words(int rc, const struct pf_smtp_reply *r,
				 const struct pf_smtp *s)
{
	switch (rc) {
	case PF_SMTP_E_NET:
	case PF_SMTP_E_TIMEOUT:
		return net_words(rc, r->stage, s ? s->sys_errno : 0);
	case PF_SMTP_E_TLS:
		if (s != NULL && s->tls.verify_result != X509_V_OK)
			return tls_verify_words(s->tls.verify_result);
		return "the TLS handshake failed: the server may only speak "
		       "TLS older than 1.2, or this port expects STARTTLS "
		       "(use smtp://, port 587) rather than TLS at once";
	case PF_SMTP_E_NOTLS:
		return "the server does not offer STARTTLS, so the password "
		       "and the mail would travel in cleartext: use smtps:// "
		       "(port 465), or --tls=none only for a trusted relay";
	case PF_SMTP_E_PROTO:
		if (r->stage == PF_SMTP_STARTTLS)
			return "data arrived right after the server agreed to "
			       "STARTTLS, before encryption: a command "
			       "injection attempt or a broken middlebox; not "
			       "continuing";
		return "the server broke the SMTP protocol (malformed or "
		       "over-long reply): is this port really an SMTP "
		       "server?";
	case PF_SMTP_E_AUTH:
		if (s != NULL && s->ssl == NULL)
			return "TLS is needed for AUTH: pstfix never sends a "
			       "password or token over an unencrypted "
			       "connection";
		if (s != NULL && s->caps.auth == 0)
			return "the server offers no AUTH here: it may relay "
			       "without it (leave out --user), or want AUTH "
			       "on another port (try --try-ports)";
		return "the server offers no AUTH mechanism we can use here "
		       "(see its AUTH line): pick one with --auth";
	case PF_E_USAGE:
		return "refused before sending: check the addresses and the "
		       "message (control characters, bare CR or LF)";
	}
	return "a local error: see the message above";
}

static const char *reply_words(const struct pf_smtp_reply *r)
{
	int c = r->code;

	if (c == 421)
		return "421: the server is not taking this connection now "
		       "(too many connections from us, or service "
		       "unavailable); try later with fewer connections";
	if (c == 451 || c == 452)
		return "a temporary limit on the server (451 local error, "
		       "452 storage or too many recipients): try again later";
	if (c == 454 && r->stage == PF_SMTP_STARTTLS)
		return "the server cannot start TLS now: try again later";
	if (c == 454 && r->stage == PF_SMTP_AUTH)
		return "the server cannot check credentials now (454): try "
		       "again later";
	if (c == 530)
		return "530: the server wants authentication first: give "
		       "--user and a password or token";
	if (c == 534)
		return "534: the server wants another mechanism (XOAUTH2, or "
		       "an app password instead of the account password)";
	if (c == 535)
		return "535: the user name or the password/token was "
		       "rejected: check them (an OAuth2 token may have "
		       "expired); do not retry in a loop, the account may be "
		       "locked";
	if (c == 538)
		return "538: this AUTH mechanism needs encryption first";
	if (c == 554 && r->stage == PF_SMTP_GREETING)
		return "554 at the greeting: this server refuses connections "
		       "from this address (policy or block list); ask its "
		       "administrator or use your provider's submission "
		       "server";
	if (c == 550 || c == 553 || c == 554)
		return "the server rejected this (550 mailbox unavailable or "
		       "not allowed, 553 address not allowed, 554 policy): "
		       "it will not work by retrying";
	if (c >= 400 && c < 500)
		return "a temporary failure: try again later";
	if (c >= 500)
		return "a permanent refusal: it will not work by retrying "
		       "as it is";
	return "";
}

void pf_smtp_explain(char *out, size_t cb, int rc,
		     const struct pf_smtp_reply *r, const struct pf_smtp *s)
{
	snprintf(out, cb, "%s", rc < 0 ? failure_words(rc, r, s) :
		 reply_words(r));
}

static int failure_exit(int rc, const struct pf_smtp_reply *r,
			const struct pf_smtp *s)
{
	switch (rc) {
	case PF_SMTP_E_NET:
	case PF_SMTP_E_TIMEOUT:
		return r->stage == PF_SMTP_CONNECT ? EX_UNAVAILABLE :
		       EX_TEMPFAIL;
	case PF_SMTP_E_TLS:
		return s != NULL && s->tls.verify_result != X509_V_OK ?
		       EX_CONFIG : EX_PROTOCOL;
	case PF_SMTP_E_NOTLS:
		return EX_UNAVAILABLE;
	case PF_SMTP_E_PROTO:
		return EX_PROTOCOL;
	case PF_SMTP_E_AUTH:
		return EX_CONFIG;
	case PF_E_USAGE:
		return EX_USAGE;
	case PF_E_IO:
		return EX_IOERR;
	}
	return EX_OSERR;
}

int pf_smtp_sysexit(int rc, const struct pf_smtp_reply *r,
		    const struct pf_smtp *s)
{
	if (rc < 0)
		return failure_exit(rc, r, s);
	if (r->code >= 200 && r->code < 400)
		return EX_OK;
	if (r->code >= 400 && r->code < 500)
		return EX_TEMPFAIL;
	/* RFC 4954 6: 530 "authentication required" may answer MAIL */
	if (r->code >= 500 && (r->stage == PF_SMTP_AUTH || r->code == 530))
		return EX_NOPERM;
	if (r->code >= 500)
		return EX_UNAVAILABLE;
	return EX_PROTOCOL;
}
