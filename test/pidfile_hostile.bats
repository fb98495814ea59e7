#!/usr/bin/env bats
# Hostile pidfiles, as root: every malformed or insecure form is refused
# with exit 3 and a message naming the file, and the process it names
# keeps running.

load helper

setup_file() {
	gx_require_root
	gk_user_add
}

teardown_file() { gk_user_del; }

setup() {
	gk_setup
	gx_require_root
	gk_start -c TERM -c INT -c HUP -c USR1 -k 0
	victim=$GK_PID victim_log=$GK_LOG
	pf=$BATS_TEST_TMPDIR/app.pid
}

# refused FILE MESSAGE ARG...: gracekill -F FILE (within 5 s) exits 3 with
# exactly MESSAGE on stderr; the victim is untouched.
refused() {
	local file=$1 msg=$2
	shift 2
	run --separate-stderr timeout 5 "$GRACEKILL" "$@" -F "$file"
	assert_status 3
	assert_stderr "$msg"
	[[ -z $output ]]
	gk_assert_alive "$victim"
	gx_assert_log_empty "$victim_log"
}

# insecure FILE RISK ARG...: refused as insecure; the line names the
# file, the risk (an ERE) and the fix.
insecure() {
	local file=$1 risk=$2
	shift 2
	run --separate-stderr timeout 5 "$GRACEKILL" "$@" -F "$file"
	assert_status 3
	[[ ${#stderr_lines[@]} == 1 &&
	    ${stderr_lines[0]} == "gracekill: $file: insecure pidfile ("* ]] || {
		printf 'expected one insecure-pidfile line, got:\n%s\n' \
		    "$stderr" >&2
		return 1
	}
	[[ ${stderr_lines[0]} =~ $risk ]] || {
		echo "risk '$risk' not named: $stderr" >&2
		return 1
	}
	[[ ${stderr_lines[0]} == *--name* ]] || {
		echo "no fix named: $stderr" >&2
		return 1
	}
	gk_assert_alive "$victim"
	gx_assert_log_empty "$victim_log"
}

@test "a FIFO with the PID waiting in it does not hang and is refused" {
	mkfifo "$pf"
	exec 7<>"$pf"
	echo "$victim" >&7
	refused "$pf" "gracekill: $pf: not a regular file"
	exec 7>&-
}

@test "a FIFO nobody writes to does not hang" {
	mkfifo "$pf"
	refused "$pf" "gracekill: $pf: not a regular file"
}

@test "a directory is refused" {
	mkdir "$pf"
	refused "$pf" "gracekill: $pf: not a regular file"
}

@test "a device is refused" {
	refused /dev/zero "gracekill: /dev/zero: not a regular file"
}

@test "an empty file is refused" {
	: >"$pf"
	refused "$pf" "gracekill: $pf: empty pidfile"
}

@test "a file of blanks only is malformed" {
	printf '  \n' >"$pf"
	refused "$pf" "gracekill: $pf: malformed first line: expected a decimal PID"
}

@test "a plus sign is refused" {
	printf '+%s\n' "$victim" >"$pf"
	refused "$pf" "gracekill: $pf: malformed first line: expected a decimal PID"
}

@test "a minus sign is refused" {
	printf -- '-%s\n' "$victim" >"$pf"
	refused "$pf" "gracekill: $pf: malformed first line: expected a decimal PID"
}

@test "two numbers are refused" {
	printf '%s %s\n' "$victim" "$victim" >"$pf"
	refused "$pf" "gracekill: $pf: malformed first line: expected a decimal PID"
}

@test "trailing text is refused" {
	printf '%sx\n' "$victim" >"$pf"
	refused "$pf" "gracekill: $pf: malformed first line: expected a decimal PID"
}

@test "trailing text after a blank is refused" {
	printf '%s app\n' "$victim" >"$pf"
	refused "$pf" "gracekill: $pf: malformed first line: expected a decimal PID"
}

@test "a hexadecimal number is refused" {
	printf '0x%x\n' "$victim" >"$pf"
	refused "$pf" "gracekill: $pf: malformed first line: expected a decimal PID"
}

@test "a NUL byte after the PID is refused" {
	printf '%s\0\n' "$victim" >"$pf"
	refused "$pf" "gracekill: $pf: malformed first line: expected a decimal PID"
}

@test "a NUL byte before the PID is refused" {
	printf '\0%s\n' "$victim" >"$pf"
	refused "$pf" "gracekill: $pf: malformed first line: expected a decimal PID"
}

@test "a PID beyond pid_max is refused" {
	big=$(($(</proc/sys/kernel/pid_max) + 1))
	printf '%s\n' "$big" >"$pf"
	refused "$pf" "gracekill: $pf: PID out of range: '$big'"
}

@test "a PID overflowing 64 bits is refused" {
	printf '18446744073709551617\n' >"$pf"
	refused "$pf" "gracekill: $pf: PID out of range: '18446744073709551617'"
}

@test "a PID overflowing int is refused" {
	printf '4294967311\n' >"$pf"
	refused "$pf" "gracekill: $pf: PID out of range: '4294967311'"
}

@test "a file over 4 KiB is refused even with a good first line" {
	{ printf '%s\n' "$victim"; head -c 5000 /dev/zero | tr '\0' x; } >"$pf"
	refused "$pf" "gracekill: $pf: larger than 4 KiB"
}

@test "a file of exactly 4 KiB with a good first line is read" {
	gk_start -c TERM -x 0
	pid=$GK_PID
	{ printf '%s\n' "$pid"; head -c $((4096 - ${#pid} - 1)) \
	    /dev/zero | tr '\0' x; } >"$pf"
	[[ $(stat -c %s "$pf") == 4096 ]]
	gk_run -F "$pf"
	assert_status 0
	gk_assert_exit "$pid" 0
	gk_assert_alive "$victim"
}

# In a PID namespace of our own, PID 1 is a gk-target that logs what it
# catches: a pidfile naming 0, 1 or -1 must not reach it (or the group).
ns_refused() {
	local content=$1 msg=$2 init
	printf '%s\n' "$content" >"$pf"
	init=$(gk_link "$(gk_name)")
	unshare --pid --fork --mount-proc --kill-child "$init" \
	    -R "$BATS_TEST_TMPDIR/init.ready" -L "$BATS_TEST_TMPDIR/init.log" \
	    -c TERM -c INT -c HUP -c USR1 -c QUIT -k 0 -s "
	    until [ -s '$BATS_TEST_TMPDIR/init.ready' ]; do sleep 0.01; done
	    '$GRACEKILL' -F '$pf' >'$BATS_TEST_TMPDIR/out' \
	        2>'$BATS_TEST_TMPDIR/err'
	    echo \$? >'$BATS_TEST_TMPDIR/rc'" \
	    >/dev/null 2>&1 3>&- &
	gk_record "$!"
	gk_poll test -s "$BATS_TEST_TMPDIR/rc"
	status=$(<"$BATS_TEST_TMPDIR/rc")
	output=$(<"$BATS_TEST_TMPDIR/out")
	stderr=$(<"$BATS_TEST_TMPDIR/err")
	assert_status 3
	assert_stderr "$msg"
	[[ $(<"$BATS_TEST_TMPDIR/init.ready") == 1 ]]
	gx_assert_log_empty "$BATS_TEST_TMPDIR/init.log"
	gk_assert_alive "$victim"
	gx_assert_log_empty "$victim_log"
}

@test "PID 0 is refused (never the process group)" {
	ns_refused 0 "gracekill: $pf: PID out of range: '0'"
}

@test "PID 1 is refused (never init)" {
	ns_refused 1 "gracekill: $pf: PID out of range: '1'"
}

@test "PID -1 is refused (never every process)" {
	ns_refused -1 "gracekill: $pf: malformed first line: expected a decimal PID"
}

@test "a symlink not owned by root is refused" {
	printf '%s\n' "$victim" >"$BATS_TEST_TMPDIR/real.pid"
	ln -s "$BATS_TEST_TMPDIR/real.pid" "$pf"
	chown -h "$GK_USER" "$pf"
	refused "$pf" "gracekill: $pf: symbolic link not owned by root"
}

@test "a root symlink to a secure file is followed" {
	gk_start -c TERM -x 0
	pid=$GK_PID
	printf '%s\n' "$pid" >"$BATS_TEST_TMPDIR/real.pid"
	ln -s "$BATS_TEST_TMPDIR/real.pid" "$pf"
	gk_run -F "$pf"
	assert_status 0
	gk_assert_exit "$pid" 0
	gk_assert_alive "$victim"
}

@test "a root symlink to a file owned by the user is insecure" {
	printf '%s\n' "$victim" >"$BATS_TEST_TMPDIR/real.pid"
	chown "$GK_USER" "$BATS_TEST_TMPDIR/real.pid"
	ln -s "$BATS_TEST_TMPDIR/real.pid" "$pf"
	insecure "$pf" "$(id -u "$GK_USER")"
}

@test "a root symlink to a file in a user's directory is insecure" {
	d=$BATS_TEST_TMPDIR/userdir
	mkdir "$d"
	chown "$GK_USER" "$d"
	printf '%s\n' "$victim" >"$d/real.pid"
	ln -s "$d/real.pid" "$pf"
	insecure "$pf" "$(id -u "$GK_USER")"
}

@test "a file owned by the user is insecure" {
	printf '%s\n' "$victim" >"$pf"
	chown "$GK_USER" "$pf"
	insecure "$pf" "owned by uid $(id -u "$GK_USER")"
}

@test "a group-writable file is insecure" {
	printf '%s\n' "$victim" >"$pf"
	chmod 0664 "$pf"
	insecure "$pf" "writable by group or others"
}

@test "an other-writable file is insecure" {
	printf '%s\n' "$victim" >"$pf"
	chmod 0646 "$pf"
	insecure "$pf" "writable by group or others"
}

@test "a root file in a directory the user can write is insecure" {
	d=$BATS_TEST_TMPDIR/run
	mkdir "$d"
	chown "$GK_USER" "$d"
	printf '%s\n' "$victim" >"$d/app.pid"
	insecure "$d/app.pid" "directory is writable by uid $(id -u "$GK_USER")"
}

@test "a root file in a world-writable directory is insecure" {
	d=$BATS_TEST_TMPDIR/run
	mkdir "$d"
	chmod 0777 "$d"
	printf '%s\n' "$victim" >"$d/app.pid"
	insecure "$d/app.pid" "directory is writable"
}

@test "insecure, but --name confirms the PID: stopped" {
	gk_start -c TERM -x 0
	pid=$GK_PID
	printf '%s\n' "$pid" >"$pf"
	chown "$GK_USER" "$pf"
	gk_run --json --name "$GK_NAME" -F "$pf"
	assert_status 0
	gx_assert_target "$pid" .outcome '"exited"'
	assert_jq '.targets | length == 1'
	gk_assert_exit "$pid" 0
	gk_assert_alive "$victim"
}

@test "insecure, --name of another process does not confirm it" {
	printf '%s\n' "$victim" >"$pf"
	chown "$GK_USER" "$pf"
	insecure "$pf" "owned by uid" --name "$(gk_name)"
}

@test "insecure, but --exe confirms the PID: stopped" {
	# A copy of gk-target under a unique path: --exe matches it alone.
	exe=$BATS_TEST_TMPDIR/$(gk_name)
	cp "$GK_TARGET" "$exe"
	gk_start_cmd "$(basename "$exe")" "$exe" -c TERM -x 0
	pid=$GK_PID
	printf '%s\n' "$pid" >"$pf"
	chmod 0666 "$pf"
	gk_run --json --exe "$exe" -F "$pf"
	assert_status 0
	gx_assert_target "$pid" .outcome '"exited"'
	assert_jq '.targets | length == 1'
	gk_assert_exit "$pid" 0
	gk_assert_alive "$victim"
}

@test "insecure, but --user confirms the PID: stopped" {
	gx_userdir
	gx_start_as --reuid="$GK_USER" --regid="$GK_USER" --clear-groups -- \
	    -c TERM -x 0
	pid=$GK_PID
	printf '%s\n' "$pid" >"$GX_UDIR/app.pid"
	chown "$GK_USER" "$GX_UDIR/app.pid"
	gk_run --json --user "$GK_USER" -F "$GX_UDIR/app.pid"
	assert_status 0
	gx_assert_target "$pid" .outcome '"exited"'
	assert_jq '.targets | length == 1'
	gk_assert_exit "$pid" 0
}

@test "insecure, --user of another user does not confirm it" {
	printf '%s\n' "$victim" >"$pf"
	chown "$GK_USER" "$pf"
	insecure "$pf" "owned by uid" --user "$GK_USER"
}

@test "/dev/null never matches and never hangs" {
	run --separate-stderr timeout 5 "$GRACEKILL" -F /dev/null
	assert_status 1
	assert_stderr "gracekill: no matching process"
	gk_assert_alive "$victim"
	gx_assert_log_empty "$victim_log"
}

@test "/dev/null with --oknodo: exit 0" {
	run --separate-stderr timeout 5 "$GRACEKILL" -o -F /dev/null
	assert_status 0
	assert_stderr_empty
	gk_assert_alive "$victim"
}

@test "PostgreSQL's postmaster.pid layout works" {
	gk_start -c TERM -x 0
	pid=$GK_PID
	printf '%s\n/var/lib/postgresql/16/main\n1733120000\n5432\n/var/run/postgresql\n*\n  5432001    196608\nready   \n' \
	    "$pid" >"$BATS_TEST_TMPDIR/postmaster.pid"
	gk_run --json -F "$BATS_TEST_TMPDIR/postmaster.pid"
	assert_status 0
	gx_assert_target "$pid" .outcome '"exited"'
	gk_assert_exit "$pid" 0
	gk_assert_alive "$victim"
}

@test "every accepted spelling of the first line" {
	local fmt pid
	for fmt in '%s' '%s\n' '  %s\n' '\t%s\n' '%s \n' '%s\t\n' '%s\r\n' \
	    ' \t%s \t\r\nmore text\n'; do
		gk_start -c TERM -x 0
		pid=$GK_PID
		# shellcheck disable=SC2059
		printf "$fmt" "$pid" >"$pf"
		gk_run -F "$pf"
		assert_status 0
		gk_assert_exit "$pid" 0
	done
	gk_assert_alive "$victim"
}

@test "insecure: the confirmation is read only once the pidfd is held" {
	gk_start -c TERM -x 0
	pid=$GK_PID
	printf '%s\n' "$pid" >"$pf"
	chown "$GK_USER" "$pf"
	run --separate-stderr gk_strace -qq -o "$BATS_TEST_TMPDIR/trace" \
	    -e trace=pidfd_open,openat,readlinkat "$GRACEKILL" --json \
	    --name "$GK_NAME" -F "$pf"
	assert_status 0
	gx_assert_target "$pid" .outcome '"exited"'
	held=$(grep -n -m1 "^pidfd_open($pid," "$BATS_TEST_TMPDIR/trace" |
	    cut -d: -f1)
	read=$(grep -n -m1 -E "\"(/proc/)?$pid/" "$BATS_TEST_TMPDIR/trace" |
	    cut -d: -f1)
	[[ -n $held && -n $read ]] || { cat "$BATS_TEST_TMPDIR/trace" >&2; false; }
	((held < read)) || {
		echo "/proc/$pid was read before its pidfd was held:" >&2
		cat "$BATS_TEST_TMPDIR/trace" >&2
		false
	}
	gk_assert_exit "$pid" 0
}
