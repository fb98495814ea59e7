# helper.bash: loaded by every gracekill bats file.  It finds the binary
# under test, starts gk-target processes under unique names, records
# every PID it starts and kills leftovers by PID in teardown.

bats_require_minimum_version 1.5.0

GRACEKILL=${GRACEKILL:-"$BATS_TEST_DIRNAME/../gracekill"}
GK_TARGET=${GK_TARGET:-"$BATS_TEST_DIRNAME/gk-target"}
GK_DECOY=${GK_DECOY:-"$BATS_TEST_DIRNAME/gk-decoy"}
GK_USER=gkthrowaway
GK_TIMEOUT=${GK_TIMEOUT:-5}

# Fail (never skip) when the binary under test or the helper is missing.
gk_require_binaries() {
	if [[ ! -f $GRACEKILL || ! -x $GRACEKILL ]]; then
		echo "gracekill under test missing or not executable: $GRACEKILL" >&2
		return 1
	fi
	if [[ ! -f $GK_TARGET || ! -x $GK_TARGET ]]; then
		echo "test helper missing: $GK_TARGET (run make)" >&2
		return 1
	fi
	GRACEKILL=$(realpath "$GRACEKILL")
	GK_TARGET=$(realpath "$GK_TARGET")
}

# Per-test setup and teardown; a file defining its own calls these.
gk_setup() {
	gk_require_binaries || return 1
	GK_PIDS_FILE=$BATS_TEST_TMPDIR/gk-pids
	: >"$GK_PIDS_FILE"
	GK_SEQ=0
	GK_PIDS=()
	GK_RUNDIR=$BATS_TEST_TMPDIR
}

gk_teardown() {
	local live rc=0
	# Cgroups first: cgroup.kill stops a fork storm, kill by PID not.
	gk_cg_teardown || rc=1
	gx_remove_dirs
	[[ -n ${GK_PIDS_FILE-} && -f $GK_PIDS_FILE ]] || return "$rc"
	# Only a PID that still has its recorded start time is ours.
	live=$(gk_still_ours <"$GK_PIDS_FILE")
	[[ -n $live ]] || return "$rc"
	kill -KILL $live 2>/dev/null || :
	# One awk pass a round, not a shell loop: some tests record
	# thousands of processes.  SIGKILL ends every thread, so the state
	# of the main thread tells.
	gk_poll gk_none_alive || :
	return "$rc"
}

# gk_none_alive: no recorded process still runs (zombies are gone).
gk_none_alive() { [[ -z $(gk_still_alive <"$GK_PIDS_FILE") ]]; }

# gk_proc_filter MODE: read PIDs (with their recorded start times in
# MODE ours and alive) on stdin, one a line, and print, from each
# /proc/PID/stat: "PID START" (MODE record), or the PIDs that still have
# their start time (ours), leaving out zombies (alive).  awk does the
# reading: bats's DEBUG trap makes shell loops slow.
gk_proc_filter() {
	awk -v mode="$1" '{
		path = "/proc/" $1 "/stat"; line = ""
		if ((getline line < path) > 0) {
			sub(/.*\) /, "", line); split(line, f, " ")
			if (mode == "record")
				print $1, f[20]
			else if (f[20] == $2 && (mode == "ours" || f[1] != "Z"))
				print $1
		}
		close(path)
	}'
}

# gk_still_ours: of "PID START" lines, the PIDs that still have START.
gk_still_ours() { gk_proc_filter ours; }

# gk_still_alive: like gk_still_ours, leaving out zombies.
gk_still_alive() { gk_proc_filter alive; }

# gk_record_many: record the PIDs read on stdin, one a line, at once.
gk_record_many() { gk_proc_filter record >>"$GK_PIDS_FILE"; }

setup() { gk_setup; }
teardown() { gk_teardown; }

# A name unique to the run: 12 characters, so that a test can add up to
# three and stay within comm's 15.
gk_name() {
	printf 'gk%05d%05d\n' "$RANDOM" "$RANDOM"
}

# gk_link NAME: a symlink NAME to gk-target in GK_RUNDIR, so a
# target started through it has NAME as its comm.  Prints its path.
gk_link() {
	local path=$GK_RUNDIR/$1
	[[ -e $path ]] || ln -s "$GK_TARGET" "$path"
	printf '%s\n' "$path"
}

# gk_stat PID: read /proc/PID/stat without forking; set GK_STATE (the
# state letter) and GK_START (field 22, the start time), or return 1.
gk_stat() {
	local stat f
	GK_STATE='' GK_START=''
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
	stat=${stat##*) }
	# Only the state letter and numbers remain: split without a
	# here-string, which costs a temporary file per call.
	f=($stat)
	GK_STATE=${f[0]}
	GK_START=${f[19]}
}

# gk_starttime PID: field 22 of /proc/PID/stat, or nothing.
gk_starttime() {
	gk_stat "$1" || return 0
	printf '%s\n' "$GK_START"
}

# gk_state PID: the state letter of PID, or nothing when it is gone.
gk_state() {
	gk_stat "$1" || return 0
	printf '%s\n' "$GK_STATE"
}

# gk_record PID...: remember each PID (with its start time) for teardown.
gk_record() {
	local p
	for p; do
		gk_stat "$p" || continue
		printf '%s %s\n' "$p" "$GK_START" >>"$GK_PIDS_FILE"
		GK_PIDS+=("$p")
	done
}

# gk_poll CONDITION...: run CONDITION every 0.01 s until it succeeds, for
# at most GK_TIMEOUT seconds.
gk_poll() {
	local limit
	limit=$(gk_add_us "$EPOCHREALTIME" "$((GK_TIMEOUT * 1000000))")
	until "$@"; do
		if (($(gk_us) >= limit)); then
			echo "timed out after ${GK_TIMEOUT}s waiting for: $*" >&2
			return 1
		fi
		sleep 0.01
	done
}

# Microseconds since the epoch, and arithmetic on it.
gk_us() { local t=$EPOCHREALTIME; printf '%s\n' "${t/./}"; }
gk_add_us() { local t=${1/./}; printf '%s\n' "$((t + $2))"; }

gk_ready_file() { [[ -s $1 ]]; }

# gk_all_ready FILE...: every FILE exists and is not empty.
gk_all_ready() {
	local f
	for f; do
		[[ -s $f ]] || return 1
	done
}

# gk_wait_ready FILE: wait for FILE (a ready file), print the PID in it.
gk_wait_ready() {
	gk_poll gk_ready_file "$1" || return 1
	local pid
	read -r pid <"$1"
	printf '%s\n' "$pid"
}

# gk_alive PID: PID exists and one of its threads is not a zombie (the
# main thread of a process shows Z once it exited while others run).
gk_alive() {
	local t
	for t in /proc/"$1"/task/*; do
		gk_stat "$1/task/${t##*/}" &&
		    [[ $GK_STATE != Z && $GK_STATE != X ]] && return 0
	done
	return 1
}

gk_gone() { ! gk_alive "$1"; }

# gk_wait_gone PID: wait until PID is gone or a zombie.
gk_wait_gone() { gk_poll gk_gone "$1"; }

# gk_start [-n NAME] [-a] [GK-TARGET OPTION]...: start a gk-target in the
# background with a ready file and a signal log, wait until it is ready.
# Sets GK_PID, GK_LOG, GK_READY and GK_NAME; records the PID.  With -n the
# target runs as NAME (default: a fresh unique name).  The target is a
# child of the test's shell, so "gk_exit_status $GK_PID" gives its fate.
gk_start() {
	local name="" path
	if [[ ${1-} == -n ]]; then
		name=$2
		shift 2
	fi
	[[ -n $name ]] || name=$(gk_name)
	path=$(gk_link "$name")
	gk_start_cmd "$name" "$path" "$@"
}

# gk_start_cmd NAME CMD [ARG]...: as gk_start, for a command that ends
# by exec'ing gk-target (setpriv, a copy of the binary, ...).  The ready
# file and log options are appended to the arguments.
gk_start_cmd() {
	local name=$1
	shift
	GK_SEQ=$((GK_SEQ + 1))
	GK_READY=$GK_RUNDIR/t$GK_SEQ.ready
	GK_LOG=$GK_RUNDIR/t$GK_SEQ.log
	GK_NAME=$name
	: >"$GK_LOG"
	chmod 666 "$GK_LOG"
	"$@" -R "$GK_READY" -L "$GK_LOG" \
	    >>"$BATS_TEST_TMPDIR/targets.out" 2>&1 3>&- &
	gk_started $!
}

# gk_started PID: record a target just started in the background as
# GK_PID and wait until its ready file, GK_READY, names it.
gk_started() {
	local pid
	GK_PID=$1
	gk_record "$GK_PID"
	pid=$(gk_wait_ready "$GK_READY") || return 1
	if [[ $pid != "$GK_PID" ]]; then
		echo "ready file names $pid, started $GK_PID" >&2
		return 1
	fi
}

# gk_exit_status PID: wait for PID (a child of this shell) and print its
# exit status as the shell reports it (128+N when killed by signal N).
gk_exit_status() {
	local rc=0
	wait "$1" || rc=$?
	printf '%s\n' "$rc"
}

# gk_assert_exit PID RC: PID (a child of this shell) ended with status RC
# ("TERM", "KILL"... for death by that signal).
gk_assert_exit() {
	local want=$2 got=0
	[[ $want =~ ^[0-9]+$ ]] || want=$((128 + $(gk_signum "$want")))
	gk_alive "$1" && { gk_wait_gone "$1" || return 1; }
	wait "$1" || got=$?
	if [[ $got != "$want" ]]; then
		echo "PID $1: expected exit status $want ($2), got $got" >&2
		return 1
	fi
}

# gk_signum NAME: the number of signal NAME.
gk_signum() {
	case $1 in
	TERM) echo 15 ;; KILL) echo 9 ;; INT) echo 2 ;; HUP) echo 1 ;;
	*) kill -l "$1" 2>/dev/null || kill -l "SIG$1" ;;
	esac
}

# gk_siglog FILE: the signal numbers in a signal log, one a line.
gk_siglog() { cut -d' ' -f1 "$1"; }

# gk_assert_siglog FILE SIG...: FILE logged exactly these signals in order.
gk_assert_siglog() {
	local file=$1 want="" s got
	shift
	for s; do
		[[ $s =~ ^[0-9]+$ ]] || s=$(gk_signum "$s")
		want+="$s "
	done
	got=$(gk_siglog "$file" | tr '\n' ' ')
	if [[ $got != "$want" ]]; then
		echo "signal log $file: expected '$want', got '$got'" >&2
		return 1
	fi
}

# gk_assert_alive PID...: every PID is still running.
gk_assert_alive() {
	local p
	for p; do
		if ! gk_alive "$p"; then
			echo "PID $p should still be running" >&2
			return 1
		fi
	done
}

# gk_assert_gone PID...: every PID is gone (or a zombie) within the bound.
gk_assert_gone() {
	local p
	for p; do
		gk_wait_gone "$p" || {
			echo "PID $p should be gone" >&2
			return 1
		}
	done
}

# Run gracekill with stderr kept apart: sets status, output, stderr.
gk_run() {
	run --separate-stderr "$GRACEKILL" "$@"
}

# assert_status N: the last run exited with status N.
assert_status() {
	if [[ $status != "$1" ]]; then
		printf 'expected exit status %s, got %s\nstdout:\n%s\nstderr:\n%s\n' \
		    "$1" "$status" "$output" "${stderr-}" >&2
		return 1
	fi
}

# assert_stderr LINE...: stderr of the last run is exactly these lines.
assert_stderr() {
	local want
	want=$(printf '%s\n' "$@")
	if [[ ${stderr-} != "$want" ]]; then
		printf 'expected stderr:\n%s\ngot:\n%s\n' "$want" "${stderr-}" >&2
		return 1
	fi
}

# assert_stderr_line LINE: one line of stderr of the last run is LINE.
assert_stderr_line() {
	local l
	for l in "${stderr_lines[@]}"; do
		[[ $l == "$1" ]] && return 0
	done
	printf 'expected a stderr line:\n%s\ngot:\n%s\n' "$1" "${stderr-}" >&2
	return 1
}

# assert_stderr_empty: nothing on stderr.
assert_stderr_empty() {
	if [[ -n ${stderr-} ]]; then
		printf 'expected empty stderr, got:\n%s\n' "$stderr" >&2
		return 1
	fi
}

# assert_output_line LINE: one line of stdout is exactly LINE.
assert_output_line() {
	local l
	for l in "${lines[@]}"; do
		[[ $l == "$1" ]] && return 0
	done
	printf 'expected a stdout line:\n%s\ngot:\n%s\n' "$1" "$output" >&2
	return 1
}

# assert_output_match ERE: one line of stdout matches ERE.
assert_output_match() {
	local l
	for l in "${lines[@]}"; do
		[[ $l =~ $1 ]] && return 0
	done
	printf 'expected a stdout line matching:\n%s\ngot:\n%s\n' "$1" \
	    "$output" >&2
	return 1
}

# assert_line_match N ERE: line N of stdout (from 0) matches ERE.
assert_line_match() {
	if [[ ! ${lines[$1]-} =~ $2 ]]; then
		printf 'stdout line %s does not match:\n%s\nstdout:\n%s\n' \
		    "$1" "$2" "$output" >&2
		return 1
	fi
}

# assert_stderr_match ERE: one line of stderr matches ERE.
assert_stderr_match() {
	local l
	for l in "${stderr_lines[@]}"; do
		[[ $l =~ $1 ]] && return 0
	done
	printf 'expected a stderr line matching:\n%s\ngot:\n%s\n' "$1" \
	    "${stderr-}" >&2
	return 1
}

# assert_output_lines N: stdout has exactly N lines.
assert_output_lines() {
	if [[ ${#lines[@]} != "$1" ]]; then
		printf 'expected %s stdout lines, got %s:\n%s\n' "$1" \
		    "${#lines[@]}" "$output" >&2
		return 1
	fi
}

# assert_jq FILTER: the JSON on stdout makes `jq -e FILTER` true.
assert_jq() {
	if ! jq -e "$1" >/dev/null 2>&1 <<<"$output"; then
		printf 'jq check failed: %s\non:\n%s\n' "$1" "$output" >&2
		return 1
	fi
}

# gk_jq FILTER: print jq -r FILTER of stdout.
gk_jq() { jq -r "$1" <<<"$output"; }

# gk_elapsed_ms START_US: milliseconds since START_US (from gk_us).
gk_elapsed_ms() { printf '%s\n' "$((($(gk_us) - $1) / 1000))"; }

# assert_elapsed_below START_US MS: fewer than MS milliseconds passed.
assert_elapsed_below() {
	local ms
	ms=$(gk_elapsed_ms "$1")
	if ((ms >= $2)); then
		echo "took ${ms}ms, expected under $2ms" >&2
		return 1
	fi
}

# assert_elapsed_above START_US MS: at least MS milliseconds passed.
assert_elapsed_above() {
	local ms
	ms=$(gk_elapsed_ms "$1")
	if ((ms < $2)); then
		echo "took ${ms}ms, expected at least $2ms" >&2
		return 1
	fi
}

# gk_children PID: the PIDs of PID's children, one a line.
gk_children() {
	local t
	for t in /proc/"$1"/task/*/children; do
		tr ' ' '\n' <"$t" 2>/dev/null
	done | sed '/^$/d'
}

# Throwaway user for --user and denied tests: gk_user_add in setup_file,
# gk_user_del in teardown_file.  Only this user's processes (all started
# by the tests) are ever signalled by user.
gk_user_add() {
	gk_user_del
	useradd --system --no-create-home --shell /usr/sbin/nologin \
	    --user-group "$GK_USER"
}

gk_user_del() {
	if id -u "$GK_USER" >/dev/null 2>&1; then
		pkill -KILL -u "$GK_USER" 2>/dev/null || :
		userdel "$GK_USER" 2>/dev/null || :
	fi
}

# gk_user_setup: per test, a run directory that GK_USER can reach and
# write (BATS_TEST_TMPDIR sits in a directory only root may enter).
# Sets GK_UID and GK_GID.
gk_user_setup() {
	gk_setup || return 1
	GK_RUNDIR=$(mktemp -d /tmp/gracekill-test.XXXXXX)
	chmod 1777 "$GK_RUNDIR"
	GK_UID=$(id -u "$GK_USER")
	GK_GID=$(id -g "$GK_USER")
}

gk_user_teardown() {
	gk_teardown
	[[ ${GK_RUNDIR-} == /tmp/gracekill-test.* ]] && rm -rf "$GK_RUNDIR"
	return 0
}

# gk_as_user ARG...: a command prefix running ARG as GK_USER (real and
# effective IDs).
gk_as_user() {
	setpriv --reuid="$GK_UID" --regid="$GK_GID" --clear-groups "$@"
}

# gk_child_cmd ID NAME [GK-TARGET OPTION]...: a shell command for gk-target
# -s or -S that execs a gk-target named NAME with ready file ID.ready and
# log ID.log in GK_RUNDIR.  Get its PID with gk_child_pid ID.
gk_child_cmd() {
	local id=$1 name=$2 path
	shift 2
	path=$(gk_link "$name")
	: >"$GK_RUNDIR/$id.log"
	chmod 666 "$GK_RUNDIR/$id.log"
	printf 'exec %q' "$path"
	printf ' %q' "$@" -R "$GK_RUNDIR/$id.ready" -L "$GK_RUNDIR/$id.log"
	printf '\n'
}

# gk_child_pid ID: wait for ID's ready file, record and print its PID.
gk_child_pid() {
	local pid
	pid=$(gk_wait_ready "$GK_RUNDIR/$1.ready") || return 1
	gk_record "$pid"
	printf '%s\n' "$pid"
}

# gk_child_log ID: the signal log of child ID.
gk_child_log() { printf '%s\n' "$GK_RUNDIR/$1.log"; }

# gk_bg [ARG]...: start gracekill in the background (stdout, stderr to
# files), record it.  Sets GK_BG.  Collect it with gk_bg_wait.
gk_bg() {
	"$GRACEKILL" "$@" >"$BATS_TEST_TMPDIR/bg.out" \
	    2>"$BATS_TEST_TMPDIR/bg.err" 3>&- &
	GK_BG=$!
	gk_record "$GK_BG"
}

# gk_bg_wait: wait (bounded) for the background gracekill; set status,
# output, lines, stderr and stderr_lines as `run --separate-stderr` does.
gk_bg_wait() {
	gk_poll gk_gone "$GK_BG" || return 1
	status=0
	wait "$GK_BG" || status=$?
	output=$(<"$BATS_TEST_TMPDIR/bg.out")
	stderr=$(<"$BATS_TEST_TMPDIR/bg.err")
	mapfile -t lines <<<"$output"
	[[ -n $output ]] || lines=()
	mapfile -t stderr_lines <<<"$stderr"
	[[ -n $stderr ]] || stderr_lines=()
}

# gk_has_pidfd PID: process PID holds at least one pidfd.
gk_has_pidfd() {
	local fd
	for fd in /proc/"$1"/fd/*; do
		[[ $(readlink "$fd" 2>/dev/null) == "anon_inode:[pidfd]" ]] &&
		    return 0
	done
	return 1
}

# gk_log_lines FILE N: FILE has at least N lines.
gk_log_lines() {
	local n
	n=$(wc -l <"$1")
	((n >= $2))
}

# gk_age_ms PID: how long ago PID started, in milliseconds.
gk_age_ms() {
	local start up hz
	start=$(gk_starttime "$1")
	hz=$(getconf CLK_TCK)
	read -r up _ </proc/uptime
	up=${up/./}0
	printf '%s\n' "$((up - start * 1000 / hz))"
}

# gk_older_than PID MS: PID started more than MS milliseconds ago.
gk_older_than() { (($(gk_age_ms "$1") > $2)); }

# The ERE of the duration in a report line ("after 0.004s").
gk_time_re='[0-9]+\.[0-9]{3}s'

# A target whose parent is the test's shell may still be a zombie when
# gracekill returns, and is then reported as such: the shell reaps when
# it gets to it.  gk_reap_re is that optional note at the end of a line;
# gk_unreaped_re the note a parent that never reaps always gets.
gk_reap_re='( \(not reaped by [0-9]+ [^)]*\))?'
gk_unreaped_re=' \(not reaped by [0-9]+ [^)]*\)'

# gk_assert_dead PID...: every PID is gone (or a zombie) right now.
gk_assert_dead() {
	local p
	for p; do
		if gk_alive "$p"; then
			echo "PID $p should be gone by now" >&2
			return 1
		fi
	done
}

# gk_strace ARG...: strace ARG with LeakSanitizer off for a sanitizer
# build of gracekill (it cannot run under ptrace); a no-op otherwise.
gk_strace() {
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace "$@"
}

# JSON reports, signal logs, other users and crowds of targets.


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
# private to root).  Sets GX_UDIR; teardown removes it.
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

# gx_remove_dirs: remove the directories gx_userdir made.
gx_remove_dirs() {
	local d
	if [[ -f $BATS_TEST_TMPDIR/gx-dirs ]]; then
		while read -r d; do
			[[ $d == /tmp/gkx.* ]] && rm -rf -- "$d"
		done <"$BATS_TEST_TMPDIR/gx-dirs"
	fi
}

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

# "${GK_PIDNS[@]}" CMD [ARG]...: run CMD as PID 1 of a new PID namespace
# with a /proc of its own, however this root was entered; CMD is the child
# of the process started.  unshare --mount-proc alone first makes / private,
# which fails under a plain chroot (/ is no mount point); making /proc
# private in a mount namespace of our own instead keeps the new /proc off
# the host's.  An array, not a function, so that $! is that process.
GK_PIDNS=(unshare --mount --propagation unchanged sh -c
    'mount --make-private /proc && exec unshare --pid --fork --mount-proc \
    --propagation unchanged --kill-child "$@"' sh)

# Cgroups for --cgroup and --unit tests.  Each cgroup a test makes has a
# unique name and is listed in BATS_TEST_TMPDIR/gk-cgroups, parents first;
# gk_teardown kills what they hold (only processes the test started) and
# removes them.

# gk_cg_mount [TYPE [CONTROLLER]]: from mountinfo, the mount point of the
# root cgroup of TYPE (default cgroup2); for a v1 TYPE cgroup, the one
# with CONTROLLER among its options.  Octal escapes (\040) are decoded.
gk_cg_mount() {
	awk -v type="${1:-cgroup2}" -v ctl="${2-}" '
	{
		for (i = 7; i < NF && $i != "-"; i++)
			;
		if ($4 != "/" || $(i + 1) != type)
			next
		if (ctl != "" && index("," $(i + 3) ",", "," ctl ",") == 0)
			next
		p = $5
		gsub(/\\040/, " ", p); gsub(/\\011/, "\t", p)
		gsub(/\\012/, "\n", p); gsub(/\\134/, "\\\\", p)
		print p; found = 1; exit
	}
	END { exit !found }' /proc/self/mountinfo
}

# gk_cg_mkdir DIR: make cgroup DIR (it must not exist), record it for
# teardown, print DIR.
gk_cg_mkdir() {
	mkdir "$1" || return 1
	printf '%s\n' "$1" >>"$BATS_TEST_TMPDIR/gk-cgroups"
	printf '%s\n' "$1"
}

# gk_cg_make [PARENT]: a new cgroup with a unique name under PARENT (one
# the test made; default the cgroup2 mount).  Prints its directory.
gk_cg_make() {
	local parent=${1-}
	if [[ -z $parent ]] && ! parent=$(gk_cg_mount); then
		echo "no cgroup2 file system mounted" >&2
		return 1
	fi
	gk_cg_mkdir "$parent/$(gk_name)"
}

# gk_cg_path DIR: the cgroup path of DIR as /proc/PID/cgroup shows it.
gk_cg_path() {
	local mount
	mount=$(gk_cg_mount) || return 1
	printf '/%s\n' "${1#"$mount"/}"
}

# gk_cg_unit TOP [NAME]: a fake systemd service cgroup in the test's
# cgroup TOP: TOP/system.slice/NAME.service, NAME unique by default.
# Prints its directory; the unit's name is its last component.
gk_cg_unit() {
	local slice=$1/system.slice
	[[ -d $slice ]] || gk_cg_mkdir "$slice" >/dev/null || return 1
	gk_cg_mkdir "$slice/${2:-$(gk_name)}.service"
}

# gk_cg_move PID DIR: move PID (a process the test started) into DIR.
gk_cg_move() { echo "$1" >"$2/cgroup.procs"; }

# gk_cg_exec DIR... -- CMD [ARG]...: move this shell into each cgroup DIR
# (v2 or v1), then exec CMD.  A command prefix for gk_start_cmd, which
# runs it in a background subshell; never run it in the test's shell.
gk_cg_exec() {
	while [[ $1 != -- ]]; do
		echo "$BASHPID" >"$1/cgroup.procs" || return 1
		shift
	done
	shift
	exec "$@"
}

# gk_cg_pids MAX: a new v1 pids cgroup holding at most MAX processes, so
# that a fork storm in it cannot harm the machine.  Prints its directory.
gk_cg_pids() {
	local mount dir
	if ! mount=$(gk_cg_mount cgroup pids); then
		echo "no cgroup v1 pids controller mounted" >&2
		return 1
	fi
	dir=$(gk_cg_mkdir "$mount/$(gk_name)") || return 1
	echo "$1" >"$dir/pids.max" && printf '%s\n' "$dir"
}

# gk_cg_bounded MAX [DIR]... -- CMD [ARG]...: gk_cg_exec in a new pids
# cgroup of MAX processes as well as in each DIR.
gk_cg_bounded() {
	local pids
	pids=$(gk_cg_pids "$1") || return 1
	shift
	gk_cg_exec "$pids" "$@"
}

# gk_cg_drained DIR: DIR and the cgroups below it hold no process; else
# kill what they hold and return 1.  Without cgroup.kill (v1, or Linux
# before 5.14) kill by PID, again on each call, as a fork may escape it.
gk_cg_drained() {
	local pids
	mapfile -t pids < <(find "$1" -name cgroup.procs -exec cat {} +)
	if [[ -f $1/cgroup.events ]]; then
		grep -qx 'populated 0' "$1/cgroup.events" && return 0
	elif ((${#pids[@]} == 0)); then
		return 0
	fi
	if [[ -f $1/cgroup.kill ]]; then
		echo 1 >"$1/cgroup.kill"
	elif ((${#pids[@]} > 0)); then
		kill -KILL "${pids[@]}" 2>/dev/null
	fi
	return 1
}

# gk_cg_teardown: empty the cgroups the test made (bounded), then remove
# them, children first (also those the code under test made in them).
gk_cg_teardown() {
	local list=$BATS_TEST_TMPDIR/gk-cgroups dirs d i rc=0
	[[ -s $list ]] || return 0
	mapfile -t dirs <"$list"
	for d in "${dirs[@]}"; do
		[[ ! -d $d ]] || gk_poll gk_cg_drained "$d" || rc=1
	done
	for ((i = ${#dirs[@]} - 1; i >= 0; i--)); do
		[[ ! -d ${dirs[i]} ]] ||
		    find "${dirs[i]}" -depth -type d -exec rmdir {} + || rc=1
	done
	rm -f "$list"
	return "$rc"
}
