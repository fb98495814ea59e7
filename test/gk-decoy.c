/*
 * gk-decoy: a PID reuse storm for gracekill's tests.  It forks
 * short-lived decoys as fast as it can, so that PIDs recycle, and logs
 * every signal a decoy receives.  Built without sanitizers.
 *
 * usage: gk-decoy [-A] -l LOG -R READY -x STOPFILE [-P PIDFILE] [-n MAX]
 *
 * Writes READY once PIDs have wrapped around (so that processes started
 * after it get recycled PIDs), and stops when STOPFILE exists.  With -A
 * it aims instead: before each fork it writes to ns_last_pid (which needs
 * a PID namespace of its own, and works on any kernel, unlike a pid_max
 * per namespace) the PID before one of PIDFILE's that is free, so that
 * the decoy takes that PID; READY is written at once.  LOG gets
 * "signal SIG from PID to DECOY", "killed DECOY by SIG", "stopped DECOY
 * by SIG" for anything that reached a decoy, and "reuse PID" each time a
 * decoy got one of the PIDs listed in PIDFILE (one a line; read once it
 * appears, so write it elsewhere and rename it).  Exits 0 when stopped,
 * 1 on error.
 */
#define _GNU_SOURCE
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXPIDS 256

static int logfd = -1;
static pid_t watch[MAXPIDS];
static size_t nwatch;
static size_t aimed;		/* the next watched PID to aim at */

/* Load the PIDs to watch from path, once it exists. */
static void
load_watch(const char *path)
{
	FILE *fp;
	long pid;

	if ((fp = fopen(path, "r")) == NULL)
		return;
	while (nwatch < MAXPIDS && fscanf(fp, "%ld", &pid) == 1)
		watch[nwatch++] = (pid_t)pid;
	fclose(fp);
	if (nwatch == 0)
		nwatch = MAXPIDS + 1;	/* empty: stop looking */
}

static void
logline(const char *line)
{
	if (write(logfd, line, strlen(line)) == -1) {
		/* Nothing to do: the test sees a missing line. */
	}
}

/* In a decoy: record who sent what.  snprintf is not async-signal-safe,
 * but the decoy does nothing else while it sleeps. */
static void
handler(int sig, siginfo_t *si, void *ctx)
{
	char line[96];

	(void)ctx;
	snprintf(line, sizeof(line), "signal %d from %ld to %ld\n", sig,
	    (long)si->si_pid, (long)getpid());
	logline(line);
}

static void
decoy(void)
{
	struct sigaction sa;
	struct timespec ts = { 0, 2000000 };
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig <= SIGRTMAX; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
	_exit(0);
}

/* -A: make the next fork take a free watched PID, if there is one. */
static void
aim(void)
{
	char text[32];
	pid_t pid;
	int fd, len;

	for (size_t tries = 0; tries < nwatch && nwatch <= MAXPIDS; tries++) {
		pid = watch[aimed++ % nwatch];
		if (kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		if ((fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY |
		    O_CLOEXEC)) == -1)
			return;
		len = snprintf(text, sizeof(text), "%ld", (long)pid - 1);
		if (write(fd, text, (size_t)len) == -1) {
			/* Another fork won the PID: the next round aims. */
		}
		close(fd);
		return;
	}
}

static void
reap(int flags, size_t *alive)
{
	char line[96];
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, flags | WUNTRACED)) > 0) {
		if (WIFSTOPPED(st)) {
			snprintf(line, sizeof(line), "stopped %ld by %d\n",
			    (long)pid, WSTOPSIG(st));
			logline(line);
			kill(pid, SIGKILL);
			continue;
		}
		if (WIFSIGNALED(st)) {
			snprintf(line, sizeof(line), "killed %ld by %d\n",
			    (long)pid, WTERMSIG(st));
			logline(line);
		}
		(*alive)--;
		flags |= WNOHANG;
	}
}

int
main(int argc, char *argv[])
{
	const char *logfile = NULL, *ready = NULL, *stop = NULL;
	const char *watchfile = NULL;
	char line[64];
	size_t alive = 0, max = 16, i;
	unsigned long n = 0;
	pid_t pid, last = 0;
	int ch, wrapped = 0, fd, aiming = 0;

	while ((ch = getopt(argc, argv, "Al:n:P:R:x:")) != -1) {
		switch (ch) {
		case 'A':
			aiming = 1;
			break;
		case 'l':
			logfile = optarg;
			break;
		case 'n':
			max = strtoul(optarg, NULL, 10);
			break;
		case 'P':
			watchfile = optarg;
			break;
		case 'R':
			ready = optarg;
			break;
		case 'x':
			stop = optarg;
			break;
		default:
			return 1;
		}
	}
	if (logfile == NULL || ready == NULL || stop == NULL || max == 0)
		return 1;
	if ((logfd = open(logfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0644)) == -1)
		return 1;
	for (;;) {
		if ((n++ & 31) == 0) {
			if (access(stop, F_OK) == 0)
				break;
			if (watchfile != NULL && nwatch == 0)
				load_watch(watchfile);
		}
		if (alive >= max)
			reap(0, &alive);
		if (aiming)
			aim();
		if ((pid = fork()) == -1) {
			if (errno != EAGAIN)
				return 1;
			reap(0, &alive);
			continue;
		}
		if (pid == 0)
			decoy();
		alive++;
		for (i = 0; i < nwatch && i < MAXPIDS; i++)
			if (watch[i] == pid) {
				snprintf(line, sizeof(line), "reuse %ld\n",
				    (long)pid);
				logline(line);
			}
		if (!wrapped && (aiming || (last != 0 && pid < last))) {
			wrapped = 1;
			if ((fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC,
			    0644)) == -1)
				return 1;
			close(fd);
		}
		last = pid;
	}
	while (alive > 0)
		reap(0, &alive);
	return 0;
}
