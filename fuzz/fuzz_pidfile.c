/*
 * libFuzzer harness for procscan_parse_pidfile(): no crash, and the result
 * agrees with a straightforward reading of SPEC "Pidfiles": optional blanks
 * (space, tab), decimal digits, optional blanks (space, tab, CR), then a
 * newline or the end; a PID in 2..pid_max.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../procscan.h"

static int
reference(const unsigned char *b, size_t len, long pid_max, long *pid)
{
	size_t i = 0, start;
	unsigned long long v = 0;
	int big = 0;

	if (len == 0)
		return PIDFILE_EMPTY;
	while (i < len && (b[i] == ' ' || b[i] == '\t'))
		i++;
	start = i;
	while (i < len && b[i] >= '0' && b[i] <= '9') {
		if (v > 100000000000ULL)
			big = 1;
		else
			v = v * 10 + (b[i] - '0');
		i++;
	}
	if (i == start)
		return PIDFILE_MALFORMED;
	while (i < len && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r'))
		i++;
	if (i < len && b[i] != '\n')
		return PIDFILE_MALFORMED;
	if (big || v < 2 || v > (unsigned long long)pid_max)
		return PIDFILE_RANGE;
	*pid = (long)v;
	return PIDFILE_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long maxes[] = { 32768, 4194304, 2, 99999, 2147483647 };
	long pid_max, want_pid = -1;
	pid_t pid = -1;
	char *buf;
	int r, want;

	if (size < 1)
		return 0;
	pid_max = maxes[data[0] % (sizeof(maxes) / sizeof(maxes[0]))];
	data++;
	size--;
	/* An exact-size copy, not NUL-terminated: ASan sees any over-read. */
	if ((buf = malloc(size ? size : 1)) == NULL)
		abort();
	memcpy(buf, data, size);
	r = procscan_parse_pidfile(buf, size, pid_max, &pid);
	want = reference(data, size, pid_max, &want_pid);
	if (r != want || (r == PIDFILE_OK && pid != want_pid)) {
		fprintf(stderr, "pidfile parser: got %d (pid %ld), expected %d "
		    "(pid %ld), pid_max %ld\n", r, (long)pid, want,
		    want_pid, pid_max);
		abort();
	}
	free(buf);
	return 0;
}
