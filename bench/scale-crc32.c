/*
 * scale-crc32.c - the reference for bench/scale: zlib's crc32 over a whole
 * file read with read(2) in 1 MiB pieces.  A scan computes this CRC (MS-PST
 * 5.3) over every block's data, so this is the work a scan cannot avoid;
 * bench/scale prints the scan's speed as a fraction of it.
 *
 *   scale-crc32 FILE...   prints each CRC; exit 1 when a file does not read
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <zlib.h>

static int crc_file(const char *path)
{
	static unsigned char buf[1 << 20];
	uLong crc = crc32(0, Z_NULL, 0);
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		perror(path);
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		crc = crc32(crc, buf, (uInt)n);
	close(fd);
	if (n < 0) {
		perror(path);
		return 1;
	}
	printf("%08lx  %s\n", crc, path);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: scale-crc32 FILE...\n");
		return 1;
	}
	for (int i = 1; i < argc; i++)
		rc |= crc_file(argv[i]);
	return rc;
}
