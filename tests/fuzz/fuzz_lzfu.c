/*
 * fuzz_lzfu.c - libFuzzer harness for formats/mime/pf_rtf.h: the input
 * through pf_lzfu_decode() strictly and with PF_RTF_IGNORE_CRC, then every
 * decoded RTF (and the input itself, as RTF) through pf_rtf_to_html() and
 * pf_rtf_to_text().  The contract is checked on each result: a NUL after
 * the counted bytes, the decompressed size within what the input can
 * encode, strict success implying salvage gives the same bytes, converted
 * text valid UTF-8 without NULs, HTML present only when pf_rtf_is_html().
 */
#include <stdlib.h>
#include <string.h>

#include "../../formats/mime/mime_int.h"
#include "../../formats/mime/pf_rtf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_conv(int rc, const char *s, size_t n)
{
	if (rc != 0) {
		if (s || n)
			abort();
		return;
	}
	if (!s || s[n] != '\0' || strlen(s) != n ||
	    !pfm_utf8_valid((const uint8_t *)s, n))
		abort();
}

static void convert(const uint8_t *rtf, size_t n)
{
	char *s;
	size_t cb;
	int rc;

	rc = pf_rtf_to_text(rtf, n, &s, &cb);
	check_conv(rc, s, cb);
	free(s);
	rc = pf_rtf_to_html(rtf, n, &s, &cb);
	check_conv(rc, s, cb);
	if ((rc == PF_E_NOTFOUND) == pf_rtf_is_html(rtf, n))
		abort();
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *strict = NULL, *salvage = NULL;
	size_t n_strict = 0, n_salvage = 0;
	int rc_strict, rc_salvage;

	rc_strict = pf_lzfu_decode(data, size, 0, &strict, &n_strict, NULL);
	rc_salvage = pf_lzfu_decode(data, size, PF_RTF_IGNORE_CRC, &salvage,
				    &n_salvage, NULL);
	if (rc_salvage == 0) {
		if (salvage[n_salvage] != 0 ||
		    (size >= 16 && n_salvage > ((size - 16) / 17 + 1) * 136))
			abort();
		convert(salvage, n_salvage);
	}
	if (rc_strict == 0 &&
	    (rc_salvage != 0 || n_strict != n_salvage ||
	     memcmp(strict, salvage, n_strict) != 0))
		abort();
	if (rc_strict != 0 && strict)
		abort();
	free(strict);
	free(salvage);
	convert(data, size);
	return 0;
}
