/*
 * schedule: gracekill's pure parsers (DURATION, SIGNAL, schedule) and
 * their printing.  No I/O and no exits, so that fuzz harnesses link them.
 */
#ifndef SCHEDULE_H
#define SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NSEC			1000000000LL
#define MSEC			1000000LL
#define DURATION_INFINITE	INT64_MAX	/* "infinity": no deadline */

struct step {
	int		 signo;
	int64_t		 wait_ns;	/* or DURATION_INFINITE */
};

struct schedule {
	struct step	*steps;
	size_t		 nsteps;
	size_t		 repeat_from;	/* after "forever"; nsteps if none */
};

bool		 is_decimal(const char *);
int		 parse_duration(const char *, int64_t *);
int		 parse_signal(const char *, int *);
const char	*signal_name(int);
const char	*signal_alias(size_t, int *);
int		 parse_schedule(const char *, struct schedule *, char *, size_t);
int		 schedule_simple(struct schedule *, int, int64_t, bool,
		    int64_t);
void		 schedule_free(struct schedule *);
void		 format_duration(char *, size_t, int64_t);
void		 format_schedule(char *, size_t, const struct schedule *);

#endif /* SCHEDULE_H */
