/*
 * gk-target: a process for gracekill's tests to stop.  It installs the
 * signal dispositions it is told to, announces that it is ready, logs
 * every caught signal and exits as told.  See test/INTERFACE.md.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXCMDS 16

static const struct {
	const char *name;
	int num;
} signames[] = {
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
	{ "SYS", SIGSYS },
};

static volatile sig_atomic_t ncaught;
static volatile sig_atomic_t lastsig;
static int logfd = -1;

static sigset_t catchset;	/* signals we catch */
static sigset_t blockset;	/* signals blocked for good (-B) */
static const char *readyfile;
static const char *spawncmds[MAXCMDS];
static size_t nspawn;
static const char *sigcmd;
static long maxcaught = 1;
static int exitcode = -1;
static long drain_ms;
static int exit_at_once = -1;

static void
die(const char *what)
{
	fprintf(stderr, "gk-target: %s: %s\n", what, strerror(errno));
	exit(125);
}

static void
usage(void)
{
	fputs("usage: gk-target [-tD] [-R file] [-L file] [-c sig] [-i sig] "
	    "[-B sig] [-k n]\n"
	    "    [-x code] [-d ms] [-s cmd] [-S cmd] [-e code] [-N copies]\n", stderr);
	exit(125);
}

static long
number(const char *s, long lo, long hi)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || n < lo || n > hi) {
		fprintf(stderr, "gk-target: bad number: '%s'\n", s);
		exit(125);
	}
	return n;
}

static int
parsesig(const char *s)
{
	size_t i;
	long off;

	if (s[0] >= '0' && s[0] <= '9')
		return (int)number(s, 1, SIGRTMAX);
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	if (strncasecmp(s, "RTMIN", 5) == 0) {
		off = s[5] == '\0' ? 0 : s[5] == '+' ?
		    number(s + 6, 0, SIGRTMAX - SIGRTMIN) : -1;
		if (off < 0)
			usage();
		return SIGRTMIN + (int)off;
	}
	if (strncasecmp(s, "RTMAX", 5) == 0) {
		off = s[5] == '\0' ? 0 : s[5] == '-' ?
		    number(s + 6, 0, SIGRTMAX - SIGRTMIN) : -1;
		if (off < 0)
			usage();
		return SIGRTMAX - (int)off;
	}
	for (i = 0; i < sizeof(signames) / sizeof(signames[0]); i++)
		if (strcasecmp(s, signames[i].name) == 0)
			return signames[i].num;
	fprintf(stderr, "gk-target: unknown signal: '%s'\n", s);
	exit(125);
}

/* Format n in decimal into buf (at least 21 bytes); return its length. */
static size_t
fmtnum(char *buf, unsigned long long n)
{
	char tmp[24];
	size_t len = 0, i;

	do {
		tmp[len++] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0);
	for (i = 0; i < len; i++)
		buf[i] = tmp[len - 1 - i];
	return len;
}

/* Async-signal-safe: count the signal and log "SIGNUM MONOTONIC_NS\n". */
static void
handler(int sig)
{
	struct timespec ts;
	char line[64];
	size_t len;
	int saved = errno;

	lastsig = sig;
	ncaught++;
	if (logfd != -1) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		len = fmtnum(line, (unsigned long long)sig);
		line[len++] = ' ';
		len += fmtnum(line + len, (unsigned long long)ts.tv_sec *
		    1000000000ULL + (unsigned long long)ts.tv_nsec);
		line[len++] = '\n';
		if (write(logfd, line, len) == -1) {
			/* Nothing sensible to do in a handler. */
		}
	}
	errno = saved;
}

/* In a fresh child: default dispositions, empty mask, then sh -c cmd. */
static void
spawn(const char *cmd)
{
	sigset_t none;
	pid_t pid;
	int sig;

	if ((pid = fork()) == -1)
		die("fork");
	if (pid > 0)
		return;
	for (sig = 1; sig <= SIGRTMAX; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

/* Write "PID\n" to path.tmp, then rename it to path. */
static void
writepid(const char *path, pid_t pid)
{
	char tmp[PATH_MAX];
	FILE *fp;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		die(path);
	}
	if ((fp = fopen(tmp, "w")) == NULL)
		die(tmp);
	fprintf(fp, "%ld\n", (long)pid);
	if (fclose(fp) == EOF)
		die(tmp);
	if (rename(tmp, path) == -1)
		die(path);
}

static void
announce(void)
{
	if (readyfile != NULL)
		writepid(readyfile, getpid());
}

static void
sleep_ms(long ms)
{
	struct timespec end;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ms / 1000;
	end.tv_nsec += (ms % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &end,
	    NULL) == EINTR)
		continue;
}

/*
 * Wait for signals until the exit condition holds, then drain and exit.
 * Caught signals are blocked outside sigsuspend, so none is missed.
 */
static void
run(void)
{
	sigset_t waitmask;
	int spawned = 0, sig;

	if (exit_at_once >= 0)
		exit(exit_at_once);
	pthread_sigmask(SIG_SETMASK, NULL, &waitmask);
	for (sig = 1; sig <= SIGRTMAX; sig++)
		if (sigismember(&catchset, sig) &&
		    !sigismember(&blockset, sig))
			sigdelset(&waitmask, sig);
	for (;;) {
		if (ncaught > 0 && sigcmd != NULL && !spawned) {
			spawn(sigcmd);
			spawned = 1;
		}
		if (maxcaught > 0 && ncaught >= maxcaught)
			break;
		sigsuspend(&waitmask);
	}
	if (drain_ms > 0)
		sleep_ms(drain_ms);
	if (exitcode >= 0)
		exit(exitcode);
	sig = lastsig;
	signal(sig, SIG_DFL);
	sigemptyset(&waitmask);
	sigaddset(&waitmask, sig);
	pthread_sigmask(SIG_UNBLOCK, &waitmask, NULL);
	raise(sig);
	/* The default action of sig is to ignore it or to stop. */
	exit(128 + sig);
}

/* Return the state letter of /proc/self/task/tid, or '?' */
static char
taskstate(pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/stat", (long)tid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL || p[1] == '\0')
		return '?';
	return p[2];
}

/* -t: wait until the main thread has exited, then announce and run. */
static void *
thread_main(void *arg)
{
	pid_t leader = getpid();
	int i;

	(void)arg;
	for (i = 0; i < 5000 && taskstate(leader) != 'Z'; i++)
		sleep_ms(1);
	announce();
	run();
	return NULL;
}

static const char *vchild_path;

/*
 * -D: the CLONE_VFORK child.  It shares our memory while we sleep in
 * state D waiting for it, so it only announces and then pauses.
 */
static int
vfork_child(void *arg)
{
	sigset_t none;
	int sig;

	(void)arg;
	for (sig = 1; sig <= SIGRTMAX; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	writepid(vchild_path, getpid());
	if (readyfile != NULL)
		writepid(readyfile, getppid());
	for (;;)
		pause();
	return 0;
}

static void
do_vfork(void)
{
	static char path[PATH_MAX];
	size_t stacksize = 256 * 1024;
	sigset_t saved;
	char *stack;

	if (readyfile == NULL) {
		fputs("gk-target: -D needs -R\n", stderr);
		exit(125);
	}
	if (snprintf(path, sizeof(path), "%s.vchild", readyfile) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		die(readyfile);
	}
	vchild_path = path;
	/* In state D show only the -B signals as blocked. */
	pthread_sigmask(SIG_SETMASK, &blockset, &saved);
	if ((stack = malloc(stacksize)) == NULL)
		die("malloc");
	if (clone(vfork_child, stack + stacksize, CLONE_VM | CLONE_VFORK |
	    SIGCHLD, NULL) == -1)
		die("clone");
	/* Reached only if the child ends (it is killed). */
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	free(stack);
	run();
}

int
main(int argc, char *argv[])
{
	struct sigaction sa;
	pthread_t thr;
	sigset_t ignset, mask;
	const char *logfile = NULL;
	size_t i;
	char copyready[PATH_MAX];
	long copies = 1;
	int ch, sig, threaded = 0, dstate = 0;

	sigemptyset(&catchset);
	sigemptyset(&blockset);
	sigemptyset(&ignset);
	while ((ch = getopt(argc, argv, "B:c:Dd:e:i:k:L:N:R:S:s:tx:")) != -1) {
		switch (ch) {
		case 'B':
			sigaddset(&blockset, parsesig(optarg));
			break;
		case 'c':
			sigaddset(&catchset, parsesig(optarg));
			break;
		case 'D':
			dstate = 1;
			break;
		case 'd':
			drain_ms = number(optarg, 0, 3600000);
			break;
		case 'e':
			exit_at_once = (int)number(optarg, 0, 255);
			break;
		case 'i':
			sigaddset(&ignset, parsesig(optarg));
			break;
		case 'k':
			maxcaught = number(optarg, 0, 1000000);
			break;
		case 'L':
			logfile = optarg;
			break;
		case 'N':
			copies = number(optarg, 1, 100000);
			break;
		case 'R':
			readyfile = optarg;
			break;
		case 'S':
			sigcmd = optarg;
			break;
		case 's':
			if (nspawn == MAXCMDS)
				usage();
			spawncmds[nspawn++] = optarg;
			break;
		case 't':
			threaded = 1;
			break;
		case 'x':
			exitcode = (int)number(optarg, 0, 255);
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	if (logfile != NULL && (logfd = open(logfile,
	    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) == -1)
		die(logfile);
	for (i = 0; i < nspawn; i++)
		spawn(spawncmds[i]);

	/* Forget what we inherited (bash ignores INT and QUIT for "&"). */
	sigemptyset(&mask);
	pthread_sigmask(SIG_SETMASK, &mask, NULL);
	for (sig = 1; sig <= SIGRTMAX; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);

	/* Block what we catch or block, then set the dispositions. */
	mask = blockset;
	for (sig = 1; sig <= SIGRTMAX; sig++)
		if (sigismember(&catchset, sig))
			sigaddset(&mask, sig);
	if (pthread_sigmask(SIG_BLOCK, &mask, NULL) != 0)
		die("pthread_sigmask");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	for (sig = 1; sig <= SIGRTMAX; sig++)
		if (sigismember(&ignset, sig) && sigaction(sig, &sa, NULL) == -1)
			die("sigaction");
	sa.sa_handler = handler;
	sigfillset(&sa.sa_mask);
	for (sig = 1; sig <= SIGRTMAX; sig++)
		if (sigismember(&catchset, sig) &&
		    sigaction(sig, &sa, NULL) == -1)
			die("sigaction");

	/* -N: fork copies, each announcing itself in READY.1, READY.2 ... */
	for (long n = 1; n < copies; n++) {
		pid_t pid = fork();

		if (pid == -1)
			die("fork");
		if (pid != 0)
			continue;
		if (readyfile != NULL) {
			snprintf(copyready, sizeof(copyready), "%s.%ld",
			    readyfile, n);
			readyfile = copyready;
		}
		break;
	}
	if (dstate)
		do_vfork();
	if (threaded) {
		if ((errno = pthread_create(&thr, NULL, thread_main,
		    NULL)) != 0)
			die("pthread_create");
		pthread_exit(NULL);
	}
	announce();
	run();
	return 0;
}
