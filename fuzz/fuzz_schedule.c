/*
 * libFuzzer harness for parse_schedule() in schedule.c.  No crash or leak
 * (schedule_free after every call); on failure a non-empty reason; on
 * success a schedule that a reference reading of SPEC gives too: split on
 * '/', SIG then DURATION pairs (parsed by parse_signal and parse_duration
 * on the whole part), a trailing SIG waits 5 s, "forever" marks where the
 * repetition starts, a lone DURATION means TERM/DURATION/KILL/5s.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../schedule.h"

#define REF_MAX	4096

static int
reference(const char *text, struct step *steps, size_t *nsteps,
    size_t *repeat_from)
{
	char *copy, *part, *save = NULL;
	int64_t ns;
	int signo = 0, want_signal = 1, forever = 0;
	size_t n = 0;

	if (strchr(text, '/') == NULL && parse_duration(text, &ns) == 0) {
		steps[0].signo = SIGTERM;
		steps[0].wait_ns = ns;
		steps[1].signo = SIGKILL;
		steps[1].wait_ns = 5 * NSEC;
		*nsteps = *repeat_from = 2;
		return 0;
	}
	if ((copy = strdup(text)) == NULL)
		abort();
	*repeat_from = (size_t)-1;
	/* strsep keeps empty parts, which are errors. */
	save = copy;
	while ((part = strsep(&save, "/")) != NULL) {
		if (*part == '\0')
			goto bad;
		if (want_signal && strcmp(part, "forever") == 0) {
			if (forever)
				goto bad;
			forever = 1;
			*repeat_from = n;
		} else if (want_signal) {
			if (parse_signal(part[0] == '-' ? part + 1 : part,
			    &signo) == -1)
				goto bad;
			want_signal = 0;
		} else {
			if (parse_duration(part, &ns) == -1 || n >= REF_MAX)
				goto bad;
			steps[n].signo = signo;
			steps[n++].wait_ns = ns;
			want_signal = 1;
		}
	}
	if (!want_signal) {
		if (n >= REF_MAX)
			goto bad;
		steps[n].signo = signo;
		steps[n++].wait_ns = 5 * NSEC;
	}
	if (!forever)
		*repeat_from = n;
	else if (*repeat_from == n)
		goto bad;
	*nsteps = n;
	free(copy);
	return 0;
bad:
	free(copy);
	return -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct step ref[REF_MAX];
	struct schedule sched;
	size_t nref = 0, rref = 0, i;
	char why[160], *text;
	int r, want;

	if (size > 4000)
		return 0;
	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	why[0] = '\0';
	r = parse_schedule(text, &sched, why, sizeof(why));
	want = reference(text, ref, &nref, &rref);
#ifdef FUZZ_SKIP_LONG_PARTS
	/*
	 * parse_schedule() cuts every part to 63 characters (fuzz/crashes/
	 * schedule-long-part-truncated); this build skips the comparison
	 * for such inputs to look for other differences.
	 */
	for (const char *p = text, *q; ; p = q + 1) {
		q = strchr(p, '/');
		if ((q ? (size_t)(q - p) : strlen(p)) >= 64) {
			schedule_free(&sched);
			free(text);
			return 0;
		}
		if (q == NULL)
			break;
	}
#endif
	if (r == -1 && (why[0] == '\0' || memchr(why, '\0', sizeof(why)) ==
	    NULL))
		abort();
	if (r != want) {
		fprintf(stderr, "parse_schedule(\"%s\"): got %d (%s), "
		    "expected %d\n", text, r, r ? why : "", want);
		abort();
	}
	if (r == 0) {
		if (sched.nsteps != nref || sched.repeat_from != rref) {
			fprintf(stderr, "parse_schedule(\"%s\"): %zu steps "
			    "from %zu, expected %zu from %zu\n", text,
			    sched.nsteps, sched.repeat_from, nref, rref);
			abort();
		}
		for (i = 0; i < nref; i++)
			if (sched.steps[i].signo != ref[i].signo ||
			    sched.steps[i].wait_ns != ref[i].wait_ns) {
				fprintf(stderr, "parse_schedule(\"%s\"): step "
				    "%zu is %d/%lld, expected %d/%lld\n", text,
				    i, sched.steps[i].signo,
				    (long long)sched.steps[i].wait_ns,
				    ref[i].signo, (long long)ref[i].wait_ns);
				abort();
			}
	}
	schedule_free(&sched);
	free(text);
	return 0;
}
