/*
 * compat: the libbsd functions gracekill uses that musl lacks, for the
 * static build only; the regular build takes them from libbsd.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

/* Fail strtonum() with errno set to error and *errstr to why, if asked. */
static long long
strtonum_fail(int error, const char *why, const char **errstr)
{
	errno = error;
	if (errstr != NULL)
		*errstr = why;
	return 0;
}

/*
 * As OpenBSD's strtonum(3): the value of the decimal text if it lies in
 * [minval, maxval], with *errstr NULL and errno kept; otherwise 0 with
 * *errstr "invalid" (errno EINVAL), "too small" or "too large" (ERANGE).
 */
long long
strtonum(const char *text, long long minval, long long maxval,
    const char **errstr)
{
	long long v;
	char *end;
	int saved = errno;

	if (minval > maxval)
		return strtonum_fail(EINVAL, "invalid", errstr);
	errno = 0;
	v = strtoll(text, &end, 10);
	if (end == text || *end != '\0')
		return strtonum_fail(EINVAL, "invalid", errstr);
	if ((v == LLONG_MIN && errno == ERANGE) || v < minval)
		return strtonum_fail(ERANGE, "too small", errstr);
	if ((v == LLONG_MAX && errno == ERANGE) || v > maxval)
		return strtonum_fail(ERANGE, "too large", errstr);
	errno = saved;
	if (errstr != NULL)
		*errstr = NULL;
	return v;
}

/* The last component of argv[0], which musl keeps as glibc does. */
const char *
getprogname(void)
{
	return program_invocation_short_name;
}
