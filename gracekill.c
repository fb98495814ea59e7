/*
 * gracekill: find processes, signal them through pidfds, wait until each
 * exits or a deadline passes, escalate along a schedule, and report.
 */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/param.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pwd.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "procscan.h"
#include "schedule.h"

#define VERSION		"0.1.0"
#ifndef nitems
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#define NO_DEADLINE	INT64_MAX
#define LIVE_TICK_NS	(250 * MSEC)
#define RESCAN_NS	(250 * MSEC)
#define BACKOFF_MIN_NS	(1 * MSEC)
#define BACKOFF_MAX_NS	(50 * MSEC)
#define SIGFD_TAG	UINT64_MAX	/* epoll: the signalfd; below it, */
#define SERVICE_TAG(i)	(UINT64_MAX - 1 - (i))	/* cgroup.events of a cgroup */
#define FD_RESERVE	32		/* kept free for reading /proc */
#define STOP_ROUNDS	100		/* rounds to stop a forking tree */
#define FREEZE_WAIT_NS	(1000 * MSEC)	/* for cgroup.freeze to take */
#define NAME_MAX_ESC	(PROCSCAN_COMM_MAX * 4)	/* a name, escaped */

/* Linux 6.13+ pidfs interface; older headers lack it. */
#ifndef PIDFD_INFO_CGROUPID
#define PIDFD_INFO_CGROUPID	(1UL << 2)
#endif
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

/* How a process was chosen, weakest first: it decides only the report. */
enum origin { ORIGIN_TREE, ORIGIN_MATCH, ORIGIN_EXPLICIT };

/* What admit() made of a process. */
enum admission {
	ADMIT_HELD,		/* a target, its pidfd held */
	ADMIT_GONE,		/* no such process (any more) */
	ADMIT_FILTERED,		/* it fails a criterion */
	ADMIT_SKIPPED,		/* it must never be a target */
	ADMIT_REFUSED		/* an insecure pidfile names it, unconfirmed */
};

/* What became of a pidfile's PID, for --remove-pidfile. */
enum pidfile_fate {
	FATE_UNREAD,		/* unreadable, malformed, or not read */
	FATE_STALE,		/* its PID does not run */
	FATE_TARGET,		/* its process is a target */
	FATE_PASSED_OVER	/* its process runs but is no target */
};

/* What open_pidfd() returns instead of a pidfd. */
enum { GONE_PIDFD = -1, NO_PIDFD = -2, THREAD_PIDFD = -3 };

/* The command line, as parsed and validated; read-only once run. */
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
	pid_t		*pids;		/* -p and operands */
	size_t		 npids;
	const char	**pidfiles;	/* -F */
	size_t		 npidfiles;
	const char	**cgroups;	/* --cgroup, as given */
	size_t		 ncgroups;
	const char	**units;	/* --unit, as given */
	size_t		 nunits;
	const char	**ports;	/* --port, as given */
	size_t		 nports;
	struct portspec	*portspecs;	/* each port of every --port */
	size_t		 nportspecs;
	char		**portparts;	/* the text of each, for messages */
};

struct target {
	struct procinfo	 pi;
	int		 pidfd;		/* -1: watched through /proc */
	enum outcome	 outcome;
	enum origin	 origin;
	bool		 alive;
	bool		 started;	/* its first step began */
	enum status_kind status_kind;
	int		 status;
	int		*sigs;		/* signals sent, in order */
	size_t		 nsigs;
	int64_t		 first_ns;	/* when its first step began */
	int64_t		 end_ns;
	char		 reason[64];
	ssize_t		 cgroup;	/* index in run->services, or -1 */
	bool		 spared;	/* mixed: SIGKILL only */
	unsigned	 sent_serial;	/* signal_step() that last reached it */
	bool		 reaped;	/* known: its status came from the pidfd */
	bool		 unreaped;	/* ended, a zombie its parent keeps */
	pid_t		 parent;	/* then: its parent */
	char		 parent_comm[PROCSCAN_COMM_MAX];
};

/* A --port as it is after the schedule: free, or who holds it. */
struct portstate {
	bool		 free;
	bool		 unseen;	/* held by a process not visible */
	pid_t		*holders;
	size_t		 nholders;
};

/* A cgroup of --cgroup or --unit, as found. */
struct service {
	char		*path;		/* as the 0:: line of PID/cgroup shows */
	int		 dirfd;		/* -1: no such cgroup */
	uint64_t	 id;		/* its directory's inode: the cgroup ID */
	int		 eventsfd;	/* cgroup.events, or -1 */
	int		 has;		/* CGROUP_HAS_* */
	bool		 populated;
	bool		 inside;	/* gracekill runs in it */
	bool		 untouchable;	/* it holds a process never targeted */
};

/* The state of one run: targets, descriptors, what the kernel offers. */
struct run {
	const struct control *ctl;
	struct target	*targets;
	size_t		 ntargets, captargets;
	struct pidfile	*pidfiles;	/* as read, one per -F */
	enum pidfile_fate *fates;
	pid_t		*ancestors;
	size_t		 nancestors;
	pid_t		 self;
	long		 pid_max;
	size_t		 nalive, nheld, nfallback, npidfds;
	int		 epfd, sigfd;
	int64_t		 t0;
	rlim_t		 nofile;	/* soft RLIMIT_NOFILE */
	bool		 raised_nofile;
	int		 privileged;	/* CAP_SYS_PTRACE, -1 until asked */
	bool		 no_pidfd;	/* pidfd_open gave ENOSYS */
	bool		 no_pidfd_info;	/* PIDFD_GET_INFO unsupported */
	size_t		 step;		/* index of the current step */
	unsigned	 step_serial;	/* counts the calls of signal_step() */
	struct procmatch match;		/* ctl->match, cgroups resolved */
	struct cgroupfs	 cgfs;
	struct service	*services;	/* one per cgroup of match.cgroups */
	size_t		 nservices;
	struct portscan	 sockets;	/* the sockets of --port */
	struct portstate *ports;	/* one per ctl->portspecs, at the end */
	bool		 whole;		/* the cgroups alone select */
	bool		 impossible;	/* a criterion no process can meet */
	bool		 trouble;
	bool		 interrupted;
	bool		 live;		/* a live line on the terminal */
	bool		 live_shown;
};

/* Forward declarations, in the order of the sections below. */
static int64_t	now_ns(void);
static void	usage(void) __attribute__((noreturn));
static void	usage_error(const char *, ...)
		    __attribute__((noreturn, format(printf, 1, 2)));
static void	parse_args(struct control *, int, char *[]);
static void	validate_args(struct control *);
static struct target *find_target(const struct run *, pid_t);
static enum admission admit(struct run *, pid_t, enum origin,
		    const struct procinfo *, ssize_t, struct target **);
static void	find_targets(struct run *);
static size_t	expand_tree(struct run *, bool);
static void	signal_target(struct run *, struct target *, int);
static void	stop_tree(struct run *);
static void	kill_services(struct run *);
static size_t	find_members(struct run *, bool);
static void	run_schedule(struct run *);
static bool	interrupt_arrived(struct run *);
static void	target_ended(struct run *, struct target *);
static bool	has_exited(const struct target *);
static void	ended_before_signal(struct run *, struct target *);
static void	read_exit_status(struct run *, struct target *);
static void	settle(struct run *);
static void	remove_pidfiles(struct run *);
static enum exitcode exit_code(const struct run *);
static void	report(const struct run *, enum exitcode);
static void	event(struct run *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static const char *escape(const char *, char *, size_t);
static void	live_erase(struct run *);
static void	live_update(struct run *, int64_t);
static enum exitcode finish_output(enum exitcode, bool);

/* Command line */

static const struct option longopts[] = {
	{ "pidfile",		required_argument,	NULL, 'F' },
	{ "full",		required_argument,	NULL, 'f' },
	{ "pgroup",		required_argument,	NULL, 'g' },
	{ "help",		no_argument,		NULL, 'h' },
	{ "json",		no_argument,		NULL, 'j' },
	{ "list",		no_argument,		NULL, 'l' },
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
	{ "cgroup",		required_argument,	NULL, 'G' + 256 },
	{ "dry-run",		no_argument,		NULL, 'D' + 256 },
	{ "kill-wait",		required_argument,	NULL, 'K' + 256 },
	{ "no-cont",		no_argument,		NULL, 'C' + 256 },
	{ "no-escalate",	no_argument,		NULL, 'E' + 256 },
	{ "no-wait",		no_argument,		NULL, 'W' + 256 },
	{ "older",		required_argument,	NULL, 'O' + 256 },
	{ "port",		required_argument,	NULL, 'N' + 256 },
	{ "remove-pidfile",	no_argument,		NULL, 'R' + 256 },
	{ "session",		required_argument,	NULL, 'I' + 256 },
	{ "unit",		required_argument,	NULL, 'U' + 256 },
	{ NULL,			0,			NULL, 0 }
};

static const char synopsis[] =
    "usage: gracekill [-hjloqTVv] [-F pidfile] [-f regex] [-g pgid]"
    " [-n name]\n"
    "                 [-P ppid] [-p pid] [-S schedule] [-s signal]"
    " [-t timeout]\n"
    "                 [-u user] [-x path] [--cgroup path] [--dry-run]\n"
    "                 [--kill-wait duration] [--no-cont] [--no-escalate]"
    " [--no-wait]\n"
    "                 [--older duration] [--port port] [--remove-pidfile]\n"
    "                 [--session sid] [--tree[=mode]] [--unit unit]"
    " [pid | name ...]\n";

static const char options_help[] =
    "\nA process is a target if it meets every option given; the values\n"
    "of one option (-p 1,2; -n a -n b) are alternatives.\n"
    "Select:\n"
    "  -p, --pid PID[,PID...]   these process IDs (also a PID operand)\n"
    "  -F, --pidfile FILE       the PID in FILE\n"
    "  -n, --name NAME          named NAME (also a NAME operand)\n"
    "  -x, --exe PATH           running the executable PATH\n"
    "  -f, --full REGEX         whose command line matches REGEX (ERE)\n"
    "  -P, --parent PPID        children of PPID\n"
    "  -u, --user USER          whose real or effective user is USER\n"
    "      --older DURATION     started at least DURATION ago\n"
    "      --cgroup PATH        in the cgroup PATH or below it\n"
    "      --unit UNIT          in the cgroup of the systemd unit UNIT\n"
    "  -g, --pgroup PGID[,...]  in process group PGID (0: gracekill's)\n"
    "      --session SID[,...]  in session SID (0: gracekill's)\n"
    "      --port [tcp:|udp:][ADDR:]PORT  holding a socket on PORT\n"
    "Scope:\n"
    "  -T, --tree[=all|mixed]   also every descendant (mixed: SIGKILL only)\n"
    "Schedule:\n"
    "  -s, --signal SIG         first signal (TERM); -SIG first works too\n"
    "  -t, --timeout DURATION   how long to wait after it (10s)\n"
    "      --kill-wait DURATION how long to wait after SIGKILL (5s)\n"
    "  -S, --schedule LIST      the whole schedule, e.g. QUIT/30/TERM/5/KILL\n"
    "      --no-escalate        never send SIGKILL\n"
    "      --no-cont            no SIGCONT after a signal to a stopped target\n"
    "      --no-wait            send the first signal and return\n"
    "Output:\n"
    "  -j, --json               the report as JSON\n"
    "  -q, --quiet              print nothing but errors\n"
    "  -v, --verbose            timestamped events on stderr\n"
    "      --dry-run            list the targets and the schedule only\n"
    "Other:\n"
    "  -o, --oknodo             exit 0 when nothing matched\n"
    "      --remove-pidfile     remove each pidfile once its process is gone\n"
    "  -l, --list               list the signal names and numbers\n"
    "  -h, --help               print this help\n"
    "  -V, --version            print the version\n"
    "Exit status: 0 all gone, 1 nothing matched, 2 something still runs,\n"
    "3 trouble, 64 usage error.  See gracekill(1).\n";

static void
usage(void)
{
	fputs(synopsis, stderr);
	exit(EXIT_USAGE);
}

static void
usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrx(EXIT_USAGE, fmt, ap);
	/* NOTREACHED */
	va_end(ap);
}

/* Print what -h, -V or -l asked for and exit: 0, or 3 if unwritten. */
static void
print_and_exit(const char *text)
{
	fputs(text, stdout);
	exit((int)finish_output(EXIT_GONE, true));
}

/* -l: every signal name gracekill accepts, with its number. */
static void
list_signals(void)
{
	const char *name;
	int signo;

	for (int n = 1; n < SIGRTMIN; n++)
		for (size_t i = 0; (name = signal_alias(i, &signo)) != NULL;
		    i++)
			if (signo == n)
				printf("%2d %s\n", n, name);
	for (int n = SIGRTMIN; n <= SIGRTMAX; n++)
		printf("%2d %s\n", n, signal_name(n));
	exit((int)finish_output(EXIT_GONE, true));
}

static void *
xreallocarray(void *p, size_t n, size_t size)
{
	if ((p = reallocarray(p, n, size)) == NULL)
		err(EXIT_TROUBLE, NULL);
	return p;
}

/* Append one element to the array *arrayp of *np elements of size. */
static void *
append(void *arrayp, size_t *np, size_t size)
{
	void **array = arrayp;

	*array = xreallocarray(*array, *np + 1, size);
	return (char *)*array + (*np)++ * size;
}

/* A positive ID of the kind what ("PID", "PGID", "SID") given to option. */
static pid_t
parse_id(const char *option, const char *what, const char *text)
{
	const char *errstr = NULL;
	long long v = 0;

	if (is_decimal(text))
		v = strtonum(text, 1, INT_MAX, &errstr);
	if (!is_decimal(text) || errstr != NULL) {
		if (option != NULL)
			usage_error("%s: invalid %s: '%s'", option, what, text);
		usage_error("invalid %s: '%s'", what, text);
	}
	return (pid_t)v;
}

/*
 * Append the comma-separated IDs (of kind what) of text to *list; with
 * own not NULL, 0 stands for *own.
 */
static void
add_id_list(const char *option, const char *what, const char *text,
    pid_t **list, size_t *n, const pid_t *own)
{
	char *copy, *p, *part;

	if ((copy = strdup(text)) == NULL)
		err(EXIT_TROUBLE, NULL);
	p = copy;
	do {
		part = strsep(&p, ",");
		*(pid_t *)append(list, n, sizeof(**list)) = own != NULL &&
		    strcmp(part, "0") == 0 ? *own : parse_id(option, what, part);
	} while (p != NULL);
	free(copy);
}

static void
add_name(struct control *ctl, const char *name)
{
	struct procmatch *m = &ctl->match;

	if (*name == '\0')
		usage_error("--name: empty name: ''");
	*(const char **)append(&m->names, &m->nnames, sizeof(*m->names)) =
	    name;
}

static void
add_exe(struct control *ctl, const char *path)
{
	struct procmatch *m = &ctl->match;
	char *real;

	if (*path == '\0')
		usage_error("--exe: empty path: ''");
	if ((real = realpath(path, NULL)) == NULL &&
	    (real = strdup(path)) == NULL)
		err(EXIT_TROUBLE, NULL);
	*(const char **)append(&m->exes, &m->nexes, sizeof(*m->exes)) = real;
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
add_user(struct control *ctl, const char *text)
{
	struct procmatch *m = &ctl->match;
	struct passwd *pw;
	const char *errstr = NULL;
	uid_t uid;

	if ((pw = getpwnam(text)) != NULL)
		uid = pw->pw_uid;
	else if (is_decimal(text))
		uid = (uid_t)strtonum(text, 0, UINT32_MAX - 1, &errstr);
	else
		errstr = "unknown";
	if (errstr != NULL)
		usage_error("--user: unknown user: '%s'", text);
	*(uid_t *)append(&m->uids, &m->nuids, sizeof(*m->uids)) = uid;
}

/* Append text, an argument of option that must not be empty, to *list. */
static void
add_string(const char *option, const char *text, const char ***list,
    size_t *n)
{
	if (*text == '\0')
		usage_error("%s: empty argument: ''", option);
	*(const char **)append(list, n, sizeof(**list)) = text;
}

static int64_t
duration_arg(const char *option, const char *text)
{
	int64_t ns;

	if (parse_duration(text, &ns) == -1)
		usage_error("%s: invalid duration: '%s'", option, text);
	return ns;
}

static bool
is_tree_mode(const char *text)
{
	return strcmp(text, "all") == 0 || strcmp(text, "mixed") == 0;
}

/*
 * A mode glued to -T or after it ("-T mixed" must not select processes
 * named mixed: only --tree=MODE gives one), or NULL.
 */
static const char *
misplaced_tree_mode(int argc, char *argv[])
{
	const char *prev = argv[optind - 1], *t;

	if (optind >= argc)
		return NULL;
	/* "-T mixed", "--tree mixed", or "-Tmixed" still being read. */
	if (optind > 1 && (strcmp(prev, "--tree") == 0 || (prev[0] == '-' &&
	    prev[1] != '-' && prev[strlen(prev) - 1] == 'T')) &&
	    is_tree_mode(argv[optind]))
		return argv[optind];
	if (argv[optind][0] == '-' && argv[optind][1] != '-' &&
	    (t = strrchr(argv[optind], 'T')) != NULL && is_tree_mode(t + 1))
		return t + 1;
	return NULL;
}

static void
parse_tree(struct control *ctl, const char *mode, int argc, char *argv[])
{
	const char *misplaced;

	if (mode == NULL && (misplaced = misplaced_tree_mode(argc, argv)))
		usage_error("%s takes a mode only as --tree=%s (and -n %s "
		    "selects processes named %s)", argv[optind - 1][1] == '-' ?
		    "--tree" : "-T", misplaced, misplaced, misplaced);
	if (mode == NULL || strcmp(mode, "all") == 0)
		ctl->tree = TREE_ALL;
	else if (strcmp(mode, "mixed") == 0)
		ctl->tree = TREE_MIXED;
	else
		usage_error("--tree: invalid mode: '%s'", mode);
}

/* --unit UNIT: a name that cannot be a unit's is a usage error. */
static void
add_unit_arg(struct control *ctl, const char *unit)
{
	char *name;

	add_string("--unit", unit, &ctl->units, &ctl->nunits);
	if (procscan_unit_name(unit, &name) == -1) {
		if (errno == EINVAL)
			usage_error("--unit: invalid unit name: '%s'", unit);
		err(EXIT_TROUBLE, NULL);
	}
	free(name);
}

/* A positional argument of digits only is a PID, any other a NAME. */
static void
add_operands(struct control *ctl, int argc, char *argv[])
{
	for (int i = 0; i < argc; i++) {
		if (is_decimal(argv[i]))
			*(pid_t *)append(&ctl->pids, &ctl->npids,
			    sizeof(*ctl->pids)) = parse_id(NULL, "PID", argv[i]);
		else
			add_name(ctl, argv[i]);
	}
}

/*
 * As with kill, pkill and killall, a first argument that is exactly
 * -SIG means -s SIG.  Returns how many arguments it took (0 or 1).
 */
static int
signal_first(struct control *ctl, int argc, char *argv[])
{
	if (argc < 2 || argv[1][0] != '-' || argv[1][1] == '-' ||
	    argv[1][1] == '\0' || parse_signal(argv[1] + 1, &ctl->signo) == -1)
		return 0;
	ctl->signal_given = true;
	return 1;
}

/* Parse the command line into ctl; usage errors exit 64. */
static void
parse_args(struct control *ctl, int argc, char *argv[])
{
	int ch, shift;
	pid_t own;

	argv[0] = (char *)getprogname();	/* getopt's messages name us */
	if ((shift = signal_first(ctl, argc, argv)) > 0) {
		argv[1] = argv[0];
		argc -= shift;
		argv += shift;
	}
	while ((ch = getopt_long(argc, argv, "F:f:g:hjln:oP:p:qS:s:Tt:u:Vvx:",
	    longopts, NULL)) != -1) {
		switch (ch) {
		case 'F':
			add_string("--pidfile", optarg, &ctl->pidfiles,
			    &ctl->npidfiles);
			break;
		case 'f':
			add_regex(ctl, optarg);
			break;
		case 'g':
			own = getpgrp();
			add_id_list("--pgroup", "PGID", optarg,
			    &ctl->match.pgroups, &ctl->match.npgroups, &own);
			break;
		case 'h':
			fputs(synopsis, stdout);
			print_and_exit(options_help);
			break;
		case 'j':
			ctl->json = true;
			break;
		case 'l':
			list_signals();
			break;
		case 'n':
			add_name(ctl, optarg);
			break;
		case 'o':
			ctl->oknodo = true;
			break;
		case 'P':
			add_id_list("--parent", "PID", optarg,
			    &ctl->match.parents, &ctl->match.nparents, NULL);
			break;
		case 'p':
			add_id_list("--pid", "PID", optarg, &ctl->pids,
			    &ctl->npids, NULL);
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
			parse_tree(ctl, optarg, argc, argv);
			break;
		case 't':
			ctl->timeout_ns = duration_arg("--timeout", optarg);
			ctl->timeout_given = true;
			break;
		case 'u':
			add_user(ctl, optarg);
			break;
		case 'V':
			print_and_exit("gracekill " VERSION "\n");
			break;
		case 'v':
			ctl->verbose = true;
			break;
		case 'x':
			add_exe(ctl, optarg);
			break;
		case 'G' + 256:
			add_string("--cgroup", optarg, &ctl->cgroups,
			    &ctl->ncgroups);
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
			ctl->match.older = true;
			break;
		case 'N' + 256:
			add_string("--port", optarg, &ctl->ports, &ctl->nports);
			break;
		case 'R' + 256:
			ctl->remove_pidfile = true;
			break;
		case 'I' + 256:
			own = getsid(0);
			add_id_list("--session", "SID", optarg,
			    &ctl->match.sessions, &ctl->match.nsessions, &own);
			break;
		case 'U' + 256:
			add_unit_arg(ctl, optarg);
			break;
		default:
			usage();
		}
	}
	add_operands(ctl, argc - optind, argv + optind);
}

/* Build the schedule from -S, or from -s, -t and --kill-wait. */
static void
build_schedule(struct control *ctl)
{
	size_t whylen;
	char *why;

	if (ctl->schedule_text == NULL) {
		if (schedule_simple(&ctl->sched, ctl->signo, ctl->timeout_ns,
		    !ctl->no_escalate, ctl->killwait_ns) == -1)
			err(EXIT_TROUBLE, NULL);
		return;
	}
	if (ctl->signal_given || ctl->timeout_given || ctl->killwait_given)
		usage_error("--schedule cannot be combined with "
		    "--signal, --timeout or --kill-wait");
	if (ctl->no_escalate)
		usage_error("--no-escalate cannot be combined with --schedule");
	/* Room to quote any part of the list, however long. */
	whylen = strlen(ctl->schedule_text) + 64;
	if ((why = malloc(whylen)) == NULL)
		err(EXIT_TROUBLE, NULL);
	if (parse_schedule(ctl->schedule_text, &ctl->sched, why, whylen) == -1)
		usage_error("--schedule: %s in '%s'", why, ctl->schedule_text);
	free(why);
}

/*
 * Parse every --port, each a comma list, into ctl->portspecs (whose
 * texts point into ctl->portparts); a bad one is a usage error.
 */
static void
parse_ports(struct control *ctl)
{
	const char *reason;
	char *p, *part;

	if (ctl->nports == 0)
		return;
	ctl->portparts = xreallocarray(NULL, ctl->nports,
	    sizeof(*ctl->portparts));
	for (size_t i = 0; i < ctl->nports; i++) {
		if ((p = ctl->portparts[i] = strdup(ctl->ports[i])) == NULL)
			err(EXIT_TROUBLE, NULL);
		do {
			part = strsep(&p, ",");
			ctl->portspecs = xreallocarray(ctl->portspecs,
			    ctl->nportspecs + 1, sizeof(*ctl->portspecs));
			if (procscan_parse_port(part,
			    &ctl->portspecs[ctl->nportspecs], &reason) == -1)
				usage_error("--port: %s: '%s'", reason, part);
			ctl->nportspecs++;
		} while (p != NULL);
	}
}

/* Check option combinations and build the schedule. */
static void
validate_args(struct control *ctl)
{
	unsigned given = procscan_given(&ctl->match);

	build_schedule(ctl);
	parse_ports(ctl);
	if (ctl->npids == 0 && ctl->npidfiles == 0 && ctl->ncgroups == 0 &&
	    ctl->nunits == 0 && ctl->nports == 0 &&
	    (given & ~(unsigned)MATCH_OLDER) == 0)
		usage_error("no process selected: give a PID, a NAME or a "
		    "selector option");
}

/* Target table */

/* The target of PID pid, or NULL (a hash did not pay: bench/README.md). */
static struct target *
find_target(const struct run *run, pid_t pid)
{
	for (size_t i = 0; i < run->ntargets; i++)
		if (run->targets[i].pi.pid == pid)
			return &run->targets[i];
	return NULL;
}

/* Append a target for pi. */
static struct target *
new_target(struct run *run, const struct procinfo *pi, enum origin origin)
{
	struct target *t;

	if (run->ntargets == run->captargets) {
		run->captargets = run->captargets ? run->captargets * 2 : 16;
		run->targets = xreallocarray(run->targets, run->captargets,
		    sizeof(*run->targets));
	}
	t = &run->targets[run->ntargets++];
	memset(t, 0, sizeof(*t));
	t->pi = *pi;
	t->pidfd = -1;
	t->origin = origin;
	t->cgroup = -1;
	return t;
}

/* Record the chain of our ancestors, which are never targets. */
static void
find_ancestors(struct run *run)
{
	struct procinfo pi;
	pid_t pid = getppid();

	while (pid > 1 && run->nancestors < 4096) {
		*(pid_t *)append(&run->ancestors, &run->nancestors,
		    sizeof(*run->ancestors)) = pid;
		if (procscan_read_stat(pid, &pi) == -1)
			break;
		pid = pi.ppid;
	}
}

/* Why pi must never be a target, or NULL. */
static const char *
never_target(const struct run *run, const struct procinfo *pi)
{
	if (pi->pid == 1)
		return "init (PID 1)";
	if (pi->pid == run->self)
		return "gracekill itself";
	for (size_t i = 0; i < run->nancestors; i++)
		if (run->ancestors[i] == pi->pid)
			return "ancestor of gracekill";
	if (procscan_is_kthread(pi))
		return "kernel thread";
	return NULL;
}

/* Holding */

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
raise_nofile(struct run *run)
{
	struct rlimit rl;

	if (run->raised_nofile)
		return false;
	run->raised_nofile = true;
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur >= rl.rlim_max)
		return false;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		return false;
	run->nofile = rl.rlim_cur;
	event(run, "raised the file descriptor limit to %llu",
	    (unsigned long long)rl.rlim_cur);
	return true;
}

/*
 * Whether a pidfd may be opened and still leave descriptors for reading
 * /proc and the pidfiles; raises RLIMIT_NOFILE when that helps.
 */
static bool
fd_available(struct run *run)
{
	size_t reserve = FD_RESERVE + run->ctl->npidfiles;

	if (run->npidfds + reserve < run->nofile)
		return true;
	return raise_nofile(run) && run->npidfds + reserve < run->nofile;
}

static void
close_pidfd(struct run *run, int *fd)
{
	if (*fd < 0)
		return;
	close(*fd);
	*fd = -1;
	run->npidfds--;
}

/*
 * A pidfd for pid, or GONE_PIDFD, THREAD_PIDFD, or NO_PIDFD: watch it
 * through /proc (no pidfds, or no descriptor left).
 */
static int
open_pidfd(struct run *run, pid_t pid)
{
	int fd;

	while (!run->no_pidfd) {
		if (!fd_available(run)) {
			event(run, "using /proc polling for %d: no file "
			    "descriptor left for a pidfd", (int)pid);
			return NO_PIDFD;
		}
		if ((fd = (int)syscall(SYS_pidfd_open, pid, 0)) != -1) {
			run->npidfds++;
			return fd;
		}
		if (errno == ESRCH)
			return GONE_PIDFD;
		if (errno == EINVAL)
			return THREAD_PIDFD;
		if (errno == EMFILE && raise_nofile(run))
			continue;
		if (errno == ENOSYS) {
			run->no_pidfd = true;
			event(run, "pidfd_open: %s: using /proc polling for "
			    "every target", strerror(errno));
		} else
			event(run, "using /proc polling for %d: pidfd_open: %s",
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
read_stat(struct run *run, pid_t pid, struct procinfo *pi)
{
	int saved;

	if (procscan_read_stat(pid, pi) == 0)
		return 0;
	if (errno != ESRCH) {
		saved = errno;
		warn("PID %d: /proc/%d/stat", (int)pid, (int)pid);
		run->trouble = true;
		errno = saved;
	}
	return -1;
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

/* Wait for t's pidfd in epoll: it becomes readable when t exits. */
static void
watch_pidfd(struct run *run, struct target *t)
{
	struct epoll_event ev;

	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.u64 = (uint64_t)(t - run->targets);
	if (epoll_ctl(run->epfd, EPOLL_CTL_ADD, t->pidfd, &ev) == -1)
		err(EXIT_TROUBLE, "epoll_ctl: PID %d", (int)t->pi.pid);
}

/* Make pi, held through fd (-1: through /proc), a live target. */
static struct target *
hold_target(struct run *run, const struct procinfo *pi, enum origin origin,
    int fd)
{
	struct target *t = new_target(run, pi, origin);

	t->pidfd = fd;
	t->alive = true;
	run->nalive++;
	run->nheld++;
	if (fd == -1)
		run->nfallback++;
	else
		watch_pidfd(run, t);
	return t;
}

/*
 * Whether t, held as a zombie, has exited (a main thread gone while
 * others run shows Z too): its pidfd is readable, or no thread is left.
 */
static bool
has_exited(const struct target *t)
{
	struct pollfd pfd = { t->pidfd, POLLIN, 0 };

	if (t->pidfd == -1)
		return procscan_is_lone_zombie(&t->pi);
	return poll(&pfd, 1, 0) == 1;
}

/* t's first step begins now, unless it already has. */
static void
start_target(struct target *t)
{
	if (!t->started) {
		t->started = true;
		t->first_ns = now_ns();
	}
}

/*
 * t was a zombie when it was selected: signals do nothing to it, so it
 * gets none and has exited, after 0 seconds.
 */
static void
ended_before_signal(struct run *run, struct target *t)
{
	char name[NAME_MAX_ESC];

	event(run, "%d (%s) is a zombie already: nothing to send",
	    (int)t->pi.pid, escape(t->pi.comm, name, sizeof(name)));
	start_target(t);
	target_ended(run, t);
	t->end_ns = t->first_ns;
}

/*
 * List pi as skipped: it must never be a target.  Given by hand, it is
 * refused out loud and counts as trouble; matched, it is left out.
 */
static struct target *
skip_target(struct run *run, const struct procinfo *pi, enum origin origin,
    const char *reason)
{
	struct target *t = new_target(run, pi, origin);
	char name[NAME_MAX_ESC];

	t->outcome = OUT_SKIPPED;
	strlcpy(t->reason, reason, sizeof(t->reason));
	if (origin == ORIGIN_EXPLICIT) {
		warnx("PID %d: refusing to signal: %s", (int)pi->pid, reason);
		run->trouble = true;
	} else
		event(run, "skipping %d (%s): %s", (int)pi->pid,
		    escape(pi->comm, name, sizeof(name)), reason);
	return t;
}

/* Refuse the PID of an insecure pidfile: say why, list it as skipped. */
static struct target *
refuse_insecure(struct run *run, const struct pidfile *pf,
    const struct procinfo *pi)
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
	run->trouble = true;
	t = new_target(run, pi, ORIGIN_EXPLICIT);
	t->outcome = OUT_SKIPPED;
	strlcpy(t->reason, "insecure pidfile", sizeof(t->reason));
	return t;
}

/* The service of run->match.cgroups[k] (missing cgroups are not in it). */
static ssize_t
service_of_match(const struct run *run, ssize_t k)
{
	for (size_t i = 0; k >= 0 && i < run->nservices; i++)
		if (run->services[i].dirfd != -1 && k-- == 0)
			return (ssize_t)i;
	return k;
}

/*
 * The selected cgroup that holds the process of pidfd itself, by the
 * pidfd's cgroup ID (Linux 6.13+), or -1: then /proc/PID/cgroup tells
 * (older kernels, members of a child cgroup, non-members).
 */
static ssize_t
cgroup_by_id(const struct run *run, int pidfd)
{
	struct gk_pidfd_info info;

	if (pidfd == -1 || run->no_pidfd_info)
		return -1;
	memset(&info, 0, sizeof(info));
	if (ioctl(pidfd, GK_PIDFD_GET_INFO, &info) == -1 ||
	    !(info.mask & PIDFD_INFO_CGROUPID))
		return -1;
	for (size_t i = 0; i < run->nservices; i++)
		if (run->services[i].dirfd != -1 &&
		    run->services[i].id == info.cgroupid)
			return (ssize_t)i;
	return -1;
}

/*
 * Whether the held pi meets -p and run->match (*cgroup: the cgroup it
 * is in).  An insecure pidfile's PID needs an identity criterion first.
 */
static enum admission
check_criteria(struct run *run, const struct procinfo *pi, int pidfd,
    const struct pidfile *pf, ssize_t *cgroup, struct target **tp)
{
	const struct control *ctl = run->ctl;
	char name[NAME_MAX_ESC];
	bool listed = ctl->npids == 0;
	int r;

	if (pf != NULL && pf->trust != TRUST_OK) {
		r = procscan_given(&run->match) & MATCH_IDENTITY ?
		    procscan_match(&run->match, pi, MATCH_IDENTITY) : 0;
		if (r == -1)
			return ADMIT_GONE;
		if (r == 0) {
			*tp = refuse_insecure(run, pf, pi);
			return ADMIT_REFUSED;
		}
		event(run, "%s: insecure, but PID %d is confirmed by --name, "
		    "--exe, --user or --cgroup", pf->path, (int)pi->pid);
	}
	for (size_t i = 0; !listed && i < ctl->npids; i++)
		listed = ctl->pids[i] == pi->pid;
	r = listed ? procscan_match(&run->match, pi, ~(unsigned)MATCH_CGROUP) :
	    0;
	if (r == 1 && run->match.ncgroups > 0 &&
	    (*cgroup = cgroup_by_id(run, pidfd)) == -1) {
		*cgroup = service_of_match(run,
		    procscan_cgroup_index(&run->match, pi->pid));
		r = *cgroup >= 0 ? 1 : *cgroup == -1 ? 0 : -1;
	}
	if (r == 0)
		event(run, "PID %d (%s): filtered out", (int)pi->pid,
		    escape(pi->comm, name, sizeof(name)));
	return r == 1 ? ADMIT_HELD : r == 0 ? ADMIT_FILTERED : ADMIT_GONE;
}

/*
 * With --tree=mixed, whether pi gets SIGKILL only: a tree member, or a
 * member of cgroup whose parent is in it too (KillMode=mixed).
 */
static bool
spared_in_mixed(const struct run *run, const struct procinfo *pi,
    enum origin origin, ssize_t cgroup)
{
	char *path;
	bool inside;

	if (run->ctl->tree != TREE_MIXED)
		return false;
	if (origin == ORIGIN_TREE)
		return true;
	if (cgroup < 0 || procscan_pid_cgroup(pi->ppid, &path) == -1)
		return false;
	inside = procscan_cgroup_below(path, run->services[cgroup].path);
	free(path);
	return inside;
}

/*
 * The one way in for every target: hold pid, read its stat once, check
 * it is still what the selector saw (seen), every criterion (not for a
 * tree member) and the never-target rules.  pidfile: its index, or -1.
 * *tp: its entry in the table, if it got one.
 */
static enum admission
admit(struct run *run, pid_t pid, enum origin origin,
    const struct procinfo *seen, ssize_t pidfile, struct target **tp)
{
	const struct pidfile *pf = pidfile >= 0 ? &run->pidfiles[pidfile] :
	    NULL;
	struct procinfo pi;
	enum admission a = ADMIT_HELD;
	ssize_t cgroup = -1;
	const char *why;
	char thread[64];
	int fd;

	*tp = find_target(run, pid);
	if (*tp != NULL) {
		if (origin > (*tp)->origin)
			(*tp)->origin = origin;
		return (*tp)->outcome == OUT_SKIPPED ? ADMIT_SKIPPED :
		    ADMIT_HELD;
	}
	if ((fd = open_pidfd(run, pid)) == GONE_PIDFD ||
	    read_stat(run, pid, &pi) == -1 ||
	    (seen != NULL && !procscan_same(seen, &pi))) {
		close_pidfd(run, &fd);
		return ADMIT_GONE;
	}
	/* Without a pidfd, a PID given by hand may still be a thread's. */
	if ((fd == THREAD_PIDFD || (fd == NO_PIDFD &&
	    origin == ORIGIN_EXPLICIT)) && is_thread(pid, thread,
	    sizeof(thread))) {
		*tp = skip_target(run, &pi, origin, thread);
		return ADMIT_SKIPPED;
	}
	if (fd < 0)
		fd = -1;
	if (origin != ORIGIN_TREE)
		a = check_criteria(run, &pi, fd, pf, &cgroup, tp);
	if (a == ADMIT_HELD && (why = never_target(run, &pi)) != NULL) {
		*tp = skip_target(run, &pi, origin, why);
		a = ADMIT_SKIPPED;
	}
	if (a != ADMIT_HELD) {
		close_pidfd(run, &fd);
		return a;
	}
	*tp = hold_target(run, &pi, origin, fd);
	(*tp)->cgroup = cgroup;
	(*tp)->spared = spared_in_mixed(run, &pi, origin, cgroup);
	if (pi.state == 'Z' && !run->ctl->dry_run && has_exited(*tp))
		ended_before_signal(run, *tp);
	return ADMIT_HELD;
}

/* Candidates a source found, to hold once the source is read whole. */
struct pidlist {
	pid_t		*pids;		/* 0: a pidfile that gave none */
	size_t		 n;
};

static int
collect_pid(pid_t pid, void *arg)
{
	struct pidlist *l = arg;

	*(pid_t *)append(&l->pids, &l->n, sizeof(*l->pids)) = pid;
	return 0;
}

/*
 * Hold the candidates of one source.  With pidfiles, candidate i is the
 * PID of pidfile i, and its fate is noted.
 */
static void
hold_candidates(struct run *run, const struct pidlist *c, enum origin origin,
    bool pidfiles)
{
	struct target *t;
	enum admission a;

	for (size_t i = 0; i < c->n; i++) {
		if (c->pids[i] == 0)
			continue;
		a = admit(run, c->pids[i], origin, NULL, pidfiles ?
		    (ssize_t)i : -1, &t);
		if (a == ADMIT_GONE && origin == ORIGIN_EXPLICIT)
			event(run, "%s%sPID %d: no such process", pidfiles ?
			    run->pidfiles[i].path : "", pidfiles ? ": " : "",
			    (int)c->pids[i]);
		if (pidfiles)
			run->fates[i] = a == ADMIT_GONE ? FATE_STALE :
			    a == ADMIT_HELD ? FATE_TARGET : FATE_PASSED_OVER;
	}
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

/* Whether a pidfile read gave a PID; says what is wrong otherwise. */
static bool
pidfile_usable(struct run *run, const struct pidfile *pf, int error)
{
	switch (error) {
	case PIDFILE_OK:
		return true;
	case PIDFILE_MISSING:
	case PIDFILE_DEVNULL:
		event(run, "%s: %s", pf->path, error == PIDFILE_MISSING ?
		    "no such pidfile" : "no PID");
		return false;
	case PIDFILE_RANGE:
		warnx("%s: PID out of range: '%s'", pf->path, pf->text);
		break;
	default:
		warnx("%s: %s", pf->path, pidfile_error_text(error));
		break;
	}
	run->trouble = true;
	return false;
}

/*
 * Read every pidfile before the first signal (a shutdown may remove
 * another's pidfile): their PIDs are the candidates, 0 for none.
 */
static void
read_pidfiles(struct run *run, struct pidlist *found)
{
	const struct control *ctl = run->ctl;
	struct pidfile *pf;

	run->pid_max = procscan_pid_max();
	run->pidfiles = xreallocarray(NULL, ctl->npidfiles,
	    sizeof(*run->pidfiles));
	run->fates = xreallocarray(NULL, ctl->npidfiles, sizeof(*run->fates));
	for (size_t i = 0; i < ctl->npidfiles; i++) {
		pf = &run->pidfiles[i];
		memset(pf, 0, sizeof(*pf));
		pf->path = ctl->pidfiles[i];
		run->fates[i] = FATE_UNREAD;
		collect_pid(pidfile_usable(run, pf, procscan_read_pidfile(pf,
		    run->pid_max)) ? pf->pid : 0, found);
	}
}

/* Add a cgroup at path, found or not, to run->services. */
static void
add_service(struct run *run, char *path)
{
	struct service *sv;
	struct cgroup_events ev;
	struct stat st;
	char *own;

	sv = append(&run->services, &run->nservices, sizeof(*run->services));
	memset(sv, 0, sizeof(*sv));
	sv->path = path;
	sv->eventsfd = -1;
	if ((sv->dirfd = procscan_cgroup_dir(&run->cgfs, path)) == -1) {
		if (errno != ENOENT) {
			warn("cgroup %s", path);
			run->trouble = true;
		} else
			warnx("cgroup %s: no such cgroup", path);
		return;
	}
	*(char **)append(&run->match.cgroups, &run->match.ncgroups,
	    sizeof(*run->match.cgroups)) = path;
	if ((sv->has = procscan_cgroup_has(sv->dirfd)) == -1)
		sv->has = 0;
	if (fstat(sv->dirfd, &st) == 0)
		sv->id = st.st_ino;
	if ((sv->eventsfd = procscan_cgroup_events_open(sv->dirfd, &ev)) != -1)
		sv->populated = ev.populated;
	if (procscan_pid_cgroup(run->self, &own) == 0) {
		sv->inside = procscan_cgroup_below(own, path);
		free(own);
	}
}

/* The cgroups of --unit UNIT: exactly one, or say why there is none. */
static void
add_unit(struct run *run, const char *unit)
{
	struct service *sv;
	char **paths, *name = NULL;
	size_t n;

	if (procscan_unit_cgroups(&run->cgfs, unit, &paths, &n) == -1) {
		warn("unit %s", unit);
		run->trouble = true;
		return;
	}
	if (procscan_unit_name(unit, &name) == -1)
		err(EXIT_TROUBLE, NULL);
	if (n == 1) {
		add_service(run, paths[0]);
		paths[0] = NULL;
	} else if (n == 0) {
		/* Listed in the report as a cgroup that does not exist. */
		warnx("unit %s: no such cgroup", name);
		sv = append(&run->services, &run->nservices,
		    sizeof(*run->services));
		memset(sv, 0, sizeof(*sv));
		sv->path = name;
		sv->dirfd = sv->eventsfd = -1;
		name = NULL;
	} else {
		fprintf(stderr, "%s: unit %s: %zu cgroups have that name:",
		    getprogname(), name, n);
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, " %s", paths[i]);
		fputs("; give one with --cgroup\n", stderr);
		run->trouble = true;
	}
	free(name);
	procscan_free_paths(paths, n);
}

/*
 * Find the cgroups of --cgroup and --unit.  When none of them exists, no
 * process can meet that criterion, and none is looked for.
 */
static void
resolve_services(struct run *run)
{
	const struct control *ctl = run->ctl;
	char *path;

	run->cgfs.dirfd = -1;
	if (ctl->ncgroups == 0 && ctl->nunits == 0)
		return;
	if (procscan_cgroup_open(&run->cgfs) == -1) {
		if (errno == ENOENT)
			warnx("no cgroup2 file system is mounted");
		else
			warn("/proc/self/mountinfo");
		run->trouble = true;
		run->impossible = true;
		return;
	}
	for (size_t i = 0; i < ctl->ncgroups; i++) {
		if (procscan_cgroup_path(&run->cgfs, ctl->cgroups[i],
		    &path) == -1)
			usage_error("--cgroup: invalid cgroup: '%s'",
			    ctl->cgroups[i]);
		if (strcmp(path, "/") == 0)
			usage_error("--cgroup: refusing the root cgroup '%s': "
			    "it holds every process", ctl->cgroups[i]);
		add_service(run, path);
	}
	for (size_t i = 0; i < ctl->nunits; i++)
		add_unit(run, ctl->units[i]);
	if (run->match.ncgroups == 0)
		run->impossible = true;
	run->whole = ctl->npids == 0 && ctl->npidfiles == 0 &&
	    ctl->nports == 0 &&
	    (procscan_given(&run->match) & ~(unsigned)MATCH_CGROUP) == 0;
}

/*
 * Read the socket table for --port: the listeners' inodes make the
 * criterion.  When nothing listens there, no process can meet it.
 */
static void
resolve_ports(struct run *run)
{
	const struct control *ctl = run->ctl;

	if (ctl->nportspecs == 0)
		return;
	if (procscan_port_sockets(ctl->portspecs, ctl->nportspecs,
	    &run->sockets) == -1) {
		warn("/proc/net");
		run->trouble = true;
		run->impossible = true;
		return;
	}
	if (run->sockets.procnet)
		event(run, "sock_diag unavailable (%s): reading /proc/net",
		    strerror(run->sockets.diag_errno));
	run->match.ports = &run->sockets;
	if (run->sockets.nsocks == 0)
		run->impossible = true;
}

/* Make the criteria of the run: ctl->match, cgroups and sockets found. */
static void
resolve_criteria(struct run *run)
{
	run->match = run->ctl->match;
	run->match.cgroups = NULL;
	run->match.ncgroups = 0;
	resolve_services(run);
	resolve_ports(run);
}

/*
 * Admit the members of every cgroup not held yet; while running, signal
 * each for the current step.  Returns how many were added.
 */
static size_t
find_members(struct run *run, bool running)
{
	struct target *t;
	pid_t *pids;
	size_t npids, added = 0;

	for (size_t i = 0; i < run->nservices; i++) {
		if (run->services[i].dirfd == -1)
			continue;
		if (procscan_cgroup_members(run->services[i].dirfd, &pids,
		    &npids) == -1) {
			if (errno != ENOENT) {
				warn("cgroup %s", run->services[i].path);
				run->trouble = true;
			}
			continue;
		}
		for (size_t j = 0; j < npids; j++) {
			if (find_target(run, pids[j]) != NULL)
				continue;
			switch (admit(run, pids[j], ORIGIN_MATCH, NULL, -1,
			    &t)) {
			case ADMIT_HELD:
				break;
			case ADMIT_SKIPPED:
				run->services[i].untouchable = true;
				continue;
			default:
				continue;
			}
			added++;
			if (running && t->alive && !interrupt_arrived(run))
				signal_target(run, t,
				    run->ctl->sched.steps[run->step].signo);
		}
		free(pids);
	}
	return added;
}

/*
 * Hold every target before the first signal (a master's may end its
 * workers), from the cheapest criterion given, each source read whole:
 * pidfiles, PIDs, cgroup members, port holders, or one scan of /proc.
 * Then add the trees.
 */
static void
find_targets(struct run *run)
{
	const struct control *ctl = run->ctl;
	struct pidlist found = { NULL, 0 };
	int r = 0;

	if (run->impossible)
		return;
	if (ctl->npidfiles > 0) {
		read_pidfiles(run, &found);
		hold_candidates(run, &found, ORIGIN_EXPLICIT, true);
	} else if (ctl->npids > 0) {
		found.pids = ctl->pids;
		found.n = ctl->npids;
		hold_candidates(run, &found, ORIGIN_EXPLICIT, false);
		found.pids = NULL;
	} else if (run->match.ncgroups > 0)
		find_members(run, false);
	else {
		if (run->match.ports != NULL)
			r = procscan_scan_holders(&run->sockets, collect_pid,
			    &found);
		else
			r = procscan_scan(&run->match, collect_pid, &found);
		if (r == -1) {
			warn("/proc");
			run->trouble = true;
		}
		hold_candidates(run, &found, ORIGIN_MATCH, false);
	}
	free(found.pids);
	if (ctl->tree != TREE_NONE)
		expand_tree(run, false);
}

/*
 * Admit pi, a child of parent, started no earlier (a recycled parent
 * PID adopts no stranger); while running, signal it for the step.
 */
static bool
admit_child(struct run *run, const struct procinfo *pi,
    const struct target *parent, bool running)
{
	struct target *t;

	if (find_target(run, pi->pid) != NULL ||
	    pi->starttime < parent->pi.starttime ||
	    admit(run, pi->pid, ORIGIN_TREE, pi, -1, &t) != ADMIT_HELD)
		return false;
	if (running && t->alive)
		signal_target(run, t, run->ctl->sched.steps[run->step].signo);
	return true;
}

/* For kernels without the children files: one scan of all of /proc. */
struct tree_scan {
	struct procinfo	*procs;
	size_t		 nprocs;
	int		 failed;	/* errno of a stat not read */
};

static int
tree_collect(pid_t pid, void *arg)
{
	struct tree_scan *ts = arg;
	struct procinfo pi;

	if (procscan_read_stat(pid, &pi) == -1) {
		if (errno != ESRCH)
			ts->failed = errno;
		return 0;
	}
	if (pi.ppid > 1)
		*(struct procinfo *)append(&ts->procs, &ts->nprocs,
		    sizeof(*ts->procs)) = pi;
	return 0;
}

/*
 * Add every descendant of every live target from one scan of /proc.
 * Returns how many were added.
 */
static size_t
scan_tree(struct run *run, bool running)
{
	struct tree_scan ts = { NULL, 0, 0 };
	struct target *parent;
	size_t total = 0;
	bool added;

	if (procscan_scan(NULL, tree_collect, &ts) == -1 || ts.failed) {
		if (ts.failed)
			errno = ts.failed;
		warn("/proc");
		run->trouble = true;
	}
	do {
		added = false;
		for (size_t i = 0; i < ts.nprocs; i++)
			if ((parent = find_target(run, ts.procs[i].ppid)) !=
			    NULL && parent->alive &&
			    admit_child(run, &ts.procs[i], parent, running)) {
				added = true;
				total++;
			}
	} while (added);
	free(ts.procs);
	return total;
}

struct tree_walk {
	struct run	*run;
	size_t		 parent;	/* index: the table may move */
	bool		 running;
	size_t		 added;
};

static int
tree_child(const struct procinfo *pi, void *arg)
{
	struct tree_walk *tw = arg;

	if (admit_child(tw->run, pi, &tw->run->targets[tw->parent],
	    tw->running))
		tw->added++;
	return 0;
}

/*
 * Add every descendant of every live target, those added meanwhile
 * walked in turn.  Returns how many were added.
 */
static size_t
expand_tree(struct run *run, bool running)
{
	struct tree_walk tw = { run, 0, running, 0 };
	pid_t pid;

	for (size_t i = 0; i < run->ntargets; i++) {
		if (!run->targets[i].alive)
			continue;
		tw.parent = i;
		pid = run->targets[i].pi.pid;
		if (procscan_children(pid, tree_child, &tw) == 0)
			continue;
		if (errno == ENOSYS)
			return tw.added + scan_tree(run, running);
		if (errno != ESRCH) {
			warn("/proc/%d/task", (int)pid);
			run->trouble = true;
		}
	}
	return tw.added;
}

/* Signalling */

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
	if (procscan_reread(&t->pi, &pi) != 1) {
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
step_applies(const struct target *t, int signo)
{
	return !t->spared || signo == SIGKILL;
}

/* Stop counting t among the living. */
static void
unwatch(struct run *run, struct target *t)
{
	t->alive = false;
	run->nalive--;
	if (t->pidfd == -1)
		run->nfallback--;
}

/*
 * A signal to t failed: ESRCH, it is gone (vanished, if it was the
 * first); EPERM on the first, denied; anything else, trouble.
 */
static void
signal_failed(struct run *run, struct target *t, int signo, bool first)
{
	char name[NAME_MAX_ESC];

	if (errno == ESRCH) {
		t->started = !first;
		target_ended(run, t);
		return;
	}
	live_erase(run);
	escape(t->pi.comm, name, sizeof(name));
	run->trouble = true;
	if (!first || errno != EPERM) {
		warn("PID %d (%s): SIG%s", (int)t->pi.pid, name,
		    signal_name(signo));
		return;
	}
	warn("PID %d (%s): cannot signal", (int)t->pi.pid, name);
	t->outcome = OUT_DENIED;
	strlcpy(t->reason, "operation not permitted", sizeof(t->reason));
	unwatch(run, t);
	close_pidfd(run, &t->pidfd);
}

/*
 * Send SIGCONT after a graceful signal if t is stopped, as read just
 * before the step (when held, or by explain()).
 */
static void
continue_if_stopped(struct run *run, struct target *t)
{
	char name[NAME_MAX_ESC];

	if (procscan_is_stopped(&t->pi) && send_signal(t, SIGCONT) == 0)
		event(run, "sent SIGCONT to stopped %d (%s)", (int)t->pi.pid,
		    escape(t->pi.comm, name, sizeof(name)));
}

/* Signal one target for the current step. */
static void
signal_target(struct run *run, struct target *t, int signo)
{
	const struct control *ctl = run->ctl;
	char name[NAME_MAX_ESC];
	bool first = !t->started;

	start_target(t);
	t->sent_serial = run->step_serial;
	if (signo == 0 || !step_applies(t, signo))
		return;
	if (send_signal(t, signo) == -1) {
		signal_failed(run, t, signo, first);
		return;
	}
	*(int *)append(&t->sigs, &t->nsigs, sizeof(*t->sigs)) = signo;
	event(run, "sent SIG%s to %d (%s)", signal_name(signo),
	    (int)t->pi.pid, escape(t->pi.comm, name, sizeof(name)));
	if (!ctl->no_cont && signo != SIGKILL && signo != SIGCONT)
		continue_if_stopped(run, t);
}

/* Send SIGSTOP to t, which no report lists (a means, like SIGCONT). */
static void
stop_target(struct run *run, struct target *t)
{
	if (send_signal(t, SIGSTOP) == -1 && errno == ESRCH)
		target_ended(run, t);
}

/*
 * Before SIGKILL to a tree: stop every member and look for new ones
 * until none appears (bounded), so that a forking tree cannot outrun it.
 */
static void
stop_tree(struct run *run)
{
	size_t round = 0;

	do {
		for (size_t i = 0; i < run->ntargets; i++)
			if (run->targets[i].alive)
				stop_target(run, &run->targets[i]);
	} while (expand_tree(run, false) > 0 && ++round < STOP_ROUNDS);
	event(run, "stopped the tree (%zu rounds) before SIGKILL", round + 1);
}

/* Write text to the file name of cgroup sv; -1 with a warning if not. */
static int
write_cgroup(struct run *run, const struct service *sv, const char *name,
    const char *text)
{
	int fd, saved;
	ssize_t n;

	if ((fd = openat(sv->dirfd, name, O_WRONLY | O_CLOEXEC)) == -1) {
		warn("cgroup %s: %s", sv->path, name);
		run->trouble = true;
		return -1;
	}
	n = write(fd, text, strlen(text));
	saved = errno;
	close(fd);
	if (n == -1) {
		errno = saved;
		warn("cgroup %s: %s", sv->path, name);
		run->trouble = true;
		return -1;
	}
	return 0;
}

/* Record that SIGKILL reached t by cgroup.kill. */
static void
killed_by_cgroup(struct run *run, struct target *t)
{
	start_target(t);
	t->sent_serial = run->step_serial;
	*(int *)append(&t->sigs, &t->nsigs, sizeof(*t->sigs)) = SIGKILL;
}

/* Wait, bounded, for the kernel to say that sv is frozen. */
static void
wait_frozen(const struct service *sv)
{
	struct cgroup_events ev;
	struct pollfd pfd = { sv->eventsfd, POLLPRI, 0 };
	int64_t deadline = now_ns() + FREEZE_WAIT_NS;

	while (procscan_cgroup_read_events(sv->eventsfd, &ev) == 0 &&
	    !ev.frozen && ev.populated && now_ns() < deadline)
		if (poll(&pfd, 1, (int)((deadline - now_ns()) / MSEC) + 1) ==
		    -1 && errno != EINTR)
			return;
}

/*
 * The SIGKILL step over the cgroups: cgroup.kill for a whole cgroup
 * gracekill is not in; otherwise freeze it (unless gracekill is in it),
 * kill each member until no new one appears, and thaw it.
 */
static void
kill_services(struct run *run)
{
	struct service *sv;
	size_t round;
	bool frozen;

	for (size_t i = 0; i < run->nservices; i++) {
		sv = &run->services[i];
		if (sv->dirfd == -1)
			continue;
		if (run->whole && !sv->inside && (sv->has & CGROUP_HAS_KILL) &&
		    write_cgroup(run, sv, "cgroup.kill", "1") == 0) {
			event(run, "wrote cgroup.kill of %s", sv->path);
			for (size_t j = 0; j < run->ntargets; j++)
				if (run->targets[j].alive &&
				    run->targets[j].cgroup == (ssize_t)i)
					killed_by_cgroup(run, &run->targets[j]);
			continue;
		}
		frozen = !sv->inside && sv->eventsfd != -1 &&
		    (sv->has & CGROUP_HAS_FREEZE) &&
		    write_cgroup(run, sv, "cgroup.freeze", "1") == 0;
		if (frozen) {
			event(run, "froze %s", sv->path);
			wait_frozen(sv);
		}
		for (round = 0; round < STOP_ROUNDS; round++) {
			for (size_t j = 0; j < run->ntargets; j++)
				if (run->targets[j].alive &&
				    run->targets[j].cgroup == (ssize_t)i &&
				    run->targets[j].sent_serial !=
				    run->step_serial)
					signal_target(run, &run->targets[j],
					    SIGKILL);
			if (find_members(run, true) == 0)
				break;
		}
		if (frozen && write_cgroup(run, sv, "cgroup.freeze", "0") == 0)
			event(run, "thawed %s", sv->path);
	}
}

/*
 * Send step k's signal to every live target; the first step only to
 * those not signalled as they were held.
 */
static void
signal_step(struct run *run, size_t k, bool first)
{
	int signo = run->ctl->sched.steps[k].signo;
	struct target *t;

	run->step = k;
	run->step_serial++;
	if (signo == SIGKILL && run->ctl->tree != TREE_NONE)
		stop_tree(run);
	if (signo == SIGKILL)
		kill_services(run);
	for (size_t i = 0; i < run->ntargets; i++) {
		t = &run->targets[i];
		if (t->alive && t->sent_serial != run->step_serial &&
		    !(first && t->started))
			signal_target(run, t, signo);
	}
}

/*
 * Why a graceful signal did not end t, from /proc, into t->reason;
 * empty when nothing shows.  Also refreshes t's state for SIGCONT.
 */
static void
explain(struct target *t, int signo)
{
	struct procinfo now;
	pid_t tracer = 0;
	enum procscan_obstacle why;

	why = procscan_obstacle(&t->pi, signo, &now, &tracer);
	t->reason[0] = '\0';
	if (why != OBSTACLE_GONE)
		t->pi.state = now.state;
	switch (why) {
	case OBSTACLE_DSLEEP:
		strlcpy(t->reason, "uninterruptible sleep (D)",
		    sizeof(t->reason));
		break;
	case OBSTACLE_STOPPED:
		strlcpy(t->reason, "stopped (T)", sizeof(t->reason));
		break;
	case OBSTACLE_TRACER:
		snprintf(t->reason, sizeof(t->reason), "traced by PID %d",
		    (int)tracer);
		break;
	case OBSTACLE_TRACED:
		strlcpy(t->reason, "traced (t)", sizeof(t->reason));
		break;
	case OBSTACLE_IGNORES:
		snprintf(t->reason, sizeof(t->reason), "ignores SIG%s",
		    signal_name(signo));
		break;
	case OBSTACLE_BLOCKS:
		snprintf(t->reason, sizeof(t->reason), "blocks SIG%s",
		    signal_name(signo));
		break;
	default:
		break;
	}
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

/* Waiting and exit status */

static int64_t
now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		err(EXIT_TROUBLE, "clock_gettime");
	return (int64_t)ts.tv_sec * NSEC + ts.tv_nsec;
}

/* The exit status from PIDFD_GET_INFO (Linux 6.15+), once reaped. */
static bool
status_from_pidfd(struct run *run, struct target *t)
{
	struct gk_pidfd_info info;

	if (t->pidfd == -1 || run->no_pidfd_info)
		return false;
	memset(&info, 0, sizeof(info));
	info.mask = PIDFD_INFO_EXIT;
	if (ioctl(t->pidfd, GK_PIDFD_GET_INFO, &info) == 0) {
		if (!(info.mask & PIDFD_INFO_EXIT))
			return false;
		t->status = info.exit_code;
		t->reaped = true;
		return true;
	}
	if (errno == ENOTTY || errno == EINVAL) {
		run->no_pidfd_info = true;
		event(run, "PIDFD_GET_INFO: %s: exit status only from zombies",
		    strerror(errno));
	}
	return false;
}

/*
 * A zombie's exit status, field 52 of /proc/PID/stat; a 0 only with
 * CAP_SYS_PTRACE (the kernel shows 0 to other readers).
 */
static bool
status_from_zombie(struct run *run, struct target *t)
{
	struct procinfo pi;

	if (procscan_reread(&t->pi, &pi) != 1 ||
	    (pi.state != 'Z' && pi.state != 'X') || pi.exit_code < 0)
		return false;
	if (pi.exit_code == 0 && run->privileged == -1)
		run->privileged = procscan_may_ptrace();
	if (pi.exit_code == 0 && !run->privileged)
		return false;
	t->status = pi.exit_code;
	return true;
}

/* Read what the kernel kept of t's exit status, if anything. */
static void
read_exit_status(struct run *run, struct target *t)
{
	/* The pidfd again last: the parent may reap between the reads. */
	if (!status_from_pidfd(run, t) && !status_from_zombie(run, t) &&
	    !status_from_pidfd(run, t))
		return;
	if (WIFEXITED(t->status))
		t->status_kind = STATUS_CODE;
	else if (WIFSIGNALED(t->status))
		t->status_kind = STATUS_SIGNAL;
}

/*
 * Close t's pidfd unless it may still give the status (its parent may
 * reap it soon); with EPOLLONESHOT, a kept one reports nothing more.
 */
static void
release_pidfd(struct run *run, struct target *t)
{
	if (t->status_kind != STATUS_UNKNOWN || run->no_pidfd_info)
		close_pidfd(run, &t->pidfd);
}

/* Whether signo was sent to t. */
static bool
got_signal(const struct target *t, int signo)
{
	for (size_t i = 0; i < t->nsigs; i++)
		if (t->sigs[i] == signo)
			return true;
	return false;
}

static void	describe_outcome(char *, size_t, const struct target *, bool);

/* t has ended: stop watching it and settle its outcome and status. */
static void
target_ended(struct run *run, struct target *t)
{
	char text[512], name[NAME_MAX_ESC];

	if (!t->alive)
		return;
	unwatch(run, t);
	t->end_ns = now_ns();
	if (!t->started)
		t->outcome = OUT_VANISHED;
	else
		t->outcome = got_signal(t, SIGKILL) ? OUT_KILLED : OUT_EXITED;
	read_exit_status(run, t);
	release_pidfd(run, t);
	if (run->ctl->verbose) {
		describe_outcome(text, sizeof(text), t, false);
		event(run, "%d (%s) %s", (int)t->pi.pid,
		    escape(t->pi.comm, name, sizeof(name)), text);
	}
}

/* Watch the targets without a pidfd: gone, recycled, or a lone zombie. */
static void
check_fallback(struct run *run)
{
	struct procinfo pi;
	struct target *t;

	for (size_t i = 0; i < run->ntargets && run->nfallback > 0; i++) {
		t = &run->targets[i];
		if (t->alive && t->pidfd == -1 &&
		    (procscan_reread(&t->pi, &pi) != 1 ||
		    procscan_is_lone_zombie(&pi)))
			target_ended(run, t);
	}
}

static void
drain_signalfd(struct run *run)
{
	struct signalfd_siginfo si;

	while (read(run->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		run->interrupted = true;
		event(run, "got SIG%s: stopping, no further escalation",
		    signal_name((int)si.ssi_signo));
	}
}

/*
 * Whether SIGINT, SIGTERM or SIGHUP has come, read now: while targets
 * are still being signalled as they are held, one stops the signalling.
 */
static bool
interrupt_arrived(struct run *run)
{
	drain_signalfd(run);
	return run->interrupted;
}

static int64_t
min_ns(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/*
 * Whether a cgroup selected whole is not empty yet, and holds neither
 * gracekill nor another process it never targets.
 */
static bool
awaiting_empty(const struct run *run)
{
	const struct service *sv;

	if (!run->whole || run->ctl->dry_run)
		return false;
	for (size_t i = 0; i < run->nservices; i++) {
		sv = &run->services[i];
		if (sv->eventsfd != -1 && !sv->inside && !sv->untouchable &&
		    sv->populated)
			return true;
	}
	return false;
}

/* Wait for changes of every cgroup's cgroup.events in epoll. */
static void
watch_services(struct run *run)
{
	struct epoll_event ev;

	for (size_t i = 0; i < run->nservices; i++) {
		if (run->services[i].eventsfd == -1)
			continue;
		ev.events = EPOLLPRI;
		ev.data.u64 = SERVICE_TAG(i);
		if (epoll_ctl(run->epfd, EPOLL_CTL_ADD,
		    run->services[i].eventsfd, &ev) == -1)
			err(EXIT_TROUBLE, "epoll_ctl: cgroup %s",
			    run->services[i].path);
	}
}

/*
 * A cgroup's cgroup.events changed: read it (which re-arms it), and
 * take in what was forked meanwhile, signalled at once.
 */
static void
service_changed(struct run *run, size_t i)
{
	struct service *sv = &run->services[i];
	struct cgroup_events ev;

	if (procscan_cgroup_read_events(sv->eventsfd, &ev) == -1) {
		warn("cgroup %s: cgroup.events", sv->path);
		run->trouble = true;
		epoll_ctl(run->epfd, EPOLL_CTL_DEL, sv->eventsfd, NULL);
		close(sv->eventsfd);
		sv->eventsfd = -1;
		return;
	}
	sv->populated = ev.populated;
	if (ev.populated && !run->interrupted)
		find_members(run, true);
}

/*
 * Sleep in epoll until every target is gone, the deadline passes, or an
 * interrupt; early only for the /proc fallback, trees and the live line.
 */
static void
wait_step(struct run *run, int64_t deadline)
{
	const struct control *ctl = run->ctl;
	struct epoll_event evs[256];
	int64_t now, wait, backoff = BACKOFF_MIN_NS, rescan = 0;
	int n, ms;

	while ((run->nalive > 0 || awaiting_empty(run)) && !run->interrupted) {
		if ((now = now_ns()) >= deadline)
			return;
		/* Every member held is gone, yet the cgroup is not empty. */
		if (run->nalive == 0)
			find_members(run, true);
		wait = deadline == NO_DEADLINE ? NO_DEADLINE : deadline - now;
		if (run->nfallback > 0)
			wait = min_ns(wait, backoff);
		if (ctl->tree != TREE_NONE)
			wait = min_ns(wait, RESCAN_NS);
		if (run->live)
			wait = min_ns(wait, LIVE_TICK_NS);
		ms = wait == NO_DEADLINE ? -1 : (int)min_ns(INT_MAX,
		    (wait + MSEC - 1) / MSEC);
		live_update(run, deadline);
		n = epoll_wait(run->epfd, evs, (int)nitems(evs), ms);
		if (n == -1 && errno != EINTR)
			err(EXIT_TROUBLE, "epoll_wait");
		for (int i = 0; i < n; i++) {
			if (evs[i].data.u64 == SIGFD_TAG)
				drain_signalfd(run);
			else if (run->nservices > 0 && evs[i].data.u64 >=
			    SERVICE_TAG(run->nservices - 1))
				service_changed(run,
				    (size_t)(SERVICE_TAG(0) - evs[i].data.u64));
			else
				target_ended(run,
				    &run->targets[evs[i].data.u64]);
		}
		if (run->nfallback > 0) {
			check_fallback(run);
			if (backoff < BACKOFF_MAX_NS)
				backoff *= 2;
		}
		if (ctl->tree != TREE_NONE && !run->interrupted &&
		    now_ns() >= rescan) {
			expand_tree(run, true);
			rescan = now_ns() + RESCAN_NS;
		}
	}
}

/* Before a later step: say why the survivors survived, find new members. */
static void
prepare_escalation(struct run *run, size_t k)
{
	struct target *t;

	for (size_t i = 0; i < run->ntargets; i++) {
		t = &run->targets[i];
		if (t->alive)
			explain(t, last_graceful(t));
	}
	event(run, "escalating to SIG%s: %zu still running",
	    signal_name(run->ctl->sched.steps[k].signo), run->nalive);
	if (run->ctl->tree != TREE_NONE)
		expand_tree(run, false);
	find_members(run, false);
}

/* Walk the schedule: signal, wait, escalate, until all are gone. */
static void
run_schedule(struct run *run)
{
	const struct schedule *sched = &run->ctl->sched;
	int64_t wait_ns;
	size_t k = 0;
	bool first = true;

	drain_signalfd(run);
	watch_services(run);
	while ((run->nalive > 0 || awaiting_empty(run)) && !run->interrupted) {
		if (!first)
			prepare_escalation(run, k);
		signal_step(run, k, first);
		if (run->ctl->no_wait)
			return;
		first = false;
		wait_ns = sched->steps[k].wait_ns;
		wait_step(run, wait_ns == DURATION_INFINITE ? NO_DEADLINE :
		    now_ns() + wait_ns);
		if (++k == sched->nsteps) {
			if (sched->repeat_from == sched->nsteps)
				break;
			k = sched->repeat_from;
		}
	}
}

/* Report */

/* Whether stdout was closed when gracekill started (now /dev/null). */
static bool stdout_was_closed;

/*
 * The character at p into out, control characters, backslash and bad
 * UTF-8 escaped C-style.  Returns how many bytes of p it stands for.
 */
static size_t
escape_char(const unsigned char *p, char out[8])
{
	size_t n, i;
	uint32_t c;

	if (*p == '\\') {
		memcpy(out, "\\\\", 3);
		return 1;
	}
	if (*p < 0x80) {
		if (*p < 0x20 || *p == 0x7f)
			snprintf(out, 8, "\\x%02x", *p);
		else
			out[0] = (char)*p, out[1] = '\0';
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0)
		n = 2, c = p[0] & 0x1f;
	else if ((p[0] & 0xf0) == 0xe0)
		n = 3, c = p[0] & 0x0f;
	else if ((p[0] & 0xf8) == 0xf0)
		n = 4, c = p[0] & 0x07;
	else
		n = 0, c = 0;
	for (i = 1; i < n && (p[i] & 0xc0) == 0x80; i++)
		c = c << 6 | (p[i] & 0x3f);
	/* Overlong, surrogate, beyond U+10FFFF, or a C1 control. */
	if (n == 0 || i < n || (n == 2 && c < 0xa0) || (n == 3 && c < 0x800) ||
	    (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff)) {
		snprintf(out, 8, "\\x%02x", *p);
		return 1;
	}
	memcpy(out, p, n);
	out[n] = '\0';
	return n;
}

/* s with control characters and invalid UTF-8 escaped, into buf. */
static const char *
escape(const char *s, char *buf, size_t size)
{
	const unsigned char *p = (const unsigned char *)s;
	char one[8];
	size_t len = 0, n;

	buf[0] = '\0';
	while (*p != '\0') {
		p += escape_char(p, one);
		if ((n = strlen(one)) >= size - len)
			break;
		memcpy(buf + len, one, n + 1);
		len += n;
	}
	return buf;
}

/* Print s escaped, however long. */
static void
print_escaped(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char one[8];

	while (*p != '\0') {
		p += escape_char(p, one);
		fputs(one, fp);
	}
}

/* Print s as a JSON string; invalid UTF-8 becomes U+FFFD. */
static void
print_json_string(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char one[8];
	size_t n;

	fputc('"', fp);
	while (*p != '\0') {
		n = escape_char(p, one);
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\u%04x", *p);
		else if (one[0] == '\\')
			fputs("\\ufffd", fp);
		else
			fputs(one, fp);
		p += n;
	}
	fputc('"', fp);
}

/* -v: a line on stderr with the seconds since gracekill started. */
static void
event(struct run *run, const char *fmt, ...)
{
	va_list ap;
	int64_t t;

	if (!run->ctl->verbose)
		return;
	live_erase(run);
	t = now_ns() - run->t0;
	fprintf(stderr, "%s: [+%lld.%03llds] ", getprogname(),
	    (long long)(t / NSEC), (long long)(t % NSEC / MSEC));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
live_erase(struct run *run)
{
	if (run->live_shown) {
		fputs("\r\033[K", stderr);
		run->live_shown = false;
	}
}

/* The step after the current one, or NULL at the end of the schedule. */
static const struct step *
next_step(const struct run *run)
{
	const struct schedule *sched = &run->ctl->sched;

	if (run->step + 1 < sched->nsteps)
		return &sched->steps[run->step + 1];
	if (sched->repeat_from < sched->nsteps)
		return &sched->steps[sched->repeat_from];
	return NULL;
}

/* Rewrite the one live line: who remains and what comes next. */
static void
live_update(struct run *run, int64_t deadline)
{
	char line[512], *p = line, *end, name[NAME_MAX_ESC];
	const struct step *next = next_step(run);
	int signo = run->ctl->sched.steps[run->step].signo;
	struct winsize ws;
	size_t width = 80, shown = 0, n;
	int64_t left;

	if (!run->live)
		return;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
		width = ws.ws_col;
	if (width > sizeof(line))
		width = sizeof(line);
	end = line + width - 1;
	p += snprintf(p, (size_t)(end - p), "%s: waiting for %zu of %zu "
	    "after %s%s:", getprogname(), run->nalive, run->nheld,
	    signo ? "SIG" : "signal ", signal_name(signo));
	for (size_t i = 0; i < run->ntargets && shown < 3 && p < end; i++) {
		if (!run->targets[i].alive)
			continue;
		n = (size_t)snprintf(p, (size_t)(end - p), " %d (%s)",
		    (int)run->targets[i].pi.pid, escape(run->targets[i].pi.comm,
		    name, sizeof(name)));
		p += n < (size_t)(end - p) ? n : (size_t)(end - p);
		shown++;
	}
	if (shown < run->nalive && p < end)
		p += snprintf(p, (size_t)(end - p), " ...");
	left = deadline == NO_DEADLINE ? 0 : deadline - now_ns();
	if (left < 0)
		left = 0;
	if (p < end && deadline == NO_DEADLINE)
		snprintf(p, (size_t)(end - p), "; no deadline");
	else if (p < end)
		snprintf(p, (size_t)(end - p), "; %s%s in %lld.%llds",
		    next != NULL ? "SIG" : "giving up",
		    next != NULL ? signal_name(next->signo) : "",
		    (long long)(left / NSEC),
		    (long long)(left % NSEC / (100 * MSEC)));
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
	run->live_shown = true;
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

static bool
has_seconds(const struct target *t)
{
	return t->outcome == OUT_EXITED || t->outcome == OUT_KILLED;
}

/* The report's text for t's outcome, e.g. "killed by SIGKILL after 1.002s". */
static void
describe_outcome(char *buf, size_t size, const struct target *t, bool timed)
{
	char status[48], name[NAME_MAX_ESC];
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
		n = snprintf(buf, size, "survived in state %c", t->pi.state);
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
		n += snprintf(buf + n, size - (size_t)n, " (%s)", t->reason);
	if ((size_t)n < size && t->unreaped)
		snprintf(buf + n, size - (size_t)n, " (not reaped by %d %s)",
		    (int)t->parent, escape(t->parent_comm, name, sizeof(name)));
}

/*
 * Whether t, ended, is still a zombie that its parent has not reaped:
 * then note the parent (named as for prev, the last one noted, if the
 * same).  A status from the pidfd means it was reaped.
 */
static void
note_reaper(struct target *t, const struct target *prev)
{
	struct procinfo now, parent;

	if (t->reaped || procscan_reread(&t->pi, &now) != 1 ||
	    now.state != 'Z' ||
	    (t->outcome == OUT_MATCHED && now.nthreads > 1))
		return;
	t->unreaped = true;
	t->parent = now.ppid;
	if (prev != NULL && prev->parent == now.ppid)
		strlcpy(t->parent_comm, prev->parent_comm,
		    sizeof(t->parent_comm));
	else if (procscan_read_stat(now.ppid, &parent) == 0)
		strlcpy(t->parent_comm, parent.comm, sizeof(t->parent_comm));
}

static int
by_pid(const void *a, const void *b)
{
	const struct target *x = a, *y = b;

	return (x->pi.pid > y->pi.pid) - (x->pi.pid < y->pi.pid);
}

/*
 * Settle the outcome of what is left once the schedule has ended, read
 * the statuses still unknown, and order the targets by PID.
 */
static void
settle(struct run *run)
{
	const struct control *ctl = run->ctl;
	struct target *t, *unreaped = NULL;

	for (size_t i = 0; i < run->ntargets; i++) {
		t = &run->targets[i];
		if (!t->alive)
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
	for (size_t i = 0; i < run->ntargets; i++) {
		t = &run->targets[i];
		if (t->status_kind == STATUS_UNKNOWN && t->pidfd != -1 &&
		    !t->alive)
			read_exit_status(run, t);
		if (has_seconds(t) || t->outcome == OUT_MATCHED)
			note_reaper(t, unreaped);
		if (t->unreaped)
			unreaped = t;
	}
}

/* While checking the ports: what one holder holds. */
struct portcheck {
	struct run	*run;
	struct portscan	*now;
};

static int
note_holder(pid_t pid, void *arg)
{
	struct portcheck *pc = arg;
	const struct control *ctl = pc->run->ctl;
	struct portstate *st;
	const struct portsock *sock;

	for (size_t i = 0; i < pc->now->nsocks; i++) {
		sock = &pc->now->socks[i];
		if (sock->seen != pc->now->scan)
			continue;
		for (size_t j = 0; j < ctl->nportspecs; j++) {
			st = &pc->run->ports[j];
			if (!procscan_port_matches(&ctl->portspecs[j], sock) ||
			    (st->nholders > 0 &&
			    st->holders[st->nholders - 1] == pid))
				continue;
			*(pid_t *)append(&st->holders, &st->nholders,
			    sizeof(*st->holders)) = pid;
		}
	}
	return 0;
}

/*
 * After the schedule: who still listens on each --port.  A listener
 * whose holder cannot be seen is trouble, never free.
 */
static void
check_ports(struct run *run)
{
	const struct control *ctl = run->ctl;
	struct portscan now;
	struct portcheck pc = { run, &now };
	const struct portsock *sock;

	if (ctl->nportspecs == 0)
		return;
	if ((run->ports = calloc(ctl->nportspecs, sizeof(*run->ports))) ==
	    NULL)
		err(EXIT_TROUBLE, NULL);
	if (procscan_port_sockets(ctl->portspecs, ctl->nportspecs, &now) ==
	    -1) {
		warn("/proc/net");
		run->trouble = true;
		procscan_free_portscan(&now);
		return;
	}
	if (now.nsocks > 0 &&
	    procscan_scan_holders(&now, note_holder, &pc) == -1) {
		warn("/proc");
		run->trouble = true;
	}
	for (size_t j = 0; j < ctl->nportspecs; j++) {
		run->ports[j].free = true;
		for (size_t i = 0; i < now.nsocks; i++) {
			sock = &now.socks[i];
			if (!procscan_port_matches(&ctl->portspecs[j], sock))
				continue;
			run->ports[j].free = false;
			if (sock->nholders == 0)
				run->ports[j].unseen = true;
		}
		if (run->ports[j].unseen) {
			warnx("port %s: a listener whose holder gracekill "
			    "cannot see", ctl->portspecs[j].text);
			run->trouble = true;
		}
	}
	procscan_free_portscan(&now);
}

/* Whether cgroup sv is empty now (a missing one is). */
static bool
service_empty(const struct service *sv)
{
	struct cgroup_events ev;

	if (sv->dirfd == -1)
		return true;
	if (sv->eventsfd == -1 ||
	    procscan_cgroup_read_events(sv->eventsfd, &ev) == -1)
		return !sv->populated;
	return !ev.populated;
}

static enum exitcode
exit_code(const struct run *run)
{
	const struct target *t;
	size_t counted = 0, survived = 0;

	for (size_t i = 0; i < run->ntargets; i++) {
		t = &run->targets[i];
		if (t->outcome == OUT_SURVIVED)
			survived++;
		if (t->outcome != OUT_SKIPPED || t->origin == ORIGIN_EXPLICIT)
			counted++;
	}
	for (size_t i = 0; run->whole && !run->ctl->dry_run &&
	    !run->ctl->no_wait && i < run->nservices; i++)
		if (!run->services[i].inside && !run->services[i].untouchable &&
		    !service_empty(&run->services[i]))
			survived++;
	for (size_t i = 0; run->ports != NULL && !run->ctl->dry_run &&
	    i < run->ctl->nportspecs; i++)
		if (!run->ports[i].free)
			survived++;
	if (run->trouble)
		return EXIT_TROUBLE;
	if (survived > 0)
		return EXIT_SURVIVED;
	if (counted == 0)
		return run->ctl->oknodo ? EXIT_GONE : EXIT_NOMATCH;
	return EXIT_GONE;
}

/* Print the name of the process pid, escaped, or "?" once it is gone. */
static void
print_comm(pid_t pid)
{
	struct procinfo pi;

	if (procscan_read_stat(pid, &pi) == 0)
		print_escaped(stdout, pi.comm);
	else
		putchar('?');
}

/* "port tcp:8080: free", or who holds it. */
static void
report_text_port(const struct run *run, size_t i)
{
	const struct portstate *st = &run->ports[i];

	printf("port ");
	print_escaped(stdout, run->ctl->portspecs[i].text);
	if (st->free) {
		puts(": free");
		return;
	}
	printf(": held by");
	for (size_t j = 0; j < st->nholders; j++) {
		printf("%s %d (", j ? "," : "", (int)st->holders[j]);
		print_comm(st->holders[j]);
		putchar(')');
	}
	if (st->unseen)
		printf("%s a process gracekill cannot see",
		    st->nholders ? " and" : "");
	putchar('\n');
}

static void
report_text(const struct run *run)
{
	const struct target *t;
	char text[512];

	for (size_t i = 0; i < run->ntargets; i++) {
		t = &run->targets[i];
		if (t->outcome == OUT_SKIPPED && t->origin != ORIGIN_EXPLICIT)
			continue;
		printf("%d ", (int)t->pi.pid);
		print_escaped(stdout, t->pi.comm);
		describe_outcome(text, sizeof(text), t, true);
		printf(": %s\n", text);
	}
	for (size_t i = 0; run->ports != NULL && i < run->ctl->nportspecs;
	    i++)
		report_text_port(run, i);
	for (size_t i = 0; i < run->nservices; i++) {
		printf("cgroup ");
		print_escaped(stdout, run->services[i].path);
		printf(": %s\n", run->services[i].dirfd == -1 ?
		    "no such cgroup" : service_empty(&run->services[i]) ?
		    "empty" : "not empty");
	}
}

static void
report_json_target(const struct run *run, const struct target *t)
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
	printf(", \"reaped\": %s,\n     \"parent\": ", t->unreaped ? "false" :
	    "true");
	if (t->unreaped) {
		printf("{\"pid\": %d, \"name\": ", (int)t->parent);
		print_json_string(stdout, t->parent_comm);
		putchar('}');
	} else
		fputs("null", stdout);
	fputs(", \"cgroup\": ", stdout);
	if (t->cgroup >= 0)
		print_json_string(stdout, run->services[t->cgroup].path);
	else
		fputs("null", stdout);
	putchar('}');
}

/* With --port: each port, whether it is free, and who holds it. */
static void
report_json_ports(const struct run *run)
{
	const struct control *ctl = run->ctl;
	const struct portspec *ps;
	char addr[INET6_ADDRSTRLEN];

	if (run->ports == NULL)
		return;
	fputs(" \"ports\": [", stdout);
	for (size_t i = 0; i < ctl->nportspecs; i++) {
		ps = &ctl->portspecs[i];
		printf("%s{\"proto\": \"%s\", \"addr\": ", i ? ",\n   " : "",
		    ps->proto == IPPROTO_UDP ? "udp" : "tcp");
		if (ps->family != AF_UNSPEC && inet_ntop(ps->family, ps->addr,
		    addr, sizeof(addr)) != NULL)
			printf("\"%s\"", addr);
		else
			fputs("null", stdout);
		printf(", \"port\": %u, \"free\": %s, \"held_by\": [",
		    (unsigned)ps->port, run->ports[i].free ? "true" : "false");
		for (size_t j = 0; j < run->ports[i].nholders; j++)
			printf("%s%d", j ? ", " : "",
			    (int)run->ports[i].holders[j]);
		putchar(']');
		putchar('}');
	}
	fputs("],\n", stdout);
}

/* With --cgroup or --unit: each cgroup and whether it ended empty. */
static void
report_json_services(const struct run *run)
{
	if (run->ctl->ncgroups == 0 && run->ctl->nunits == 0)
		return;
	fputs(" \"cgroups\": [", stdout);
	for (size_t i = 0; i < run->nservices; i++) {
		fputs(i ? ", {\"path\": " : "{\"path\": ", stdout);
		print_json_string(stdout, run->services[i].path);
		printf(", \"empty\": %s}", service_empty(&run->services[i]) ?
		    "true" : "false");
	}
	fputs("],\n", stdout);
}

static void
report_json(const struct run *run, enum exitcode code)
{
	static const enum outcome counted[] = {
		OUT_EXITED, OUT_KILLED, OUT_SURVIVED, OUT_VANISHED, OUT_DENIED,
		OUT_SKIPPED
	};
	size_t count[OUT_COUNT] = { 0 };

	fputs("{\"version\": 1,\n \"targets\": [", stdout);
	for (size_t i = 0; i < run->ntargets; i++) {
		fputs(i ? ",\n" : "\n", stdout);
		report_json_target(run, &run->targets[i]);
		count[run->targets[i].outcome]++;
	}
	fputs(run->ntargets ? "\n ],\n" : "],\n", stdout);
	report_json_services(run);
	report_json_ports(run);
	fputs(" \"summary\": {", stdout);
	for (size_t i = 0; i < nitems(counted); i++)
		printf("%s\"%s\": %zu", i ? ", " : "",
		    outcome_names[counted[i]], count[counted[i]]);
	if (run->ctl->no_wait)
		printf(", \"signalled\": %zu", count[OUT_SIGNALLED]);
	if (run->ctl->dry_run)
		printf(", \"matched\": %zu", count[OUT_MATCHED]);
	printf("},\n \"exit_code\": %d}\n", code);
}

/* Print the user of PID: a name, a number, or "?". */
static void
print_user(pid_t pid)
{
	struct procstatus ps;
	struct passwd *pw;

	if (procscan_read_status(pid, &ps) == -1)
		fputs("?", stdout);
	else if ((pw = getpwuid(ps.euid)) != NULL)
		print_escaped(stdout, pw->pw_name);
	else
		printf("%u", (unsigned)ps.euid);
}

/* Dry run: each target's PID, user, name and command line. */
static void
report_dry_run(const struct run *run)
{
	const struct target *t;
	char sched[1024];
	size_t len;
	char *cmd;

	for (size_t i = 0; i < run->ntargets; i++) {
		t = &run->targets[i];
		if (t->outcome != OUT_MATCHED)
			continue;
		printf("%d ", (int)t->pi.pid);
		print_user(t->pi.pid);
		putchar(' ');
		print_escaped(stdout, t->pi.comm);
		putchar(' ');
		if (t->unreaped) {
			printf("(zombie, not reaped by %d ", (int)t->parent);
			print_escaped(stdout, t->parent_comm);
			puts(")");
			continue;
		}
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
	format_schedule(sched, sizeof(sched), &run->ctl->sched);
	printf("schedule: %s", sched);
	if (run->ctl->tree != TREE_NONE)
		printf(" (tree: %s)", run->ctl->tree == TREE_ALL ? "all" :
		    "mixed");
	putchar('\n');
}

static void
report(const struct run *run, enum exitcode code)
{
	const struct control *ctl = run->ctl;

	if (ctl->json)
		report_json(run, code);
	else if (ctl->dry_run)
		report_dry_run(run);
	else if (!ctl->quiet)
		report_text(run);
}

/*
 * --remove-pidfile: remove each pidfile whose PID is stale or whose
 * process was a target and is gone; never one whose process runs on.
 */
static void
remove_pidfiles(struct run *run)
{
	const struct control *ctl = run->ctl;
	const struct pidfile *pf;
	const struct target *t;

	if (!ctl->remove_pidfile || ctl->dry_run || ctl->no_wait)
		return;
	for (size_t i = 0; i < ctl->npidfiles; i++) {
		pf = &run->pidfiles[i];
		if (run->fates[i] == FATE_TARGET) {
			t = find_target(run, pf->pid);
			if (t == NULL || (t->outcome != OUT_EXITED &&
			    t->outcome != OUT_KILLED &&
			    t->outcome != OUT_VANISHED))
				continue;
		} else if (run->fates[i] != FATE_STALE)
			continue;
		if (procscan_remove_pidfile(pf) == 0)
			event(run, "removed %s", pf->path);
		else if (errno == ESTALE)
			event(run, "kept %s: rewritten meanwhile", pf->path);
		else {
			warn("%s: cannot remove", pf->path);
			run->trouble = true;
		}
	}
}

/* main */

/* Block the signals that stop the wait, and take them from a signalfd. */
static void
setup_events(struct run *run)
{
	struct epoll_event ev;
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) == -1)
		err(EXIT_TROUBLE, "sigprocmask");
	if ((run->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(EXIT_TROUBLE, "epoll_create1");
	run->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (run->sigfd == -1)
		err(EXIT_TROUBLE, "signalfd");
	ev.events = EPOLLIN;
	ev.data.u64 = SIGFD_TAG;
	if (epoll_ctl(run->epfd, EPOLL_CTL_ADD, run->sigfd, &ev) == -1)
		err(EXIT_TROUBLE, "epoll_ctl: signalfd");
}

static void
free_control(struct control *ctl)
{
	struct procmatch *m = &ctl->match;

	for (size_t i = 0; i < m->nexes; i++)
		free((void *)m->exes[i]);
	free(m->exes);
	for (size_t i = 0; i < m->nregexes; i++)
		regfree(&m->regexes[i]);
	free(m->regexes);
	free(m->names);
	free(m->parents);
	free(m->uids);
	free(m->pgroups);
	free(m->sessions);
	free(ctl->pids);
	free(ctl->pidfiles);
	free(ctl->cgroups);
	free(ctl->units);
	free(ctl->ports);
	for (size_t i = 0; ctl->portparts != NULL && i < ctl->nports; i++)
		free(ctl->portparts[i]);
	free(ctl->portparts);
	free(ctl->portspecs);
	schedule_free(&ctl->sched);
}

static void
free_run(struct run *run)
{
	for (size_t i = 0; i < run->ntargets; i++) {
		if (run->targets[i].pidfd != -1)
			close(run->targets[i].pidfd);
		free(run->targets[i].sigs);
	}
	free(run->targets);
	for (size_t i = 0; run->pidfiles != NULL && i < run->ctl->npidfiles;
	    i++)
		procscan_close_pidfile(&run->pidfiles[i]);
	free(run->pidfiles);
	free(run->fates);
	free(run->ancestors);
	for (size_t i = 0; i < run->nservices; i++) {
		if (run->services[i].dirfd != -1)
			close(run->services[i].dirfd);
		if (run->services[i].eventsfd != -1)
			close(run->services[i].eventsfd);
		free(run->services[i].path);
	}
	free(run->services);
	free(run->match.cgroups);
	for (size_t i = 0; run->ports != NULL && i < run->ctl->nportspecs; i++)
		free(run->ports[i].holders);
	free(run->ports);
	procscan_free_portscan(&run->sockets);
	if (run->ctl->ncgroups > 0 || run->ctl->nunits > 0)
		procscan_cgroup_close(&run->cgfs);
	close(run->epfd);
	close(run->sigfd);
	procscan_fini();
}

/*
 * Keep descriptors 0-2 taken, so that no pidfd or epoll descriptor can
 * become our standard output; remember whether stdout was closed.
 */
static void
reserve_std_fds(void)
{
	for (int i = STDIN_FILENO; i <= STDERR_FILENO; i++) {
		if (fcntl(i, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (open("/dev/null", O_RDWR) != i)
			err(EXIT_TROUBLE, "/dev/null");
		if (i == STDOUT_FILENO)
			stdout_was_closed = true;
	}
}

/*
 * Flush stdout; a write error (EPIPE, a closed stdout) is trouble,
 * never silent.  Returns code, or EXIT_TROUBLE.
 */
static enum exitcode
finish_output(enum exitcode code, bool wrote)
{
	if (wrote && stdout_was_closed) {
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
		.killwait_ns = 5 * NSEC
	};
	struct run run = { .ctl = &ctl, .epfd = -1, .sigfd = -1,
		.privileged = -1 };
	enum exitcode code;

	/* Parse and check the command line: usage errors exit 64 here. */
	reserve_std_fds();
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		err(EXIT_TROUBLE, "signal");
	parse_args(&ctl, argc, argv);
	validate_args(&ctl);

	/* Find the targets and hold a pidfd for each. */
	run.t0 = now_ns();
	run.live = !ctl.quiet && !ctl.dry_run && !ctl.no_wait &&
	    isatty(STDERR_FILENO);
	if (procscan_init() == -1)
		err(EXIT_TROUBLE, "/proc");
	run.self = getpid();
	run.nofile = soft_nofile();
	setup_events(&run);
	find_ancestors(&run);
	resolve_criteria(&run);
	find_targets(&run);

	/* Signal, wait and escalate along the schedule. */
	if (!ctl.dry_run) {
		run_schedule(&run);
		live_erase(&run);
	}

	/* Report how each target ended, and if each port is free. */
	settle(&run);
	if (!ctl.no_wait)
		check_ports(&run);
	remove_pidfiles(&run);
	if (run.ntargets > 1)
		qsort(run.targets, run.ntargets, sizeof(*run.targets), by_pid);
	code = exit_code(&run);
	if (ctl.dry_run && code == EXIT_NOMATCH && ctl.oknodo)
		code = EXIT_GONE;
	if (code == EXIT_NOMATCH && !ctl.quiet)
		warnx("no matching process");
	report(&run, code);
	code = finish_output(code, ctl.json || ctl.dry_run || !ctl.quiet);
	free_run(&run);
	free_control(&ctl);
	return (int)code;
}
