/*
 * gracekill: find processes, signal them through pidfds, wait until each
 * exits or a deadline passes, escalate along a schedule, and report.
 */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/param.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "procscan.h"

#define VERSION		"0.1.0"
#ifndef nitems
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#define NSEC		1000000000LL
#define MSEC		1000000LL
#define INFINITE	(-1)		/* a DURATION without end */
#define LIVE_TICK_NS	(250 * MSEC)
#define RESCAN_NS	(250 * MSEC)
#define BACKOFF_MIN_NS	(1 * MSEC)
#define BACKOFF_MAX_NS	(50 * MSEC)
#define SIGFD_TAG	UINT64_MAX
#define FD_RESERVE	32		/* kept free for reading /proc */

/* What open_pidfd() returns instead of a pidfd. */
enum { GONE_PIDFD = -1, NO_PIDFD = -2, THREAD_PIDFD = -3 };

/* Linux 6.13+ pidfs interface; older headers lack it. */
#ifndef PIDFD_INFO_EXIT
#define PIDFD_INFO_EXIT	(1UL << 3)
#endif
struct gk_pidfd_info {
	uint64_t	mask;
	uint64_t	cgroupid;
	uint32_t	pid, tgid, ppid, ruid, rgid, euid, egid;
	uint32_t	suid, sgid, fsuid, fsgid;
	int32_t		exit_code;
};
#define GK_PIDFD_GET_INFO	_IOWR(0xFF, 11, struct gk_pidfd_info)

enum exitcode {
	EXIT_GONE = 0,
	EXIT_NOMATCH = 1,
	EXIT_SURVIVED = 2,
	EXIT_TROUBLE = 3,
	EXIT_USAGE = 64
};

enum outcome {
	OUT_PENDING,
	OUT_EXITED,
	OUT_KILLED,
	OUT_SURVIVED,
	OUT_VANISHED,
	OUT_DENIED,
	OUT_SKIPPED,
	OUT_SIGNALLED,
	OUT_MATCHED,
	OUT_COUNT
};

static const char *const outcome_names[OUT_COUNT] = {
	"pending", "exited", "killed", "survived", "vanished", "denied",
	"skipped", "signalled", "matched"
};

enum status_kind { STATUS_UNKNOWN, STATUS_CODE, STATUS_SIGNAL };
enum tree_mode { TREE_NONE, TREE_ALL, TREE_MIXED };
enum origin { ORIGIN_MATCH, ORIGIN_TREE, ORIGIN_EXPLICIT };

struct step {
	int		 signo;
	int64_t		 wait_ns;	/* or INFINITE */
};

struct schedule {
	struct step	*steps;
	size_t		 nsteps;
	size_t		 repeat_from;	/* after "forever"; nsteps if none */
};

struct target {
	struct procinfo	 pi;
	int		 pidfd;		/* -1: watched through /proc */
	enum outcome	 outcome;
	enum origin	 origin;
	bool		 alive;
	bool		 got_kill;
	bool		 started;	/* its first step began */
	enum status_kind status_kind;
	int		 status;
	int		*sigs;		/* signals sent, in order */
	size_t		 nsigs;
	int64_t		 first_ns;	/* when its first step began */
	int64_t		 end_ns;
	char		 reason[64];
	ssize_t		 pidfile;	/* index in ctl->pidfiles, or -1 */
};

/* All option and run state, in one place. */
struct control {
	struct schedule	 sched;
	const char	*schedule_text;
	int		 signo;
	int64_t		 timeout_ns;
	int64_t		 killwait_ns;
	bool		 signal_given, timeout_given, killwait_given;
	bool		 no_escalate, no_cont, no_wait, dry_run;
	bool		 json, quiet, verbose, oknodo, remove_pidfile;
	enum tree_mode	 tree;
	struct procmatch match;
	pid_t		*pids;
	size_t		 npids;
	struct pidfile	*pidfiles;
	size_t		 npidfiles;

	struct target	*targets;
	size_t		 ntargets, captargets;
	int32_t		*index;		/* PID hash: target index + 1 */
	size_t		 indexsize;
	pid_t		*ancestors;
	size_t		 nancestors;
	size_t		 nalive, nheld, nfallback;
	pid_t		 self;
	int		 epfd, sigfd;
	long		 pid_max;
	int64_t		 t0;
	int		 privileged;	/* CAP_SYS_PTRACE, -1 until asked */
	bool		 no_pidfd;	/* pidfd_open gave ENOSYS */
	bool		 no_pidfd_info;	/* PIDFD_GET_INFO unsupported */
	bool		 pidfd_exit_seen; /* it has given an exit status */
	size_t		*pending;	/* ended, status still unknown */
	size_t		 npending, cappending;
	bool		 raised_nofile;
	rlim_t		 nofile;	/* soft RLIMIT_NOFILE */
	size_t		 npidfds;
	bool		 trouble;
	bool		 interrupted;
	bool		 live;		/* a live line on the terminal */
	bool		 live_shown;
	size_t		 step;		/* index of the current step */
	bool		 signal_early;	/* signal each target once held */
	bool		 watching;	/* new pidfds go into epoll at once */
};

struct signame {
	const char	*name;
	int		 signo;
};

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

static const struct option longopts[] = {
	{ "pidfile",		required_argument,	NULL, 'F' },
	{ "full",		required_argument,	NULL, 'f' },
	{ "help",		no_argument,		NULL, 'h' },
	{ "json",		no_argument,		NULL, 'j' },
	{ "name",		required_argument,	NULL, 'n' },
	{ "oknodo",		no_argument,		NULL, 'o' },
	{ "parent",		required_argument,	NULL, 'P' },
	{ "pid",		required_argument,	NULL, 'p' },
	{ "quiet",		no_argument,		NULL, 'q' },
	{ "schedule",		required_argument,	NULL, 'S' },
	{ "signal",		required_argument,	NULL, 's' },
	{ "tree",		optional_argument,	NULL, 'T' },
	{ "timeout",		required_argument,	NULL, 't' },
	{ "user",		required_argument,	NULL, 'u' },
	{ "version",		no_argument,		NULL, 'V' },
	{ "verbose",		no_argument,		NULL, 'v' },
	{ "exe",		required_argument,	NULL, 'x' },
	{ "dry-run",		no_argument,		NULL, 'D' + 256 },
	{ "kill-wait",		required_argument,	NULL, 'K' + 256 },
	{ "no-cont",		no_argument,		NULL, 'C' + 256 },
	{ "no-escalate",	no_argument,		NULL, 'E' + 256 },
	{ "no-wait",		no_argument,		NULL, 'W' + 256 },
	{ "older",		required_argument,	NULL, 'O' + 256 },
	{ "remove-pidfile",	no_argument,		NULL, 'R' + 256 },
	{ NULL,			0,			NULL, 0 }
};

static const char usage_text[] =
    "usage: gracekill [-hjoqVv] [-F pidfile] [-f regex] [-n name] [-P ppid]"
    " [-p pid[,pid...]]\n"
    "       [-S schedule | -s signal -t timeout --kill-wait duration]"
    " [-T[mode]] [-u user]\n"
    "       [-x path] [--dry-run] [--no-cont] [--no-escalate] [--no-wait]"
    " [--older duration]\n"
    "       [--remove-pidfile] [pid | name ...]\n";

static void	usage(void) __attribute__((noreturn));

static void
usage(void)
{
	fputs(usage_text, stderr);
	exit(EXIT_USAGE);
}

static void	usage_error(const char *, ...)
		    __attribute__((noreturn, format(printf, 1, 2)));

static void
usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrx(EXIT_USAGE, fmt, ap);
	/* NOTREACHED */
	va_end(ap);
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		err(EXIT_TROUBLE, "clock_gettime");
	return (int64_t)ts.tv_sec * NSEC + ts.tv_nsec;
}

static void *
xreallocarray(void *p, size_t n, size_t size)
{
	if ((p = reallocarray(p, n, size)) == NULL)
		err(EXIT_TROUBLE, NULL);
	return p;
}

/* Whether text is one or more decimal digits and nothing else. */
static bool
all_digits(const char *text)
{
	if (*text == '\0')
		return false;
	for (; *text != '\0'; text++)
		if (!isdigit((unsigned char)*text))
			return false;
	return true;
}

/*
 * Parse a DURATION: digits with an optional fraction, then an optional
 * unit ms, s, m or h (seconds without one), or "infinity".  Stores
 * nanoseconds or INFINITE.  Returns 0, or -1 for anything else.
 */
static int
parse_duration(const char *text, int64_t *ns)
{
	static const struct { const char *unit; int64_t ns; } units[] = {
		{ "", NSEC }, { "s", NSEC }, { "ms", MSEC },
		{ "m", 60 * NSEC }, { "h", 3600 * NSEC }
	};
	const char *p = text;
	int64_t whole = 0, frac = 0, scale = 1, unit = -1;

	if (strcmp(text, "infinity") == 0) {
		*ns = INFINITE;
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
	if (whole * unit > INT64_MAX - frac)
		return -1;
	*ns = whole * unit + frac;
	return 0;
}

/* Parse N of RTMIN+N or RTMAX-N; -1 when out of range. */
static int
parse_rt_offset(const char *text)
{
	const char *errstr;
	long long n;

	if (!all_digits(text))
		return -1;
	n = strtonum(text, 0, SIGRTMAX - SIGRTMIN, &errstr);
	return errstr != NULL ? -1 : (int)n;
}

/*
 * Parse a SIGNAL: a name with or without SIG in any case, a number,
 * RTMIN+N, RTMAX-N, or 0.  Returns 0 with *signo set, or -1.
 */
static int
parse_signal(const char *text, int *signo)
{
	const char *errstr;
	int n;

	if (all_digits(text)) {
		n = (int)strtonum(text, 0, SIGRTMAX, &errstr);
		if (errstr != NULL || (n > SIGSYS && n < SIGRTMIN))
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
	if (strncasecmp(text, "RTMIN", 5) == 0 &&
	    (text[5] == '\0' || text[5] == '+')) {
		n = text[5] != '\0' ? parse_rt_offset(text + 6) : 0;
		if (n < 0)
			return -1;
		*signo = SIGRTMIN + n;
		return 0;
	}
	if (strncasecmp(text, "RTMAX", 5) == 0 &&
	    (text[5] == '\0' || text[5] == '-')) {
		n = text[5] != '\0' ? parse_rt_offset(text + 6) : 0;
		if (n < 0)
			return -1;
		*signo = SIGRTMAX - n;
		return 0;
	}
	return -1;
}

/* The name of signo without SIG, e.g. "TERM", "RTMIN+1"; static storage. */
static const char *
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

static void
schedule_add(struct schedule *sched, int signo, int64_t wait_ns)
{
	sched->steps = xreallocarray(sched->steps, sched->nsteps + 1,
	    sizeof(*sched->steps));
	sched->steps[sched->nsteps].signo = signo;
	sched->steps[sched->nsteps].wait_ns = wait_ns;
	sched->nsteps++;
}

static void
schedule_free(struct schedule *sched)
{
	free(sched->steps);
	sched->steps = NULL;
	sched->nsteps = sched->repeat_from = 0;
}

static int
schedule_fail(char *why, size_t whylen, const char *reason, const char *part)
{
	snprintf(why, whylen, "%s: '%s'", reason, part);
	return -1;
}

/*
 * Parse a start-stop-daemon style schedule SIG/DUR/SIG/DUR..., where a
 * plain DURATION means TERM/DUR/KILL/5s, a final signal without a
 * duration waits 5 s, and "forever" repeats the rest.  Returns 0, or -1
 * with the reason and the bad part in why.
 */
static int
parse_schedule(const char *text, struct schedule *sched, char *why,
    size_t whylen)
{
	char *copy, *rest, *token;
	int64_t ns;
	int signo = 0, r = 0;
	bool want_signal = true, forever = false;

	memset(sched, 0, sizeof(*sched));
	if (strchr(text, '/') == NULL && parse_duration(text, &ns) == 0) {
		schedule_add(sched, SIGTERM, ns);
		schedule_add(sched, SIGKILL, 5 * NSEC);
		sched->repeat_from = sched->nsteps;
		return 0;
	}
	if ((copy = strdup(text)) == NULL)
		err(EXIT_TROUBLE, NULL);
	rest = copy;
	while (r == 0 && (token = strsep(&rest, "/")) != NULL) {
		if (*token == '\0')
			r = schedule_fail(why, whylen, "empty step", token);
		else if (want_signal && strcmp(token, "forever") == 0) {
			if (forever)
				r = schedule_fail(why, whylen,
				    "forever given twice", token);
			forever = true;
			sched->repeat_from = sched->nsteps;
		} else if (want_signal) {
			if (parse_signal(token[0] == '-' ? token + 1 : token,
			    &signo) == -1)
				r = schedule_fail(why, whylen,
				    parse_duration(token, &ns) == 0 ?
				    "missing signal" : "unknown signal", token);
			want_signal = false;
		} else {
			if (parse_duration(token, &ns) == -1)
				r = schedule_fail(why, whylen,
				    "invalid duration", token);
			schedule_add(sched, signo, ns);
			want_signal = true;
		}
	}
	free(copy);
	if (r != 0)
		return r;
	if (!want_signal)
		schedule_add(sched, signo, 5 * NSEC);
	if (!forever)
		sched->repeat_from = sched->nsteps;
	else if (sched->repeat_from == sched->nsteps)
		return schedule_fail(why, whylen,
		    "nothing to repeat after forever", "forever");
	return 0;
}

static void
format_duration(char *buf, size_t size, int64_t ns)
{
	int n;

	if (ns == INFINITE)
		snprintf(buf, size, "infinity");
	else if (ns % NSEC == 0)
		snprintf(buf, size, "%llds", (long long)(ns / NSEC));
	else if (ns % MSEC == 0 && ns < NSEC)
		snprintf(buf, size, "%lldms", (long long)(ns / MSEC));
	else {
		/* 1.5s, not 1500000000ns: the fraction without its zeros. */
		n = snprintf(buf, size, "%lld.%09lld", (long long)(ns / NSEC),
		    (long long)(ns % NSEC));
		while (n > 0 && (size_t)n < size && buf[n - 1] == '0')
			buf[--n] = '\0';
		strlcat(buf, "s", size);
	}
}

/* Print the schedule as the user could have written it. */
static void
print_schedule(FILE *fp, const struct schedule *sched)
{
	char dur[32];

	for (size_t i = 0; i < sched->nsteps; i++) {
		if (i == sched->repeat_from)
			fputs(i ? "/forever" : "forever", fp);
		format_duration(dur, sizeof(dur), sched->steps[i].wait_ns);
		fprintf(fp, "%s%s/%s", i || i == sched->repeat_from ? "/" : "",
		    signal_name(sched->steps[i].signo), dur);
	}
}

static pid_t
parse_pid(const char *option, const char *text)
{
	const char *errstr = NULL;
	long long v = 0;

	if (all_digits(text))
		v = strtonum(text, 1, INT_MAX, &errstr);
	if (!all_digits(text) || errstr != NULL) {
		if (option != NULL)
			usage_error("%s: invalid PID: '%s'", option, text);
		usage_error("invalid PID: '%s'", text);
	}
	return (pid_t)v;
}

static void
add_pids(struct control *ctl, const char *list)
{
	char *copy, *p, *token;

	if ((copy = strdup(list)) == NULL)
		err(EXIT_TROUBLE, NULL);
	p = copy;
	do {
		token = strsep(&p, ",");
		ctl->pids = xreallocarray(ctl->pids, ctl->npids + 1,
		    sizeof(*ctl->pids));
		ctl->pids[ctl->npids++] = parse_pid("--pid", token);
	} while (p != NULL);
	free(copy);
}

static void
add_name(struct control *ctl, const char *name)
{
	struct procmatch *m = &ctl->match;

	if (*name == '\0')
		usage_error("--name: empty name: ''");
	m->names = xreallocarray(m->names, m->nnames + 1, sizeof(*m->names));
	m->names[m->nnames++] = name;
}

static void
add_exe(struct control *ctl, const char *path)
{
	struct procmatch *m = &ctl->match;
	char *real;

	if (*path == '\0')
		usage_error("--exe: empty path: ''");
	if ((real = realpath(path, NULL)) == NULL && (real = strdup(path)) ==
	    NULL)
		err(EXIT_TROUBLE, NULL);
	m->exes = xreallocarray(m->exes, m->nexes + 1, sizeof(*m->exes));
	m->exes[m->nexes++] = real;
}

static void
add_regex(struct control *ctl, const char *text)
{
	struct procmatch *m = &ctl->match;
	char msg[256];
	int r;

	m->regexes = xreallocarray(m->regexes, m->nregexes + 1,
	    sizeof(*m->regexes));
	if ((r = regcomp(&m->regexes[m->nregexes], text,
	    REG_EXTENDED | REG_NOSUB)) != 0) {
		regerror(r, &m->regexes[m->nregexes], msg, sizeof(msg));
		usage_error("--full: invalid regular expression: '%s': %s",
		    text, msg);
	}
	m->nregexes++;
}

static void
add_parent(struct control *ctl, const char *text)
{
	struct procmatch *m = &ctl->match;

	m->parents = xreallocarray(m->parents, m->nparents + 1,
	    sizeof(*m->parents));
	m->parents[m->nparents++] = parse_pid("--parent", text);
}

static void
add_user(struct control *ctl, const char *text)
{
	struct procmatch *m = &ctl->match;
	struct passwd *pw;
	const char *errstr = NULL;
	uid_t uid;

	if ((pw = getpwnam(text)) != NULL)
		uid = pw->pw_uid;
	else if (all_digits(text))
		uid = (uid_t)strtonum(text, 0, UINT32_MAX - 1, &errstr);
	else
		errstr = "unknown";
	if (errstr != NULL)
		usage_error("--user: unknown user: '%s'", text);
	m->uids = xreallocarray(m->uids, m->nuids + 1, sizeof(*m->uids));
	m->uids[m->nuids++] = uid;
}

static void
add_pidfile(struct control *ctl, const char *path)
{
	if (*path == '\0')
		usage_error("--pidfile: empty path: ''");
	ctl->pidfiles = xreallocarray(ctl->pidfiles, ctl->npidfiles + 1,
	    sizeof(*ctl->pidfiles));
	memset(&ctl->pidfiles[ctl->npidfiles], 0, sizeof(*ctl->pidfiles));
	ctl->pidfiles[ctl->npidfiles].path = path;
	ctl->pidfiles[ctl->npidfiles].dirfd = -1;
	ctl->npidfiles++;
}

static int64_t
duration_arg(const char *option, const char *text)
{
	int64_t ns;

	if (parse_duration(text, &ns) == -1)
		usage_error("%s: invalid duration: '%s'", option, text);
	return ns;
}

static void
parse_tree_mode(struct control *ctl, const char *mode)
{
	if (mode == NULL || strcmp(mode, "all") == 0)
		ctl->tree = TREE_ALL;
	else if (strcmp(mode, "mixed") == 0)
		ctl->tree = TREE_MIXED;
	else
		usage_error("--tree: invalid mode: '%s'", mode);
}

/* A positional argument of digits only is a PID, any other a NAME. */
static void
add_operands(struct control *ctl, int argc, char *argv[])
{
	for (int i = 0; i < argc; i++) {
		if (all_digits(argv[i])) {
			ctl->pids = xreallocarray(ctl->pids, ctl->npids + 1,
			    sizeof(*ctl->pids));
			ctl->pids[ctl->npids++] = parse_pid(NULL, argv[i]);
		} else
			add_name(ctl, argv[i]);
	}
}

/* Parse the command line into ctl; usage errors exit 64. */
static void
parse_args(struct control *ctl, int argc, char *argv[])
{
	int ch;

	argv[0] = (char *)getprogname();	/* getopt's messages name us */
	while ((ch = getopt_long(argc, argv, "F:f:hjn:oP:p:qS:s:T::t:u:Vvx:",
	    longopts, NULL)) != -1) {
		switch (ch) {
		case 'F':
			add_pidfile(ctl, optarg);
			break;
		case 'f':
			add_regex(ctl, optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(EXIT_GONE);
		case 'j':
			ctl->json = true;
			break;
		case 'n':
			add_name(ctl, optarg);
			break;
		case 'o':
			ctl->oknodo = true;
			break;
		case 'P':
			add_parent(ctl, optarg);
			break;
		case 'p':
			add_pids(ctl, optarg);
			break;
		case 'q':
			ctl->quiet = true;
			break;
		case 'S':
			ctl->schedule_text = optarg;
			break;
		case 's':
			if (parse_signal(optarg, &ctl->signo) == -1)
				usage_error("--signal: unknown signal: '%s'",
				    optarg);
			ctl->signal_given = true;
			break;
		case 'T':
			parse_tree_mode(ctl, optarg);
			break;
		case 't':
			ctl->timeout_ns = duration_arg("--timeout", optarg);
			ctl->timeout_given = true;
			break;
		case 'u':
			add_user(ctl, optarg);
			break;
		case 'V':
			puts("gracekill " VERSION);
			exit(EXIT_GONE);
		case 'v':
			ctl->verbose = true;
			break;
		case 'x':
			add_exe(ctl, optarg);
			break;
		case 'D' + 256:
			ctl->dry_run = true;
			break;
		case 'K' + 256:
			ctl->killwait_ns = duration_arg("--kill-wait", optarg);
			ctl->killwait_given = true;
			break;
		case 'C' + 256:
			ctl->no_cont = true;
			break;
		case 'E' + 256:
			ctl->no_escalate = true;
			break;
		case 'W' + 256:
			ctl->no_wait = true;
			break;
		case 'O' + 256:
			ctl->match.older_ns = duration_arg("--older", optarg);
			if (ctl->match.older_ns == INFINITE)
				ctl->match.older_ns = INT64_MAX;
			break;
		case 'R' + 256:
			ctl->remove_pidfile = true;
			break;
		default:
			usage();
		}
	}
	add_operands(ctl, argc - optind, argv + optind);
}

/* Check option combinations and build the schedule. */
static void
validate_args(struct control *ctl)
{
	struct procmatch *m = &ctl->match;
	size_t whylen;
	char *why;

	if (ctl->schedule_text != NULL) {
		if (ctl->signal_given || ctl->timeout_given ||
		    ctl->killwait_given)
			usage_error("--schedule cannot be combined with "
			    "--signal, --timeout or --kill-wait");
		if (ctl->no_escalate)
			usage_error("--no-escalate cannot be combined with "
			    "--schedule");
		/* Room to quote any part of the list, however long. */
		whylen = strlen(ctl->schedule_text) + 64;
		if ((why = malloc(whylen)) == NULL)
			err(EXIT_TROUBLE, NULL);
		if (parse_schedule(ctl->schedule_text, &ctl->sched, why,
		    whylen) == -1)
			usage_error("--schedule: %s in '%s'", why,
			    ctl->schedule_text);
		free(why);
	} else {
		schedule_add(&ctl->sched, ctl->signo, ctl->timeout_ns);
		if (!ctl->no_escalate && ctl->signo != SIGKILL)
			schedule_add(&ctl->sched, SIGKILL, ctl->killwait_ns);
		ctl->sched.repeat_from = ctl->sched.nsteps;
	}
	m->user_selects = m->nuids > 0 && m->nnames == 0 && m->nexes == 0 &&
	    m->nregexes == 0 && m->nparents == 0 && ctl->npids == 0 &&
	    ctl->npidfiles == 0;
	if (!procscan_selects(m) && ctl->npids == 0 && ctl->npidfiles == 0)
		usage_error("no process selected: give a PID, a NAME or a "
		    "selector option");
}

/* Seconds since gracekill started, for -v. */
static void	event(struct control *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	live_erase(struct control *);

static void
event(struct control *ctl, const char *fmt, ...)
{
	va_list ap;
	int64_t t;

	if (!ctl->verbose)
		return;
	live_erase(ctl);
	t = now_ns() - ctl->t0;
	fprintf(stderr, "%s: [+%lld.%03llds] ", getprogname(),
	    (long long)(t / NSEC), (long long)(t % NSEC / MSEC));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Length of the valid UTF-8 sequence at s, 0 if none. */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t c;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, c = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, c = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) ||
	    (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff) || (c >= 0x80 && c < 0xa0))
		return 0;
	return n;
}

/* Print s with control characters and invalid UTF-8 escaped C-style. */
static void
print_escaped(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	while (*p != '\0') {
		n = utf8_len(p);
		if (*p == '\\')
			fputs("\\\\", fp);
		else if (n == 0 || *p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\x%02x", *p);
		else {
			fwrite(p, 1, n, fp);
			p += n;
			continue;
		}
		p++;
	}
}

/* Print s as a JSON string; invalid UTF-8 becomes U+FFFD. */
static void
print_json_string(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	fputc('"', fp);
	while (*p != '\0') {
		n = utf8_len(p);
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\u%04x", *p);
		else if (n == 0)
			fputs("\\ufffd", fp);
		else {
			fwrite(p, 1, n, fp);
			p += n;
			continue;
		}
		p++;
	}
	fputc('"', fp);
}

static ssize_t
find_target(const struct control *ctl, pid_t pid)
{
	size_t mask = ctl->indexsize - 1, i;

	if (ctl->indexsize == 0)
		return -1;
	for (i = (size_t)pid * 2654435761U & mask; ctl->index[i] != 0;
	    i = (i + 1) & mask)
		if (ctl->targets[ctl->index[i] - 1].pi.pid == pid)
			return ctl->index[i] - 1;
	return -1;
}

static void
index_insert(struct control *ctl, size_t t)
{
	size_t mask = ctl->indexsize - 1, i;

	i = (size_t)ctl->targets[t].pi.pid * 2654435761U & mask;
	while (ctl->index[i] != 0)
		i = (i + 1) & mask;
	ctl->index[i] = (int32_t)(t + 1);
}

/* Append a target for pi; the PID index stays at most half full. */
static struct target *
new_target(struct control *ctl, const struct procinfo *pi, enum origin origin)
{
	struct target *t;

	if (ctl->ntargets == ctl->captargets) {
		ctl->captargets = ctl->captargets ? ctl->captargets * 2 : 16;
		ctl->targets = xreallocarray(ctl->targets, ctl->captargets,
		    sizeof(*ctl->targets));
	}
	if (ctl->ntargets * 2 >= ctl->indexsize) {
		free(ctl->index);
		ctl->indexsize = ctl->indexsize ? ctl->indexsize * 2 : 64;
		if ((ctl->index = calloc(ctl->indexsize,
		    sizeof(*ctl->index))) == NULL)
			err(EXIT_TROUBLE, NULL);
		for (size_t i = 0; i < ctl->ntargets; i++)
			index_insert(ctl, i);
	}
	t = &ctl->targets[ctl->ntargets];
	memset(t, 0, sizeof(*t));
	t->pi = *pi;
	t->pidfd = -1;
	t->origin = origin;
	t->pidfile = -1;
	index_insert(ctl, ctl->ntargets++);
	return t;
}

static void
skip_target(struct control *ctl, struct target *t, const char *reason)
{
	t->outcome = OUT_SKIPPED;
	strlcpy(t->reason, reason, sizeof(t->reason));
	if (t->origin == ORIGIN_EXPLICIT) {
		warnx("PID %d: refusing to signal: %s", (int)t->pi.pid, reason);
		ctl->trouble = true;
	} else
		event(ctl, "skipping %d (%s): %s", (int)t->pi.pid, t->pi.comm,
		    reason);
}

/* Why pi must never be a target, or NULL. */
static const char *
never_target(const struct control *ctl, const struct procinfo *pi)
{
	if (pi->pid == 1)
		return "init (PID 1)";
	if (pi->pid == ctl->self)
		return "gracekill itself";
	for (size_t i = 0; i < ctl->nancestors; i++)
		if (ctl->ancestors[i] == pi->pid)
			return "ancestor of gracekill";
	if (procscan_is_kthread(pi))
		return "kernel thread";
	return NULL;
}

/*
 * Whether pid names a thread rather than a process, as only a PID given
 * by hand can (readdir lists no threads); its process goes into buf.
 */
static bool
is_thread(pid_t pid, char *buf, size_t size)
{
	struct procstatus ps;

	if (procscan_read_status(pid, &ps) == -1 || ps.tgid == pid)
		return false;
	snprintf(buf, size, "thread of PID %d", (int)ps.tgid);
	return true;
}

static rlim_t
soft_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 1024;
	return rl.rlim_cur;
}

/* Raise the soft RLIMIT_NOFILE to the hard limit, once. */
static bool
raise_nofile(struct control *ctl)
{
	struct rlimit rl;

	if (ctl->raised_nofile)
		return false;
	ctl->raised_nofile = true;
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur >= rl.rlim_max)
		return false;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		return false;
	ctl->nofile = rl.rlim_cur;
	event(ctl, "raised the file descriptor limit to %llu",
	    (unsigned long long)rl.rlim_cur);
	return true;
}

/*
 * Whether a pidfd may be opened and still leave descriptors for reading
 * /proc and the pidfiles; raises RLIMIT_NOFILE when that helps.
 */
static bool
fd_available(struct control *ctl)
{
	size_t reserve = FD_RESERVE + ctl->npidfiles;

	if (ctl->npidfds + reserve < ctl->nofile)
		return true;
	return raise_nofile(ctl) && ctl->npidfds + reserve < ctl->nofile;
}

static void
close_pidfd(struct control *ctl, int *fd)
{
	if (*fd == -1)
		return;
	close(*fd);
	*fd = -1;
	ctl->npidfds--;
}

/*
 * Open a pidfd for pid.  Returns it, GONE_PIDFD, NO_PIDFD when it must
 * be watched through /proc instead (no pidfd support, or no descriptor
 * left even after raising RLIMIT_NOFILE), or THREAD_PIDFD when pid is a
 * thread, not a process.
 */
static int
open_pidfd(struct control *ctl, pid_t pid)
{
	int fd;

	while (!ctl->no_pidfd) {
		if (!fd_available(ctl)) {
			event(ctl, "using /proc polling for %d: no file "
			    "descriptor left for a pidfd", (int)pid);
			return NO_PIDFD;
		}
		if ((fd = (int)syscall(SYS_pidfd_open, pid, 0)) != -1) {
			ctl->npidfds++;
			return fd;
		}
		if (errno == ESRCH)
			return GONE_PIDFD;
		if (errno == EINVAL)
			return THREAD_PIDFD;
		if (errno == EMFILE && raise_nofile(ctl))
			continue;
		if (errno == ENOSYS) {
			ctl->no_pidfd = true;
			event(ctl, "pidfd_open: %s: using /proc polling for "
			    "every target", strerror(errno));
		} else
			event(ctl, "using /proc polling for %d: pidfd_open: %s",
			    (int)pid, strerror(errno));
		return NO_PIDFD;
	}
	return NO_PIDFD;
}

/*
 * Read /proc/PID/stat.  A failure other than "gone" (ESRCH) is trouble
 * and said so; errno is kept for the caller.
 */
static int
read_stat(struct control *ctl, pid_t pid, struct procinfo *pi)
{
	int saved;

	if (procscan_read_stat(pid, pi) == 0)
		return 0;
	if (errno != ESRCH) {
		saved = errno;
		warn("PID %d: /proc/%d/stat", (int)pid, (int)pid);
		ctl->trouble = true;
		errno = saved;
	}
	return -1;
}

/*
 * Whether now, read after the pidfd was opened, is still the process
 * chosen: the same start time, and for a match by selector, still a
 * match (a PID recycled within one clock tick shows another name).
 */
static bool
same_process(const struct control *ctl, const struct procinfo *was,
    const struct procinfo *now, enum origin origin)
{
	if (now->starttime != was->starttime)
		return false;
	return origin != ORIGIN_MATCH || procscan_matches(&ctl->match, now) ==
	    1;
}

/*
 * Hold the process pi: open its pidfd, then
 * re-read /proc/PID/stat to check the PID still names the process
 * chosen.  Returns 0 with *now filled in and *fdp the pidfd (-1 when
 * watched through /proc), -1 when it vanished, or -2 when it is a
 * thread (the reason in why).
 */
static int
hold_process(struct control *ctl, const struct procinfo *pi,
    enum origin origin, struct procinfo *now, int *fdp, char *why,
    size_t whylen)
{
	int fd;

	if ((fd = open_pidfd(ctl, pi->pid)) == GONE_PIDFD)
		return -1;
	if (fd == THREAD_PIDFD && is_thread(pi->pid, why, whylen))
		return -2;
	if (fd < 0)
		fd = -1;
	if (read_stat(ctl, pi->pid, now) == -1) {
		close_pidfd(ctl, &fd);
		return -1;
	}
	if (!same_process(ctl, pi, now, origin)) {
		close_pidfd(ctl, &fd);
		return -1;
	}
	*fdp = fd;
	return 0;
}

static void	signal_target(struct control *, struct target *, int);
static void	signal_step(struct control *, size_t, bool);
static bool	interrupt_arrived(struct control *);

/* Wait for t's pidfd in epoll. */
static void
watch_pidfd(struct control *ctl, struct target *t)
{
	struct epoll_event ev;

	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.u64 = (uint64_t)(t - ctl->targets);
	if (epoll_ctl(ctl->epfd, EPOLL_CTL_ADD, t->pidfd, &ev) == -1)
		err(EXIT_TROUBLE, "epoll_ctl: PID %d", (int)t->pi.pid);
}

/*
 * Watch the new target t through fd, its pidfd, or through /proc.  The
 * pidfd goes into epoll only once the first signals are out (a pidfd
 * that became readable meanwhile is reported at once), unless the
 * targets are signalled as they are found.
 */
static void
watch_target(struct control *ctl, struct target *t, int fd)
{
	t->pidfd = fd;
	t->alive = true;
	ctl->nalive++;
	ctl->nheld++;
	if (fd == -1)
		ctl->nfallback++;
	if (ctl->signal_early && !interrupt_arrived(ctl))
		signal_target(ctl, t, ctl->sched.steps[0].signo);
	if (ctl->watching && t->alive && t->pidfd != -1)
		watch_pidfd(ctl, t);
}

/* The first signals are out: wait on every pidfd held so far. */
static void
start_watching(struct control *ctl)
{
	for (size_t i = 0; i < ctl->ntargets; i++)
		if (ctl->targets[i].alive && ctl->targets[i].pidfd != -1)
			watch_pidfd(ctl, &ctl->targets[i]);
	ctl->watching = true;
}

/*
 * Make pi, a match or a tree member, a target: skip what must never be
 * one, hold a pidfd for the rest.  A PID already known only takes the
 * stronger origin.  Returns the target, or NULL when pi vanished
 * meanwhile.
 */
static struct target *
add_target(struct control *ctl, const struct procinfo *pi, enum origin origin)
{
	struct procinfo now;
	struct target *t;
	const char *why;
	char buf[64];
	ssize_t i;
	int fd;

	if ((i = find_target(ctl, pi->pid)) != -1) {
		t = &ctl->targets[i];
		if (origin > t->origin)
			t->origin = origin;
		return t;
	}
	if ((why = never_target(ctl, pi)) != NULL) {
		t = new_target(ctl, pi, origin);
		skip_target(ctl, t, why);
		return t;
	}
	switch (hold_process(ctl, pi, origin, &now, &fd, buf, sizeof(buf))) {
	case 0:
		break;
	case -2:
		t = new_target(ctl, pi, origin);
		skip_target(ctl, t, buf);
		return t;
	default:
		event(ctl, "%d (%s) vanished before it was signalled",
		    (int)pi->pid, pi->comm);
		return NULL;
	}
	t = new_target(ctl, &now, origin);
	watch_target(ctl, t, fd);
	return t;
}

/*
 * Make pi, held through fd (-1: through /proc), a target; skipped if
 * why says it must never be one.
 */
static struct target *
admit_target(struct control *ctl, const struct procinfo *pi,
    enum origin origin, int fd, const char *why)
{
	struct target *t = new_target(ctl, pi, origin);

	if (why != NULL) {
		close_pidfd(ctl, &fd);
		skip_target(ctl, t, why);
	} else
		watch_target(ctl, t, fd);
	return t;
}

/*
 * Hold pid, found by the scan by name: open its pidfd, then read its
 * stat once, both to match and to know the process the pidfd holds.
 * Should the PID be recycled in between, the pidfd still holds the old
 * process, which only ever makes the target vanish, never a stranger
 * signalled.
 */
static void
hold_named(struct control *ctl, pid_t pid)
{
	struct procinfo pi;
	int fd;

	if (find_target(ctl, pid) != -1 ||
	    (fd = open_pidfd(ctl, pid)) == GONE_PIDFD)
		return;
	if (fd < 0) {
		/* Watched through /proc: the usual two reads of stat. */
		if (procscan_read_stat(pid, &pi) == 0 &&
		    procscan_matches(&ctl->match, &pi) == 1)
			add_target(ctl, &pi, ORIGIN_MATCH);
		return;
	}
	if (read_stat(ctl, pid, &pi) == -1) {
		close_pidfd(ctl, &fd);
		return;
	}
	if (procscan_matches(&ctl->match, &pi) != 1) {
		close_pidfd(ctl, &fd);
		return;
	}
	admit_target(ctl, &pi, ORIGIN_MATCH, fd, never_target(ctl, &pi));
}

/*
 * What a scan found, held only once the scan is over: the targets are
 * the processes that matched before any signal went out.
 */
struct candidates {
	struct procinfo	*procs;
	size_t		 n, cap;
};

static struct procinfo *
add_candidate(struct candidates *c)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->procs = xreallocarray(c->procs, c->cap, sizeof(*c->procs));
	}
	return &c->procs[c->n++];
}

static int
candidate_named(pid_t pid, void *arg)
{
	add_candidate(arg)->pid = pid;
	return 0;
}

static int
candidate_matched(const struct procinfo *pi, void *arg)
{
	*add_candidate(arg) = *pi;
	return 0;
}

/* Record the chain of our ancestors, which are never targets. */
static void
find_ancestors(struct control *ctl)
{
	struct procinfo pi;
	pid_t pid = getppid();

	while (pid > 1 && ctl->nancestors < 4096) {
		ctl->ancestors = xreallocarray(ctl->ancestors,
		    ctl->nancestors + 1, sizeof(*ctl->ancestors));
		ctl->ancestors[ctl->nancestors++] = pid;
		if (procscan_read_stat(pid, &pi) == -1)
			break;
		pid = pi.ppid;
	}
}

/* Whether pi, given by PID, passes the filters; if not, say why. */
static bool
explicit_passes(struct control *ctl, const struct procinfo *pi)
{
	int r;

	if (pi->pid == 1 || (r = procscan_filters(&ctl->match, pi)) == 1)
		return true;
	event(ctl, "PID %d (%s): %s", (int)pi->pid, pi->comm, r == 0 ?
	    "filtered out" : "vanished");
	return false;
}

/*
 * Add an explicit PID (from -p or a pidfile) if it runs and passes.
 * The pidfd is opened first and stat read once: should the PID be
 * recycled in between, the pidfd holds the old process, so the target
 * only vanishes.  Without a pidfd, the start time read here guards
 * every signal.
 */
static struct target *
add_explicit(struct control *ctl, pid_t pid)
{
	struct procinfo pi;
	struct target *t;
	const char *why;
	char buf[64];
	ssize_t i;
	bool no_pidfd;
	int fd;

	if ((i = find_target(ctl, pid)) != -1) {
		t = &ctl->targets[i];
		t->origin = ORIGIN_EXPLICIT;
		return t;
	}
	if ((fd = open_pidfd(ctl, pid)) == GONE_PIDFD) {
		event(ctl, "PID %d: no such process", (int)pid);
		return NULL;
	}
	/* Without a pidfd, the PID may be a thread's: see below. */
	if ((no_pidfd = fd < 0))
		fd = -1;
	if (read_stat(ctl, pid, &pi) == -1) {
		if (errno == ESRCH)
			event(ctl, "PID %d: no such process", (int)pid);
		close_pidfd(ctl, &fd);
		return NULL;
	}
	if (!explicit_passes(ctl, &pi)) {
		close_pidfd(ctl, &fd);
		return NULL;
	}
	if ((why = never_target(ctl, &pi)) == NULL && no_pidfd &&
	    is_thread(pid, buf, sizeof(buf)))
		why = buf;
	return admit_target(ctl, &pi, ORIGIN_EXPLICIT, fd, why);
}

static const char *
pidfile_error_text(int error)
{
	switch (error) {
	case PIDFILE_EMPTY:
		return "empty pidfile";
	case PIDFILE_MALFORMED:
		return "malformed first line: expected a decimal PID";
	case PIDFILE_TOOBIG:
		return "larger than 4 KiB";
	case PIDFILE_NOTREG:
		return "not a regular file";
	case PIDFILE_SYMLINK:
		return "symbolic link not owned by root";
	default:
		return strerror(errno);
	}
}

/* Refuse the PID of an insecure pidfile: say why, list it as skipped. */
static void
refuse_insecure(struct control *ctl, const struct pidfile *pf,
    const struct procinfo *pi, size_t i)
{
	struct target *t;
	char risk[96];

	switch (pf->trust) {
	case TRUST_FILE_OWNER:
		snprintf(risk, sizeof(risk), "owned by uid %u",
		    (unsigned)pf->owner);
		break;
	case TRUST_FILE_MODE:
		snprintf(risk, sizeof(risk), "writable by group or others");
		break;
	case TRUST_DIR_OWNER:
		snprintf(risk, sizeof(risk), "its directory is writable by "
		    "uid %u", (unsigned)pf->owner);
		break;
	default:
		snprintf(risk, sizeof(risk), "its directory is writable by "
		    "group or others");
		break;
	}
	warnx("%s: insecure pidfile (%s): another user could make it name "
	    "any process; confirm PID %d with --name, --exe or --user, or "
	    "keep the file and its directory owned and writable by root only",
	    pf->path, risk, (int)pf->pid);
	ctl->trouble = true;
	if (find_target(ctl, pi->pid) != -1)
		return;
	t = new_target(ctl, pi, ORIGIN_EXPLICIT);
	t->outcome = OUT_SKIPPED;
	strlcpy(t->reason, "insecure pidfile", sizeof(t->reason));
	t->pidfile = (ssize_t)i;
}

/*
 * Whether the PID of pidfile i may be believed.  Running as root, an
 * insecure pidfile is believed only when --name, --exe or --user also
 * matches the process it names; otherwise it is refused.
 */
static bool
trust_pidfile(struct control *ctl, struct pidfile *pf, size_t i)
{
	struct procinfo pi;

	if (pf->trust == TRUST_OK)
		return true;
	if (procscan_read_stat(pf->pid, &pi) == -1) {
		event(ctl, "%s: PID %d: no such process", pf->path,
		    (int)pf->pid);
		return false;
	}
	if (procscan_confirms(&ctl->match, &pi) != 1) {
		refuse_insecure(ctl, pf, &pi, i);
		return false;
	}
	event(ctl, "%s: insecure, but PID %d is confirmed by --name, --exe "
	    "or --user", pf->path, (int)pf->pid);
	pf->trust = TRUST_OK;
	return true;
}

/* Whether a pidfile read gave a PID; says what is wrong otherwise. */
static bool
pidfile_usable(struct control *ctl, const struct pidfile *pf, int error)
{
	switch (error) {
	case PIDFILE_OK:
		return true;
	case PIDFILE_MISSING:
	case PIDFILE_DEVNULL:
		event(ctl, "%s: %s", pf->path, error == PIDFILE_MISSING ?
		    "no such pidfile" : "no PID");
		return false;
	case PIDFILE_RANGE:
		warnx("%s: PID out of range: '%s'", pf->path, pf->text);
		break;
	default:
		warnx("%s: %s", pf->path, pidfile_error_text(error));
		break;
	}
	ctl->trouble = true;
	return false;
}

/* Read every pidfile and add the PIDs they name. */
static void
collect_pidfiles(struct control *ctl)
{
	struct pidfile *pf;
	struct target *t;

	if (ctl->npidfiles > 0)
		ctl->pid_max = procscan_pid_max();
	for (size_t i = 0; i < ctl->npidfiles; i++) {
		pf = &ctl->pidfiles[i];
		if (!pidfile_usable(ctl, pf,
		    procscan_read_pidfile(pf, ctl->pid_max)))
			continue;
		if (!trust_pidfile(ctl, pf, i))
			continue;
		if ((t = add_explicit(ctl, pf->pid)) != NULL)
			t->pidfile = (ssize_t)i;
	}
}

/* In tree mode: the processes whose parent is a live target. */
struct tree_scan {
	struct control	*ctl;
	struct procinfo	*procs;
	size_t		 nprocs;
};

static int
tree_collect(const struct procinfo *pi, void *arg)
{
	struct tree_scan *ts = arg;

	if (pi->ppid <= 1)
		return 0;
	ts->procs = xreallocarray(ts->procs, ts->nprocs + 1,
	    sizeof(*ts->procs));
	ts->procs[ts->nprocs++] = *pi;
	return 0;
}

static void	signal_new_member(struct control *, struct target *);

/*
 * Add every descendant of every live target from one scan of all of
 * /proc, for kernels without the children files.
 */
static void
scan_tree(struct control *ctl, bool running)
{
	struct tree_scan ts = { ctl, NULL, 0 };
	struct target *parent, *t;
	size_t added = 0, before;
	ssize_t pi;

	if (procscan_scan(NULL, tree_collect, &ts) == -1) {
		warn("/proc");
		ctl->trouble = true;
	}
	do {
		before = added;
		for (size_t i = 0; i < ts.nprocs; i++) {
			if (find_target(ctl, ts.procs[i].pid) != -1)
				continue;
			if ((pi = find_target(ctl, ts.procs[i].ppid)) == -1)
				continue;
			parent = &ctl->targets[pi];
			if (!parent->alive ||
			    ts.procs[i].starttime < parent->pi.starttime)
				continue;
			t = add_target(ctl, &ts.procs[i], ORIGIN_TREE);
			if (t == NULL || !t->alive)
				continue;
			added++;
			if (running)
				signal_new_member(ctl, t);
		}
	} while (added != before);
	free(ts.procs);
}

struct tree_walk {
	struct control	*ctl;
	size_t		 parent;
	bool		 running;
};

static int
tree_child(const struct procinfo *pi, void *arg)
{
	struct tree_walk *tw = arg;
	struct control *ctl = tw->ctl;
	struct target *t;

	if (find_target(ctl, pi->pid) != -1 ||
	    pi->starttime < ctl->targets[tw->parent].pi.starttime)
		return 0;
	t = add_target(ctl, pi, ORIGIN_TREE);
	if (t != NULL && t->alive && tw->running)
		signal_new_member(ctl, t);
	return 0;
}

/*
 * Add every descendant of every live target.  Targets added meanwhile
 * are walked in turn, so one pass finds grandchildren too.  A child
 * must have started no earlier than its parent, so a recycled parent
 * PID cannot adopt strangers.  While the schedule runs, a new member
 * gets the current step's signal at once.
 */
static void
expand_tree(struct control *ctl, bool running)
{
	struct tree_walk tw = { ctl, 0, running };
	pid_t pid;

	for (size_t i = 0; i < ctl->ntargets; i++) {
		if (!ctl->targets[i].alive)
			continue;
		tw.parent = i;
		pid = ctl->targets[i].pi.pid;
		if (procscan_children(pid, tree_child, &tw) == 0)
			continue;
		if (errno == ENOSYS) {
			scan_tree(ctl, running);
			return;
		}
		if (errno != ESRCH) {
			warn("/proc/%d/task", (int)pid);
			ctl->trouble = true;
		}
	}
}

/*
 * Find the targets and hold a pidfd for each.  Unless in tree mode,
 * where every child must be found while its parent lives, each target
 * is signalled as soon as it is held: a list of PIDs alone at once;
 * otherwise once every pidfile is read and the scan is over, so that a
 * target's shutdown cannot remove a pidfile not yet read, and a process
 * a target forks on its signal is never taken for a match.
 */
static void
collect_targets(struct control *ctl)
{
	struct candidates c = { NULL, 0, 0 };
	bool early = !ctl->dry_run && ctl->tree == TREE_NONE;
	bool names = procscan_names_only(&ctl->match);
	int r = 0;

	ctl->signal_early = early && ctl->npidfiles == 0 &&
	    !procscan_selects(&ctl->match);
	for (size_t i = 0; i < ctl->npids; i++)
		add_explicit(ctl, ctl->pids[i]);
	collect_pidfiles(ctl);
	if (names)
		r = procscan_scan_names(&ctl->match, candidate_named, &c);
	else if (procscan_selects(&ctl->match))
		r = procscan_scan(&ctl->match, candidate_matched, &c);
	if (r == -1) {
		warn("/proc");
		ctl->trouble = true;
	}
	if (early && !ctl->signal_early) {
		if (!interrupt_arrived(ctl))
			signal_step(ctl, 0, true);
		ctl->signal_early = true;
	}
	for (size_t i = 0; i < c.n; i++)
		if (names)
			hold_named(ctl, c.procs[i].pid);
		else
			add_target(ctl, &c.procs[i], ORIGIN_MATCH);
	free(c.procs);
	if (ctl->tree != TREE_NONE)
		expand_tree(ctl, false);
}

/* Whether we may read a zombie's true exit status (CAP_SYS_PTRACE). */
static bool
may_ptrace(void)
{
	struct procstatus ps;

	return procscan_read_status(getpid(), &ps) == 0 &&
	    (ps.capeff & (1ULL << 19)) != 0;
}

/* The exit status from PIDFD_GET_INFO (Linux 6.15+), once reaped. */
static bool
status_from_pidfd(struct control *ctl, struct target *t)
{
	struct gk_pidfd_info info;

	if (t->pidfd == -1 || ctl->no_pidfd_info)
		return false;
	memset(&info, 0, sizeof(info));
	info.mask = PIDFD_INFO_EXIT;
	if (ioctl(t->pidfd, GK_PIDFD_GET_INFO, &info) == 0) {
		if (!(info.mask & PIDFD_INFO_EXIT))
			return false;
		t->status = info.exit_code;
		ctl->pidfd_exit_seen = true;
		return true;
	}
	if (errno == ENOTTY || errno == EINVAL) {
		ctl->no_pidfd_info = true;
		event(ctl, "PIDFD_GET_INFO: %s: exit status only from zombies",
		    strerror(errno));
	}
	return false;
}

/*
 * The exit status of a zombie from field 52 of /proc/PID/stat.  The
 * kernel shows 0 there to a reader without ptrace access, so a 0 is
 * believed only with CAP_SYS_PTRACE.
 */
static bool
status_from_zombie(struct control *ctl, struct target *t)
{
	struct procinfo pi;

	if (procscan_read_stat(t->pi.pid, &pi) == -1 ||
	    pi.starttime != t->pi.starttime ||
	    (pi.state != 'Z' && pi.state != 'X') || pi.exit_code < 0)
		return false;
	if (pi.exit_code == 0 && ctl->privileged == -1)
		ctl->privileged = may_ptrace();
	if (pi.exit_code == 0 && !ctl->privileged)
		return false;
	t->status = pi.exit_code;
	return true;
}

static void
set_status_kind(struct target *t)
{
	if (WIFEXITED(t->status))
		t->status_kind = STATUS_CODE;
	else if (WIFSIGNALED(t->status))
		t->status_kind = STATUS_SIGNAL;
}

/* Read what the kernel kept of t's exit status, if anything. */
static void
read_exit_status(struct control *ctl, struct target *t)
{
	/* The pidfd again last: the parent may reap between the reads. */
	if (status_from_pidfd(ctl, t) || status_from_zombie(ctl, t) ||
	    status_from_pidfd(ctl, t))
		set_status_kind(t);
}

/*
 * t has just ended.  Once PIDFD_GET_INFO has shown it gives exit
 * statuses, a target its parent has not reaped yet is left pending: it
 * is asked again when no exit is waiting to be noticed, or at the end,
 * and by then its parent has often reaped it, which spares a read of
 * /proc.  -v says the status at once.
 */
static void
note_exit_status(struct control *ctl, struct target *t)
{
	if (ctl->verbose || t->pidfd == -1)
		read_exit_status(ctl, t);
	else if (status_from_pidfd(ctl, t))
		set_status_kind(t);
	else if (!ctl->pidfd_exit_seen)
		read_exit_status(ctl, t);
	else {
		if (ctl->npending == ctl->cappending) {
			ctl->cappending = ctl->cappending ?
			    ctl->cappending * 2 : 64;
			ctl->pending = xreallocarray(ctl->pending,
			    ctl->cappending, sizeof(*ctl->pending));
		}
		ctl->pending[ctl->npending++] = (size_t)(t - ctl->targets);
	}
}

/*
 * Close the pidfd of t, which has ended, unless it may still give the
 * status: kept while that is unknown, as the parent may reap it soon.
 * Added with EPOLLONESHOT, a kept pidfd reports nothing more.
 */
static void
release_pidfd(struct control *ctl, struct target *t)
{
	if (t->status_kind != STATUS_UNKNOWN || ctl->no_pidfd_info)
		close_pidfd(ctl, &t->pidfd);
}

/* Read the status of the pending targets now. */
static void
read_pending(struct control *ctl)
{
	struct target *t;

	for (size_t i = 0; i < ctl->npending; i++) {
		t = &ctl->targets[ctl->pending[i]];
		read_exit_status(ctl, t);
		release_pidfd(ctl, t);
	}
	ctl->npending = 0;
}

static void
describe_status(char *buf, size_t size, const struct target *t)
{
	if (t->status_kind == STATUS_CODE)
		snprintf(buf, size, "with status %d", WEXITSTATUS(t->status));
	else if (t->status_kind == STATUS_SIGNAL)
		snprintf(buf, size, "on SIG%s",
		    signal_name(WTERMSIG(t->status)));
	else
		snprintf(buf, size, "(status unknown)");
}

/*
 * Stop counting t among the living.  Its pidfd, if still open, reports
 * nothing more: it was added with EPOLLONESHOT.
 */
static void
unwatch(struct control *ctl, struct target *t)
{
	t->alive = false;
	ctl->nalive--;
	if (t->pidfd == -1)
		ctl->nfallback--;
}

static bool
has_seconds(const struct target *t)
{
	return t->outcome == OUT_EXITED || t->outcome == OUT_KILLED;
}

/* The report's text for t's outcome, e.g. "killed by SIGKILL after 1.002s". */
static void
describe_outcome(char *buf, size_t size, const struct target *t, bool timed)
{
	char status[48];
	int n;

	describe_status(status, sizeof(status), t);
	switch (t->outcome) {
	case OUT_EXITED:
		n = snprintf(buf, size, "exited %s", status);
		break;
	case OUT_KILLED:
		if (t->status_kind == STATUS_SIGNAL &&
		    WTERMSIG(t->status) == SIGKILL)
			n = snprintf(buf, size, "killed by SIGKILL");
		else if (t->status_kind == STATUS_UNKNOWN)
			n = snprintf(buf, size, "killed (status unknown)");
		else
			n = snprintf(buf, size, "killed, exited %s", status);
		break;
	case OUT_SURVIVED:
		n = snprintf(buf, size, "survived in state %c",
		    t->pi.state);
		break;
	case OUT_SIGNALLED:
		if (t->nsigs > 0)
			n = snprintf(buf, size, "signalled with SIG%s",
			    signal_name(t->sigs[0]));
		else
			n = snprintf(buf, size, "signalled with signal 0");
		break;
	default:
		n = snprintf(buf, size, "%s", outcome_names[t->outcome]);
		break;
	}
	if (n < 0 || (size_t)n >= size)
		return;
	if (timed && has_seconds(t))
		n += snprintf(buf + n, size - (size_t)n, " after %.3fs",
		    (double)(t->end_ns - t->first_ns) / (double)NSEC);
	if ((size_t)n < size && t->reason[0] != '\0')
		snprintf(buf + n, size - (size_t)n, " (%s)", t->reason);
}

/* t has ended: stop watching it and settle its outcome and status. */
static void
target_ended(struct control *ctl, struct target *t)
{
	char text[160];

	if (!t->alive)
		return;
	unwatch(ctl, t);
	t->end_ns = now_ns();
	if (!t->started)
		t->outcome = OUT_VANISHED;
	else
		t->outcome = t->got_kill ? OUT_KILLED : OUT_EXITED;
	note_exit_status(ctl, t);
	release_pidfd(ctl, t);
	if (ctl->verbose) {
		describe_outcome(text, sizeof(text), t, false);
		event(ctl, "%d (%s) %s", (int)t->pi.pid, t->pi.comm, text);
	}
}

/*
 * Why a graceful signal did not end t, from /proc: its state, a
 * tracer, or the signal ignored or blocked.  Empty when nothing shows.
 */
static void
explain(struct target *t, int signo)
{
	struct procstatus ps;
	struct procinfo pi;
	uint64_t bit;

	t->reason[0] = '\0';
	if (procscan_read_stat(t->pi.pid, &pi) == -1 ||
	    pi.starttime != t->pi.starttime)
		return;
	t->pi.state = pi.state;
	if (procscan_read_status(t->pi.pid, &ps) == -1)
		return;
	bit = signo > 0 ? 1ULL << (signo - 1) : 0;
	if (pi.state == 'D')
		strlcpy(t->reason, "uninterruptible sleep (D)",
		    sizeof(t->reason));
	else if (pi.state == 'T')
		strlcpy(t->reason, "stopped (T)", sizeof(t->reason));
	else if (ps.tracer != 0)
		snprintf(t->reason, sizeof(t->reason), "traced by PID %d",
		    (int)ps.tracer);
	else if (pi.state == 't')
		strlcpy(t->reason, "traced (t)", sizeof(t->reason));
	else if (ps.sigign & bit)
		snprintf(t->reason, sizeof(t->reason), "ignores SIG%s",
		    signal_name(signo));
	else if (ps.sigblk & bit)
		snprintf(t->reason, sizeof(t->reason), "blocks SIG%s",
		    signal_name(signo));
}

/* The last graceful signal sent to t, or 0. */
static int
last_graceful(const struct target *t)
{
	for (size_t i = t->nsigs; i > 0; i--)
		if (t->sigs[i - 1] != SIGKILL)
			return t->sigs[i - 1];
	return 0;
}

/*
 * Send signo to t through its pidfd (or, watched through /proc, with
 * kill(2) after checking the start time).  Returns 0 or -1 with errno.
 */
static int
send_signal(struct target *t, int signo)
{
	struct procinfo pi;

	if (t->pidfd != -1)
		return (int)syscall(SYS_pidfd_send_signal, t->pidfd, signo,
		    NULL, 0);
	if (procscan_read_stat(t->pi.pid, &pi) == -1 ||
	    pi.starttime != t->pi.starttime) {
		errno = ESRCH;
		return -1;
	}
	if (t->pi.pid <= 1) {
		errno = EINVAL;
		return -1;
	}
	return kill(t->pi.pid, signo);
}

/* Whether the current step's signal goes to t (--tree=mixed spares). */
static bool
step_applies(const struct control *ctl, const struct target *t, int signo)
{
	return ctl->tree != TREE_MIXED || t->origin != ORIGIN_TREE ||
	    signo == SIGKILL;
}

/*
 * A signal to t failed: ESRCH means it is gone (vanished, if this was
 * its first signal), EPERM on its first signal means denied.
 */
static void
signal_failed(struct control *ctl, struct target *t, int signo, bool first)
{
	if (errno == ESRCH) {
		t->started = !first;
		target_ended(ctl, t);
		return;
	}
	live_erase(ctl);
	if (!first || errno != EPERM) {
		warn("PID %d (%s): SIG%s", (int)t->pi.pid, t->pi.comm,
		    signal_name(signo));
		return;
	}
	warn("PID %d (%s): cannot signal", (int)t->pi.pid, t->pi.comm);
	t->outcome = OUT_DENIED;
	strlcpy(t->reason, "operation not permitted", sizeof(t->reason));
	ctl->trouble = true;
	unwatch(ctl, t);
	close_pidfd(ctl, &t->pidfd);
}

/*
 * Send SIGCONT after a graceful signal if t is stopped (state T or t).
 * Its state was read just before the step: at identification for the
 * first, by explain() for the later ones.
 */
static void
continue_if_stopped(struct control *ctl, struct target *t)
{
	if ((t->pi.state == 'T' || t->pi.state == 't') &&
	    send_signal(t, SIGCONT) == 0)
		event(ctl, "sent SIGCONT to stopped %d (%s)", (int)t->pi.pid,
		    t->pi.comm);
}

/* Signal one target for the current step. */
static void
signal_target(struct control *ctl, struct target *t, int signo)
{
	bool first = !t->started;

	if (!t->started) {
		t->started = true;
		t->first_ns = now_ns();
	}
	if (signo == 0 || !step_applies(ctl, t, signo))
		return;
	if (send_signal(t, signo) == -1) {
		signal_failed(ctl, t, signo, first);
		return;
	}
	t->sigs = xreallocarray(t->sigs, t->nsigs + 1, sizeof(*t->sigs));
	t->sigs[t->nsigs++] = signo;
	if (signo == SIGKILL)
		t->got_kill = true;
	event(ctl, "sent SIG%s to %d (%s)", signal_name(signo),
	    (int)t->pi.pid, t->pi.comm);
	if (!ctl->no_cont && signo != SIGKILL && signo != SIGCONT)
		continue_if_stopped(ctl, t);
}

static void
signal_new_member(struct control *ctl, struct target *t)
{
	signal_target(ctl, t, ctl->sched.steps[ctl->step].signo);
}

/*
 * Send step k's signal to every target still alive; for the first
 * step, to those not signalled as they were found.
 */
static void
signal_step(struct control *ctl, size_t k, bool first)
{
	int signo = ctl->sched.steps[k].signo;

	ctl->step = k;
	for (size_t i = 0; i < ctl->ntargets; i++)
		if (ctl->targets[i].alive &&
		    !(first && ctl->targets[i].started))
			signal_target(ctl, &ctl->targets[i], signo);
}

/* Watch the targets without a pidfd: gone, recycled, or a lone zombie. */
static void
check_fallback(struct control *ctl)
{
	struct procinfo pi;
	struct target *t;

	for (size_t i = 0; i < ctl->ntargets && ctl->nfallback > 0; i++) {
		t = &ctl->targets[i];
		if (!t->alive || t->pidfd != -1)
			continue;
		if (procscan_read_stat(t->pi.pid, &pi) == -1 ||
		    pi.starttime != t->pi.starttime ||
		    (pi.state == 'Z' && pi.nthreads <= 1) || pi.state == 'X')
			target_ended(ctl, t);
	}
}

static void
live_erase(struct control *ctl)
{
	if (ctl->live_shown) {
		fputs("\r\033[K", stderr);
		ctl->live_shown = false;
	}
}

/* Rewrite the one live line: who remains and what comes next. */
static void
live_update(struct control *ctl, int64_t deadline)
{
	char line[512], *p = line, *end;
	struct winsize ws;
	size_t width = 80, shown = 0, n;
	const struct step *next;
	int64_t left;

	if (!ctl->live)
		return;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
		width = ws.ws_col;
	if (width > sizeof(line))
		width = sizeof(line);
	end = line + width - 1;
	p += snprintf(p, (size_t)(end - p), "%s: waiting for %zu of %zu "
	    "after %s%s:", getprogname(), ctl->nalive, ctl->nheld,
	    ctl->sched.steps[ctl->step].signo ? "SIG" : "signal ",
	    signal_name(ctl->sched.steps[ctl->step].signo));
	for (size_t i = 0; i < ctl->ntargets && shown < 3 && p < end; i++) {
		if (!ctl->targets[i].alive)
			continue;
		n = (size_t)snprintf(p, (size_t)(end - p), " %d (%s)",
		    (int)ctl->targets[i].pi.pid, ctl->targets[i].pi.comm);
		p += n < (size_t)(end - p) ? n : (size_t)(end - p);
		shown++;
	}
	if (shown < ctl->nalive && p < end)
		p += snprintf(p, (size_t)(end - p), " ...");
	next = ctl->step + 1 < ctl->sched.nsteps ?
	    &ctl->sched.steps[ctl->step + 1] : ctl->sched.repeat_from <
	    ctl->sched.nsteps ? &ctl->sched.steps[ctl->sched.repeat_from] :
	    NULL;
	left = deadline == INFINITE ? -1 : deadline - now_ns();
	if (left < 0)
		left = 0;
	if (p < end && deadline == INFINITE)
		snprintf(p, (size_t)(end - p), "; no deadline");
	else if (p < end && next != NULL)
		snprintf(p, (size_t)(end - p), "; SIG%s in %lld.%llds",
		    signal_name(next->signo), (long long)(left / NSEC),
		    (long long)(left % NSEC / (100 * MSEC)));
	else if (p < end)
		snprintf(p, (size_t)(end - p), "; giving up in %lld.%llds",
		    (long long)(left / NSEC),
		    (long long)(left % NSEC / (100 * MSEC)));
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
	ctl->live_shown = true;
}

static void
drain_signalfd(struct control *ctl)
{
	struct signalfd_siginfo si;

	while (read(ctl->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		ctl->interrupted = true;
		event(ctl, "got SIG%s: stopping, no further escalation",
		    signal_name((int)si.ssi_signo));
	}
}

/*
 * Whether SIGINT, SIGTERM or SIGHUP has come, read now: while targets
 * are still being held, one stops the signalling.
 */
static bool
interrupt_arrived(struct control *ctl)
{
	drain_signalfd(ctl);
	return ctl->interrupted;
}

static int64_t
min_timeout(int64_t a, int64_t b)
{
	if (a == INFINITE)
		return b;
	if (b == INFINITE)
		return a;
	return a < b ? a : b;
}

/*
 * Sleep in epoll until every target is gone, the deadline passes, or
 * gracekill is told to stop.  Wakes early only to watch targets without
 * a pidfd, to re-read /proc for new tree members, and for the live line.
 */
static void
wait_step(struct control *ctl, int64_t deadline)
{
	struct epoll_event evs[256];
	int64_t now, wait, backoff = BACKOFF_MIN_NS, rescan = 0;
	int n, ms;

	while (ctl->nalive > 0 && !ctl->interrupted) {
		now = now_ns();
		if (deadline != INFINITE && now >= deadline)
			return;
		wait = deadline == INFINITE ? INFINITE : deadline - now;
		if (ctl->nfallback > 0)
			wait = min_timeout(wait, backoff);
		if (ctl->tree != TREE_NONE)
			wait = min_timeout(wait, RESCAN_NS);
		if (ctl->live)
			wait = min_timeout(wait, LIVE_TICK_NS);
		ms = wait == INFINITE ? -1 : (int)((wait + MSEC - 1) / MSEC);
		live_update(ctl, deadline);
		/* Pending statuses are read once nothing else waits. */
		n = epoll_wait(ctl->epfd, evs, (int)nitems(evs),
		    ctl->npending > 0 ? 0 : ms);
		if (n == -1 && errno != EINTR)
			err(EXIT_TROUBLE, "epoll_wait");
		for (int i = 0; i < n; i++) {
			if (evs[i].data.u64 == SIGFD_TAG)
				drain_signalfd(ctl);
			else
				target_ended(ctl,
				    &ctl->targets[evs[i].data.u64]);
		}
		if (n == 0 && ctl->npending > 0) {
			read_pending(ctl);
			continue;
		}
		if (ctl->nfallback > 0) {
			check_fallback(ctl);
			if (backoff < BACKOFF_MAX_NS)
				backoff *= 2;
		}
		if (ctl->tree != TREE_NONE && !ctl->interrupted &&
		    now_ns() >= rescan) {
			expand_tree(ctl, true);
			rescan = now_ns() + RESCAN_NS;
		}
	}
}

/* Walk the schedule: signal, wait, escalate, until all are gone. */
static void
run_schedule(struct control *ctl)
{
	const struct schedule *sched = &ctl->sched;
	int64_t deadline;
	size_t k = 0;
	bool first = true;

	drain_signalfd(ctl);
	while (ctl->nalive > 0 && !ctl->interrupted) {
		if (!first) {
			for (size_t i = 0; i < ctl->ntargets; i++)
				if (ctl->targets[i].alive)
					explain(&ctl->targets[i],
					    last_graceful(&ctl->targets[i]));
			event(ctl, "escalating to SIG%s: %zu still running",
			    signal_name(sched->steps[k].signo), ctl->nalive);
			if (ctl->tree != TREE_NONE)
				expand_tree(ctl, false);
		}
		signal_step(ctl, k, first);
		if (ctl->no_wait)
			return;
		if (first)
			start_watching(ctl);
		first = false;
		if (sched->steps[k].wait_ns == INFINITE)
			deadline = INFINITE;
		else
			deadline = now_ns() + sched->steps[k].wait_ns;
		wait_step(ctl, deadline);
		if (++k == sched->nsteps) {
			if (sched->repeat_from == sched->nsteps)
				break;
			k = sched->repeat_from;
		}
	}
}

static int
by_pid(const void *a, const void *b)
{
	const struct target *x = a, *y = b;

	return (x->pi.pid > y->pi.pid) - (x->pi.pid < y->pi.pid);
}

/*
 * Settle the outcome of what is left once the schedule has ended, and
 * order the targets by PID for the report.
 */
static void
settle(struct control *ctl)
{
	struct target *t;

	for (size_t i = 0; i < ctl->ntargets; i++) {
		t = &ctl->targets[i];
		if (t->outcome == OUT_SKIPPED || t->outcome == OUT_DENIED ||
		    t->outcome == OUT_VANISHED || !t->alive)
			continue;
		if (ctl->dry_run)
			t->outcome = OUT_MATCHED;
		else if (ctl->no_wait && t->started)
			t->outcome = OUT_SIGNALLED;
		else {
			t->outcome = OUT_SURVIVED;
			explain(t, last_graceful(t));
		}
	}
	/* The pending, and any target whose pidfd was kept. */
	ctl->npending = 0;
	for (size_t i = 0; i < ctl->ntargets; i++) {
		t = &ctl->targets[i];
		if (t->status_kind == STATUS_UNKNOWN && t->pidfd != -1 &&
		    !t->alive)
			read_exit_status(ctl, t);
	}
	if (ctl->ntargets > 1)
		qsort(ctl->targets, ctl->ntargets, sizeof(*ctl->targets),
		    by_pid);
}

static enum exitcode
exit_code(const struct control *ctl)
{
	size_t counted = 0, survived = 0;

	for (size_t i = 0; i < ctl->ntargets; i++) {
		if (ctl->targets[i].outcome == OUT_SURVIVED)
			survived++;
		if (ctl->targets[i].outcome != OUT_SKIPPED ||
		    ctl->targets[i].origin == ORIGIN_EXPLICIT)
			counted++;
	}
	if (ctl->trouble)
		return EXIT_TROUBLE;
	if (survived > 0)
		return EXIT_SURVIVED;
	if (counted == 0)
		return ctl->oknodo ? EXIT_GONE : EXIT_NOMATCH;
	return EXIT_GONE;
}

static void
report_text_line(const struct target *t)
{
	char text[160];

	printf("%d ", (int)t->pi.pid);
	print_escaped(stdout, t->pi.comm);
	describe_outcome(text, sizeof(text), t, true);
	printf(": %s\n", text);
}

static void
report_text(const struct control *ctl)
{
	const struct target *t;

	for (size_t i = 0; i < ctl->ntargets; i++) {
		t = &ctl->targets[i];
		if (t->outcome == OUT_SKIPPED && t->origin != ORIGIN_EXPLICIT)
			continue;
		report_text_line(t);
	}
}

static void
report_json_target(const struct target *t)
{
	printf("    {\"pid\": %d, \"name\": ", (int)t->pi.pid);
	print_json_string(stdout, t->pi.comm);
	printf(", \"outcome\": \"%s\",\n     \"exit\": ",
	    outcome_names[t->outcome]);
	if (t->status_kind == STATUS_CODE)
		printf("{\"code\": %d}", WEXITSTATUS(t->status));
	else if (t->status_kind == STATUS_SIGNAL)
		printf("{\"signal\": \"%s\"}", signal_name(WTERMSIG(t->status)));
	else
		fputs("null", stdout);
	fputs(", \"signals\": [", stdout);
	for (size_t i = 0; i < t->nsigs; i++)
		printf("%s\"%s\"", i ? ", " : "", signal_name(t->sigs[i]));
	fputs("],\n     \"seconds\": ", stdout);
	if (has_seconds(t))
		printf("%.3f", (double)(t->end_ns - t->first_ns) /
		    (double)NSEC);
	else
		fputs("null", stdout);
	if (t->outcome == OUT_SURVIVED)
		printf(", \"state\": \"%c\"", t->pi.state);
	else
		fputs(", \"state\": null", stdout);
	fputs(", \"reason\": ", stdout);
	if (t->reason[0] != '\0')
		print_json_string(stdout, t->reason);
	else
		fputs("null", stdout);
	putchar('}');
}

static void
report_json(const struct control *ctl, enum exitcode code)
{
	static const enum outcome counted[] = {
		OUT_EXITED, OUT_KILLED, OUT_SURVIVED, OUT_VANISHED, OUT_DENIED,
		OUT_SKIPPED
	};
	size_t count[OUT_COUNT] = { 0 };

	fputs("{\"version\": 1,\n \"targets\": [", stdout);
	for (size_t i = 0; i < ctl->ntargets; i++) {
		fputs(i ? ",\n" : "\n", stdout);
		report_json_target(&ctl->targets[i]);
		count[ctl->targets[i].outcome]++;
	}
	fputs(ctl->ntargets ? "\n ],\n" : "],\n", stdout);
	fputs(" \"summary\": {", stdout);
	for (size_t i = 0; i < nitems(counted); i++)
		printf("%s\"%s\": %zu", i ? ", " : "",
		    outcome_names[counted[i]], count[counted[i]]);
	if (ctl->no_wait)
		printf(", \"signalled\": %zu", count[OUT_SIGNALLED]);
	if (ctl->dry_run)
		printf(", \"matched\": %zu", count[OUT_MATCHED]);
	printf("},\n \"exit_code\": %d}\n", code);
}

/* Dry run: each target's PID, user, name and command line. */
static void
report_dry_run(const struct control *ctl)
{
	const struct target *t;
	struct procstatus ps;
	struct passwd *pw;
	size_t len;
	char *cmd;

	for (size_t i = 0; i < ctl->ntargets; i++) {
		t = &ctl->targets[i];
		if (t->outcome != OUT_MATCHED)
			continue;
		printf("%d ", (int)t->pi.pid);
		if (procscan_read_status(t->pi.pid, &ps) == -1)
			fputs("?", stdout);
		else if ((pw = getpwuid(ps.euid)) != NULL)
			print_escaped(stdout, pw->pw_name);
		else
			printf("%u", (unsigned)ps.euid);
		putchar(' ');
		print_escaped(stdout, t->pi.comm);
		putchar(' ');
		if (procscan_read_cmdline(t->pi.pid, &cmd, &len) == 0 &&
		    len > 0)
			print_escaped(stdout, cmd);
		else {
			putchar('[');
			print_escaped(stdout, t->pi.comm);
			putchar(']');
		}
		putchar('\n');
	}
	fputs("schedule: ", stdout);
	print_schedule(stdout, &ctl->sched);
	if (ctl->tree != TREE_NONE)
		printf(" (tree: %s)", ctl->tree == TREE_ALL ? "all" : "mixed");
	putchar('\n');
}

/* --remove-pidfile: remove each pidfile whose process is gone. */
static void
remove_pidfiles(struct control *ctl)
{
	const struct target *t;
	bool *keep;

	if (!ctl->remove_pidfile || ctl->dry_run || ctl->no_wait)
		return;
	if ((keep = calloc(ctl->npidfiles + 1, sizeof(*keep))) == NULL)
		err(EXIT_TROUBLE, NULL);
	for (size_t i = 0; i < ctl->ntargets; i++) {
		t = &ctl->targets[i];
		if (t->pidfile >= 0 && t->outcome != OUT_EXITED &&
		    t->outcome != OUT_KILLED && t->outcome != OUT_VANISHED)
			keep[t->pidfile] = true;
	}
	for (size_t i = 0; i < ctl->npidfiles; i++) {
		if (keep[i] || ctl->pidfiles[i].pid == 0 ||
		    ctl->pidfiles[i].trust != TRUST_OK)
			continue;
		if (procscan_remove_pidfile(&ctl->pidfiles[i]) == 0)
			event(ctl, "removed %s", ctl->pidfiles[i].path);
		else if (errno == ESTALE)
			event(ctl, "kept %s: rewritten meanwhile",
			    ctl->pidfiles[i].path);
		else {
			warn("%s: cannot remove", ctl->pidfiles[i].path);
			ctl->trouble = true;
		}
	}
	free(keep);
}

/* Block the signals that stop the wait, and take them from a signalfd. */
static void
setup_events(struct control *ctl)
{
	struct epoll_event ev;
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) == -1)
		err(EXIT_TROUBLE, "sigprocmask");
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		err(EXIT_TROUBLE, "signal");
	if ((ctl->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(EXIT_TROUBLE, "epoll_create1");
	ctl->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (ctl->sigfd == -1)
		err(EXIT_TROUBLE, "signalfd");
	ev.events = EPOLLIN;
	ev.data.u64 = SIGFD_TAG;
	if (epoll_ctl(ctl->epfd, EPOLL_CTL_ADD, ctl->sigfd, &ev) == -1)
		err(EXIT_TROUBLE, "epoll_ctl: signalfd");
}


static void
cleanup(struct control *ctl)
{
	struct procmatch *m = &ctl->match;

	for (size_t i = 0; i < ctl->ntargets; i++) {
		if (ctl->targets[i].pidfd != -1)
			close(ctl->targets[i].pidfd);
		free(ctl->targets[i].sigs);
	}
	free(ctl->targets);
	free(ctl->index);
	free(ctl->pending);
	for (size_t i = 0; i < ctl->npidfiles; i++)
		procscan_close_pidfile(&ctl->pidfiles[i]);
	free(ctl->pidfiles);
	free(ctl->pids);
	free(ctl->ancestors);
	for (size_t i = 0; i < m->nexes; i++)
		free((void *)m->exes[i]);
	free(m->exes);
	for (size_t i = 0; i < m->nregexes; i++)
		regfree(&m->regexes[i]);
	free(m->regexes);
	free(m->names);
	free(m->parents);
	free(m->uids);
	schedule_free(&ctl->sched);
	close(ctl->epfd);
	close(ctl->sigfd);
	procscan_fini();
}

/*
 * Keep descriptors 0-2 taken, so that no pidfd or epoll descriptor can
 * become our standard output.  Returns whether stdout was closed.
 */
static bool
reserve_std_fds(void)
{
	bool closed = false;

	for (int i = STDIN_FILENO; i <= STDERR_FILENO; i++) {
		if (fcntl(i, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (open("/dev/null", O_RDWR) != i)
			err(EXIT_TROUBLE, "/dev/null");
		if (i == STDOUT_FILENO)
			closed = true;
	}
	return closed;
}

/* Flush stdout; a write error (EPIPE too) is trouble, never silent. */
static enum exitcode
finish_output(enum exitcode code, bool wrote, bool stdout_closed)
{
	if (wrote && stdout_closed) {
		errno = EBADF;
		warn("write error on standard output");
		return EXIT_TROUBLE;
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		warn("write error on standard output");
		return EXIT_TROUBLE;
	}
	return code;
}

int
main(int argc, char *argv[])
{
	struct control ctl = {
		.signo = SIGTERM, .timeout_ns = 10 * NSEC,
		.killwait_ns = 5 * NSEC, .match = { .older_ns = -1 },
		.epfd = -1, .sigfd = -1, .privileged = -1
	};
	enum exitcode code;
	bool stdout_closed, wrote = true;

	/* Parse and check the command line: usage errors exit 64 here. */
	stdout_closed = reserve_std_fds();
	parse_args(&ctl, argc, argv);
	validate_args(&ctl);
	ctl.t0 = now_ns();
	ctl.live = !ctl.quiet && !ctl.dry_run && !ctl.no_wait &&
	    isatty(STDERR_FILENO);

	/* Find the targets, holding a pidfd for each from the start. */
	if (procscan_init() == -1)
		err(EXIT_TROUBLE, "/proc");
	ctl.self = getpid();
	ctl.nofile = soft_nofile();
	setup_events(&ctl);
	find_ancestors(&ctl);
	collect_targets(&ctl);

	/* Signal, wait and escalate along the schedule. */
	if (!ctl.dry_run) {
		run_schedule(&ctl);
		live_erase(&ctl);
	}

	/* Report how each target ended. */
	settle(&ctl);
	remove_pidfiles(&ctl);
	code = exit_code(&ctl);
	if (ctl.dry_run && code == EXIT_NOMATCH && ctl.oknodo)
		code = EXIT_GONE;
	if (code == EXIT_NOMATCH && !ctl.quiet)
		warnx("no matching process");
	if (ctl.json)
		report_json(&ctl, code);
	else if (ctl.dry_run)
		report_dry_run(&ctl);
	else if (!ctl.quiet)
		report_text(&ctl);
	else
		wrote = false;
	code = finish_output(code, wrote, stdout_closed);
	cleanup(&ctl);
	return (int)code;
}
