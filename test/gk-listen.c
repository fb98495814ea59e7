/*
 * gk-listen: a server for gracekill's --port tests.  It listens on a TCP
 * port or binds a UDP one, announces the port in a ready file, and
 * exits 0 on SIGTERM.  See test/INTERFACE.md.
 *
 * usage: gk-listen [-ciruV] [-a addr] [-p port] [-w n] -R file
 *   -a ADDR  bind to ADDR: 127.0.0.1 (default), ::1, 0.0.0.0, :: ...
 *   -p PORT  bind to PORT; 0 (default): an ephemeral port
 *   -u       UDP: bind only (default: TCP, listen)
 *   -V       set IPV6_V6ONLY on an IPv6 socket (default: the system's)
 *   -w N     prefork N workers sharing the socket; worker n writes
 *            "PID\n" to FILE.n.  On SIGTERM the master sends SIGTERM to
 *            its workers, reaps them, then exits 0.
 *   -r       with -w: each worker binds a socket of its own to the same
 *            port (SO_REUSEPORT) and closes the master's
 *   -c       fork a child that keeps the socket after the parent exits
 *            (never signalled or reaped by it); it writes "PID\n" to
 *            FILE.child
 *   -i       every process ignores SIGTERM
 *   -R FILE  once every process is ready, write "PID PORT\n" to FILE
 *            (through FILE.tmp and rename)
 * The master reaps any child that exits while it runs.  Exit 125 on a
 * setup error.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXWORKERS	64

static volatile sig_atomic_t got_term;
static volatile sig_atomic_t got_chld;

static const char *readyfile;
static int readypipe[2] = { -1, -1 };

static void
die(const char *what)
{
	fprintf(stderr, "gk-listen: %s: %s\n", what, strerror(errno));
	exit(125);
}

static void
usage(void)
{
	fputs("usage: gk-listen [-ciruV] [-a addr] [-p port] [-w n] "
	    "-R file\n", stderr);
	exit(125);
}

static long
number(const char *s, long lo, long hi)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || n < lo ||
	    n > hi) {
		fprintf(stderr, "gk-listen: bad number: '%s'\n", s);
		exit(125);
	}
	return n;
}

static void
handler(int sig)
{
	if (sig == SIGTERM)
		got_term = 1;
	else
		got_chld = 1;
}

/* Write text to path.tmp, then rename it to path. */
static void
writefile(const char *path, const char *suffix, const char *text)
{
	char final[PATH_MAX], tmp[PATH_MAX];
	FILE *fp;

	if (snprintf(final, sizeof(final), "%s%s", path, suffix) >=
	    (int)sizeof(final) || snprintf(tmp, sizeof(tmp), "%s.tmp",
	    final) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		die(path);
	}
	if ((fp = fopen(tmp, "w")) == NULL)
		die(tmp);
	fputs(text, fp);
	if (fclose(fp) == EOF)
		die(tmp);
	if (rename(tmp, final) == -1)
		die(final);
}

/* A socket bound to addr:port, listening if TCP. */
static int
open_socket(const struct sockaddr_storage *ss, socklen_t sslen, int type,
    int v6only, int reuseport)
{
	int fd, on = 1;

	if ((fd = socket(ss->ss_family, type | SOCK_CLOEXEC, 0)) == -1)
		die("socket");
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		die("SO_REUSEADDR");
	if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on,
	    sizeof(on)) == -1)
		die("SO_REUSEPORT");
	if (v6only && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
	    sizeof(on)) == -1)
		die("IPV6_V6ONLY");
	if (bind(fd, (const struct sockaddr *)ss, sslen) == -1)
		die("bind");
	if (type == SOCK_STREAM && listen(fd, 128) == -1)
		die("listen");
	return fd;
}

/* In a worker or the child: announce in FILE.suffix, tell the master. */
static void
announce_forked(const char *suffix)
{
	char line[32];

	snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	writefile(readyfile, suffix, line);
	if (write(readypipe[1], "", 1) == -1)
		die("write");
	close(readypipe[0]);
	close(readypipe[1]);
}

/* Wait for SIGTERM (unless ignored), reaping children; then return. */
static void
wait_term(const sigset_t *waitmask)
{
	while (!got_term) {
		sigsuspend(waitmask);
		if (got_chld) {
			got_chld = 0;
			while (waitpid(-1, NULL, WNOHANG) > 0)
				continue;
		}
	}
}

int
main(int argc, char *argv[])
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct sigaction sa;
	sigset_t block, waitmask;
	socklen_t sslen;
	pid_t workers[MAXWORKERS], pid;
	const char *addr = "127.0.0.1";
	char line[64], suffix[32], c;
	ssize_t n;
	long port = 0, nworkers = 0, i;
	int ch, fd, type = SOCK_STREAM, v6only = 0, reuseport = 0;
	int child = 0, ignore = 0;

	while ((ch = getopt(argc, argv, "a:cip:R:ruVw:")) != -1) {
		switch (ch) {
		case 'a':
			addr = optarg;
			break;
		case 'c':
			child = 1;
			break;
		case 'i':
			ignore = 1;
			break;
		case 'p':
			port = number(optarg, 0, 65535);
			break;
		case 'R':
			readyfile = optarg;
			break;
		case 'r':
			reuseport = 1;
			break;
		case 'u':
			type = SOCK_DGRAM;
			break;
		case 'V':
			v6only = 1;
			break;
		case 'w':
			nworkers = number(optarg, 1, MAXWORKERS);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || readyfile == NULL || (reuseport && !nworkers))
		usage();

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		sslen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		sslen = sizeof(*sin6);
	} else {
		fprintf(stderr, "gk-listen: bad address: '%s'\n", addr);
		exit(125);
	}

	/* Handlers first, blocked outside sigsuspend, so none is missed. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &block, &waitmask) == -1)
		die("sigprocmask");
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGCHLD);
	memset(&sa, 0, sizeof(sa));
	sigfillset(&sa.sa_mask);
	sa.sa_handler = ignore ? SIG_IGN : handler;
	if (sigaction(SIGTERM, &sa, NULL) == -1)
		die("sigaction");
	sa.sa_handler = handler;
	if (sigaction(SIGCHLD, &sa, NULL) == -1)
		die("sigaction");

	fd = open_socket(&ss, sslen, type, v6only, reuseport);
	sslen = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == -1)
		die("getsockname");
	port = ntohs(ss.ss_family == AF_INET ? sin->sin_port :
	    sin6->sin6_port);
	if (pipe2(readypipe, O_CLOEXEC) == -1)
		die("pipe2");

	for (i = 0; i < nworkers + child; i++) {
		if ((pid = fork()) == -1)
			die("fork");
		if (pid > 0) {
			if (i < nworkers)
				workers[i] = pid;
			continue;
		}
		if (i < nworkers && reuseport) {
			close(fd);
			fd = open_socket(&ss, sslen, type, v6only, 1);
		}
		if (i < nworkers)
			snprintf(suffix, sizeof(suffix), ".%ld", i + 1);
		else
			snprintf(suffix, sizeof(suffix), ".child");
		announce_forked(suffix);
		wait_term(&waitmask);
		exit(0);
	}
	close(readypipe[1]);
	/* Every worker and the child closes its end once ready. */
	while ((n = read(readypipe[0], &c, 1)) != 0)
		if (n == -1 && errno != EINTR)
			die("read");
	close(readypipe[0]);

	snprintf(line, sizeof(line), "%ld %ld\n", (long)getpid(), port);
	writefile(readyfile, "", line);
	wait_term(&waitmask);
	for (i = 0; i < nworkers; i++)
		if (kill(workers[i], SIGTERM) == -1 && errno != ESRCH)
			die("kill");
	for (i = 0; i < nworkers; i++)
		while (waitpid(workers[i], NULL, 0) == -1 && errno == EINTR)
			continue;
	close(fd);
	return 0;
}
