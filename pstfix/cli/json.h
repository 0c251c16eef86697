/*
 * json.h - a tiny streaming JSON writer (no dependency).
 *
 * Contract
 * - Writes straight to a FILE*; the caller owns the stream.  The writer
 *   inserts commas and colons itself: call pf_json_key() then one value
 *   inside an object, values alone inside an array.
 * - Strings are escaped completely: '"', '\\', every control character
 *   (U+0000-U+001F and U+007F), and every byte that does not start a valid
 *   UTF-8 sequence (overlong forms, surrogates and code points above
 *   U+10FFFF included) becomes \ufffd, so the output is always valid
 *   UTF-8 JSON whatever bytes a file name or a damaged file holds.
 * - Integers are written exactly (uint64/int64).  JSON readers that use
 *   doubles (JavaScript, jq) lose precision above 2^53, so pstfix writes
 *   offsets, identifiers and raw field values with pf_json_hex() as
 *   strings "0x7e00"; counts and sizes stay integers.
 * - Nesting is bounded (PF_JSON_MAX_DEPTH); going deeper, or closing more
 *   than was opened, is a programmer error (assert).
 * - pf_json_newline() ends one JSON Lines record.
 */
#ifndef PF_CLI_JSON_H
#define PF_CLI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PF_JSON_MAX_DEPTH 16

struct pf_json {
	FILE *out;
	unsigned depth;
	bool after_key;                        /* a value completes a pair */
	bool has_items[PF_JSON_MAX_DEPTH + 1]; /* needs a comma first */
};

void pf_json_init(struct pf_json *j, FILE *out);

void pf_json_object_begin(struct pf_json *j);
void pf_json_object_end(struct pf_json *j);
void pf_json_array_begin(struct pf_json *j);
void pf_json_array_end(struct pf_json *j);
void pf_json_newline(struct pf_json *j);

void pf_json_key(struct pf_json *j, const char *key);

void pf_json_str(struct pf_json *j, const char *s);     /* NULL: null */
void pf_json_strn(struct pf_json *j, const char *s, size_t n);
void pf_json_u64(struct pf_json *j, uint64_t v);
void pf_json_i64(struct pf_json *j, int64_t v);
void pf_json_hex(struct pf_json *j, uint64_t v);        /* "0x1f" */
void pf_json_bool(struct pf_json *j, bool v);
void pf_json_null(struct pf_json *j);
/* A fixed-point number with `decimals` digits (seconds); NaN/inf: null. */
void pf_json_fixed(struct pf_json *j, double v, int decimals);

/* key + value in one call, for the flat records pstfix writes. */
void pf_json_kv_str(struct pf_json *j, const char *key, const char *s);
void pf_json_kv_u64(struct pf_json *j, const char *key, uint64_t v);
void pf_json_kv_i64(struct pf_json *j, const char *key, int64_t v);
void pf_json_kv_hex(struct pf_json *j, const char *key, uint64_t v);
void pf_json_kv_bool(struct pf_json *j, const char *key, bool v);

#endif
