/*
 * floor: the least a correct stop can do, to measure the others against.
 *
 *	floor [-e] [-t MS] PID...
 *
 * pidfd_open every PID, pidfd_send_signal SIGTERM through each, then poll()
 * the pidfds until each is readable (the process exited).  With -t, after MS
 * milliseconds SIGKILL the rest and wait for them too.  -e waits in epoll
 * instead of poll.  Exit 0 when all are gone.  No /proc, no names, no report.
 */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
signal_all(struct pollfd *pfd, nfds_t n, int signo)
{
	nfds_t i;

	for (i = 0; i < n; i++)
		if (pfd[i].fd >= 0)
			syscall(SYS_pidfd_send_signal, pfd[i].fd, signo, NULL,
			    0);
}

int
main(int argc, char *argv[])
{
	struct pollfd *pfd;
	struct rlimit rl;
	nfds_t n = 0, i, total;
	int64_t deadline = -1;
	int c, k, use_epoll = 0, ep = -1, killed = 0;

	while ((c = getopt(argc, argv, "et:")) != -1) {
		switch (c) {
		case 'e': use_epoll = 1; break;
		case 't': deadline = atol(optarg); break;
		default: exit(64);
		}
	}
	argv += optind;
	argc -= optind;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if ((pfd = calloc((size_t)argc + 1, sizeof(*pfd))) == NULL)
		err(1, NULL);
	for (k = 0; k < argc; k++) {
		int fd = (int)syscall(SYS_pidfd_open, atoi(argv[k]), 0);

		if (fd == -1) {
			if (errno == ESRCH)
				continue;
			err(1, "pidfd_open %s", argv[k]);
		}
		pfd[n].fd = fd;
		pfd[n++].events = POLLIN;
	}
	signal_all(pfd, n, SIGTERM);
	total = n;
	if (deadline >= 0)
		deadline += now_ms();

	if (use_epoll) {
		struct epoll_event ev = { .events = EPOLLIN };

		if ((ep = epoll_create1(0)) == -1)
			err(1, "epoll_create1");
		for (i = 0; i < n; i++) {
			ev.data.u32 = (uint32_t)i;
			epoll_ctl(ep, EPOLL_CTL_ADD, pfd[i].fd, &ev);
		}
	}
	while (n > 0) {
		int timeout = -1;

		if (deadline >= 0 && !killed) {
			int64_t left = deadline - now_ms();

			if (left <= 0) {
				signal_all(pfd, use_epoll ? total : n, SIGKILL);
				killed = 1;
				continue;
			}
			timeout = (int)left;
		}
		if (use_epoll) {
			struct epoll_event evs[512];
			int j;

			k = epoll_wait(ep, evs, 512, timeout);
			if (k == -1 && errno != EINTR)
				err(1, "epoll_wait");
			for (j = 0; j < k; j++) {
				close(pfd[evs[j].data.u32].fd);
				pfd[evs[j].data.u32].fd = -1;
				n--;
			}
			continue;
		}
		k = poll(pfd, n, timeout);
		if (k == -1 && errno != EINTR)
			err(1, "poll");
		for (i = 0; k > 0 && i < n; ) {
			if (pfd[i].revents) {
				close(pfd[i].fd);
				pfd[i] = pfd[--n];
				k--;
			} else
				i++;
		}
	}
	return 0;
}
