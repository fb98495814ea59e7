/*
 * procscan: reading /proc and pidfiles for gracekill.  Nothing here
 * signals, prints or exits; failures come back as -1 with errno set.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "procscan.h"

#define PF_KTHREAD	0x00200000	/* include/linux/sched.h */
#define KTHREADD_PID	2
#define STAT_BUFSIZE	4096		/* 52 numeric fields and a comm */
#define PIDFILE_MAX	4096
#define DELETED_SUFFIX	" (deleted)"
#define CAP_SYS_PTRACE_BIT	19		/* linux/capability.h */

struct linux_dirent64 {
	uint64_t	d_ino;
	int64_t		d_off;
	unsigned short	d_reclen;
	unsigned char	d_type;
	char		d_name[];
};

static int	 procfd = -1;
static char	*bigbuf;		/* status and cmdline, grown as needed */
static size_t	 bigbufsize;
static long	 clock_ticks;

int
procscan_init(void)
{
	procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd == -1)
		return -1;
	clock_ticks = sysconf(_SC_CLK_TCK);
	if (clock_ticks <= 0)
		clock_ticks = 100;
	return 0;
}

void
procscan_fini(void)
{
	if (procfd != -1)
		close(procfd);
	procfd = -1;
	free(bigbuf);
	bigbuf = NULL;
	bigbufsize = 0;
}

/*
 * Open PID's file NAME under /proc.  ENOENT becomes ESRCH: a process
 * that vanished after readdir() is gone, not an error.
 */
static int
open_pidfile_proc(pid_t pid, const char *name)
{
	char path[32];
	int fd;

	snprintf(path, sizeof(path), "%d/%s", (int)pid, name);
	fd = openat(procfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1 && errno == ENOENT)
		errno = ESRCH;
	return fd;
}

/* Read all of fd into buf; -1 with EOVERFLOW if it does not fit. */
static ssize_t
read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len < size) {
		n = read(fd, buf + len, size - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			return (ssize_t)len;
		len += (size_t)n;
	}
	errno = EOVERFLOW;
	return -1;
}

/*
 * Read a /proc record with one read(2): a seq_file such as PID/stat
 * hands over the whole record when it fits.  -1 with EOVERFLOW when the
 * buffer is full, as it might not hold it all.
 */
static ssize_t
read_record(int fd, char *buf, size_t size)
{
	ssize_t n;

	while ((n = read(fd, buf, size)) == -1 && errno == EINTR)
		continue;
	if (n == (ssize_t)size) {
		errno = EOVERFLOW;
		return -1;
	}
	return n;
}

/* Read PID's file NAME into the shared growing buffer; returns length. */
static ssize_t
read_big(pid_t pid, const char *name)
{
	size_t len = 0;
	ssize_t n;
	char *p;
	int fd;

	if ((fd = open_pidfile_proc(pid, name)) == -1)
		return -1;
	for (;;) {
		if (bigbufsize - len < 1024) {
			p = realloc(bigbuf, bigbufsize ? bigbufsize * 2 : 8192);
			if (p == NULL)
				goto fail;
			bigbuf = p;
			bigbufsize = bigbufsize ? bigbufsize * 2 : 8192;
		}
		n = read(fd, bigbuf + len, bigbufsize - len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	bigbuf[len] = '\0';
	return (ssize_t)len;
fail:
	n = errno;
	close(fd);
	errno = (int)n;
	if (errno == ENOENT)
		errno = ESRCH;
	return -1;
}

long
procscan_pid_max(void)
{
	char buf[32];
	ssize_t n;
	long v = 0;
	int fd;

	fd = openat(procfd, "sys/kernel/pid_max", O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return 4194304;		/* PID_MAX_LIMIT on 64-bit */
	n = read_all(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 4194304;
	for (ssize_t i = 0; i < n && isdigit((unsigned char)buf[i]); i++)
		if (v < 100000000)
			v = v * 10 + (buf[i] - '0');
	return v > 0 ? v : 4194304;
}

/* Parse one unsigned decimal field at *p, up to the next space or end. */
static int
parse_ufield(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	uint64_t n = 0;

	if (s >= end || !isdigit((unsigned char)*s))
		return -1;
	for (; s < end && isdigit((unsigned char)*s); s++) {
		if (n > (UINT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*v = n;
	*p = s;
	return 0;
}

/*
 * Parse the text of /proc/PID/stat (proc(5)).  The comm may hold spaces
 * and ')', so fields are split only after the last ')'.  Returns 0, or
 * -1 with EINVAL.  Field 52 (exit_code) is -1 when the kernel lacks it.
 */
int
procscan_parse_stat(const char *buf, size_t len, struct procinfo *pi)
{
	const char *end = buf + len, *p, *open, *close, *field_start;
	uint64_t v;
	size_t n;
	int field;

	memset(pi, 0, sizeof(*pi));
	pi->exit_code = -1;
	p = buf;
	if (parse_ufield(&p, end, &v) == -1 || v > INT_MAX || v == 0)
		goto bad;
	pi->pid = (pid_t)v;
	if ((open = memchr(buf, '(', len)) == NULL)
		goto bad;
	for (close = end - 1; close > open && *close != ')'; close--)
		continue;
	if (close == open || end - close < 3 || close[1] != ' ')
		goto bad;
	n = (size_t)(close - open - 1);
	if (n >= sizeof(pi->comm))
		n = sizeof(pi->comm) - 1;
	memcpy(pi->comm, open + 1, n);
	pi->comm[n] = '\0';
	pi->state = close[2];
	p = close + 3;
	for (field = 4; field <= 52 && p < end && *p == ' '; field++) {
		field_start = ++p;
		while (p < end && *p != ' ' && *p != '\n')
			p++;
		if (field != 4 && field != 5 && field != 6 && field != 9 &&
		    field != 20 && field != 22 && field != 52)
			continue;
		if (parse_ufield(&field_start, p, &v) == -1 ||
		    field_start != p)
			goto bad;
		if (field == 4 && v <= INT_MAX)
			pi->ppid = (pid_t)v;
		else if (field == 5 && v <= INT_MAX)
			pi->pgrp = (pid_t)v;
		else if (field == 6 && v <= INT_MAX)
			pi->session = (pid_t)v;
		else if (field == 9 && v <= UINT_MAX)
			pi->flags = (unsigned int)v;
		else if (field == 20 && v <= LONG_MAX)
			pi->nthreads = (long)v;
		else if (field == 22)
			pi->starttime = v;
		else if (field == 52 && v <= INT_MAX)
			pi->exit_code = (int)v;
		else
			goto bad;
	}
	if (field <= 22)
		goto bad;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

/*
 * Read /proc/PID/stat into *pi.  Returns 0, or -1 with errno: ESRCH
 * when the process is gone.
 */
int
procscan_read_stat(pid_t pid, struct procinfo *pi)
{
	char buf[STAT_BUFSIZE];
	ssize_t n;
	int fd, saved;

	if ((fd = open_pidfile_proc(pid, "stat")) == -1)
		return -1;
	n = read_record(fd, buf, sizeof(buf));
	saved = errno;
	close(fd);
	if (n == -1) {
		errno = saved == ENOENT ? ESRCH : saved;
		return -1;
	}
	if (n == 0) {
		errno = ESRCH;
		return -1;
	}
	return procscan_parse_stat(buf, (size_t)n, pi);
}

/*
 * Re-read the stat of was's PID into *now.  Returns 1 when it is still
 * the process was describes (the same start time), 0 when it is gone or
 * the PID now names another process, -1 with errno when /proc could
 * not be read.
 */
int
procscan_reread(const struct procinfo *was, struct procinfo *now)
{
	if (procscan_read_stat(was->pid, now) == -1)
		return errno == ESRCH ? 0 : -1;
	return procscan_same(was, now);
}

/* Whether now and was, two reads of one PID, are the same process. */
bool
procscan_same(const struct procinfo *was, const struct procinfo *now)
{
	return now->pid == was->pid && now->starttime == was->starttime;
}

/* Value of the "Key:" line in status text, or NULL. */
static const char *
status_value(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, klen) == 0 && p[klen] == ':')
			return p + klen + 1;
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return NULL;
}

static uint64_t
status_number(const char *text, const char *key, int base, int nth)
{
	const char *p = status_value(text, key);
	uint64_t v = 0;
	int digit;

	if (p == NULL)
		return 0;
	for (; nth >= 0; nth--) {
		while (*p == ' ' || *p == '\t')
			p++;
		for (v = 0; *p != '\0' && !isspace((unsigned char)*p); p++) {
			if (isdigit((unsigned char)*p))
				digit = *p - '0';
			else if (base == 16 && isxdigit((unsigned char)*p))
				digit = tolower((unsigned char)*p) - 'a' + 10;
			else
				return 0;
			v = v * (uint64_t)base + (uint64_t)digit;
		}
	}
	return v;
}

/*
 * Read the fields of /proc/PID/status gracekill uses.  Returns 0 or -1
 * with errno (ESRCH: gone).
 */
int
procscan_read_status(pid_t pid, struct procstatus *ps)
{
	if (read_big(pid, "status") == -1)
		return -1;
	if (status_value(bigbuf, "Uid") == NULL) {
		errno = EINVAL;
		return -1;
	}
	ps->tgid = (pid_t)status_number(bigbuf, "Tgid", 10, 0);
	ps->tracer = (pid_t)status_number(bigbuf, "TracerPid", 10, 0);
	ps->ruid = (uid_t)status_number(bigbuf, "Uid", 10, 0);
	ps->euid = (uid_t)status_number(bigbuf, "Uid", 10, 1);
	ps->sigblk = status_number(bigbuf, "SigBlk", 16, 0);
	ps->sigign = status_number(bigbuf, "SigIgn", 16, 0);
	ps->capeff = status_number(bigbuf, "CapEff", 16, 0);
	return 0;
}

/*
 * Read the command line of PID, its arguments joined by single spaces.
 * *text points into a buffer of procscan's, valid until the next call;
 * do not free it.  Returns 0 or -1 with errno.
 */
int
procscan_read_cmdline(pid_t pid, char **text, size_t *len)
{
	ssize_t n;

	if ((n = read_big(pid, "cmdline")) == -1)
		return -1;
	if (n > 0 && bigbuf[n - 1] == '\0')
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (bigbuf[i] == '\0')
			bigbuf[i] = ' ';
	bigbuf[n] = '\0';
	*text = bigbuf;
	*len = (size_t)n;
	return 0;
}

/*
 * Read the executable of PID into buf, without the " (deleted)" that
 * marks a binary removed or replaced on disk.  Returns 0, or -1 with
 * errno (ENAMETOOLONG when it does not fit, ESRCH when gone).
 */
static int
read_exe(pid_t pid, char *buf, size_t size)
{
	char path[32];
	size_t slen = strlen(DELETED_SUFFIX);
	ssize_t n;

	snprintf(path, sizeof(path), "%d/exe", (int)pid);
	n = readlinkat(procfd, path, buf, size - 1);
	if (n == -1) {
		if (errno == ENOENT)
			errno = ESRCH;
		return -1;
	}
	if ((size_t)n == size - 1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	buf[n] = '\0';
	if ((size_t)n > slen && strcmp(buf + n - slen, DELETED_SUFFIX) == 0)
		buf[(size_t)n - slen] = '\0';
	return 0;
}

/*
 * Whether pi is a kernel thread, or a process kthreadd started (a
 * usermode helper).  PID 2 is kthreadd only where it is a kernel
 * thread: in a PID namespace of its own, PID 2 is a plain process.
 */
bool
procscan_is_kthread(const struct procinfo *pi)
{
	static int kthreadd_known = -1;
	struct procinfo two;

	if (pi->flags & PF_KTHREAD)
		return true;
	if (pi->ppid != KTHREADD_PID)
		return false;
	if (kthreadd_known == -1)
		kthreadd_known = procscan_read_stat(KTHREADD_PID, &two) == 0 &&
		    (two.flags & PF_KTHREAD) != 0;
	return kthreadd_known == 1;
}

/* Whether pi is stopped by a signal (T) or by its tracer (t). */
bool
procscan_is_stopped(const struct procinfo *pi)
{
	return pi->state == 'T' || pi->state == 't';
}

/*
 * Whether pi has exited, as far as /proc can tell: a zombie with no
 * thread left.  The main thread of a process shows Z too when it
 * exited while other threads run.
 */
bool
procscan_is_lone_zombie(const struct procinfo *pi)
{
	return (pi->state == 'Z' && pi->nthreads <= 1) || pi->state == 'X';
}

/*
 * Whether gracekill has CAP_SYS_PTRACE, without which the kernel shows
 * 0 as the exit code of another user's zombie.
 */
bool
procscan_may_ptrace(void)
{
	struct procstatus ps;

	return procscan_read_status(getpid(), &ps) == 0 &&
	    (ps.capeff & (1ULL << CAP_SYS_PTRACE_BIT)) != 0;
}

/*
 * Why was, sent signo (0: none) and still running, has not ended:
 * its state, a tracer (*tracer), or the signal ignored or blocked.
 * *now gets what was read.  OBSTACLE_GONE when the process is gone or
 * its PID names another one.
 */
enum procscan_obstacle
procscan_obstacle(const struct procinfo *was, int signo,
    struct procinfo *now, pid_t *tracer)
{
	struct procstatus ps;
	uint64_t bit = signo > 0 && signo <= 64 ? 1ULL << (signo - 1) : 0;

	if (procscan_reread(was, now) != 1)
		return OBSTACLE_GONE;
	if (now->state == 'D')
		return OBSTACLE_DSLEEP;
	if (now->state == 'T')
		return OBSTACLE_STOPPED;
	if (procscan_read_status(was->pid, &ps) == -1)
		return now->state == 't' ? OBSTACLE_TRACED : OBSTACLE_NONE;
	if ((*tracer = ps.tracer) != 0)
		return OBSTACLE_TRACER;
	if (now->state == 't')
		return OBSTACLE_TRACED;
	if (ps.sigign & bit)
		return OBSTACLE_IGNORES;
	if (ps.sigblk & bit)
		return OBSTACLE_BLOCKS;
	return OBSTACLE_NONE;
}

static const char *
basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* A NAME over the 15 characters of comm: its prefix and argv[0] or exe. */
static int
long_name_matches(const char *name, const struct procinfo *pi)
{
	char exe[PATH_MAX], *cmd, *sp;
	size_t len;

	if (strlen(pi->comm) != 15 || strncmp(pi->comm, name, 15) != 0)
		return 0;
	if (read_exe(pi->pid, exe, sizeof(exe)) == 0 &&
	    strcmp(basename_of(exe), name) == 0)
		return 1;
	if (procscan_read_cmdline(pi->pid, &cmd, &len) == -1)
		return errno == ESRCH ? -1 : 0;
	/* argv[0] ends at the first NUL, now a space; it may hold spaces. */
	if ((sp = strchr(cmd, ' ')) != NULL)
		*sp = '\0';
	return strcmp(basename_of(cmd), name) == 0;
}

/* Whether a NAME of m names pi: 1, 0, or -1 when it vanished. */
static int
name_matches(const struct procmatch *m, const struct procinfo *pi)
{
	int r;

	for (size_t i = 0; i < m->nnames; i++)
		if (strlen(m->names[i]) <= 15 &&
		    strcmp(m->names[i], pi->comm) == 0)
			return 1;
	for (size_t i = 0; i < m->nnames; i++)
		if (strlen(m->names[i]) > 15 &&
		    (r = long_name_matches(m->names[i], pi)) != 0)
			return r;
	return 0;
}

static int
exe_matches(const struct procmatch *m, const struct procinfo *pi)
{
	char exe[PATH_MAX];

	if (read_exe(pi->pid, exe, sizeof(exe)) == -1)
		return errno == ESRCH ? -1 : 0;
	for (size_t i = 0; i < m->nexes; i++)
		if (strcmp(m->exes[i], exe) == 0)
			return 1;
	return 0;
}

static int
regex_matches(const struct procmatch *m, const struct procinfo *pi)
{
	char *cmd;
	size_t len;

	if (procscan_read_cmdline(pi->pid, &cmd, &len) == -1)
		return errno == ESRCH ? -1 : 0;
	for (size_t i = 0; i < m->nregexes; i++)
		if (regexec(&m->regexes[i], cmd, 0, NULL, 0) == 0)
			return 1;
	return 0;
}

static int
user_matches(const struct procmatch *m, const struct procinfo *pi)
{
	struct procstatus ps;

	if (procscan_read_status(pi->pid, &ps) == -1)
		return errno == ESRCH ? -1 : 0;
	for (size_t i = 0; i < m->nuids; i++)
		if (ps.ruid == m->uids[i] || ps.euid == m->uids[i])
			return 1;
	return 0;
}

static bool
pid_listed(pid_t pid, const pid_t *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == pid)
			return true;
	return false;
}

/* Nanoseconds since PI started, from the boot clock proc(5) counts in. */
static int64_t
age_ns(const struct procinfo *pi)
{
	struct timespec now;
	int64_t start_ns, now_ns;

	if (clock_gettime(CLOCK_BOOTTIME, &now) == -1)
		return 0;
	now_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	start_ns = (int64_t)(pi->starttime / (uint64_t)clock_ticks) *
	    1000000000 + (int64_t)(pi->starttime % (uint64_t)clock_ticks) *
	    (1000000000 / clock_ticks);
	return now_ns - start_ns;
}

/* The kinds of criteria m gives (MATCH_*). */
unsigned
procscan_given(const struct procmatch *m)
{
	return (m->nnames > 0 ? MATCH_NAME : 0) |
	    (m->nexes > 0 ? MATCH_EXE : 0) |
	    (m->nregexes > 0 ? MATCH_FULL : 0) |
	    (m->nparents > 0 ? MATCH_PARENT : 0) |
	    (m->nuids > 0 ? MATCH_USER : 0) |
	    (m->older ? MATCH_OLDER : 0) |
	    (m->npgroups > 0 ? MATCH_PGROUP : 0) |
	    (m->nsessions > 0 ? MATCH_SESSION : 0);
}

/*
 * Whether pi meets every criterion of m whose kind is in kinds.  What
 * the stat fields decide comes first, so that exe, cmdline and status
 * are read only for processes still in question.  Returns 1, 0, or -1
 * when the process vanished meanwhile.
 */
int
procscan_match(const struct procmatch *m, const struct procinfo *pi,
    unsigned kinds)
{
	unsigned k = procscan_given(m) & kinds;
	int r = 1;

	if (((k & MATCH_OLDER) && age_ns(pi) < m->older_ns) ||
	    ((k & MATCH_PARENT) &&
	    !pid_listed(pi->ppid, m->parents, m->nparents)) ||
	    ((k & MATCH_PGROUP) &&
	    !pid_listed(pi->pgrp, m->pgroups, m->npgroups)) ||
	    ((k & MATCH_SESSION) &&
	    !pid_listed(pi->session, m->sessions, m->nsessions)))
		return 0;
	if (k & MATCH_NAME)
		r = name_matches(m, pi);
	if (r == 1 && (k & MATCH_USER))
		r = user_matches(m, pi);
	if (r == 1 && (k & MATCH_EXE))
		r = exe_matches(m, pi);
	if (r == 1 && (k & MATCH_FULL))
		r = regex_matches(m, pi);
	return r;
}

static pid_t
dirent_pid(const char *name)
{
	long v = 0;

	if (*name == '\0')
		return 0;
	for (; *name != '\0'; name++) {
		if (!isdigit((unsigned char)*name) || v > INT_MAX / 10)
			return 0;
		v = v * 10 + (*name - '0');
	}
	return v <= INT_MAX ? (pid_t)v : 0;
}

/*
 * Whether the comm of pid could match a name of m: PID/comm costs the
 * kernel less than PID/stat, and most processes fail this test.  True
 * also when comm cannot be read, so that PID/stat decides and reports.
 */
static bool
comm_may_match(const struct procmatch *m, pid_t pid)
{
	char comm[PROCSCAN_COMM_MAX + 1];
	ssize_t n;
	int fd;

	if ((fd = open_pidfile_proc(pid, "comm")) == -1)
		return errno != ESRCH;
	n = read_record(fd, comm, sizeof(comm));
	close(fd);
	if (n <= 0)
		return n == -1;
	if (comm[n - 1] == '\n')
		n--;
	comm[n] = '\0';
	for (size_t i = 0; i < m->nnames; i++)
		if (strncmp(m->names[i], comm, 15) == 0 &&
		    (strlen(m->names[i]) <= 15 ? strcmp(m->names[i], comm) == 0 :
		    (size_t)n == 15))
			return true;
	return false;
}

/*
 * Call fn with the PID of every process in /proc, until fn returns
 * non-zero; with names in m (which may be NULL), only with those whose
 * comm could match one.  The caller holds and checks each.  Returns 0,
 * fn's value, or -1 with errno when /proc could not be read.
 */
int
procscan_scan(const struct procmatch *m, int (*fn)(pid_t, void *), void *arg)
{
	char buf[32768];
	struct linux_dirent64 *d;
	long n;
	pid_t pid;
	int dfd, r = 0, saved;
	bool by_name = m != NULL && m->nnames > 0;

	dfd = openat(procfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd == -1)
		return -1;
	while (r == 0 && (n = syscall(SYS_getdents64, dfd, buf,
	    sizeof(buf))) > 0) {
		for (long off = 0; r == 0 && off < n; off += d->d_reclen) {
			d = (struct linux_dirent64 *)(void *)(buf + off);
			if ((pid = dirent_pid(d->d_name)) != 0 &&
			    (!by_name || comm_may_match(m, pid)))
				r = fn(pid, arg);
		}
	}
	saved = errno;
	close(dfd);
	if (r == 0 && n == -1) {
		errno = saved;
		return -1;
	}
	return r;
}

/* Whether /proc has the children files (CONFIG_PROC_CHILDREN). */
static bool
children_supported(void)
{
	static int known = -1;

	if (known == -1)
		known = faccessat(procfd, "thread-self/children", F_OK, 0) == 0;
	return known == 1;
}

/* Append the PIDs listed in text (a children file) to *pids. */
static int
append_pids(const char *text, pid_t **pids, size_t *npids, size_t *cap)
{
	const char *p = text;
	pid_t *grown;
	long v;

	while (*p != '\0') {
		for (v = 0; isdigit((unsigned char)*p); p++)
			if ((v = v * 10 + (*p - '0')) > INT_MAX)
				return 0;
		if (v > 0) {
			if (*npids == *cap) {
				*cap = *cap ? *cap * 2 : 16;
				grown = reallocarray(*pids, *cap, sizeof(**pids));
				if (grown == NULL)
					return -1;
				*pids = grown;
			}
			(*pids)[(*npids)++] = (pid_t)v;
		}
		while (*p != '\0' && !isdigit((unsigned char)*p))
			p++;
	}
	return 0;
}

/* The PIDs of the children of every thread of pid, from proc(5). */
static int
list_children(pid_t pid, pid_t **pids, size_t *npids)
{
	char buf[4096], name[64];
	struct linux_dirent64 *d;
	size_t cap = 0;
	long n;
	int dfd, r = 0;

	snprintf(name, sizeof(name), "%d/task", (int)pid);
	if ((dfd = openat(procfd, name, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : -1;
	while (r == 0 && (n = syscall(SYS_getdents64, dfd, buf,
	    sizeof(buf))) > 0) {
		for (long off = 0; r == 0 && off < n; off += d->d_reclen) {
			d = (struct linux_dirent64 *)(void *)(buf + off);
			if (dirent_pid(d->d_name) == 0)
				continue;
			snprintf(name, sizeof(name), "task/%s/children",
			    d->d_name);
			/* A thread that exited meanwhile has no children. */
			if (read_big(pid, name) != -1)
				r = append_pids(bigbuf, pids, npids, &cap);
		}
	}
	close(dfd);
	return r;
}

/*
 * Call FN for each child of pid (of any of its threads), read through
 * /proc/PID/task/TID/children, until FN returns non-zero.  Returns 0,
 * FN's value, or -1 with errno: ENOSYS when the kernel lacks the
 * children files (CONFIG_PROC_CHILDREN), so the caller must scan.
 */
int
procscan_children(pid_t pid, int (*fn)(const struct procinfo *, void *),
    void *arg)
{
	struct procinfo pi;
	pid_t *pids = NULL;
	size_t npids = 0;
	int r = 0;

	if (!children_supported()) {
		errno = ENOSYS;
		return -1;
	}
	if (list_children(pid, &pids, &npids) == -1) {
		free(pids);
		return -1;
	}
	for (size_t i = 0; r == 0 && i < npids; i++)
		if (procscan_read_stat(pids[i], &pi) == 0 && pi.ppid == pid)
			r = fn(&pi, arg);
	free(pids);
	return r;
}

/*
 * Parse a pidfile's contents: optional blanks, decimal digits, optional
 * blanks or CR, then a newline or the end; later lines are ignored.
 * Returns PIDFILE_OK with *pid in 2..pid_max, or the error.
 */
int
procscan_parse_pidfile(const char *buf, size_t len, long pid_max, pid_t *pid)
{
	size_t i = 0;
	uint64_t v = 0;
	bool big = false;

	if (len == 0)
		return PIDFILE_EMPTY;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
		i++;
	if (i == len || !isdigit((unsigned char)buf[i]))
		return PIDFILE_MALFORMED;
	for (; i < len && isdigit((unsigned char)buf[i]); i++) {
		if (v > (uint64_t)pid_max)
			big = true;
		else
			v = v * 10 + (uint64_t)(buf[i] - '0');
	}
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r'))
		i++;
	if (i < len && buf[i] != '\n')
		return PIDFILE_MALFORMED;
	if (big || v < 2 || v > (uint64_t)pid_max)
		return PIDFILE_RANGE;
	*pid = (pid_t)v;
	return PIDFILE_OK;
}

/* Copy the digits of the first line into pf->text, for messages. */
static void
keep_pid_text(struct pidfile *pf, const char *buf, size_t len)
{
	size_t i = 0, n = 0;

	while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
		i++;
	while (i < len && isdigit((unsigned char)buf[i]) &&
	    n < sizeof(pf->text) - 4)
		pf->text[n++] = buf[i++];
	if (i < len && isdigit((unsigned char)buf[i])) {
		memcpy(pf->text + n, "...", 3);
		n += 3;
	}
	pf->text[n] = '\0';
}

/* Judge a pidfile as root does: owner, mode, and its directory. */
static void
judge_trust(struct pidfile *pf, const struct stat *file, int dirfd)
{
	struct stat dir;

	pf->trust = TRUST_OK;
	if (geteuid() != 0)
		return;
	if (file->st_uid != 0) {
		pf->trust = TRUST_FILE_OWNER;
		pf->owner = file->st_uid;
	} else if (file->st_mode & (S_IWGRP | S_IWOTH)) {
		pf->trust = TRUST_FILE_MODE;
	} else if (fstat(dirfd, &dir) == 0) {
		if (dir.st_uid != 0 && (dir.st_mode & S_IWUSR)) {
			pf->trust = TRUST_DIR_OWNER;
			pf->owner = dir.st_uid;
		} else if ((dir.st_mode & (S_IWGRP | S_IWOTH)) &&
		    !(dir.st_mode & S_ISVTX))
			pf->trust = TRUST_DIR_MODE;
	}
}

/* The directory of the file open on fd, as an O_PATH descriptor. */
static int
open_real_dir(int fd)
{
	char link[64], path[PATH_MAX], *slash;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof(path) - 1)) == -1)
		return -1;
	path[n] = '\0';
	if ((slash = strrchr(path, '/')) == NULL)
		return -1;
	slash[slash == path ? 1 : 0] = '\0';
	return open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* Split pf->path into an O_PATH directory descriptor and a name. */
static int
open_parent(struct pidfile *pf)
{
	const char *slash = strrchr(pf->path, '/');
	char *dir;

	if (slash == NULL) {
		pf->base = strdup(pf->path);
		dir = strdup(".");
	} else {
		pf->base = strdup(slash[1] != '\0' ? slash + 1 : ".");
		dir = strndup(pf->path, slash == pf->path ? 1 :
		    (size_t)(slash - pf->path));
	}
	if (pf->base == NULL || dir == NULL) {
		free(dir);
		return -1;
	}
	pf->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	return pf->dirfd == -1 ? -1 : 0;
}

/*
 * Open the pidfile's name without following a final symlink unless
 * root owns the link, check what it is on the descriptor, and open it
 * for reading non-blocking (a FIFO must not hang us).  Returns the
 * descriptor, or -1 with *error set.
 */
static int
open_pidfile_checked(struct pidfile *pf, struct stat *st, int *trustdir,
    int *error)
{
	struct stat lst;
	int pfd, fd, flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;

	*trustdir = -1;
	pfd = openat(pf->dirfd, pf->base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pfd == -1 || fstat(pfd, &lst) == -1) {
		*error = errno == ENOENT ? PIDFILE_MISSING : PIDFILE_ERRNO;
		goto fail;
	}
	pf->dev = lst.st_dev;
	pf->ino = lst.st_ino;
	if (S_ISLNK(lst.st_mode)) {
		if (lst.st_uid != 0) {
			*error = PIDFILE_SYMLINK;
			goto fail;
		}
	} else
		flags |= O_NOFOLLOW;
	close(pfd);
	if ((fd = openat(pf->dirfd, pf->base, flags)) == -1) {
		*error = errno == ENOENT ? PIDFILE_MISSING :
		    errno == ENXIO ? PIDFILE_NOTREG : PIDFILE_ERRNO;
		return -1;
	}
	if (fstat(fd, st) == -1) {
		*error = PIDFILE_ERRNO;
		close(fd);
		return -1;
	}
	/* Replaced between the two opens: judge nothing by the name. */
	if (!S_ISLNK(lst.st_mode) &&
	    (st->st_dev != lst.st_dev || st->st_ino != lst.st_ino)) {
		*error = PIDFILE_ERRNO;
		errno = ESTALE;
		close(fd);
		return -1;
	}
	if (S_ISLNK(lst.st_mode))
		*trustdir = open_real_dir(fd);
	return fd;
fail:
	if (pfd != -1)
		close(pfd);
	return -1;
}

/*
 * Read the pidfile at pf->path (set by the caller) strictly as SPEC's
 * "Pidfiles" says.  On PIDFILE_OK, pf->pid holds the PID and pf->trust
 * says whether root may believe it.  PIDFILE_ERRNO leaves errno set.
 * procscan_close_pidfile() releases what this opened.
 */
int
procscan_read_pidfile(struct pidfile *pf, long pid_max)
{
	char buf[PIDFILE_MAX + 1];
	struct stat st;
	ssize_t n;
	int fd, trustdir, error = PIDFILE_OK, saved;

	pf->dirfd = -1;
	pf->base = NULL;
	pf->pid = 0;
	pf->text[0] = '\0';
	if (open_parent(pf) == -1)
		return errno == ENOENT ? PIDFILE_MISSING : PIDFILE_ERRNO;
	if ((fd = open_pidfile_checked(pf, &st, &trustdir, &error)) == -1)
		return error;
	if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3))
		error = PIDFILE_DEVNULL;
	else if (!S_ISREG(st.st_mode))
		error = PIDFILE_NOTREG;
	else if (st.st_size > PIDFILE_MAX)
		error = PIDFILE_TOOBIG;
	else if ((n = read_all(fd, buf, sizeof(buf))) == -1)
		error = errno == EOVERFLOW ? PIDFILE_TOOBIG : PIDFILE_ERRNO;
	else if (n > PIDFILE_MAX)
		error = PIDFILE_TOOBIG;
	else {
		keep_pid_text(pf, buf, (size_t)n);
		error = procscan_parse_pidfile(buf, (size_t)n, pid_max,
		    &pf->pid);
	}
	if (error == PIDFILE_OK) {
		judge_trust(pf, &st, pf->dirfd);
		if (pf->trust == TRUST_OK && trustdir != -1)
			judge_trust(pf, &st, trustdir);
	}
	saved = errno;
	close(fd);
	if (trustdir != -1)
		close(trustdir);
	errno = saved;
	return error;
}

/* Whether the pidfile still holds the PID it held when read. */
static bool
still_names(const struct pidfile *pf)
{
	char buf[PIDFILE_MAX + 1];
	struct stat st;
	ssize_t n;
	pid_t pid;
	int fd;

	fd = openat(pf->dirfd, pf->base, O_RDONLY | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC);
	if (fd == -1)
		return false;
	n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ?
	    read_all(fd, buf, sizeof(buf)) : -1;
	close(fd);
	return n >= 0 && procscan_parse_pidfile(buf, (size_t)n, INT_MAX,
	    &pid) == PIDFILE_OK && pid == pf->pid;
}

/*
 * Remove the pidfile read by procscan_read_pidfile(), if its name
 * still refers to the file read and holds the same PID.  Returns 0
 * (also when it is already gone), or -1 with errno (ESTALE: replaced or
 * rewritten meanwhile).
 */
int
procscan_remove_pidfile(const struct pidfile *pf)
{
	struct stat st;

	if (pf->dirfd == -1 || pf->base == NULL) {
		errno = EBADF;
		return -1;
	}
	if (fstatat(pf->dirfd, pf->base, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return errno == ENOENT ? 0 : -1;
	if (st.st_dev != pf->dev || st.st_ino != pf->ino ||
	    !still_names(pf)) {
		errno = ESTALE;
		return -1;
	}
	if (unlinkat(pf->dirfd, pf->base, 0) == -1 && errno != ENOENT)
		return -1;
	return 0;
}

void
procscan_close_pidfile(struct pidfile *pf)
{
	if (pf->dirfd != -1)
		close(pf->dirfd);
	pf->dirfd = -1;
	free(pf->base);
	pf->base = NULL;
}
