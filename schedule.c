/*
 * schedule: parsing and printing of DURATIONs, signals and schedules for
 * gracekill.  Pure functions: no I/O, no exits.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "schedule.h"

#ifndef nitems
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#define KILL_WAIT_NS	(5 * NSEC)	/* a trailing signal's wait */

struct signame {
	const char	*name;
	int		 signo;
};

/* Canonical names in signal order, then the aliases. */
static const struct signame signames[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
	{ "ILL", SIGILL }, { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
	{ "BUS", SIGBUS }, { "FPE", SIGFPE }, { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
	{ "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT },
	{ "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
	{ "TTOU", SIGTTOU }, { "URG", SIGURG }, { "XCPU", SIGXCPU },
	{ "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
	{ "WINCH", SIGWINCH }, { "IO", SIGIO }, { "PWR", SIGPWR },
	{ "SYS", SIGSYS }, { "IOT", SIGIOT }, { "CLD", SIGCHLD },
	{ "POLL", SIGPOLL }
};

/* Whether text is one or more decimal digits and nothing else. */
bool
is_decimal(const char *text)
{
	if (*text == '\0')
		return false;
	for (; *text != '\0'; text++)
		if (!isdigit((unsigned char)*text))
			return false;
	return true;
}

/*
 * Parse a DURATION, digits with an optional fraction and unit ms, s, m or h
 * (seconds without one), or "infinity" (DURATION_INFINITE), into *ns.
 * Returns 0, or -1 for anything else, too large a finite value included.
 */
int
parse_duration(const char *text, int64_t *ns)
{
	static const struct { const char *unit; int64_t ns; } units[] = {
		{ "", NSEC }, { "s", NSEC }, { "ms", MSEC },
		{ "m", 60 * NSEC }, { "h", 3600 * NSEC }
	};
	const char *p = text;
	int64_t whole = 0, frac = 0, scale = 1, unit = -1;

	if (strcmp(text, "infinity") == 0) {
		*ns = DURATION_INFINITE;
		return 0;
	}
	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (whole > (INT64_MAX - 9) / 10)
			return -1;
		whole = whole * 10 + (*p - '0');
	}
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return -1;
		for (; isdigit((unsigned char)*p); p++)
			if (scale < NSEC) {
				frac = frac * 10 + (*p - '0');
				scale *= 10;
			}
	}
	for (size_t i = 0; i < nitems(units); i++)
		if (strcmp(p, units[i].unit) == 0)
			unit = units[i].ns;
	if (unit == -1 || whole > INT64_MAX / unit)
		return -1;
	/* frac / scale of a unit, without overflow: every unit is in ms. */
	frac *= unit / MSEC;
	frac = frac / scale * MSEC + frac % scale * MSEC / scale;
	/* The largest value is taken for "infinity": keep it apart. */
	if (whole * unit >= INT64_MAX - frac)
		return -1;
	*ns = whole * unit + frac;
	return 0;
}

/* Parse N of RTMIN+N or RTMAX-N; -1 when out of range. */
static int
parse_rt_offset(const char *text)
{
	int n = 0;

	if (!is_decimal(text))
		return -1;
	for (; *text != '\0'; text++)
		if ((n = n * 10 + (*text - '0')) > SIGRTMAX - SIGRTMIN)
			return -1;
	return n;
}

/* A real-time signal, RTMIN[+N] or RTMAX[-N], or -1. */
static int
parse_rt_signal(const char *text)
{
	int n = 0;

	if (strncasecmp(text, "RTMIN", 5) == 0 &&
	    (text[5] == '\0' || text[5] == '+')) {
		if (text[5] != '\0' && (n = parse_rt_offset(text + 6)) < 0)
			return -1;
		return SIGRTMIN + n;
	}
	if (strncasecmp(text, "RTMAX", 5) == 0 &&
	    (text[5] == '\0' || text[5] == '-')) {
		if (text[5] != '\0' && (n = parse_rt_offset(text + 6)) < 0)
			return -1;
		return SIGRTMAX - n;
	}
	return -1;
}

/* *signo from [SIG]NAME in any case, a number, RTMIN+N or RTMAX-N; 0 or -1. */
int
parse_signal(const char *text, int *signo)
{
	int n = 0;

	if (is_decimal(text)) {
		for (; *text != '\0'; text++)
			if ((n = n * 10 + (*text - '0')) > SIGRTMAX)
				return -1;
		if (n > SIGSYS && n < SIGRTMIN)
			return -1;
		*signo = n;
		return 0;
	}
	if (strncasecmp(text, "SIG", 3) == 0)
		text += 3;
	for (size_t i = 0; i < nitems(signames); i++)
		if (strcasecmp(text, signames[i].name) == 0) {
			*signo = signames[i].signo;
			return 0;
		}
	if ((n = parse_rt_signal(text)) == -1)
		return -1;
	*signo = n;
	return 0;
}

/* The name of signo without SIG, e.g. "TERM", "RTMIN+1"; static storage. */
const char *
signal_name(int signo)
{
	static char buf[16];

	for (size_t i = 0; i < nitems(signames); i++)
		if (signames[i].signo == signo)
			return signames[i].name;
	if (signo == SIGRTMIN)
		return "RTMIN";
	if (signo == SIGRTMAX)
		return "RTMAX";
	if (signo > SIGRTMIN && signo <= (SIGRTMIN + SIGRTMAX) / 2)
		snprintf(buf, sizeof(buf), "RTMIN+%d", signo - SIGRTMIN);
	else if (signo > SIGRTMIN && signo < SIGRTMAX)
		snprintf(buf, sizeof(buf), "RTMAX-%d", SIGRTMAX - signo);
	else
		snprintf(buf, sizeof(buf), "%d", signo);
	return buf;
}

/*
 * The i-th name of the named (not real-time) signals, canonical before its
 * aliases, with its number in *signo; NULL past the end.
 */
const char *
signal_alias(size_t i, int *signo)
{
	if (i >= nitems(signames))
		return NULL;
	*signo = signames[i].signo;
	return signames[i].name;
}

static int
schedule_add(struct schedule *sched, int signo, int64_t wait_ns)
{
	struct step *steps;

	steps = reallocarray(sched->steps, sched->nsteps + 1, sizeof(*steps));
	if (steps == NULL)
		return -1;
	sched->steps = steps;
	steps[sched->nsteps].signo = signo;
	steps[sched->nsteps].wait_ns = wait_ns;
	sched->nsteps++;
	return 0;
}

void
schedule_free(struct schedule *sched)
{
	free(sched->steps);
	sched->steps = NULL;
	sched->nsteps = sched->repeat_from = 0;
}

/*
 * The schedule SIG/TIMEOUT, then KILL/KILLWAIT if escalate and SIG is
 * not KILL.  Returns 0, or -1 with errno ENOMEM.
 */
int
schedule_simple(struct schedule *sched, int signo, int64_t timeout_ns,
    bool escalate, int64_t killwait_ns)
{
	memset(sched, 0, sizeof(*sched));
	if (schedule_add(sched, signo, timeout_ns) == -1 ||
	    (escalate && signo != SIGKILL &&
	    schedule_add(sched, SIGKILL, killwait_ns) == -1)) {
		schedule_free(sched);
		return -1;
	}
	sched->repeat_from = sched->nsteps;
	return 0;
}

static int
schedule_fail(char *why, size_t whylen, const char *reason, const char *part)
{
	snprintf(why, whylen, "%s: '%s'", reason, part);
	return -1;
}

/* One part of a schedule: a signal, a duration or "forever". */
static int
schedule_part(struct schedule *sched, const char *part, bool *want_signal,
    bool *forever, int *signo, char *why, size_t whylen)
{
	int64_t ns;

	if (*part == '\0')
		return schedule_fail(why, whylen, "empty step", part);
	if (*want_signal && strcmp(part, "forever") == 0) {
		if (*forever)
			return schedule_fail(why, whylen,
			    "forever given twice", part);
		*forever = true;
		sched->repeat_from = sched->nsteps;
		return 0;
	}
	if (*want_signal) {
		*want_signal = false;
		if (parse_signal(part[0] == '-' ? part + 1 : part, signo) == 0)
			return 0;
		return schedule_fail(why, whylen, parse_duration(part, &ns) ==
		    0 ? "missing signal" : "unknown signal", part);
	}
	*want_signal = true;
	if (parse_duration(part, &ns) == -1)
		return schedule_fail(why, whylen, "invalid duration", part);
	if (schedule_add(sched, *signo, ns) == -1)
		return schedule_fail(why, whylen, strerror(errno), part);
	return 0;
}

/*
 * Parse a start-stop-daemon schedule SIG/DUR/SIG/DUR...: a lone DURATION is
 * TERM/DUR/KILL/5s, a last signal waits 5 s, and "forever" repeats the rest.
 * Returns 0, or -1 with sched empty and why the reason and the bad part.
 */
int
parse_schedule(const char *text, struct schedule *sched, char *why,
    size_t whylen)
{
	const char *p = text, *slash;
	char *part;
	int64_t ns;
	int signo = 0, r = 0;
	bool want_signal = true, forever = false;
	size_t len;

	memset(sched, 0, sizeof(*sched));
	if (strchr(text, '/') == NULL && parse_duration(text, &ns) == 0)
		return schedule_simple(sched, SIGTERM, ns, true,
		    KILL_WAIT_NS) == 0 ? 0 : schedule_fail(why, whylen,
		    strerror(errno), text);
	if ((part = malloc(strlen(text) + 1)) == NULL)
		return schedule_fail(why, whylen, strerror(errno), text);
	do {
		slash = strchr(p, '/');
		len = slash != NULL ? (size_t)(slash - p) : strlen(p);
		memcpy(part, p, len);
		part[len] = '\0';
		r = schedule_part(sched, part, &want_signal, &forever, &signo,
		    why, whylen);
		p += len + 1;
	} while (r == 0 && slash != NULL);
	free(part);
	if (r == 0 && !want_signal)
		r = schedule_add(sched, signo, KILL_WAIT_NS) == -1 ?
		    schedule_fail(why, whylen, strerror(errno), text) : 0;
	if (r == 0 && !forever)
		sched->repeat_from = sched->nsteps;
	else if (r == 0 && sched->repeat_from == sched->nsteps)
		r = schedule_fail(why, whylen,
		    "nothing to repeat after forever", "forever");
	if (r != 0)
		schedule_free(sched);
	return r;
}

/* A DURATION as the user could have written it: 5s, 250ms, 1.5s. */
void
format_duration(char *buf, size_t size, int64_t ns)
{
	int n;

	if (ns == DURATION_INFINITE)
		snprintf(buf, size, "infinity");
	else if (ns % NSEC == 0)
		snprintf(buf, size, "%llds", (long long)(ns / NSEC));
	else if (ns % MSEC == 0 && ns < NSEC)
		snprintf(buf, size, "%lldms", (long long)(ns / MSEC));
	else {
		n = snprintf(buf, size, "%lld.%09lld", (long long)(ns / NSEC),
		    (long long)(ns % NSEC));
		while (n > 0 && (size_t)n < size && buf[n - 1] == '0')
			buf[--n] = '\0';
		if (n >= 0 && (size_t)n + 1 < size)
			memcpy(buf + n, "s", 2);
	}
}

/* sched as a user writes it, truncated: TERM/10s/KILL/5s, forever/TERM/1s. */
void
format_schedule(char *buf, size_t size, const struct schedule *sched)
{
	char dur[32];
	size_t len = 0;
	int n;

	if (size == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < sched->nsteps && len < size; i++) {
		format_duration(dur, sizeof(dur), sched->steps[i].wait_ns);
		n = snprintf(buf + len, size - len, "%s%s%s/%s",
		    i > 0 ? "/" : "", i == sched->repeat_from ? "forever/" : "",
		    signal_name(sched->steps[i].signo), dur);
		if (n < 0)
			return;
		len += (size_t)n;
	}
}
