/*
 * timeit: run one tool and measure it.
 *
 *	timeit [-P PIDLIST] [-n NOFILE] [-e ERRFILE] -- COMMAND [ARG]...
 *
 * Opens a pidfd for every PID in PIDLIST first (so that the check below is
 * exact), runs COMMAND with stdout on /dev/null, stderr on ERRFILE (default
 * /dev/null) and, with -n, the soft RLIMIT_NOFILE set to NOFILE, waits for it
 * with wait4() and prints one line:
 *	t0_ns t1_ns wall_ns user_us sys_us nvcsw nivcsw status alive
 * t0 just before fork, t1 just after wait4 returned (CLOCK_MONOTONIC);
 * user/sys/csw are the rusage of COMMAND and every descendant it waited for;
 * status is the exit code, or 128 + signal; alive is how many of the PIDs
 * had not exited (their pidfd not readable) at t1.
 */
#define _GNU_SOURCE
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <err.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int
main(int argc, char *argv[])
{
	const char *pidlist = NULL, *errfile = "/dev/null";
	struct pollfd *pfd = NULL;
	struct rusage ru;
	struct rlimit rl, child_rl;
	size_t npfd = 0, cap = 0, i, alive = 0;
	int64_t t0, t1;
	long nofile = 0;
	int c, st, status;
	pid_t pid;

	while ((c = getopt(argc, argv, "+e:n:P:")) != -1) {
		switch (c) {
		case 'e': errfile = optarg; break;
		case 'n': nofile = atol(optarg); break;
		case 'P': pidlist = optarg; break;
		default: exit(64);
		}
	}
	argv += optind;
	if (*argv == NULL)
		errx(64, "usage: timeit [-P PIDLIST] [-n NOFILE] [-e ERR] -- "
		    "COMMAND [ARG]...");

	getrlimit(RLIMIT_NOFILE, &rl);
	child_rl = rl;
	if (nofile > 0 && (rlim_t)nofile < rl.rlim_max)
		child_rl.rlim_cur = (rlim_t)nofile;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);

	if (pidlist != NULL) {
		FILE *fp;
		long p;

		if ((fp = fopen(pidlist, "r")) == NULL)
			err(1, "%s", pidlist);
		while (fscanf(fp, "%ld", &p) == 1) {
			int fd = (int)syscall(SYS_pidfd_open, (pid_t)p, 0);

			if (fd == -1)
				continue;	/* already gone */
			if (npfd == cap) {
				cap = cap ? 2 * cap : 64;
				pfd = reallocarray(pfd, cap, sizeof(*pfd));
				if (pfd == NULL)
					err(1, NULL);
			}
			pfd[npfd].fd = fd;
			pfd[npfd].events = POLLIN;
			pfd[npfd++].revents = 0;
		}
		fclose(fp);
	}

	t0 = now_ns();
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		int nfd = open("/dev/null", O_RDWR), efd;

		efd = open(errfile, O_WRONLY | O_CREAT | O_APPEND, 0644);
		dup2(nfd, 0);
		dup2(nfd, 1);
		if (efd != -1)
			dup2(efd, 2);
		setrlimit(RLIMIT_NOFILE, &child_rl);
		execvp(argv[0], argv);
		_exit(127);
	}
	while (wait4(pid, &st, 0, &ru) == -1)
		;
	t1 = now_ns();
	for (i = 0; i < npfd; i += 4096) {
		size_t k = npfd - i < 4096 ? npfd - i : 4096, j;

		poll(pfd + i, (nfds_t)k, 0);
		for (j = 0; j < k; j++)
			if (!(pfd[i + j].revents & POLLIN))
				alive++;
	}
	status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	printf("%lld %lld %lld %ld %ld %ld %ld %d %zu\n", (long long)t0,
	    (long long)t1, (long long)(t1 - t0),
	    (long)(ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec),
	    (long)(ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec),
	    ru.ru_nvcsw, ru.ru_nivcsw, status, alive);
	return 0;
}
