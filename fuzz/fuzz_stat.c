/*
 * libFuzzer harness for procscan_parse_stat(): no crash or over-read on any
 * text, only 0 or -1, and on success a sane result: a positive PID, a
 * NUL-terminated comm that is the text between the first '(' and the last
 * ')', and the state the character after ") ".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../procscan.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct procinfo pi;
	const char *open, *close;
	size_t n;
	char *buf;
	int r;

	if ((buf = malloc(size ? size : 1)) == NULL)
		abort();
	memcpy(buf, data, size);
	r = procscan_parse_stat(buf, size, &pi);
	if (r != 0 && r != -1)
		abort();
	if (r == 0) {
		if (pi.pid <= 0 || memchr(pi.comm, '\0', sizeof(pi.comm)) ==
		    NULL)
			abort();
		open = memchr(buf, '(', size);
		for (close = buf + size - 1; close > open && *close != ')';
		    close--)
			;
		if (open == NULL || close <= open)
			abort();
		n = (size_t)(close - open - 1);
		if (n >= sizeof(pi.comm))
			n = sizeof(pi.comm) - 1;
		if (strlen(pi.comm) > n || memcmp(pi.comm, open + 1,
		    strlen(pi.comm)) != 0 || pi.state != close[2]) {
			fprintf(stderr, "stat parser: comm '%s' state '%c'\n",
			    pi.comm, pi.state);
			abort();
		}
	}
	free(buf);
	return 0;
}
