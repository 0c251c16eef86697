/*
 * pf_err.c - the per-thread error message behind pf_err.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pf_err.h"

static _Thread_local char last_msg[512];

int pf_error_set(int code, const char *fmt, ...)
{
	char msg[sizeof(last_msg)];
	va_list ap;

	/* formatted aside first: a caller may pass pf_error_msg() itself
	 * ("%s; %s", why, pf_error_msg()), and vsnprintf into the buffer
	 * it reads from is undefined (it garbled such messages) */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memcpy(last_msg, msg, sizeof(last_msg));
	return code;
}

const char *pf_error_msg(void)
{
	return last_msg;
}

const char *pf_error_name(int code)
{
	switch (code) {
	case PF_OK:            return "success";
	case PF_E_IO:          return "I/O error";
	case PF_E_NOMEM:       return "out of memory";
	case PF_E_NOTPST:      return "not a PST/OST file";
	case PF_E_UNSUPPORTED: return "unsupported variant";
	case PF_E_CORRUPT:     return "damaged structure";
	case PF_E_NOTFOUND:    return "not found";
	case PF_E_LIMIT:       return "limit exceeded";
	case PF_E_USAGE:       return "usage error";
	}
	return "unknown error";
}
