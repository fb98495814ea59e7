# helper_extra.bash: more helpers for the schedule, signal, output and
# hard-case suites.  Load after helper.bash (load helper; load helper_extra).

GK_DECOY=${GK_DECOY:-"$BATS_TEST_DIRNAME/gk-decoy"}

# gx_json_run ARG...: gk_run with --json, then check that stdout is one
# JSON document.
gx_json_run() {
	gk_run --json "$@"
	if ! jq -e . >/dev/null 2>&1 <<<"$output"; then
		printf 'stdout is not one JSON document:\n%s\nstderr:\n%s\n' \
		    "$output" "${stderr-}" >&2
		return 1
	fi
}

# gx_target_jq PID FILTER: jq -c FILTER applied to PID's entry in the JSON
# report on stdout.
gx_target_jq() {
	jq -c --argjson p "$1" ".targets[] | select(.pid == \$p) | $2" \
	    <<<"$output"
}

# gx_assert_target PID FILTER VALUE: PID's entry has FILTER == VALUE (as
# compact JSON: '"exited"', '["TERM","KILL"]', '{"code":7}', 'null').
gx_assert_target() {
	local got
	got=$(gx_target_jq "$1" "$2")
	if [[ $got != "$3" ]]; then
		printf 'PID %s: %s is %s, expected %s\nreport:\n%s\n' \
		    "$1" "$2" "${got:-<no entry>}" "$3" "$output" >&2
		return 1
	fi
}

# gx_ns_between LOG I J: nanoseconds between line I and line J (1-based)
# of a signal log.
gx_ns_between() {
	awk -v i="$2" -v j="$3" 'NR == i { a = $2 } NR == j { b = $2 }
	    END { printf "%d\n", b - a }' "$1"
}

# gx_assert_gap LOG I J MIN_MS MAX_MS: line J of LOG came at least MIN_MS
# and less than MAX_MS after line I.
gx_assert_gap() {
	local ms
	ms=$(($(gx_ns_between "$1" "$2" "$3") / 1000000))
	if ((ms < $4 || ms >= $5)); then
		printf 'signals %s and %s of %s came %sms apart, expected ' \
		    "$2" "$3" "$1" "$ms" >&2
		printf '%s..%sms\n' "$4" "$5" >&2
		cat "$1" >&2
		return 1
	fi
}

# gx_assert_log_empty LOG: the target caught no signal at all.
gx_assert_log_empty() {
	if [[ -s $1 ]]; then
		printf 'expected no caught signal, log %s has:\n' "$1" >&2
		cat "$1" >&2
		return 1
	fi
}

# gx_stopped PID: PID is in state T (stopped by a signal).
gx_stopped() { [[ $(gk_state "$1") == T ]]; }

# gx_state_is PID LETTER
gx_state_is() { [[ $(gk_state "$1") == "$2" ]]; }

# gx_file_has FILE ERE: FILE exists and a line of it matches ERE.
gx_file_has() { [[ -f $1 ]] && grep -Eq -- "$2" "$1"; }

# gx_pidfd_count PID: how many pidfds process PID holds.
gx_pidfd_count() {
	local fd n=0 l
	for fd in /proc/"$1"/fd/*; do
		l=$(readlink "$fd" 2>/dev/null) || continue
		[[ $l == *pidfd* ]] && n=$((n + 1))
	done
	printf '%s\n' "$n"
}

# gx_has_pidfds PID N: PID holds at least N pidfds.
gx_has_pidfds() { (($(gx_pidfd_count "$1") >= $2)); }

# gx_bg_gracekill OUT ERR ARG...: start gracekill in the background with
# stdout to OUT and stderr to ERR, SIGINT and SIGQUIT at their defaults
# (bash ignores them for "&").  Sets GX_GK_PID.
gx_bg_gracekill() {
	local out=$1 err=$2
	shift 2
	env --default-signal=INT,QUIT,TERM,HUP,PIPE "$GRACEKILL" "$@" \
	    >"$out" 2>"$err" 3>&- &
	GX_GK_PID=$!
}

# gx_wait VAR PID: wait for PID, a background job of this shell, and set
# VAR to its exit status.  Not in $(...): a subshell cannot wait for it.
gx_wait() {
	local _rc=0
	wait "$2" || _rc=$?
	printf -v "$1" '%s' "$_rc"
}

# gx_userdir [OWNER]: a fresh directory under /tmp that OWNER (default:
# the throwaway user) owns and everyone can traverse (BATS_TEST_TMPDIR is
# private to root).  Sets GX_UDIR; gx_teardown_extra removes it.
gx_userdir() {
	GX_UDIR=$(mktemp -d /tmp/gkx.XXXXXXXX)
	printf '%s\n' "$GX_UDIR" >>"$BATS_TEST_TMPDIR/gx-dirs"
	chmod 0755 "$GX_UDIR"
	# A copy of gk-target the user can reach wherever the checkout is
	# (a shell run with real UID != effective UID drops to the real one).
	GX_TARGET=$GX_UDIR/.gk-target
	cp "$GK_TARGET" "$GX_TARGET"
	chmod 0755 "$GX_TARGET"
	chown "${1:-$GK_USER}:" "$GX_UDIR"
}

# gx_start_as CREDS... -- [GK-TARGET OPTION]...: start a gk-target under a
# fresh name from GX_UDIR with setpriv CREDS (e.g. --reuid=U --regid=G
# --clear-groups); ready file and log live in GX_UDIR.  Sets what
# gk_start sets.
gx_start_as() {
	local creds=() name path
	while [[ $1 != -- ]]; do
		creds+=("$1")
		shift
	done
	shift
	name=$(gk_name)
	path=$GX_UDIR/$name
	ln -s "$GX_TARGET" "$path"
	GK_SEQ=$((GK_SEQ + 1))
	GK_READY=$GX_UDIR/t$GK_SEQ.ready
	GK_LOG=$GX_UDIR/t$GK_SEQ.log
	GK_NAME=$name
	setpriv "${creds[@]}" "$path" "$@" -R "$GK_READY" -L "$GK_LOG" \
	    >>"$BATS_TEST_TMPDIR/targets.out" 2>&1 3>&- &
	gk_started $!
}

# gx_record_file FILE: record the PID in ready file FILE for teardown.
gx_record_file() {
	local pid
	pid=$(gk_wait_ready "$1") || return 1
	gk_record "$pid"
	printf '%s\n' "$pid"
}

gx_teardown_extra() {
	local d
	if [[ -f $BATS_TEST_TMPDIR/gx-dirs ]]; then
		while read -r d; do
			[[ $d == /tmp/gkx.* ]] && rm -rf -- "$d"
		done <"$BATS_TEST_TMPDIR/gx-dirs"
	fi
}

teardown() {
	gk_teardown
	gx_teardown_extra
}

# The throwaway user of these suites (apart from helper.bash's, so that
# suites run side by side do not remove each other's user).
GK_USER=gkxthrowaway

gx_require_root() {
	if [[ $EUID != 0 ]]; then
		echo "these tests must run as root" >&2
		return 1
	fi
}

# gx_start_copies N NAME FILE: N idle gk-target copies named NAME that
# exit on TERM (one forks the rest: starting thousands from bash takes
# minutes), once all are ready recorded for teardown and, as "PID START"
# lines, in FILE.
gx_start_copies() {
	local n=$1 link dir=$3.ready
	link=$(gk_link "$2")
	mkdir "$dir"
	"$link" -N "$n" -R "$dir/r" -c TERM -x 0 >/dev/null 2>&1 3>&- &
	gk_record $!
	gx_copies_ready() { (($(find "$dir" -type f ! -name '*.tmp' | wc -l) == n)); }
	GK_TIMEOUT=60 gk_poll gx_copies_ready || return 1
	cat "$dir"/r* | gk_proc_filter record >"$3"
	cat "$3" >>"$GK_PIDS_FILE"
	(($(wc -l <"$3") == n))
}

# gx_idle_crowd N: N idle processes under a unique name of their own, in
# the file GX_CROWD.  Used to make /proc big.
gx_idle_crowd() {
	GX_CROWD=$BATS_TEST_TMPDIR/crowd.pids
	gx_start_copies "$1" "$(gk_name)" "$GX_CROWD"
}

# gx_assert_crowd_alive: every process of gx_idle_crowd still runs, none
# a zombie (a TERM would have ended it).
gx_assert_crowd_alive() {
	local n live
	n=$(wc -l <"$GX_CROWD")
	live=$(gk_proc_filter alive <"$GX_CROWD" | wc -l)
	((live == n)) || {
		echo "only $live of $n crowd processes still run" >&2
		return 1
	}
}
