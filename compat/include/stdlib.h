/*
 * stdlib.h overlay for the static musl build (make static): musl's own
 * header plus the libbsd functions gracekill uses, from compat.c.
 */
#ifndef GK_COMPAT_STDLIB_H
#define GK_COMPAT_STDLIB_H

#include_next <stdlib.h>

long long	strtonum(const char *, long long, long long, const char **);
const char	*getprogname(void);

#endif
