/*
 * procscan: reading /proc and pidfiles for gracekill.  Nothing here
 * signals, prints or exits; failures come back as -1 with errno set.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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
#define CGROUP2_MAGIC	0x63677270	/* linux/magic.h */
#define CAP_SYS_PTRACE_BIT	19		/* linux/capability.h */

static int	 port_holders(pid_t, struct portscan *);

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

/* Open PID's file NAME in /proc; ENOENT becomes ESRCH: the process is gone. */
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

/* One read(2) of a seq_file gets a whole record; EOVERFLOW if buf fills. */
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
 * Parse PID/stat text (proc(5)) after the last ')', as comm may hold ')'
 * and spaces.  Returns 0 (exit_code -1 without field 52) or -1 with EINVAL.
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

/* Read /proc/PID/stat into *pi: 0, or -1 with errno (ESRCH: gone). */
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
 * Re-read was's PID into *now: 1 if still that process (same start time),
 * 0 if gone or the PID reused, -1 with errno if /proc was unreadable.
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

/* The PID/status fields gracekill uses: 0, or -1 with errno (ESRCH: gone). */
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
 * PID's arguments joined by spaces into *text, procscan's buffer: do not
 * free, valid until procscan reads again.  Returns 0 or -1 with errno.
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
 * PID's executable into buf, without the " (deleted)" of a replaced file.
 * Returns 0, or -1 with errno (ENAMETOOLONG: too long; ESRCH: gone).
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
 * Whether pi is a kernel thread or a usermode helper (kthreadd's child).
 * PID 2 is kthreadd only if a kernel thread, not in a new PID namespace.
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
 * Whether pi has exited, as /proc tells: a zombie with no thread left (a
 * main thread that exited while others run shows Z too), or X.
 */
bool
procscan_is_lone_zombie(const struct procinfo *pi)
{
	return (pi->state == 'Z' && pi->nthreads <= 1) || pi->state == 'X';
}

/* Whether we have CAP_SYS_PTRACE: else others' zombies show exit code 0. */
bool
procscan_may_ptrace(void)
{
	struct procstatus ps;

	return procscan_read_status(getpid(), &ps) == 0 &&
	    (ps.capeff & (1ULL << CAP_SYS_PTRACE_BIT)) != 0;
}

/*
 * Why was, sent signo (0: none), still runs: its state, *tracer, signo
 * ignored or blocked, or GONE (exited or PID reused).  *now: what was read.
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
	    (m->nsessions > 0 ? MATCH_SESSION : 0) |
	    (m->ncgroups > 0 ? MATCH_CGROUP : 0) |
	    (m->ports != NULL ? MATCH_PORT : 0);
}

/*
 * Whether pi meets each criterion of m of a kind in kinds: 1, 0, or -1 if
 * it vanished.  Stat fields go first: exe, cmdline and status cost more.
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
	if (r == 1 && (k & MATCH_CGROUP))
		r = (r = procscan_cgroup_index(m, pi->pid)) >= 0 ? 1 : r + 1;
	if (r == 1 && (k & MATCH_PORT) &&
	    (r = port_holders(pi->pid, m->ports)) > 1)
		r = 1;
	return r == -1 && errno != ESRCH ? 0 : r;
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

/* Open the directory name of /proc for readdir(3), or NULL with errno. */
static DIR *
open_dir(const char *name)
{
	DIR *dir;
	int dfd, saved;

	if ((dfd = openat(procfd, name, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		return NULL;
	if ((dir = fdopendir(dfd)) == NULL) {
		saved = errno;
		close(dfd);
		errno = saved;
	}
	return dir;
}

/* Close dir and return r, keeping errno. */
static int
close_dir(DIR *dir, int r)
{
	int saved = errno;

	closedir(dir);
	errno = saved;
	return r;
}

/*
 * Whether pid's comm could match a name of m: PID/comm is cheaper than
 * PID/stat.  True if unreadable, so that PID/stat decides and reports.
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
 * Call fn for each PID in /proc (with names in m, which may be NULL, if
 * its comm may match; the caller checks) until it returns non-zero.
 * Returns 0, fn's value, or -1 with errno.
 */
int
procscan_scan(const struct procmatch *m, int (*fn)(pid_t, void *), void *arg)
{
	struct dirent *d;
	DIR *dir;
	pid_t pid;
	int r = 0;
	bool by_name = m != NULL && m->nnames > 0;

	if ((dir = open_dir(".")) == NULL)
		return -1;
	while (r == 0 && (errno = 0, d = readdir(dir)) != NULL)
		if ((pid = dirent_pid(d->d_name)) != 0 &&
		    (!by_name || comm_may_match(m, pid)))
			r = fn(pid, arg);
	return close_dir(dir, r == 0 && d == NULL && errno != 0 ? -1 : r);
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
	char name[64];
	struct dirent *d;
	size_t cap = 0;
	pid_t tid;
	DIR *dir;
	int r = 0;

	snprintf(name, sizeof(name), "%d/task", (int)pid);
	if ((dir = open_dir(name)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while (r == 0 && (d = readdir(dir)) != NULL) {
		if ((tid = dirent_pid(d->d_name)) == 0)
			continue;
		snprintf(name, sizeof(name), "task/%d/children", (int)tid);
		/* A thread that exited meanwhile has no children. */
		if (read_big(pid, name) != -1)
			r = append_pids(bigbuf, pids, npids, &cap);
	}
	return close_dir(dir, r);
}

/*
 * Call fn for each child of any thread of pid (PID/task/TID/children)
 * until it returns non-zero.  Returns 0, fn's value, or -1 with errno:
 * ENOSYS without CONFIG_PROC_CHILDREN (the caller must scan).
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
 * Parse pidfile text: blanks, digits, blanks or CR, a newline or the end;
 * later lines are ignored.  PIDFILE_OK with *pid in 2..pid_max, or why not.
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
 * Open pf's name to read, non-blocking (a FIFO must not hang us), through
 * a final symlink only if root owns it.  Returns the descriptor with *st
 * (*trustdir: a link's real directory, else -1), or -1 with *error.
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
 * Read pf->path as SPEC "Pidfiles" says: PIDFILE_OK with pf->pid and
 * pf->trust, or why not (ERRNO: see errno).  Always procscan_close_pidfile().
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
 * Unlink pf's file if its name is still the file read, with the same PID.
 * Returns 0 (also if gone), or -1 with errno (ESTALE: replaced or rewritten).
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

/* Ports: sock_diag as ss(8) reads it, else /proc/net; holders from PID/fd. */

#ifndef nitems
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#define DIAG_MAXPORTS	256	/* more ports than this: no kernel filter */
#define DIAG_RETRIES	3	/* dumps redone after NLM_F_DUMP_INTR */
#define DIAG_BUFSIZE	32768	/* grown when a datagram is larger */
#define SOCKLINK_MAX	40	/* "socket:[" 20 digits "]" fits */
#define ATTR_HDRLEN	sizeof(struct nlattr)	/* NLA_HDRLEN, unsigned */
#define ALIGN4(n)	(((n) + 3) & ~(size_t)3)	/* NLA_ALIGN */

static const struct socktable {
	int		 proto;
	int		 family;
	const char	*procnet;
} socktables[] = {
	{ IPPROTO_TCP, AF_INET, "net/tcp" },
	{ IPPROTO_TCP, AF_INET6, "net/tcp6" },
	{ IPPROTO_UDP, AF_INET, "net/udp" },
	{ IPPROTO_UDP, AF_INET6, "net/udp6" },
};

static const unsigned char v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

struct sockread {
	const struct portspec	*specs;
	size_t			 nspecs;
	struct portscan		*ps;
	size_t			 cap;		/* of ps->socks */
	char			*buf;		/* one netlink datagram */
	size_t			 bufsize;
	uint32_t		 seq;
	int			 bindv6only;	/* -1: not read yet */
};

enum diag_result {
	DIAG_OK,
	DIAG_INTR,		/* the table changed during the dump */
	DIAG_REFUSED,		/* NLMSG_ERROR; errno is the kernel's */
	DIAG_FAILED
};

static int
port_error(const char **reason, const char *why)
{
	*reason = why;
	errno = EINVAL;
	return -1;
}

static bool
all_zero(const unsigned char *p, size_t n)
{
	while (n-- > 0)
		if (*p++ != 0)
			return false;
	return true;
}

/* Parse the len bytes at p as an address of family into spec. */
static bool
parse_addr(const char *p, size_t len, int family, struct portspec *spec)
{
	char buf[INET6_ADDRSTRLEN];

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, p, len);
	buf[len] = '\0';
	if (inet_pton(family, buf, spec->addr) != 1)
		return false;
	spec->family = family;
	if (family == AF_INET6 && memcmp(spec->addr, v4mapped, 12) == 0) {
		memmove(spec->addr, spec->addr + 12, 4);
		memset(spec->addr + 4, 0, 12);
		spec->family = AF_INET;
	}
	return true;
}

/* Why the text from p to end is no IPv4 address. */
static const char *
addr_error(const char *p, const char *end)
{
	struct portspec scratch;
	size_t len = (size_t)(end - p);

	if (len == 0)
		return "missing address";
	if (memchr(p, ':', len) != NULL)
		return parse_addr(p, len, AF_INET6, &scratch) ||
		    parse_addr(p, strlen(p), AF_INET6, &scratch) ?
		    "IPv6 address needs brackets" : "invalid address";
	if (strcspn(p, "0123456789") < len)
		return "invalid IPv4 address";
	return "invalid protocol or address";
}

/*
 * Parse [tcp:|udp:][ADDR:]PORT into spec (ADDR IPv4 or [IPv6], ::ffff:A
 * as A; PORT 1-65535).  Returns 0, or -1 with EINVAL and a static *reason.
 */
int
procscan_parse_port(const char *text, struct portspec *spec,
    const char **reason)
{
	const char *p = text, *end;
	unsigned long v = 0;

	memset(spec, 0, sizeof(*spec));
	spec->text = text;
	spec->proto = strncmp(p, "udp:", 4) == 0 ? IPPROTO_UDP : IPPROTO_TCP;
	spec->family = AF_UNSPEC;
	if (strncmp(p, "tcp:", 4) == 0 || strncmp(p, "udp:", 4) == 0)
		p += 4;
	if (*p == '[') {
		if ((end = strchr(p, ']')) == NULL ||
		    !parse_addr(p + 1, (size_t)(end - p - 1), AF_INET6, spec))
			return port_error(reason, "invalid IPv6 address");
		if (end[1] != ':')
			return port_error(reason, end[1] == '\0' ?
			    "missing port" : "missing ':' after ']'");
		p = end + 2;
	} else if ((end = strrchr(p, ':')) != NULL) {
		if (!parse_addr(p, (size_t)(end - p), AF_INET, spec))
			return port_error(reason, addr_error(p, end));
		p = end + 1;
	}
	if (*p == '\0')
		return port_error(reason, "missing port");
	for (; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			return port_error(reason, "invalid port");
		if ((v = v * 10 + (unsigned long)(*p - '0')) > UINT16_MAX)
			return port_error(reason, "port out of range");
	}
	if (v == 0)
		return port_error(reason, "port out of range");
	spec->port = (uint16_t)v;
	return 0;
}

static const unsigned char *
sock_v4(const struct portsock *s)
{
	if (s->family == AF_INET)
		return s->addr;
	if (memcmp(s->addr, v4mapped, 12) == 0)
		return s->addr + 12;
	return NULL;
}

/*
 * Whether s takes spec's clients: same protocol and port, bound to ADDR or
 * its family's wildcard (0.0.0.0 serves 127.0.0.1), or a dual-stack :: for
 * IPv4 ADDR (::ffff:A is A).  So a wildcard ADDR matches wildcards only.
 */
bool
procscan_port_matches(const struct portspec *spec, const struct portsock *s)
{
	const unsigned char *a4;

	if (spec->proto != s->proto || spec->port != s->port)
		return false;
	if (spec->family == AF_UNSPEC)
		return true;
	a4 = sock_v4(s);
	if (spec->family == AF_INET)
		return a4 != NULL ? memcmp(a4, spec->addr, 4) == 0 ||
		    all_zero(a4, 4) : all_zero(s->addr, 16) && !s->v6only;
	return a4 == NULL && (memcmp(s->addr, spec->addr, 16) == 0 ||
	    all_zero(s->addr, 16));
}

/* Keep s if it has an inode and serves a spec; -1 with ENOMEM. */
static int
keep_sock(struct sockread *r, const struct portsock *s)
{
	struct portscan *ps = r->ps;
	struct portsock *grown;
	size_t i;

	if (s->inode == 0)
		return 0;
	for (i = 0; i < r->nspecs; i++)
		if (procscan_port_matches(&r->specs[i], s))
			break;
	if (i == r->nspecs)
		return 0;
	if (ps->nsocks == r->cap) {
		grown = reallocarray(ps->socks, r->cap ? r->cap * 2 : 16,
		    sizeof(*grown));
		if (grown == NULL)
			return -1;
		ps->socks = grown;
		r->cap = r->cap ? r->cap * 2 : 16;
	}
	ps->socks[ps->nsocks++] = *s;
	return 0;
}

/* The distinct ports of r's specs for proto, at most DIAG_MAXPORTS. */
static size_t
table_ports(const struct sockread *r, int proto, uint16_t *ports)
{
	size_t i, j, n = 0;

	for (i = 0; i < r->nspecs; i++) {
		if (r->specs[i].proto != proto)
			continue;
		for (j = 0; j < n && ports[j] != r->specs[i].port; j++)
			continue;
		if (j < n)
			continue;
		if (n == DIAG_MAXPORTS)
			return SIZE_MAX;
		ports[n++] = r->specs[i].port;
	}
	return n;
}

/*
 * Bytecode accepting a local port of ports: per port "S_EQ, else next";
 * a hit jumps to the end (accept), the last miss 4 bytes past (reject).
 */
static size_t
diag_bytecode(const uint16_t *ports, size_t nports,
    struct inet_diag_bc_op *bc)
{
	size_t total = nports * 3 - 1, k = 0;

	for (size_t i = 0; i < nports; i++) {
		bc[k++] = (struct inet_diag_bc_op){ INET_DIAG_BC_S_EQ, 8, 12 };
		bc[k++] = (struct inet_diag_bc_op){ 0, 0, ports[i] };
		if (i + 1 < nports) {
			bc[k] = (struct inet_diag_bc_op){ INET_DIAG_BC_JMP, 4,
			    (unsigned short)((total - k) * sizeof(*bc)) };
			k++;
		}
	}
	return k * sizeof(*bc);
}

static int
diag_request(int fd, struct sockread *r, const struct socktable *t)
{
	struct inet_diag_bc_op bc[DIAG_MAXPORTS * 3];
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct {
		struct nlmsghdr		nlh;
		struct inet_diag_req_v2	req;
	} msg;
	struct nlattr nla;
	struct iovec iov[3];
	struct msghdr mh;
	uint16_t ports[DIAG_MAXPORTS];
	size_t nports, bclen = 0;
	ssize_t n;

	nports = table_ports(r, t->proto, ports);
	if (nports > 0 && nports != SIZE_MAX)
		bclen = diag_bytecode(ports, nports, bc);
	memset(&msg, 0, sizeof(msg));
	msg.nlh.nlmsg_len = (uint32_t)(sizeof(msg) +
	    (bclen > 0 ? ATTR_HDRLEN + bclen : 0));
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	msg.nlh.nlmsg_seq = ++r->seq;
	msg.req.sdiag_family = (uint8_t)t->family;
	msg.req.sdiag_protocol = (uint8_t)t->proto;
	msg.req.idiag_states = t->proto == IPPROTO_TCP ?
	    1U << TCP_LISTEN : ~0U;
	nla.nla_type = INET_DIAG_REQ_BYTECODE;
	nla.nla_len = (uint16_t)(ATTR_HDRLEN + bclen);
	iov[0] = (struct iovec){ &msg, sizeof(msg) };
	iov[1] = (struct iovec){ &nla, ATTR_HDRLEN };
	iov[2] = (struct iovec){ bc, bclen };
	memset(&mh, 0, sizeof(mh));
	mh.msg_name = &kernel;
	mh.msg_namelen = sizeof(kernel);
	mh.msg_iov = iov;
	mh.msg_iovlen = bclen > 0 ? 3 : 1;
	while ((n = sendmsg(fd, &mh, 0)) == -1 && errno == EINTR)
		continue;
	return n == -1 ? -1 : 0;
}

/* A datagram of the kernel's into r->buf, grown to its peeked size. */
static ssize_t
diag_recv(int fd, struct sockread *r)
{
	struct sockaddr_nl from;
	struct iovec iov;
	struct msghdr mh;
	ssize_t n;
	char *p;
	int flags = MSG_PEEK | MSG_TRUNC;

	for (;;) {
		iov = (struct iovec){ r->buf, r->bufsize };
		memset(&mh, 0, sizeof(mh));
		mh.msg_name = &from;
		mh.msg_namelen = sizeof(from);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		if ((n = recvmsg(fd, &mh, flags)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if ((size_t)n > r->bufsize) {
			if ((p = realloc(r->buf, (size_t)n)) == NULL)
				return -1;
			r->buf = p;
			r->bufsize = (size_t)n;
			continue;
		}
		if (flags != 0) {
			flags = 0;
			continue;
		}
		if (mh.msg_flags & MSG_TRUNC) {
			errno = EMSGSIZE;
			return -1;
		}
		if (from.nl_pid == 0)
			return n;
		flags = MSG_PEEK | MSG_TRUNC;
	}
}

/* One SOCK_DIAG_BY_FAMILY answer: keep its socket if it serves a spec. */
static int
diag_sock(struct sockread *r, const struct nlmsghdr *h, int proto)
{
	const struct inet_diag_msg *m = NLMSG_DATA(h);
	const unsigned char *attrs = (const unsigned char *)m;
	const struct nlattr *a;
	struct portsock s;
	size_t len, off;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m))) {
		errno = EPROTO;
		return -1;
	}
	if ((m->idiag_family != AF_INET && m->idiag_family != AF_INET6) ||
	    (proto == IPPROTO_TCP && m->idiag_state != TCP_LISTEN))
		return 0;
	memset(&s, 0, sizeof(s));
	s.inode = m->idiag_inode;
	s.uid = m->idiag_uid;
	s.proto = proto;
	s.family = m->idiag_family;
	s.port = ntohs(m->id.idiag_sport);
	memcpy(s.addr, m->id.idiag_src, s.family == AF_INET ? 4 : 16);
	len = h->nlmsg_len - NLMSG_LENGTH(0);
	for (off = NLMSG_ALIGN(sizeof(*m)); off + ATTR_HDRLEN <= len;
	    off += ALIGN4((size_t)a->nla_len)) {
		a = (const struct nlattr *)(const void *)(attrs + off);
		if (a->nla_len < ATTR_HDRLEN || a->nla_len > len - off)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == INET_DIAG_SKV6ONLY &&
		    a->nla_len > ATTR_HDRLEN)
			s.v6only = attrs[off + ATTR_HDRLEN] != 0;
	}
	return keep_sock(r, &s);
}

/* Dump table t through sock_diag, keeping the sockets serving a spec. */
static enum diag_result
diag_table(int fd, struct sockread *r, const struct socktable *t)
{
	const struct nlmsghdr *h;
	bool intr = false;
	ssize_t n;
	size_t off;
	int err;

	if (diag_request(fd, r, t) == -1)
		return DIAG_FAILED;
	for (;;) {
		if ((n = diag_recv(fd, r)) == -1)
			return DIAG_FAILED;
		for (off = 0; off + sizeof(*h) <= (size_t)n;
		    off += NLMSG_ALIGN(h->nlmsg_len)) {
			h = (const struct nlmsghdr *)(void *)(r->buf + off);
			if (h->nlmsg_len < sizeof(*h) ||
			    h->nlmsg_len > (size_t)n - off) {
				errno = EPROTO;
				return DIAG_FAILED;
			}
			if (h->nlmsg_seq != r->seq)
				continue;
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;
			if (h->nlmsg_type == NLMSG_DONE ||
			    h->nlmsg_type == NLMSG_ERROR) {
				err = 0;
				if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(err)))
					memcpy(&err, NLMSG_DATA(h),
					    sizeof(err));
				if (err < 0) {
					errno = -err;
					return DIAG_REFUSED;
				}
				if (h->nlmsg_type == NLMSG_DONE)
					return intr ? DIAG_INTR : DIAG_OK;
			} else if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY &&
			    diag_sock(r, h, t->proto) == -1)
				return DIAG_FAILED;
		}
	}
}

static bool
hex_field(const char *p, size_t n, uint32_t *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)p[i]))
			return false;
		*v = *v << 4 | (uint32_t)(isdigit((unsigned char)p[i]) ?
		    p[i] - '0' : (tolower((unsigned char)p[i]) - 'a' + 10));
	}
	return true;
}

static bool
dec_field(const char *p, uint64_t max, uint64_t *v)
{
	*v = 0;
	if (*p == '\0')
		return false;
	for (; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p) ||
		    (*v = *v * 10 + (uint64_t)(*p - '0')) > max)
			return false;
	return true;
}

/*
 * A line of /proc/net/tcp etc. (proc(5)): "SL: LOCAL REMOTE ST TX:RX
 * TR:WHEN RETR UID TIMEOUT INODE ...", LOCAL the address as 32-bit
 * words in hex (in memory order), ':', the port in hex.
 */
static bool
procnet_line(char *line, const struct socktable *t, struct portsock *s)
{
	char *f[10], *p = line;
	size_t nf = 0, words = t->family == AF_INET ? 1 : 4;
	uint32_t w, port, state;
	uint64_t uid, inode;

	while (nf < nitems(f)) {
		p += strspn(p, " \t\n");
		if (*p == '\0')
			return false;
		f[nf++] = p;
		p += strcspn(p, " \t\n");
		if (*p != '\0')
			*p++ = '\0';
	}
	if (strlen(f[1]) != words * 8 + 5 || f[1][words * 8] != ':' ||
	    !hex_field(f[1] + words * 8 + 1, 4, &port) ||
	    strlen(f[3]) != 2 || !hex_field(f[3], 2, &state) ||
	    !dec_field(f[7], UINT32_MAX, &uid) ||
	    !dec_field(f[9], UINT64_MAX / 10, &inode))
		return false;
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < words; i++) {
		if (!hex_field(f[1] + i * 8, 8, &w))
			return false;
		memcpy(s->addr + i * 4, &w, 4);
	}
	if (t->proto == IPPROTO_TCP && state != TCP_LISTEN)
		inode = 0;
	s->inode = (ino_t)inode;
	s->uid = (uid_t)uid;
	s->proto = t->proto;
	s->family = t->family;
	s->port = (uint16_t)port;
	return true;
}

/* net.ipv6.bindv6only: what IPV6_V6ONLY a socket has unless it set it. */
static bool
bindv6only(struct sockread *r)
{
	char buf[16];
	ssize_t n;
	int fd;

	if (r->bindv6only == -1) {
		r->bindv6only = 0;
		fd = openat(procfd, "sys/net/ipv6/bindv6only",
		    O_RDONLY | O_CLOEXEC);
		if (fd != -1) {
			n = read_record(fd, buf, sizeof(buf));
			r->bindv6only = n > 0 && buf[0] == '1';
			close(fd);
		}
	}
	return r->bindv6only == 1;
}

/*
 * Read table t from /proc/net.  It does not show IPV6_V6ONLY: the
 * default is assumed.  No tcp6 or udp6 file: no IPv6, no sockets.
 */
static int
procnet_table(struct sockread *r, const struct socktable *t)
{
	struct portsock s;
	char *line = NULL;
	size_t linecap = 0;
	FILE *fp;
	int fd, ret = 0, saved;

	if ((fd = openat(procfd, t->procnet, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT && t->family == AF_INET6 ? 0 : -1;
	if ((fp = fdopen(fd, "r")) == NULL) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	if (getline(&line, &linecap, fp) != -1) {
		while (ret == 0 && getline(&line, &linecap, fp) != -1) {
			if (!procnet_line(line, t, &s)) {
				errno = EPROTO;
				ret = -1;
				break;
			}
			s.v6only = t->family == AF_INET6 && bindv6only(r);
			ret = keep_sock(r, &s);
		}
	}
	if (ret == 0 && ferror(fp))
		ret = -1;
	saved = errno;
	free(line);
	fclose(fp);
	errno = saved;
	return ret;
}

static int
inode_cmp(const void *a, const void *b)
{
	const struct portsock *x = a, *y = b;

	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

static bool
proto_wanted(const struct portspec *specs, size_t nspecs, int proto)
{
	for (size_t i = 0; i < nspecs; i++)
		if (specs[i].proto == proto)
			return true;
	return false;
}

/*
 * Whether sock_diag gave table t; if not, ps says why, and *fd is closed
 * (set to -1) unless the kernel refused cleanly.
 */
static bool
diag_try(int *fd, struct sockread *r, const struct socktable *t)
{
	size_t kept = r->ps->nsocks;
	enum diag_result res;
	int tries = 0;

	while ((res = diag_table(*fd, r, t)) == DIAG_INTR &&
	    ++tries < DIAG_RETRIES)
		r->ps->nsocks = kept;
	if (res == DIAG_OK || res == DIAG_INTR)
		return true;
	r->ps->nsocks = kept;
	if (!r->ps->procnet) {
		r->ps->procnet = true;
		r->ps->diag_errno = errno;
	}
	if (res == DIAG_FAILED) {
		close(*fd);
		*fd = -1;
	}
	return false;
}

/*
 * Fill *ps (overwritten) with the listening TCP and bound UDP sockets, v4
 * and v6, of our network namespace that serve a spec, sorted by inode.
 * Tables sock_diag fails to give (ENOENT: no udp_diag) come from /proc/net:
 * then ps->procnet is set, ps->diag_errno the first error.  Free *ps with
 * procscan_free_portscan(), also after -1 (errno: /proc/net, ENOMEM).
 */
int
procscan_port_sockets(const struct portspec *specs, size_t nspecs,
    struct portscan *ps)
{
	struct sockread r = { specs, nspecs, ps, 0, NULL, 0, 0, -1 };
	const struct socktable *t;
	size_t kept = 1;
	int fd, ret = 0, saved;

	memset(ps, 0, sizeof(*ps));
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd == -1) {
		ps->procnet = true;
		ps->diag_errno = errno;
	} else if ((r.buf = malloc(DIAG_BUFSIZE)) != NULL)
		r.bufsize = DIAG_BUFSIZE;
	for (size_t i = 0; ret == 0 && i < nitems(socktables); i++) {
		t = &socktables[i];
		if (!proto_wanted(specs, nspecs, t->proto))
			continue;
		if (fd != -1 && diag_try(&fd, &r, t))
			continue;
		ret = procnet_table(&r, t);
	}
	saved = errno;
	if (fd != -1)
		close(fd);
	free(r.buf);
	if (ret == -1) {
		errno = saved;
		return -1;
	}
	/* qsort and bsearch take no NULL array, even an empty one. */
	if (ps->nsocks == 0)
		return 0;
	/* A socket may serve two specs, or /proc/net show it twice. */
	qsort(ps->socks, ps->nsocks, sizeof(*ps->socks), inode_cmp);
	for (size_t i = 1; i < ps->nsocks; i++)
		if (ps->socks[i].inode != ps->socks[kept - 1].inode)
			ps->socks[kept++] = ps->socks[i];
	ps->nsocks = kept;
	return 0;
}

void
procscan_free_portscan(struct portscan *ps)
{
	free(ps->socks);
	memset(ps, 0, sizeof(*ps));
}

/* The socket of ps whose inode a link text "socket:[INODE]" names. */
static struct portsock *
find_sock(struct portscan *ps, const char *link, ssize_t len)
{
	struct portsock key;
	uint64_t ino = 0;
	ssize_t i;

	if (len < 10 || len >= SOCKLINK_MAX ||
	    memcmp(link, "socket:[", 8) != 0 || link[len - 1] != ']')
		return NULL;
	for (i = 8; i < len - 1; i++) {
		if (!isdigit((unsigned char)link[i]) || ino > UINT64_MAX / 10)
			return NULL;
		ino = ino * 10 + (uint64_t)(link[i] - '0');
	}
	key.inode = (ino_t)ino;
	if (ps->nsocks == 0)
		return NULL;
	return bsearch(&key, ps->socks, ps->nsocks, sizeof(key), inode_cmp);
}

/*
 * Mark ps's sockets among the *nfds links of the fd directory name: how
 * many new, or -1 with errno (ESRCH: gone).
 */
static int
fd_holders(const char *name, struct portscan *ps, size_t *nfds)
{
	char link[SOCKLINK_MAX];
	struct dirent *d;
	struct portsock *s;
	ssize_t len;
	DIR *dir;
	int found = 0;

	*nfds = 0;
	if ((dir = open_dir(name)) == NULL) {
		if (errno == ENOENT)
			errno = ESRCH;
		return -1;
	}
	while (found != -1 && (errno = 0, d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		(*nfds)++;
		len = readlinkat(dirfd(dir), d->d_name, link, sizeof(link));
		if (len == -1 && errno != ENOENT)
			found = -1;
		else if (len != -1 && (s = find_sock(ps, link, len)) != NULL &&
		    s->seen != ps->scan) {
			s->seen = ps->scan;
			s->nholders++;
			found++;
		}
	}
	if (found != -1 && d == NULL && errno != 0)
		found = -1;
	if (found == -1 && errno == ENOENT)
		errno = ESRCH;
	return close_dir(dir, found);
}

/* PID/fd empties when the main thread exits: use another thread's fds. */
static int
thread_holders(pid_t pid, struct portscan *ps)
{
	char name[64];
	struct dirent *d = NULL;
	size_t nfds = 0;
	pid_t tid;
	DIR *tdir;
	int found = 0;

	snprintf(name, sizeof(name), "%d/task", (int)pid);
	if ((tdir = open_dir(name)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while (nfds == 0 && found != -1 && (errno = 0,
	    d = readdir(tdir)) != NULL) {
		if ((tid = dirent_pid(d->d_name)) == 0 || tid == pid)
			continue;
		snprintf(name, sizeof(name), "%d/task/%d/fd", (int)pid,
		    (int)tid);
		found = fd_holders(name, ps, &nfds);
		if (found == -1 && errno == ESRCH)
			found = 0;	/* this thread ended */
	}
	if (found != -1 && nfds == 0 && d == NULL && errno != 0)
		found = errno == ENOENT ? 0 : -1;
	return close_dir(tdir, found);
}

/*
 * Mark ps's sockets among PID's files: each gets nholders + 1 and seen =
 * the new ps->scan.  Returns how many, or -1 with errno: ESRCH gone,
 * EACCES or EPERM unreadable (another user's, when not root).
 */
static int
port_holders(pid_t pid, struct portscan *ps)
{
	char name[32];
	size_t nfds;
	int found;

	ps->scan++;
	snprintf(name, sizeof(name), "%d/fd", (int)pid);
	if ((found = fd_holders(name, ps, &nfds)) == 0 && nfds == 0)
		found = thread_holders(pid, ps);
	return found;
}

struct holderscan {
	struct portscan	*ps;
	int		(*fn)(pid_t, void *);
	void		*arg;
	int		 failed;	/* errno of files not read */
};

static int
scan_holder(pid_t pid, void *arg)
{
	struct holderscan *h = arg;
	int n;

	if ((n = port_holders(pid, h->ps)) > 0)
		return h->fn(pid, h->arg);
	if (n == -1 && (errno == EACCES || errno == EPERM))
		h->ps->nhidden++;
	else if (n == -1 && errno != ESRCH)
		h->failed = errno;
	return 0;
}

/*
 * Call fn with each PID holding a socket of ps until it returns non-zero,
 * recounting nholders and ps->nhidden (unreadable files).  nholders 0 after:
 * closed, or holders unseen (procscan_port_sockets() again tells).  Returns
 * 0, fn's value, or -1 with errno for another failure (after the rest).
 */
int
procscan_scan_holders(struct portscan *ps, int (*fn)(pid_t, void *),
    void *arg)
{
	struct holderscan h = { ps, fn, arg, 0 };
	int r;

	ps->nhidden = 0;
	for (size_t i = 0; i < ps->nsocks; i++)
		ps->socks[i].nholders = 0;
	if (ps->nsocks == 0)
		return 0;
	r = procscan_scan(NULL, scan_holder, &h);
	if (r == 0 && h.failed != 0) {
		errno = h.failed;
		return -1;
	}
	return r;
}

/* Cgroups (SPEC "Services"); paths as the 0:: line of /proc/PID/cgroup. */

/* All of fd from offset 0 (a polled one afresh) into *buf, grown. */
static ssize_t
read_text_fd(int fd, char **buf, size_t *size)
{
	size_t len = 0, grown;
	ssize_t n;
	char *p;

	for (;;) {
		if (*size - len < 1024) {
			grown = *size ? *size * 2 : 4096;
			if ((p = realloc(*buf, grown)) == NULL)
				return -1;
			*buf = p;
			*size = grown;
		}
		n = pread(fd, *buf + len, *size - len - 1, (off_t)len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	(*buf)[len] = '\0';
	return (ssize_t)len;
}

static ssize_t
read_text_at(int dfd, const char *name, char **buf, size_t *size)
{
	ssize_t n;
	int fd, saved;

	if ((fd = openat(dfd, name, O_RDONLY | O_NOCTTY | O_CLOEXEC)) == -1)
		return -1;
	n = read_text_fd(fd, buf, size);
	saved = errno;
	close(fd);
	errno = saved;
	return n;
}

/* A mountinfo field [s, e) as a new string, octal escapes (\040) decoded. */
static char *
unescape(const char *s, const char *e)
{
	char *out, *o;

	if ((out = o = malloc((size_t)(e - s) + 1)) == NULL)
		return NULL;
	while (s < e) {
		if (*s == '\\' && e - s >= 4 && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
			    (s[3] - '0'));
			s += 4;
		} else
			*o++ = *s++;
	}
	*o = '\0';
	return out;
}

/*
 * If mountinfo line [line, end) is a cgroup2 mount, decode its fields 4
 * and 5 into *root and *mount (proc_pid_mountinfo(5)) and return 1; 0
 * otherwise; -1 with ENOMEM.  The type follows the lone "-".
 */
static int
cgroup2_line(const char *line, const char *end, char **root, char **mount)
{
	const char *f, *fe, *rs = NULL, *re = NULL, *ms = NULL, *me = NULL;
	bool type = false;
	int i;

	for (i = 1, f = line; f < end; i++, f = fe + 1) {
		if ((fe = memchr(f, ' ', (size_t)(end - f))) == NULL)
			fe = end;
		if (type) {
			if (fe - f != 7 || memcmp(f, "cgroup2", 7) != 0 ||
			    rs == NULL || ms == NULL)
				return 0;
			*root = unescape(rs, re);
			*mount = unescape(ms, me);
			if (*root != NULL && *mount != NULL)
				return 1;
			free(*root);
			free(*mount);
			return -1;
		}
		if (i == 4) {
			rs = f;
			re = fe;
		} else if (i == 5) {
			ms = f;
			me = fe;
		} else if (i > 6 && fe - f == 1 && *f == '-')
			type = true;
	}
	return 0;
}

/* Open MOUNT if a cgroup2 file system is there, not hidden by another. */
static int
open_cgroup2(const char *mount)
{
	struct statfs sfs;
	int fd;

	fd = open(mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (fstatfs(fd, &sfs) == -1 || sfs.f_type != CGROUP2_MAGIC) {
		close(fd);
		errno = ENOENT;
		return -1;
	}
	return fd;
}

/*
 * Open into *cg the first cgroup2 mount (self/mountinfo) of the root
 * cgroup, else of any (a bind mount); needs procscan_init().  Returns 0 or
 * -1 with errno (ENOENT: none); procscan_cgroup_close() it either way.
 */
int
procscan_cgroup_open(struct cgroupfs *cg)
{
	char *text = NULL, *line, *end, *next, *root, *mount;
	size_t size = 0;
	int r = 0, fd, error = ENOENT;

	cg->dirfd = -1;
	cg->mount = cg->root = NULL;
	if (read_text_at(procfd, "self/mountinfo", &text, &size) == -1) {
		error = errno;
		goto done;
	}
	for (line = text; *line != '\0' && r != -1; line = next) {
		end = strchrnul(line, '\n');
		next = *end != '\0' ? end + 1 : end;
		if ((r = cgroup2_line(line, end, &root, &mount)) != 1)
			continue;
		if (cg->dirfd != -1 && strcmp(root, "/") != 0)
			fd = -1;
		else if ((fd = open_cgroup2(mount)) == -1)
			error = errno;
		if (fd != -1) {
			procscan_cgroup_close(cg);
			cg->dirfd = fd;
			cg->root = root;
			cg->mount = mount;
			if (strcmp(root, "/") == 0)
				break;
		} else {
			free(root);
			free(mount);
		}
	}
	if (r == -1)
		error = errno;
done:
	free(text);
	if (cg->dirfd == -1 || r == -1) {
		errno = error;
		return -1;
	}
	return 0;
}

void
procscan_cgroup_close(struct cgroupfs *cg)
{
	if (cg->dirfd != -1)
		close(cg->dirfd);
	cg->dirfd = -1;
	free(cg->mount);
	free(cg->root);
	cg->mount = cg->root = NULL;
}

/* The cgroup path of REL ("" or "/a/b") below the cgroup at BASE. */
static char *
join_cgroup(const char *base, const char *rel)
{
	char *s;

	if (strcmp(base, "/") == 0)
		return strdup(*rel != '\0' ? rel : "/");
	return asprintf(&s, "%s%s", base, rel) == -1 ? NULL : s;
}

/*
 * Normalise cgroup PATH into *path (caller frees): "/a/b" as /proc shows
 * it, "a/b" from the mount and MOUNT/a/b give "/a/b", slashes folded; not
 * checked to exist.  Returns 0, or -1 with errno: EINVAL for an empty
 * PATH or a "." or ".." component.
 */
int
procscan_cgroup_path(const struct cgroupfs *cg, const char *arg, char **path)
{
	const char *p, *e, *rel, *base = cg->root;
	size_t mlen = strlen(cg->mount);
	char *norm, *o;

	*path = NULL;
	if (*arg == '\0') {
		errno = EINVAL;
		return -1;
	}
	if ((norm = o = malloc(strlen(arg) + 2)) == NULL)
		return -1;
	for (p = arg; *p != '\0'; p = e) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		e = strchrnul(p, '/');
		if ((e - p == 1 && p[0] == '.') ||
		    (e - p == 2 && p[0] == '.' && p[1] == '.')) {
			free(norm);
			errno = EINVAL;
			return -1;
		}
		*o++ = '/';
		memcpy(o, p, (size_t)(e - p));
		o += e - p;
	}
	*o = '\0';
	rel = norm;
	if (*arg == '/' && strcmp(cg->mount, "/") != 0 &&
	    strncmp(norm, cg->mount, mlen) == 0 &&
	    (norm[mlen] == '\0' || norm[mlen] == '/'))
		rel = norm + mlen;
	else if (*arg == '/')
		base = "/";
	*path = join_cgroup(base, rel);
	free(norm);
	return *path == NULL ? -1 : 0;
}

/* Whether cgroup P is TOP or below it ("/a/b" is below "/a", "/ab" not). */
bool
procscan_cgroup_below(const char *p, const char *top)
{
	size_t n = strlen(top);

	if (strcmp(top, "/") == 0)
		return true;
	return strncmp(p, top, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

/*
 * Open cgroup PATH (normalised) as a directory for openat().  Returns it,
 * or -1 with errno (ENOENT: no such cgroup, or the mount does not show it).
 */
int
procscan_cgroup_dir(const struct cgroupfs *cg, const char *path)
{
	const char *rel = path;
	int fd;

	if (!procscan_cgroup_below(path, cg->root)) {
		errno = ENOENT;
		return -1;
	}
	if (strcmp(cg->root, "/") != 0)
		rel += strlen(cg->root);
	while (*rel == '/')
		rel++;
	fd = openat(cg->dirfd, *rel != '\0' ? rel : ".",
	    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 && errno == ENOTDIR)
		errno = ENOENT;
	return fd;
}

/*
 * A walk of a cgroup tree, one descriptor per level: fn gets each
 * directory, parents first, and its path below the top ("", "/a",
 * "/a/b"); it returns 0 to descend, 1 not to, -1 to stop with errno.
 */
struct cgwalk {
	int		(*fn)(int, struct cgwalk *);
	void		*arg;
	char		*path;
	size_t		 len;
	size_t		 size;
};

static int
cgwalk_push(struct cgwalk *w, const char *name)
{
	size_t n = strlen(name), size;
	char *p;

	if (w->size - w->len < n + 2) {
		size = (w->len + n + 2) * 2;
		if ((p = realloc(w->path, size)) == NULL)
			return -1;
		w->path = p;
		w->size = size;
	}
	w->path[w->len++] = '/';
	memcpy(w->path + w->len, name, n + 1);
	w->len += n;
	return 0;
}

static bool
is_subdir(DIR *dir, const struct dirent *d)
{
	struct stat st;

	if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
		return false;
	if (d->d_type != DT_UNKNOWN)
		return d->d_type == DT_DIR;
	return fstatat(dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(st.st_mode);
}

/* Walk from dfd (closed here); what vanishes meanwhile is passed over. */
static int
cgwalk_dir(int dfd, struct cgwalk *w)
{
	struct dirent *d;
	size_t len = w->len;
	DIR *dir;
	int r, cfd, saved;

	if ((r = w->fn(dfd, w)) != 0 || (dir = fdopendir(dfd)) == NULL) {
		saved = errno;
		close(dfd);
		errno = saved;
		return r == 1 ? 0 : -1;
	}
	for (;;) {
		errno = 0;
		if ((d = readdir(dir)) == NULL) {
			if (errno != 0 && errno != ENOENT && errno != ENODEV)
				r = -1;
			break;
		}
		if (!is_subdir(dir, d))
			continue;
		cfd = openat(dirfd(dir), d->d_name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cfd == -1 && (errno == ENOENT || errno == ENOTDIR))
			continue;
		if (cfd == -1 || cgwalk_push(w, d->d_name) == -1) {
			r = -1;
			if (cfd != -1)
				close(cfd);
			break;
		}
		r = cgwalk_dir(cfd, w);
		w->len = len;
		w->path[len] = '\0';
		if (r == -1)
			break;
	}
	saved = errno;
	closedir(dir);
	errno = saved;
	return r;
}

/* Walk the tree of the cgroup open on top (left open) with fn and arg. */
static int
cgwalk(int top, int (*fn)(int, struct cgwalk *), void *arg)
{
	struct cgwalk w = { fn, arg, NULL, 0, 64 };
	int dfd, r = -1, saved;

	if ((w.path = calloc(1, w.size)) == NULL)
		return -1;
	dfd = openat(top, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd != -1)
		r = cgwalk_dir(dfd, &w);
	saved = errno;
	free(w.path);
	errno = saved;
	return r;
}

/* systemd.unit(5): the unit types, so the suffixes of unit names. */
static const char *const unit_suffixes[] = {
	".service", ".socket", ".device", ".mount", ".automount", ".swap",
	".target", ".path", ".timer", ".slice", ".scope"
};

/*
 * The full name of unit UNIT into *name (caller frees): UNIT.service,
 * as systemctl completes it, unless UNIT has a unit type suffix.
 * Returns 0, or -1 with errno: EINVAL for "", ".", ".." or a '/'.
 */
int
procscan_unit_name(const char *unit, char **name)
{
	const char *dot = strrchr(unit, '.');

	*name = NULL;
	if (*unit == '\0' || strchr(unit, '/') != NULL ||
	    strcmp(unit, ".") == 0 || strcmp(unit, "..") == 0) {
		errno = EINVAL;
		return -1;
	}
	for (size_t i = 0; dot != NULL && dot != unit &&
	    i < nitems(unit_suffixes); i++)
		if (strcmp(dot, unit_suffixes[i]) == 0)
			return (*name = strdup(unit)) == NULL ? -1 : 0;
	if (asprintf(name, "%s.service", unit) == -1) {
		*name = NULL;
		return -1;
	}
	return 0;
}

struct unitfind {
	const char	 *name;
	const char	 *root;
	char		**paths;
	size_t		  npaths;
};

static int
unit_dir(int dfd, struct cgwalk *w)
{
	struct unitfind *u = w->arg;
	const char *base = strrchr(w->path, '/');
	char **grown, *p;

	(void)dfd;
	if (base == NULL || strcmp(base + 1, u->name) != 0)
		return 0;
	if ((p = join_cgroup(u->root, w->path)) == NULL)
		return -1;
	grown = reallocarray(u->paths, u->npaths + 1, sizeof(*u->paths));
	if (grown == NULL) {
		free(p);
		return -1;
	}
	u->paths = grown;
	u->paths[u->npaths++] = p;
	return 1;
}

static int
path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The cgroups of UNIT (completed by procscan_unit_name()) in the tree, not
 * below a match: 0 with *paths sorted (procscan_free_paths() them) and
 * *npaths (0 or more), or -1 with errno (EINVAL: no unit name).
 */
int
procscan_unit_cgroups(const struct cgroupfs *cg, const char *unit,
    char ***paths, size_t *npaths)
{
	struct unitfind u = { NULL, cg->root, NULL, 0 };
	char *name;
	int r, saved;

	*paths = NULL;
	*npaths = 0;
	if (procscan_unit_name(unit, &name) == -1)
		return -1;
	u.name = name;
	r = cgwalk(cg->dirfd, unit_dir, &u);
	saved = errno;
	free(name);
	if (r == -1) {
		procscan_free_paths(u.paths, u.npaths);
		errno = saved;
		return -1;
	}
	if (u.npaths > 1)
		qsort(u.paths, u.npaths, sizeof(*u.paths), path_cmp);
	*paths = u.paths;
	*npaths = u.npaths;
	return 0;
}

void
procscan_free_paths(char **paths, size_t npaths)
{
	for (size_t i = 0; i < npaths; i++)
		free(paths[i]);
	free(paths);
}

struct members {
	char		*buf;
	size_t		 size;
	pid_t		*pids;
	size_t		 npids;
	size_t		 cap;
};

static int
members_dir(int dfd, struct cgwalk *w)
{
	struct members *m = w->arg;

	if (read_text_at(dfd, "cgroup.procs", &m->buf, &m->size) == -1) {
		if (errno == ENODEV)
			errno = ENOENT;
		/* Below the top: removed meanwhile, or threaded. */
		if (w->len > 0 && (errno == ENOENT || errno == EOPNOTSUPP))
			return 1;
		return -1;
	}
	return append_pids(m->buf, &m->pids, &m->npids, &m->cap);
}

static int
pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/*
 * The PIDs of the cgroup open on dirfd and below, sorted and unique, from
 * one read of each cgroup.procs; removed and threaded cgroups (listed by
 * their domain) are passed over.  Returns 0 with *pids (caller frees) and
 * *npids, or -1 with errno (ENOENT: the cgroup is gone).
 */
int
procscan_cgroup_members(int dirfd, pid_t **pids, size_t *npids)
{
	struct members m = { NULL, 0, NULL, 0, 0 };
	size_t n = 0;
	int r, saved;

	*pids = NULL;
	*npids = 0;
	r = cgwalk(dirfd, members_dir, &m);
	saved = errno;
	free(m.buf);
	if (r == -1) {
		free(m.pids);
		errno = saved;
		return -1;
	}
	if (m.npids > 1)
		qsort(m.pids, m.npids, sizeof(*m.pids), pid_cmp);
	for (size_t i = 0; i < m.npids; i++)
		if (n == 0 || m.pids[i] != m.pids[n - 1])
			m.pids[n++] = m.pids[i];
	*pids = m.pids;
	*npids = n;
	return 0;
}

/*
 * PID's cgroup, from the 0:: line of /proc/PID/cgroup (last, so a newline
 * in a name cannot cut it), into *path (caller frees).  Returns 0, or -1
 * with errno: ESRCH gone, ENOENT no 0:: line (no cgroup2 mounted).
 */
int
procscan_pid_cgroup(pid_t pid, char **path)
{
	const char *line;
	ssize_t n;

	*path = NULL;
	if ((n = read_big(pid, "cgroup")) == -1)
		return -1;
	if (strncmp(bigbuf, "0::", 3) == 0)
		line = bigbuf;
	else if ((line = strstr(bigbuf, "\n0::")) != NULL)
		line++;
	else {
		errno = n == 0 ? ESRCH : ENOENT;
		return -1;
	}
	line += 3;
	n = bigbuf + n - line;
	if (n > 0 && line[n - 1] == '\n')
		n--;
	return (*path = strndup(line, (size_t)n)) == NULL ? -1 : 0;
}

/* The value of KEY in cgroup.events text: 1, 0, or -1 when absent. */
static int
events_value(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (*p != '\0') {
		if (strncmp(p, key, klen) == 0 && p[klen] == ' ')
			return p[klen + 1] == '1';
		p = strchrnul(p, '\n');
		if (*p == '\n')
			p++;
	}
	return -1;
}

/* Read cgroup.events on fd into *ev, re-arming its wake-up; ENOENT: gone. */
int
procscan_cgroup_read_events(int fd, struct cgroup_events *ev)
{
	char *text = NULL;
	size_t size = 0;
	int populated, saved;

	if (read_text_fd(fd, &text, &size) == -1) {
		saved = errno;
		free(text);
		errno = saved == ENODEV ? ENOENT : saved;
		return -1;
	}
	populated = events_value(text, "populated");
	ev->populated = populated == 1;
	ev->frozen = events_value(text, "frozen") == 1;
	free(text);
	if (populated == -1) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/*
 * Open the cgroup.events of dirfd's cgroup, read into *ev (one never read
 * wakes at once).  Poll for POLLPRI, never POLLIN (always ready): a change
 * shows as POLLPRI | POLLERR until procscan_cgroup_read_events() reads it.
 * Returns the fd, or -1 with errno (ENOENT: gone, or the root cgroup).
 */
int
procscan_cgroup_events_open(int dirfd, struct cgroup_events *ev)
{
	int fd, saved;

	fd = openat(dirfd, "cgroup.events", O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ENODEV)
			errno = ENOENT;
		return -1;
	}
	if (procscan_cgroup_read_events(fd, ev) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static int
has_file(int dfd, const char *name)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 1;
	return errno == ENOENT ? 0 : -1;
}

/* CGROUP_HAS_* of dirfd: cgroup.kill (Linux 5.14), cgroup.freeze (5.2). */
int
procscan_cgroup_has(int dirfd)
{
	int killf, freezef;

	if ((killf = has_file(dirfd, "cgroup.kill")) == -1 ||
	    (freezef = has_file(dirfd, "cgroup.freeze")) == -1)
		return -1;
	return (killf ? CGROUP_HAS_KILL : 0) |
	    (freezef ? CGROUP_HAS_FREEZE : 0);
}

/* The first i with pid in m->cgroups[i] or below; -1: none, -2: gone. */
int
procscan_cgroup_index(const struct procmatch *m, pid_t pid)
{
	char *path;
	int r = -1;

	if (procscan_pid_cgroup(pid, &path) == -1)
		return errno == ESRCH ? -2 : -1;
	for (size_t i = 0; r == -1 && i < m->ncgroups; i++)
		if (procscan_cgroup_below(path, m->cgroups[i]))
			r = (int)i;
	free(path);
	return r;
}
