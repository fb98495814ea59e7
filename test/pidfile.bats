#!/usr/bin/env bats
# -F/--pidfile: the strict grammar, missing and stale pidfiles, every
# malformed form (exit 3 with a message naming the file), and the
# security rule for pidfiles not owned by root.

load helper

# pf NAME CONTENT: write CONTENT (printf format) to a pidfile, print path.
pf() {
	local path=$BATS_TEST_TMPDIR/$1
	# shellcheck disable=SC2059
	printf -- "$2" >"$path"
	printf '%s\n' "$path"
}

@test "a plain pidfile: its process is stopped, a control is not" {
	gk_start -c TERM -x 0
	local control=$GK_PID
	gk_start -c TERM -x 4
	local f
	f=$(pf good.pid "$GK_PID\n")
	gk_run -F "$f"
	assert_status 0
	[[ $output == "$GK_PID $GK_NAME: exited with status 4 after "* ]]
	gk_assert_exit "$GK_PID" 4
	gk_assert_alive "$control"
}

@test "accepted pidfile spellings" {
	local fmt f
	for fmt in '%s\n' '%s' '  %s\n' '\t %s\n' '%s \t\r\n' '%s\r\n' \
	    '%s\nsecond line is ignored\n' '%s\n\n' '%s \n-1\n'; do
		gk_start -c TERM -x 0
		f=$(pf spelling.pid "${fmt//%s/$GK_PID}")
		gk_run --pidfile "$f"
		assert_status 0
		gk_assert_exit "$GK_PID" 0
	done
}

@test "a PostgreSQL-style postmaster.pid with extra lines" {
	gk_start -c TERM -x 0
	local f
	f=$(pf postmaster.pid "$GK_PID\n/var/lib/postgresql/15/main\n1700000000\n5432\n/var/run/postgresql\n*\n  5432001         0\nready   \n")
	gk_run -F "$f"
	assert_status 0
	gk_assert_exit "$GK_PID" 0
}

@test "--pidfile=FILE and -F repeated" {
	gk_start -c TERM -x 1
	local a=$GK_PID
	gk_start -c TERM -x 2
	local b=$GK_PID
	gk_start -c TERM -x 0
	local control=$GK_PID
	gk_run --pidfile="$(pf a.pid "$a\n")" -F "$(pf b.pid "$b\n")"
	assert_status 0
	assert_output_lines 2
	gk_assert_exit "$a" 1
	gk_assert_exit "$b" 2
	gk_assert_alive "$control"
}

@test "a missing pidfile: nothing matched (1), 0 with --oknodo" {
	gk_run -F "$BATS_TEST_TMPDIR/missing.pid"
	assert_status 1
	assert_stderr "gracekill: no matching process"
	gk_run -o -F "$BATS_TEST_TMPDIR/missing.pid"
	assert_status 0
	assert_stderr_empty
}

@test "a stale pidfile: nothing matched (1), 0 with --oknodo" {
	gk_start -c TERM -x 0
	local dead=$GK_PID
	kill -TERM "$dead"
	gk_assert_exit "$dead" 0
	local f
	f=$(pf stale.pid "$dead\n")
	gk_run -F "$f"
	assert_status 1
	assert_stderr "gracekill: no matching process"
	gk_run --oknodo -F "$f"
	assert_status 0
}

@test "a missing pidfile beside a live one: its target is stopped" {
	gk_start -c TERM -x 3
	gk_run -F "$BATS_TEST_TMPDIR/missing.pid" -F "$(pf live.pid "$GK_PID\n")"
	assert_status 0
	gk_assert_exit "$GK_PID" 3
}

@test "malformed first lines: exit 3, the file and the problem named" {
	local content f
	gk_start -c TERM -x 0
	for content in 'abc\n' '+5\n' '-5\n' '12 34\n' '12x\n' '0x10\n' '\n' \
	    ' \n' '12\t34\n' '1.5\n' 'pid=12\n' '\r12\n' '12\v\n' '12\f\n' \
	    '\0\n' '12\0\n' "$GK_PID,$GK_PID\n" "$GK_PID $GK_PID\n"; do
		f=$(pf bad.pid "$content")
		gk_run -F "$f"
		assert_status 3
		assert_stderr "gracekill: $f: malformed first line: expected a decimal PID"
	done
	gk_assert_alive "$GK_PID"
	gk_assert_siglog "$GK_LOG"
}

@test "PIDs out of range: 0, 1, beyond pid_max, overflow" {
	local pidmax text f
	read -r pidmax </proc/sys/kernel/pid_max
	for text in 0 1 00 01 $((pidmax + 1)) 4294967296 99999999999999999999; do
		f=$(pf range.pid "$text\n")
		gk_run -F "$f"
		assert_status 3
		assert_stderr "gracekill: $f: PID out of range: '$text'"
	done
}

@test "an empty pidfile" {
	local f
	f=$(pf empty.pid '')
	gk_run -F "$f"
	assert_status 3
	assert_stderr "gracekill: $f: empty pidfile"
}

@test "a pidfile over 4 KiB" {
	gk_start -c TERM -x 0
	local f=$BATS_TEST_TMPDIR/big.pid
	{ printf '%s\n' "$GK_PID"; head -c 5000 /dev/zero | tr '\0' x; } >"$f"
	gk_run -F "$f"
	assert_status 3
	assert_stderr "gracekill: $f: larger than 4 KiB"
	gk_assert_alive "$GK_PID"
}

@test "a directory, a FIFO and a device are not regular files" {
	local f
	mkdir "$BATS_TEST_TMPDIR/dir.pid"
	mkfifo "$BATS_TEST_TMPDIR/fifo.pid"
	for f in "$BATS_TEST_TMPDIR/dir.pid" "$BATS_TEST_TMPDIR/fifo.pid" \
	    /dev/zero; do
		gk_run -F "$f"
		assert_status 3
		assert_stderr "gracekill: $f: not a regular file"
	done
}

@test "a malformed pidfile beside a live one: its target is stopped, exit 3" {
	gk_start -c TERM -x 0
	local f
	f=$(pf bad.pid 'junk\n')
	gk_run -F "$f" -F "$(pf live.pid "$GK_PID\n")"
	assert_status 3
	assert_stderr "gracekill: $f: malformed first line: expected a decimal PID"
	gk_assert_exit "$GK_PID" 0
}

@test "a symlink owned by root is followed" {
	gk_start -c TERM -x 5
	local f
	f=$(pf real.pid "$GK_PID\n")
	ln -s "$f" "$BATS_TEST_TMPDIR/link.pid"
	gk_run -F "$BATS_TEST_TMPDIR/link.pid"
	assert_status 0
	gk_assert_exit "$GK_PID" 5
}

@test "a symlink not owned by root is refused" {
	gk_start -c TERM -x 0
	local f
	f=$(pf real.pid "$GK_PID\n")
	ln -s "$f" "$BATS_TEST_TMPDIR/link.pid"
	chown -h 65534:65534 "$BATS_TEST_TMPDIR/link.pid"
	gk_run -F "$BATS_TEST_TMPDIR/link.pid"
	assert_status 3
	assert_stderr "gracekill: $BATS_TEST_TMPDIR/link.pid: symbolic link not owned by root"
	gk_assert_alive "$GK_PID"
	gk_assert_siglog "$GK_LOG"
}

@test "insecure pidfile owned by another user: refused, unless --name agrees" {
	gk_start -c TERM -x 0
	local f
	f=$(pf other.pid "$GK_PID\n")
	chown 65534:65534 "$f"
	gk_run -F "$f"
	assert_status 3
	[[ ${#stderr_lines[@]} == 1 ]]
	[[ $stderr == "gracekill: $f: insecure pidfile ("* ]]
	gk_assert_alive "$GK_PID"
	gk_assert_siglog "$GK_LOG"
	gk_run --json -F "$f"
	assert_status 3
	assert_jq ".exit_code == 3"
	gk_assert_alive "$GK_PID"
	gk_run -F "$f" -n "$GK_NAME"
	assert_status 0
	gk_assert_exit "$GK_PID" 0
}

@test "insecure pidfile writable by others: refused, unless --exe agrees" {
	local name copy
	name=$(gk_name)
	copy=$BATS_TEST_TMPDIR/$name
	cp "$GK_TARGET" "$copy"
	gk_start_cmd "$name" "$copy" -c TERM -x 2
	local f
	f=$(pf open.pid "$GK_PID\n")
	chmod 666 "$f"
	gk_run -F "$f"
	assert_status 3
	[[ $stderr == "gracekill: $f: insecure pidfile ("* ]]
	gk_assert_alive "$GK_PID"
	gk_run -F "$f" -x "$copy"
	assert_status 0
	gk_assert_exit "$GK_PID" 2
}

@test "insecure pidfile in a directory writable by another user" {
	gk_start -c TERM -x 0
	local d
	for d in "$BATS_TEST_TMPDIR/theirs" "$BATS_TEST_TMPDIR/open"; do
		mkdir "$d"
		printf '%s\n' "$GK_PID" >"$d/app.pid"
	done
	chown 65534:65534 "$BATS_TEST_TMPDIR/theirs"
	chmod 0777 "$BATS_TEST_TMPDIR/open"
	for d in "$BATS_TEST_TMPDIR/theirs" "$BATS_TEST_TMPDIR/open"; do
		gk_run -F "$d/app.pid"
		assert_status 3
		[[ ${#stderr_lines[@]} == 1 ]]
		[[ $stderr == "gracekill: $d/app.pid: insecure pidfile ("* ]]
	done
	gk_assert_alive "$GK_PID"
	gk_assert_siglog "$GK_LOG"
	gk_run -F "$BATS_TEST_TMPDIR/open/app.pid" -n "$GK_NAME"
	assert_status 0
	gk_assert_exit "$GK_PID" 0
}

@test "--remove-pidfile removes the pidfile once its process is gone" {
	gk_start -c TERM -x 0
	local f
	f=$(pf rm.pid "$GK_PID\n")
	gk_run --remove-pidfile -F "$f"
	assert_status 0
	gk_assert_exit "$GK_PID" 0
	[[ ! -e $f ]]
}

@test "--remove-pidfile keeps the pidfile of a survivor" {
	gk_start -i TERM
	local f
	f=$(pf keep.pid "$GK_PID\n")
	gk_run --remove-pidfile --no-escalate -t 200ms -F "$f"
	assert_status 2
	gk_assert_alive "$GK_PID"
	[[ -e $f ]]
}

@test "--json with a malformed pidfile: one document, exit_code 3" {
	local f
	f=$(pf bad.pid 'x\n')
	gk_run --json -F "$f"
	assert_status 3
	assert_jq '.exit_code == 3 and .targets == []'
	[[ $(jq -s length <<<"$output") == 1 ]]
	assert_stderr "gracekill: $f: malformed first line: expected a decimal PID"
}

@test "two pidfiles: the first target's shutdown cannot remove the second unread" {
	mkdir "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	bfile=$BATS_TEST_TMPDIR/b/b.pid
	gk_start -c TERM -x 0
	b=$GK_PID
	echo "$b" >"$bfile"
	gk_start -c TERM -x 0 -S "rm -f '$bfile'"
	a=$GK_PID
	echo "$a" >"$BATS_TEST_TMPDIR/a/a.pid"
	# Reading the second pidfile waits 300 ms: a target signalled
	# before it would have removed it by then.
	run --separate-stderr gk_strace -qq -o /dev/null \
	    -P "$BATS_TEST_TMPDIR/b" -e inject=open,openat:delay_enter=300000 \
	    "$GRACEKILL" --json -t 5 -F "$BATS_TEST_TMPDIR/a/a.pid" -F "$bfile"
	assert_status 0
	assert_jq "[.targets[] | select(.pid == $a or .pid == $b) | .outcome] == [\"exited\", \"exited\"]"
	[[ ! -e $bfile ]]
}
