/*
 * libFuzzer harness for parse_duration() in schedule.c.  No crash, and the result agrees
 * with a reference written from SPEC: DIGITS[.DIGITS][ms|s|m|h] or
 * "infinity"; fractions finer than a nanosecond are dropped; anything
 * else, or a value of INT64_MAX nanoseconds or more (INT64_MAX stands for
 * "infinity"), is rejected.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../schedule.h"

static int
reference(const char *t, int64_t *ns)
{
	static const struct { const char *u; __int128 ns; } units[] = {
		{ "", NSEC }, { "s", NSEC }, { "ms", MSEC },
		{ "m", 60 * NSEC }, { "h", 3600 * NSEC }
	};
	__int128 whole = 0, frac = 0, scale = 1, unit = -1, v;
	const char *p = t;
	int digits = 0;

	if (strcmp(t, "infinity") == 0) {
		*ns = DURATION_INFINITE;
		return 0;
	}
	while (*p >= '0' && *p <= '9') {
		if (whole <= (__int128)INT64_MAX)
			whole = whole * 10 + (*p - '0');
		p++, digits++;
	}
	if (digits == 0)
		return -1;
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return -1;
		for (digits = 0; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 9) {
				frac = frac * 10 + (*p - '0');
				scale *= 10;
			}
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(p, units[i].u) == 0)
			unit = units[i].ns;
	if (unit == -1)
		return -1;
	v = whole * unit + frac * unit / scale;
	if (v >= INT64_MAX)
		return -1;
	*ns = (int64_t)v;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t ns = -2, want_ns = -2;
	char *text;
	int r, want;

	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	r = parse_duration(text, &ns);
	want = reference(text, &want_ns);
	if (r != want || (r == 0 && ns != want_ns)) {
		fprintf(stderr, "parse_duration(\"%s\"): got %d (%lld ns), "
		    "expected %d (%lld ns)\n", text, r, (long long)ns, want,
		    (long long)want_ns);
		abort();
	}
	free(text);
	return 0;
}
