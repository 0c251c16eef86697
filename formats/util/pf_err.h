/*
 * pf_err.h - operational errors (the first of the two trouble channels).
 *
 * Contract: functions return 0 on success or a negative PF_E_* code.  The
 * function that detects the error sets one message with pf_error_set(); the
 * callers propagate the code unchanged.  The message is per thread, so
 * `scan -j N` workers do not overwrite each other's text.
 *
 * Damage found in a file is NOT an error here: validators report it as a
 * fault (pf_fault.h) and keep going where they can.  PF_E_CORRUPT only means
 * "the structure you asked for cannot be read", for callers (ls, info,
 * export) that do not care why.
 */
#ifndef PF_ERR_H
#define PF_ERR_H

enum pf_error {
	PF_OK = 0,
	PF_E_IO = -1,          /* read/write/open failed (errno in message) */
	PF_E_NOMEM = -2,       /* allocation failed */
	PF_E_NOTPST = -3,      /* not a PST/OST file at all */
	PF_E_UNSUPPORTED = -4, /* a real variant we do not read (WIP, ...) */
	PF_E_CORRUPT = -5,     /* the requested structure is unreadable */
	PF_E_NOTFOUND = -6,    /* a key (nid, bid, property) is absent */
	PF_E_LIMIT = -7,       /* a size or count is past a sane bound */
	PF_E_USAGE = -8,       /* bad arguments from the caller */
};

#if defined(__GNUC__)
#define PF_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define PF_PRINTF(a, b)
#endif

/* Set the message for the current thread; returns code for `return
 * pf_error_set(PF_E_IO, "...")` one-liners. */
int pf_error_set(int code, const char *fmt, ...) PF_PRINTF(2, 3);

/* The last message set on this thread ("" if none). */
const char *pf_error_msg(void);

/* A short name for a code ("I/O error", "not a PST file", ...). */
const char *pf_error_name(int code);

#endif
