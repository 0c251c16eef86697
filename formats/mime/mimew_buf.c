/*
 * mimew_buf.c - the writer's output buffer: grows by doubling, keeps a NUL
 * after the bytes, and remembers its first failure (PF_E_NOMEM, or
 * PF_E_LIMIT past PF_MIMEW_MAX_OUT) so that a whole message is built
 * without a test after each append and checked once at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mimew_int.h"

int pmw_fail(struct pf_mimew_buf *b, int code)
{
	if (b->err == 0)
		b->err = code;
	return b->err;
}

static bool reserve(struct pf_mimew_buf *b, size_t more)
{
	size_t want, ncap;
	char *np;

	if (b->err)
		return false;
	if (more > PF_MIMEW_MAX_OUT - b->n) {
		pmw_fail(b, pf_error_set(PF_E_LIMIT, "rendered message "
					 "larger than %zu bytes",
					 PF_MIMEW_MAX_OUT));
		return false;
	}
	want = b->n + more + 1;
	if (want <= b->cap)
		return true;
	ncap = b->cap ? b->cap : 4096;
	while (ncap < want)
		ncap *= 2;
	np = realloc(b->p, ncap);
	if (!np) {
		pmw_fail(b, pf_error_set(PF_E_NOMEM, "out of memory"));
		return false;
	}
	b->p = np;
	b->cap = ncap;
	return true;
}

void pmw_put(struct pf_mimew_buf *b, const void *p, size_t n)
{
	if (n == 0 || !reserve(b, n))
		return;
	memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = '\0';
}

char *pmw_room(struct pf_mimew_buf *b, size_t n)
{
	char *at;

	if (!reserve(b, n))
		return NULL;
	at = b->p + b->n;
	b->n += n;
	b->p[b->n] = '\0';
	return at;
}

void pmw_puts(struct pf_mimew_buf *b, const char *s)
{
	pmw_put(b, s, strlen(s));
}

void pmw_putc(struct pf_mimew_buf *b, char ch)
{
	pmw_put(b, &ch, 1);
}

void pmw_printf(struct pf_mimew_buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		pmw_fail(b, pf_error_set(PF_E_USAGE, "bad format"));
		return;
	}
	if ((size_t)n < sizeof(small)) {
		pmw_put(b, small, (size_t)n);
		return;
	}
	if (!reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->n += (size_t)n;
}

void pf_mimew_buf_free(struct pf_mimew_buf *b)
{
	if (!b)
		return;
	free(b->p);
	memset(b, 0, sizeof(*b));
}
