/*
 * tls.c - the TLS layer of a session (OpenSSL 3): handshake with
 * verification, reads and writes on the non-blocking socket, what the
 * probe shows about the session.
 *
 * Contract
 * - Verification is always on (RFC 8314 3.3 / RFC 3207 4.1: the client
 *   must check the server's identity): the chain against opts.ca_file or
 *   the system store, and the name the caller connected to (RFC 6125):
 *   SSL_set1_host() (no partial wildcards) for a DNS name,
 *   X509_VERIFY_PARAM_set1_ip_asc() for an IP literal.  SNI (RFC 6066 3)
 *   is sent for DNS names only (it may not carry an IP literal).  TLS 1.2 is the minimum (RFC 8996, RFC
 *   8314 4.1).  There is no switch to turn any of this off.
 * - The socket BIO is ours: it writes with send(MSG_NOSIGNAL), so a peer
 *   that resets the connection mid-write cannot raise SIGPIPE in a
 *   program that uses this library (OpenSSL's socket BIO uses write()).
 * - After a failed handshake s->tls still says what was learned
 *   (verify_result, verify_text, the certificate when one came).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "smtp_int.h"

/* ---- a socket BIO that cannot raise SIGPIPE ---- */

static BIO_METHOD *nosig_method;
static pthread_once_t nosig_once = PTHREAD_ONCE_INIT;

static int bio_fd(BIO *b)
{
	return (int)(intptr_t)BIO_get_data(b);
}

static int nosig_write(BIO *b, const char *buf, int len)
{
	ssize_t n = send(bio_fd(b), buf, (size_t)len, MSG_NOSIGNAL);

	BIO_clear_retry_flags(b);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		      errno == EINTR))
		BIO_set_retry_write(b);
	return (int)n;
}

static int nosig_read(BIO *b, char *buf, int len)
{
	ssize_t n = recv(bio_fd(b), buf, (size_t)len, 0);

	BIO_clear_retry_flags(b);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		      errno == EINTR))
		BIO_set_retry_read(b);
	return (int)n;
}

static long nosig_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static void nosig_init(void)
{
	int type = BIO_get_new_index() | BIO_TYPE_SOURCE_SINK;
	BIO_METHOD *m = BIO_meth_new(type, "pstfix socket");

	if (m == NULL)
		return;
	BIO_meth_set_write(m, nosig_write);
	BIO_meth_set_read(m, nosig_read);
	BIO_meth_set_ctrl(m, nosig_ctrl);
	nosig_method = m;
}

static BIO *nosig_bio(int fd)
{
	BIO *b;

	pthread_once(&nosig_once, nosig_init);
	if (nosig_method == NULL)
		return NULL;
	b = BIO_new(nosig_method);
	if (b == NULL)
		return NULL;
	BIO_set_data(b, (void *)(intptr_t)fd);
	BIO_set_init(b, 1);
	return b;
}

/* ---- what the probe shows ---- */

static void name_line(char *out, size_t cb, const X509_NAME *n)
{
	BIO *m = BIO_new(BIO_s_mem());
	int len;

	out[0] = '\0';
	if (m == NULL)
		return;
	X509_NAME_print_ex(m, n, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
	len = BIO_read(m, out, (int)cb - 1);
	out[len > 0 ? len : 0] = '\0';
	BIO_free(m);
}

/* One subjectAltName entry (DNS name or IP address) appended to OUT. */
static void add_name(char *out, size_t cb, const GENERAL_NAME *g)
{
	char ip[INET6_ADDRSTRLEN] = "";
	const char *v = NULL;
	size_t len = strlen(out);

	if (g->type == GEN_DNS) {
		v = (const char *)ASN1_STRING_get0_data(g->d.dNSName);
	} else if (g->type == GEN_IPADD) {
		const unsigned char *a = ASN1_STRING_get0_data(g->d.iPAddress);
		int n = ASN1_STRING_length(g->d.iPAddress);

		if (n == 4 || n == 16)
			v = inet_ntop(n == 4 ? AF_INET : AF_INET6, a, ip,
				      sizeof(ip));
	}
	if (v != NULL && len < cb)
		snprintf(out + len, cb - len, "%s%s", len ? ", " : "", v);
}

/* subjectAltName (RFC 5280 4.2.1.6): the names the certificate is for. */
static void alt_names(char *out, size_t cb, X509 *leaf)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(leaf, NID_subject_alt_name,
					       NULL, NULL);

	out[0] = '\0';
	if (gens == NULL)
		return;
	for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++)
		add_name(out, cb, sk_GENERAL_NAME_value(gens, i));
	GENERAL_NAMES_free(gens);
}

/* The leaf certificate's names and expiry into T. */
static void leaf_info(struct pf_smtp_tls_info *t, X509 *leaf)
{
	struct tm tm;
	int days = 0, secs = 0;   /* ASN1_TIME_diff: whole days + rest */

	name_line(t->subject, sizeof(t->subject),
		  X509_get_subject_name(leaf));
	name_line(t->issuer, sizeof(t->issuer), X509_get_issuer_name(leaf));
	if (ASN1_TIME_to_tm(X509_get0_notAfter(leaf), &tm) == 1)
		strftime(t->not_after, sizeof(t->not_after),
			 "%Y-%m-%d %H:%M:%S UTC", &tm);
	if (ASN1_TIME_diff(&days, &secs, NULL,
			   X509_get0_notAfter(leaf)) == 1)
		t->days_left = days;
	alt_names(t->names, sizeof(t->names), leaf);
}

/* OpenSSL's verification callback: keeps its verdict, and notes the
 * leaf certificate, which SSL_get0_peer_certificate() no longer gives
 * after a failed handshake (the probe shows whose certificate it was). */
static int verify_cb(int ok, X509_STORE_CTX *x)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(x,
		SSL_get_ex_data_X509_STORE_CTX_idx());
	struct pf_smtp *s = ssl ? SSL_get_app_data(ssl) : NULL;
	X509 *cert = X509_STORE_CTX_get_current_cert(x);

	if (s != NULL && cert != NULL &&
	    X509_STORE_CTX_get_error_depth(x) == 0)
		leaf_info(&s->tls, cert);
	return ok;
}

static void fill_info(struct pf_smtp *s)
{
	struct pf_smtp_tls_info *t = &s->tls;
	X509 *leaf = SSL_get0_peer_certificate(s->ssl);
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(s->ssl);

	t->verify_result = SSL_get_verify_result(s->ssl);
	snprintf(t->verify_text, sizeof(t->verify_text), "%s",
		 X509_verify_cert_error_string(t->verify_result));
	snprintf(t->version, sizeof(t->version), "%s",
		 SSL_get_version(s->ssl));
	snprintf(t->cipher, sizeof(t->cipher), "%s",
		 SSL_get_cipher_name(s->ssl));
	t->chain_len = chain ? (unsigned)sk_X509_num(chain) : 0;
	if (leaf != NULL)
		leaf_info(t, leaf);
}

/* ---- the handshake ---- */

static bool ip_literal(const char *host)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, host, buf) == 1 ||
	       inet_pton(AF_INET6, host, buf) == 1;
}

/* The OpenSSL error queue's first entry, for one-line messages. */
static const char *ssl_err(void)
{
	static _Thread_local char buf[160];
	unsigned long e = ERR_get_error();

	if (e == 0)
		return "connection closed during the handshake";
	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return buf;
}

static int make_ssl(struct pf_smtp *s)
{
	const char *host = s->server.host;
	BIO *bio;

	s->ctx = SSL_CTX_new(TLS_client_method());
	if (s->ctx == NULL)
		return smtp_dead(s, PF_SMTP_E_TLS, "TLS: %s", ssl_err());
	SSL_CTX_set_min_proto_version(s->ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(s->ctx, SSL_VERIFY_PEER, verify_cb);
	if (s->opts.ca_file != NULL) {
		if (SSL_CTX_load_verify_locations(s->ctx, s->opts.ca_file,
						  NULL) != 1)
			return smtp_dead(s, PF_SMTP_E_TLS, "cannot load CA "
					 "file %s", s->opts.ca_file);
	} else if (SSL_CTX_set_default_verify_paths(s->ctx) != 1) {
		return smtp_dead(s, PF_SMTP_E_TLS, "cannot load the system "
				 "CA store");
	}
	s->ssl = SSL_new(s->ctx);
	if (s->ssl == NULL)
		return smtp_dead(s, PF_SMTP_E_TLS, "TLS: %s", ssl_err());
	SSL_set_app_data(s->ssl, s);
	if (ip_literal(host)) {
		if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(s->ssl),
						  host) != 1)
			return smtp_dead(s, PF_SMTP_E_TLS, "bad IP literal");
	} else if (SSL_set_tlsext_host_name(s->ssl, host) != 1 ||
		   SSL_set1_host(s->ssl, host) != 1) {
		return smtp_dead(s, PF_SMTP_E_TLS, "TLS: cannot set host "
				 "name: %s", ssl_err());
	}
	/* RFC 6125 6.4.3: "*" only as a whole left-most label */
	SSL_set_hostflags(s->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	bio = nosig_bio(s->fd);
	if (bio == NULL)
		return smtp_dead(s, PF_SMTP_E_TLS, "TLS: no BIO");
	SSL_set_bio(s->ssl, bio, bio);
	return 0;
}

static int handshake_failed(struct pf_smtp *s)
{
	fill_info(s);
	if (s->tls.verify_result != X509_V_OK)
		return smtp_dead(s, PF_SMTP_E_TLS, "TLS: certificate "
				 "verification failed for %s: %s",
				 s->server.host, s->tls.verify_text);
	return smtp_dead(s, PF_SMTP_E_TLS, "TLS handshake with %s failed: "
			 "%s", s->server.host, ssl_err());
}

int smtp_tls_start(struct pf_smtp *s, uint64_t deadline)
{
	int rc = make_ssl(s);

	if (rc < 0)
		return rc;
	ERR_clear_error();
	for (;;) {
		int r = SSL_connect(s->ssl), e;

		if (r == 1)
			break;
		e = SSL_get_error(s->ssl, r);
		if (e == SSL_ERROR_WANT_READ)
			rc = smtp_conn_wait(s, POLLIN, deadline);
		else if (e == SSL_ERROR_WANT_WRITE)
			rc = smtp_conn_wait(s, POLLOUT, deadline);
		else
			return handshake_failed(s);
		if (rc < 0)
			return rc;
	}
	fill_info(s);
	s->tls.active = true;
	if (s->opts.trace)
		fprintf(s->opts.trace, "-- TLS: %s, %s, verified %s\n",
			s->tls.version, s->tls.cipher, s->server.host);
	return 0;
}

void smtp_tls_free(struct pf_smtp *s)
{
	if (s->ssl != NULL)
		SSL_free(s->ssl);
	if (s->ctx != NULL)
		SSL_CTX_free(s->ctx);
	s->ssl = NULL;
	s->ctx = NULL;
}

/* After SSL_read/SSL_write returned R <= 0. */
static int io_error(struct pf_smtp *s, int r, short *want)
{
	int e = SSL_get_error(s->ssl, r);

	if (e == SSL_ERROR_WANT_READ) {
		*want = POLLIN;
		return 0;
	}
	if (e == SSL_ERROR_WANT_WRITE) {
		*want = POLLOUT;
		return 0;
	}
	/* a peer that closes without close_notify is OpenSSL 3's
	 * "unexpected eof"; for SMTP (replies are self-delimiting) it is
	 * just a closed connection */
	if (e == SSL_ERROR_ZERO_RETURN ||
	    (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) ||
	    ERR_GET_REASON(ERR_peek_error()) ==
	    SSL_R_UNEXPECTED_EOF_WHILE_READING) {
		ERR_clear_error();
		return smtp_dead(s, PF_SMTP_E_NET, "%s closed the connection",
				 s->server.host);
	}
	return smtp_dead(s, PF_SMTP_E_NET, "TLS: %s", ssl_err());
}

int smtp_tls_read(struct pf_smtp *s, void *buf, size_t cb, short *want)
{
	size_t n = 0;
	int r;

	ERR_clear_error();
	r = SSL_read_ex(s->ssl, buf, cb, &n);
	if (r == 1)
		return (int)n;
	return io_error(s, r, want);
}

int smtp_tls_write(struct pf_smtp *s, const void *buf, size_t cb,
		   short *want)
{
	size_t n = 0;
	int r;

	ERR_clear_error();
	r = SSL_write_ex(s->ssl, buf, cb, &n);
	if (r == 1)
		return (int)n;
	return io_error(s, r, want);
}
