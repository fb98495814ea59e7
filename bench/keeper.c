/*
 * keeper: parent of the benchmark's targets.  Starts N copies of bt through
 * a symlink (their comm is its name), waits until each has installed its
 * handlers, writes their PIDs, then reaps each the moment it exits (or a
 * fixed delay later, for the zombie window) and records the times.
 *
 *	keeper -n N -x LINK -P PIDLIST -R RESULTS -r READYFILE
 *	    [-C PROCSFILE] [-d MS] [-i] [-l PORT] [-z MS] [-T SECONDS]
 *
 * -C FILE	write each target's PID to FILE (a cgroup.procs) once all are
 *		spawned, before "ready": the targets, not the keeper, go there
 * -d MS	the targets exit MS ms after SIGTERM (bt -d)
 * -i		the targets ignore SIGTERM
 * -l PORT	the targets listen on 127.0.0.1:PORT before they are ready
 *		(bt -l; meant for N = 1)
 * -z MS	reap each target MS ms after it exited (default 0: at once)
 * -T SEC	lifetime limit: kill whatever is left after SEC (default 600)
 *
 * "ready" is written to READYFILE (typically a FIFO) once PIDLIST is
 * complete.  SIGTERM, SIGINT or SIGHUP make the keeper SIGKILL, through
 * their pidfds, every target not yet exited (recorded as left over), reap
 * everything and write RESULTS: one line per target,
 *	slot pid sig_ns exit_ns seen_ns reap_ns leftover status
 * times in CLOCK_MONOTONIC nanoseconds, 0 when unknown: sig_ns and exit_ns
 * as the target wrote them, seen_ns when its pidfd became readable here,
 * reap_ns when waitid() returned.  The targets get PR_SET_PDEATHSIG SIGKILL,
 * so they die with the keeper whatever happens to it.
 */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

struct target {
	pid_t	 pid;
	int	 fd;
	int	 leftover;
	int	 status;
	int64_t	 seen_ns;
	int64_t	 reap_ns;
};

/* What the spawning threads share. */
static struct {
	const char	*link, *base, *delay, *port;
	int		 ignore, memfd, readyfd, nullfd, donefd;
	long		 n, nthreads;
	struct target	*tg;
} sp;

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Start one target: vfork (no copy of our memory) and exec LINK with fd 3 on
 * the times, fd 4 on the ready pipe, 0-2 on /dev/null, no signal blocked,
 * and SIGKILL as its parent-death signal.  Returns its PID or -1.
 */
static pid_t
spawn(const char *link, char *const targv[], int memfd, int readyfd,
    int nullfd)
{
	pid_t pid, keeper = getpid();

	if ((pid = vfork()) == 0) {
		sigset_t none;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != keeper)
			_exit(1);
		dup2(memfd, 3);
		dup2(readyfd, 4);
		dup2(nullfd, 0);
		dup2(nullfd, 1);
		dup2(nullfd, 2);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execv(link, targv);
		_exit(127);
	}
	return pid;
}

/*
 * A spawning thread: start targets FIRST, FIRST + nthreads, ... then report
 * on donefd (a byte: 'k' or 'f' for failure) and stay: a target's
 * PR_SET_PDEATHSIG fires when the thread that forked it ends.
 */
static void *
spawner(void *arg)
{
	char slot[24], *targv[8];
	long i;
	int k;
	char res = 'k';

	for (i = (long)(intptr_t)arg; i < sp.n; i += sp.nthreads) {
		snprintf(slot, sizeof(slot), "%ld", i);
		targv[0] = (char *)sp.base;
		targv[1] = slot;
		targv[2] = "-d";
		targv[3] = (char *)sp.delay;
		k = 4;
		if (sp.ignore)
			targv[k++] = "-i";
		if (sp.port != NULL) {
			targv[k++] = "-l";
			targv[k++] = (char *)sp.port;
		}
		targv[k] = NULL;
		sp.tg[i].fd = -1;
		if ((sp.tg[i].pid = spawn(sp.link, targv, sp.memfd, sp.readyfd,
		    sp.nullfd)) == -1) {
			warn("fork (target %ld of %ld)", i + 1, sp.n);
			res = 'f';
			break;
		}
	}
	if (write(sp.donefd, &res, 1) != 1)
		abort();
	for (;;)
		pause();
}

static void
reap(struct target *t)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	while (waitid((idtype_t)P_PIDFD, (id_t)t->fd, &si, WEXITED) == -1)
		if (errno != EINTR)
			err(1, "waitid %d", t->pid);
	t->reap_ns = now_ns();
	t->status = si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
	close(t->fd);
	t->fd = -1;
}

int
main(int argc, char *argv[])
{
	const char *link = NULL, *pidlist = NULL, *results = NULL;
	const char *readyfile = NULL, *procsfile = NULL, *port = NULL, *base;
	struct target *tg;
	struct rlimit rl;
	struct epoll_event ev, evs[256];
	sigset_t mask;
	char delay[24], tmp[4096];
	int64_t deadline, *times;
	size_t *queue, qhead = 0, qtail = 0;
	long n = 0, delay_ms = 0, zombie_ms = 0, lifetime = 600, i;
	long nleft, nready;
	int c, ignore = 0, memfd, rp[2], dp[2], ep, sfd, stopping = 0, nullfd;
	int procsfd = -1;
	FILE *fp;

	while ((c = getopt(argc, argv, "C:d:il:n:P:R:r:T:x:z:")) != -1) {
		switch (c) {
		case 'C': procsfile = optarg; break;
		case 'd': delay_ms = atol(optarg); break;
		case 'i': ignore = 1; break;
		case 'l': port = optarg; break;
		case 'n': n = atol(optarg); break;
		case 'P': pidlist = optarg; break;
		case 'R': results = optarg; break;
		case 'r': readyfile = optarg; break;
		case 'T': lifetime = atol(optarg); break;
		case 'x': link = optarg; break;
		case 'z': zombie_ms = atol(optarg); break;
		default: exit(64);
		}
	}
	if (n <= 0 || !link || !pidlist || !results || !readyfile)
		errx(64, "usage: keeper -n N -x LINK -P PIDLIST -R RESULTS "
		    "-r READY [-C PROCS] [-d MS] [-i] [-l PORT] [-z MS] "
		    "[-T SEC]");
	base = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;

	/* Die (SIGTERM: clean up) with the shell that started us. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		if (rl.rlim_cur < (rlim_t)n + 32)
			errx(1, "RLIMIT_NOFILE hard limit %llu too small for "
			    "%ld targets", (unsigned long long)rl.rlim_cur, n);
	}
	if ((tg = calloc((size_t)n, sizeof(*tg))) == NULL ||
	    (queue = calloc((size_t)n, sizeof(*queue))) == NULL)
		err(1, NULL);

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	if ((sfd = signalfd(-1, &mask, SFD_CLOEXEC)) == -1)
		err(1, "signalfd");

	if ((memfd = memfd_create("gkb-times", MFD_CLOEXEC)) == -1)
		err(1, "memfd_create");
	if (ftruncate(memfd, n * 16) == -1)
		err(1, "ftruncate");
	if (pipe2(rp, O_CLOEXEC) == -1)
		err(1, "pipe");
	if ((nullfd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		err(1, "/dev/null");
	if (procsfile != NULL &&
	    (procsfd = open(procsfile, O_WRONLY | O_CLOEXEC)) == -1)
		err(1, "%s", procsfile);

	/*
	 * Fork every target before opening any pidfd: a fork copies the
	 * descriptor table, and 10000 pidfds would make that quadratic.
	 * Nothing reaps them meanwhile, so each PID stays ours.
	 */
	snprintf(delay, sizeof(delay), "%ld", delay_ms);
	if (pipe2(dp, O_CLOEXEC) == -1)
		err(1, "pipe");
	sp.link = link;
	sp.base = base;
	sp.delay = delay;
	sp.ignore = ignore;
	sp.port = port;
	sp.memfd = memfd;
	sp.readyfd = rp[1];
	sp.nullfd = nullfd;
	sp.donefd = dp[1];
	sp.n = n;
	sp.tg = tg;
	sp.nthreads = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 2 : 1;
	for (i = 0; i < sp.nthreads; i++) {
		pthread_t th;

		if ((c = pthread_create(&th, NULL, spawner, (void *)(intptr_t)i)))
			errx(1, "pthread_create: %s", strerror(c));
	}
	for (i = 0; i < sp.nthreads; i++) {
		char res;

		if (read(dp[0], &res, 1) != 1 || res != 'k') {
			for (c = 0; c < n; c++)
				if (tg[c].pid > 0)
					kill(tg[c].pid, SIGKILL);
			exit(1);
		}
	}
	close(rp[1]);

	/* Into the cgroup, one PID per write (what cgroup.procs takes). */
	for (i = 0; procsfd != -1 && i < n; i++) {
		char buf[24];
		int len = snprintf(buf, sizeof(buf), "%d\n", tg[i].pid);

		if (write(procsfd, buf, (size_t)len) != len) {
			warn("%s: %d", procsfile, tg[i].pid);
			for (c = 0; c < n; c++)
				kill(tg[c].pid, SIGKILL);
			exit(1);
		}
	}
	if (procsfd != -1)
		close(procsfd);

	/* Wait for every target's ready byte. */
	deadline = now_ns() + 60 * (int64_t)1000000000;
	for (nready = 0; nready < n; ) {
		struct pollfd pfd[2] = { { rp[0], POLLIN, 0 }, { sfd, POLLIN, 0 } };
		ssize_t r;

		if (poll(pfd, 2, 1000) == 0 && now_ns() > deadline)
			break;
		if (pfd[1].revents)
			break;		/* told to stop */
		if (!pfd[0].revents)
			continue;
		if ((r = read(rp[0], tmp, sizeof(tmp))) > 0)
			nready += r;
		else if (r == 0)
			break;
	}
	close(rp[0]);
	if (nready < n) {
		for (i = 0; i < n; i++)
			kill(tg[i].pid, SIGKILL);
		errx(1, "only %ld of %ld targets became ready", nready, n);
	}

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(1, "epoll_create1");
	ev.events = EPOLLIN;
	ev.data.u64 = (uint64_t)n;
	epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
	for (i = 0; i < n; i++) {
		if ((tg[i].fd = (int)syscall(SYS_pidfd_open, tg[i].pid, 0))
		    == -1)
			err(1, "pidfd_open %d", tg[i].pid);
		ev.data.u64 = (uint64_t)i;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, tg[i].fd, &ev) == -1)
			err(1, "epoll_ctl");
	}

	snprintf(tmp, sizeof(tmp), "%s.tmp", pidlist);
	if ((fp = fopen(tmp, "w")) == NULL)
		err(1, "%s", tmp);
	for (i = 0; i < n; i++)
		fprintf(fp, "%d\n", tg[i].pid);
	if (fclose(fp) == EOF || rename(tmp, pidlist) == -1)
		err(1, "%s", pidlist);
	/* Non-blocking: a FIFO nobody reads must not hang us. */
	if ((c = open(readyfile, O_WRONLY | O_NONBLOCK | O_CLOEXEC)) == -1 ||
	    write(c, "ready\n", 6) != 6) {
		for (i = 0; i < n; i++)
			kill(tg[i].pid, SIGKILL);
		err(1, "%s", readyfile);
	}
	close(c);

	deadline = now_ns() + lifetime * (int64_t)1000000000;
	for (nleft = n; nleft > 0; ) {
		int64_t t = now_ns(), wait_ns;
		int k, timeout_ms;

		while (qhead < qtail &&
		    (stopping || tg[queue[qhead]].seen_ns +
		    zombie_ms * 1000000 <= t)) {
			reap(&tg[queue[qhead++]]);
			nleft--;
		}
		if (nleft == 0)
			break;
		if (!stopping && t >= deadline) {
			warnx("lifetime of %lds over: killing %s", lifetime, base);
			goto stop;
		}
		wait_ns = deadline - t;
		if (qhead < qtail) {
			int64_t due = tg[queue[qhead]].seen_ns +
			    zombie_ms * 1000000 - t;
			if (due < wait_ns)
				wait_ns = due;
		}
		timeout_ms = (int)((wait_ns + 999999) / 1000000);
		if (stopping && qhead == qtail)
			timeout_ms = -1;
		k = epoll_wait(ep, evs, (int)(sizeof(evs) / sizeof(evs[0])),
		    timeout_ms);
		if (k == -1 && errno != EINTR)
			err(1, "epoll_wait");
		t = now_ns();
		for (c = 0; c < k; c++) {
			uint64_t j = evs[c].data.u64;

			if (j == (uint64_t)n) {
				struct signalfd_siginfo ssi;

				if (read(sfd, &ssi, sizeof(ssi)) <= 0)
					continue;
				goto stop;
			}
			epoll_ctl(ep, EPOLL_CTL_DEL, tg[j].fd, NULL);
			tg[j].seen_ns = t;
			queue[qtail++] = (size_t)j;
		}
		continue;
stop:
		if (stopping)
			continue;
		stopping = 1;
		for (i = 0; i < n; i++) {
			if (tg[i].fd == -1 || tg[i].seen_ns != 0)
				continue;
			struct pollfd pfd = { tg[i].fd, POLLIN, 0 };
			if (poll(&pfd, 1, 0) == 1)
				continue;	/* exited, event pending */
			tg[i].leftover = 1;
			syscall(SYS_pidfd_send_signal, tg[i].fd, SIGKILL,
			    NULL, 0);
		}
	}

	/* The times the targets wrote, next to ours. */
	if ((times = mmap(NULL, (size_t)n * 16, PROT_READ, MAP_SHARED, memfd,
	    0)) == MAP_FAILED)
		err(1, "mmap");
	snprintf(tmp, sizeof(tmp), "%s.tmp", results);
	if ((fp = fopen(tmp, "w")) == NULL)
		err(1, "%s", tmp);
	for (i = 0; i < n; i++)
		fprintf(fp, "%ld %d %lld %lld %lld %lld %d %d\n", i, tg[i].pid,
		    (long long)times[2 * i], (long long)times[2 * i + 1],
		    (long long)tg[i].seen_ns, (long long)tg[i].reap_ns,
		    tg[i].leftover, tg[i].status);
	if (fclose(fp) == EOF || rename(tmp, results) == -1)
		err(1, "%s", results);
	return 0;
}
