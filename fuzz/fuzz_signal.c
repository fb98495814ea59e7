/*
 * libFuzzer harness for parse_signal() in schedule.c.  No crash; an
 * accepted signal is 0, a standard signal or a real-time one; a number is
 * accepted exactly when it is such a signal; and a signal's name as
 * gracekill prints it (signal_name) parses back to the same signal.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../schedule.h"

static int
valid_signo(long n)
{
	return n == 0 || (n >= 1 && n <= SIGSYS) ||
	    (n >= SIGRTMIN && n <= SIGRTMAX);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *name;
	char *text;
	int r, signo = -1, back = -1;

	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	r = parse_signal(text, &signo);
	if (r != 0 && r != -1)
		abort();
	if (r == 0 && !valid_signo(signo)) {
		fprintf(stderr, "parse_signal(\"%s\") = %d\n", text, signo);
		abort();
	}
	if (size > 0 && size < 12 && is_decimal(text)) {
		char *end;
		long n = strtol(text, &end, 10);

		if ((r == 0) != valid_signo(n) || (r == 0 && signo != n)) {
			fprintf(stderr, "parse_signal(\"%s\"): %d, %d\n", text,
			    r, signo);
			abort();
		}
	}
	if (r == 0 && signo != 0) {
		name = signal_name(signo);
		if (parse_signal(name, &back) != 0 || back != signo) {
			fprintf(stderr, "parse_signal(\"%s\") = %d, but "
			    "signal_name(%d) = \"%s\" parses to %d\n", text,
			    signo, signo, name, back);
			abort();
		}
	}
	free(text);
	return 0;
}
