/*
 * procscan: the only code of gracekill that reads /proc and pidfiles.
 * It finds, matches and describes processes; it never signals or prints.
 */
#ifndef PROCSCAN_H
#define PROCSCAN_H

#include <sys/types.h>

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROCSCAN_COMM_MAX	64	/* comm of a kernel thread may exceed 15 */

struct procinfo {
	pid_t		 pid;
	pid_t		 ppid;		/* proc(5) stat field 4 */
	pid_t		 pgrp;		/* field 5 */
	pid_t		 session;	/* field 6 */
	char		 state;		/* field 3 */
	unsigned int	 flags;		/* field 9, PF_* */
	long		 nthreads;	/* field 20 */
	uint64_t	 starttime;	/* field 22, clock ticks after boot */
	int		 exit_code;	/* field 52, a wait(2) status */
	char		 comm[PROCSCAN_COMM_MAX];
};

struct procstatus {
	pid_t		 tgid;
	pid_t		 tracer;
	uid_t		 ruid;
	uid_t		 euid;
	uint64_t	 sigblk;
	uint64_t	 sigign;
	uint64_t	 capeff;
};

/* The kinds of criteria; a process must meet every kind given. */
enum procmatch_kind {
	MATCH_NAME	= 1 << 0,	/* -n */
	MATCH_EXE	= 1 << 1,	/* -x */
	MATCH_FULL	= 1 << 2,	/* -f */
	MATCH_PARENT	= 1 << 3,	/* -P */
	MATCH_USER	= 1 << 4,	/* -u */
	MATCH_OLDER	= 1 << 5,	/* --older */
	MATCH_PGROUP	= 1 << 6,	/* -g */
	MATCH_SESSION	= 1 << 7,	/* --session */
	MATCH_CGROUP	= 1 << 8,	/* --cgroup, --unit */
	MATCH_PORT	= 1 << 9	/* --port */
};
/* What confirms the PID of an insecure pidfile (SPEC "Pidfiles"). */
#define MATCH_IDENTITY	(MATCH_NAME | MATCH_EXE | MATCH_USER | MATCH_CGROUP)

struct portscan;

/* The criteria that procscan checks; each list holds alternatives. */
struct procmatch {
	const char	**names;
	size_t		  nnames;
	const char	**exes;		/* each made absolute by the caller */
	size_t		  nexes;
	regex_t		 *regexes;
	size_t		  nregexes;
	pid_t		 *parents;
	size_t		  nparents;
	uid_t		 *uids;
	size_t		  nuids;
	pid_t		 *pgroups;
	size_t		  npgroups;
	pid_t		 *sessions;
	size_t		  nsessions;
	bool		  older;	/* --older given: */
	int64_t		  older_ns;	/* started at least this long ago */
	char		**cgroups;	/* as the 0:: line of PID/cgroup shows */
	size_t		  ncgroups;
	struct portscan	 *ports;	/* the sockets of --port, or NULL */
};

/* Why a process still runs after a graceful signal, as /proc shows. */
enum procscan_obstacle {
	OBSTACLE_NONE,
	OBSTACLE_GONE,		/* or another process now */
	OBSTACLE_DSLEEP,	/* uninterruptible sleep (D) */
	OBSTACLE_STOPPED,	/* state T */
	OBSTACLE_TRACER,	/* traced by a tracer */
	OBSTACLE_TRACED,	/* state t */
	OBSTACLE_IGNORES,	/* the signal is ignored */
	OBSTACLE_BLOCKS		/* the signal is blocked */
};

enum procscan_pidfile_error {
	PIDFILE_OK,
	PIDFILE_EMPTY,
	PIDFILE_MALFORMED,
	PIDFILE_RANGE,
	PIDFILE_TOOBIG,
	PIDFILE_NOTREG,
	PIDFILE_SYMLINK,
	PIDFILE_ERRNO,		/* see errno */
	PIDFILE_MISSING,
	PIDFILE_DEVNULL
};

enum procscan_trust {
	TRUST_OK,
	TRUST_FILE_OWNER,	/* owned by another user */
	TRUST_FILE_MODE,	/* writable by group or others */
	TRUST_DIR_OWNER,	/* directory owned and writable by another user */
	TRUST_DIR_MODE		/* directory writable by group or others */
};

struct pidfile {
	const char	*path;
	pid_t		 pid;
	int		 dirfd;		/* directory holding the file, or -1 */
	char		*base;		/* its name in dirfd */
	dev_t		 dev;
	ino_t		 ino;
	uid_t		 owner;		/* owner of what failed the trust test */
	enum procscan_trust trust;
	char		 text[32];	/* the PID as written, for messages */
};

int	 procscan_init(void);
void	 procscan_fini(void);
long	 procscan_pid_max(void);
int	 procscan_parse_stat(const char *, size_t, struct procinfo *);
int	 procscan_read_stat(pid_t, struct procinfo *);
int	 procscan_reread(const struct procinfo *, struct procinfo *);
bool	 procscan_same(const struct procinfo *, const struct procinfo *);
int	 procscan_read_status(pid_t, struct procstatus *);
int	 procscan_read_cmdline(pid_t, char **, size_t *);
bool	 procscan_is_kthread(const struct procinfo *);
bool	 procscan_is_stopped(const struct procinfo *);
bool	 procscan_is_lone_zombie(const struct procinfo *);
bool	 procscan_may_ptrace(void);
enum procscan_obstacle procscan_obstacle(const struct procinfo *, int,
	    struct procinfo *, pid_t *);
unsigned procscan_given(const struct procmatch *);
int	 procscan_match(const struct procmatch *, const struct procinfo *,
	    unsigned);
int	 procscan_scan(const struct procmatch *, int (*)(pid_t, void *),
	    void *);
int	 procscan_children(pid_t, int (*)(const struct procinfo *, void *),
	    void *);
int	 procscan_parse_pidfile(const char *, size_t, long, pid_t *);
int	 procscan_read_pidfile(struct pidfile *, long);
int	 procscan_remove_pidfile(const struct pidfile *);
void	 procscan_close_pidfile(struct pidfile *);

/*
 * --port: sockets of the kernel's table and the processes holding them.
 */
struct portspec {
	const char	*text;		/* as given; the caller's string */
	int		 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	int		 family;	/* AF_INET, AF_INET6; AF_UNSPEC: any */
	unsigned char	 addr[16];	/* network order; 4 bytes for AF_INET */
	uint16_t	 port;
};

/* A listening TCP or bound UDP socket. */
struct portsock {
	ino_t		 inode;
	uid_t		 uid;		/* its owner */
	int		 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	int		 family;	/* AF_INET or AF_INET6 */
	unsigned char	 addr[16];	/* local address, network order */
	uint16_t	 port;
	bool		 v6only;	/* AF_INET6: refuses IPv4 clients */
	size_t		 nholders;	/* processes seen holding it */
	unsigned long	 seen;		/* == scan: the last PID holds it */
};

struct portscan {
	struct portsock	*socks;		/* sorted by inode, each once */
	size_t		 nsocks;
	bool		 procnet;	/* some table came from /proc/net */
	int		 diag_errno;	/* then: why sock_diag failed */
	size_t		 nhidden;	/* processes with unreadable fds */
	unsigned long	 scan;		/* holder checks so far */
};

int	 procscan_parse_port(const char *, struct portspec *, const char **);
bool	 procscan_port_matches(const struct portspec *,
	    const struct portsock *);
int	 procscan_port_sockets(const struct portspec *, size_t,
	    struct portscan *);
int	 procscan_scan_holders(struct portscan *, int (*)(pid_t, void *),
	    void *);
void	 procscan_free_portscan(struct portscan *);

/* The cgroup2 hierarchy, found by procscan_cgroup_open(). */
struct cgroupfs {
	int		 dirfd;		/* the mount point, open */
	char		*mount;		/* its path, e.g. /sys/fs/cgroup */
	char		*root;		/* the cgroup mounted there, "/" */
};

/* What gracekill reads of a cgroup's cgroup.events. */
struct cgroup_events {
	bool		 populated;	/* a process in it or below it */
	bool		 frozen;	/* false before Linux 5.2 */
};

enum procscan_cgroup_has {
	CGROUP_HAS_KILL = 1,	/* cgroup.kill */
	CGROUP_HAS_FREEZE = 2	/* cgroup.freeze */
};

int	 procscan_cgroup_open(struct cgroupfs *);
void	 procscan_cgroup_close(struct cgroupfs *);
int	 procscan_cgroup_path(const struct cgroupfs *, const char *, char **);
bool	 procscan_cgroup_below(const char *, const char *);
int	 procscan_cgroup_dir(const struct cgroupfs *, const char *);
int	 procscan_unit_name(const char *, char **);
int	 procscan_unit_cgroups(const struct cgroupfs *, const char *, char ***,
	    size_t *);
void	 procscan_free_paths(char **, size_t);
int	 procscan_cgroup_members(int, pid_t **, size_t *);
int	 procscan_pid_cgroup(pid_t, char **);
int	 procscan_cgroup_events_open(int, struct cgroup_events *);
int	 procscan_cgroup_read_events(int, struct cgroup_events *);
int	 procscan_cgroup_has(int);
int	 procscan_cgroup_index(const struct procmatch *, pid_t);

#endif /* PROCSCAN_H */
