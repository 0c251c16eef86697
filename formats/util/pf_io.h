/*
 * pf_io.h - whole writes to a file descriptor.
 *
 * Contract: pf_write_all() writes all N bytes of BUF to FD, retrying short
 * writes and EINTR.  Returns 0, or -1 with errno set by the failing write
 * (0 from write() is reported as EIO).  It sets no error message: each
 * caller knows what the descriptor is (a spool file, a pipe, an export)
 * and says so.
 */
#ifndef PF_IO_H
#define PF_IO_H

#include <stddef.h>

int pf_write_all(int fd, const void *buf, size_t n);

#endif
