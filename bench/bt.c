/*
 * bt: a benchmark target.  Started by keeper with fd 3 on the shared result
 * file and fd 4 on the ready pipe; exec'd through a symlink whose name is the
 * process name (comm) the tools look for.
 *
 *	bt SLOT [-d MS] [-i] [-l PORT]
 *
 * On SIGTERM it writes the CLOCK_MONOTONIC time of receipt at offset
 * SLOT * 16 of fd 3, waits MS milliseconds (default 0), writes the time at
 * offset SLOT * 16 + 8 just before _exit(0).  With -i it ignores SIGTERM
 * (only SIGKILL ends it).  With -l it listens on TCP 127.0.0.1:PORT (exit 71
 * if it cannot).  Once its handler is installed and its socket listens it
 * writes one byte to fd 4 and closes it.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got_term;
static off_t slot_off;
static long delay_ms;
static volatile int64_t sig_time;

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
record(int64_t ns, off_t off)
{
	ssize_t n;

	n = pwrite(3, &ns, sizeof(ns), slot_off + off);
	(void)n;
}

static void
on_term(int signo)
{
	int64_t t;

	(void)signo;
	t = now_ns();
	sig_time = t;
	record(t, 0);
	if (delay_ms == 0) {
		record(now_ns(), 8);
		_exit(0);
	}
	got_term = 1;
}

/* A TCP socket listening on 127.0.0.1:PORT, or -1. */
static int
listen_on(long port)
{
	struct sockaddr_in sin;
	int fd, one = 1;

	if (port <= 0 || port > 65535 ||
	    (fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, 16) == -1)
		return -1;
	return fd;
}

int
main(int argc, char *argv[])
{
	struct sigaction sa;
	struct timespec until;
	sigset_t none, term;
	int64_t t;
	long port = 0;
	int ignore = 0, i;

	if (argc < 2)
		_exit(64);
	slot_off = (off_t)strtol(argv[1], NULL, 10) * 16;
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-i") == 0)
			ignore = 1;
		else if (strcmp(argv[i], "-d") == 0 && i + 1 < argc)
			delay_ms = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-l") == 0 && i + 1 < argc)
			port = strtol(argv[++i], NULL, 10);
		else
			_exit(64);
	}

	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ignore ? SIG_IGN : on_term;
	sigaction(SIGTERM, &sa, NULL);
	if (port != 0 && listen_on(port) == -1)
		_exit(71);
	if (write(4, "r", 1) != 1)
		_exit(70);
	close(4);

	sigemptyset(&none);
	while (!got_term)
		sigsuspend(&none);	/* TERM is only unblocked in here */

	t = sig_time + delay_ms * 1000000;
	until.tv_sec = t / 1000000000;
	until.tv_nsec = t % 1000000000;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL)
	    == EINTR)
		;
	record(now_ns(), 8);
	_exit(0);
}
