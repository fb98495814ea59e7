#!/usr/bin/env bats
# The live line: shown on a terminal while waiting, erased at the end,
# never when stderr is not a terminal.  A real pseudo-terminal: tmux.

load helper

setup() {
	gk_setup
	GX_SOCK=gx$(gk_name)
	printf 'set -g remain-on-exit on\nset -g status off\n' \
	    >"$BATS_TEST_TMPDIR/tmux.conf"
}

teardown() {
	tmux -L "$GX_SOCK" kill-server 2>/dev/null || :
	gk_teardown
}

# in_tmux CMD: run sh -c CMD in a detached 150x20 tmux pane.  The shell
# then reads the terminal, which keeps the pane and its text (a dead pane
# may lose the last output) until teardown kills the server.
in_tmux() {
	tmux -L "$GX_SOCK" -f "$BATS_TEST_TMPDIR/tmux.conf" new-session -d \
	    -x 150 -y 20 -s gx "$1; read x" 3>&-
}

pane() { tmux -L "$GX_SOCK" capture-pane -p -t gx; }
pane_has() { pane | grep -Eq -- "$1"; }

# refute_pane_has ERE: no line of the pane matches ERE.
refute_pane_has() {
	if pane_has "$1"; then
		printf 'the pane shows %s:\n' "$1" >&2
		pane >&2
		return 1
	fi
}

@test "on a terminal: the live line while waiting, erased at the end" {
	gk_start -c TERM -k 2 -x 0
	pid=$GK_PID name=$GK_NAME
	rc=$BATS_TEST_TMPDIR/rc
	in_tmux "'$GRACEKILL' -t 30 $pid; echo \$? >'$rc'"
	gk_poll pane_has 'waiting for'
	line=$(pane | grep 'waiting for')
	[[ $line =~ ^gracekill:\ waiting\ for\ 1\ of\ 1\ after\ SIGTERM: ]] || {
		echo "unexpected live line: $line" >&2
		false
	}
	[[ $line == *"SIGKILL in "* ]] || {
		echo "live line does not say what comes next: $line" >&2
		false
	}
	[[ $line == *"$pid"* || $line == *"$name"* ]] || {
		echo "live line names neither $pid nor $name: $line" >&2
		false
	}
	# The second TERM ends the target; gracekill then finishes.
	kill -TERM "$pid"
	gk_poll test -s "$rc"
	[[ $(<"$rc") == 0 ]]
	gk_poll pane_has "^$pid $name: exited with status 0 after"
	refute_pane_has 'waiting for'
	gk_assert_exit "$pid" 0
}

@test "on a terminal: the count goes down as targets exit" {
	gk_start -c TERM -c USR1 -k 0
	a=$GK_PID
	gk_start -c TERM -k 2 -x 0
	b=$GK_PID
	rc=$BATS_TEST_TMPDIR/rc
	in_tmux "'$GRACEKILL' -t 30 $a $b; echo \$? >'$rc'"
	gk_poll pane_has 'waiting for 2 of 2'
	kill -TERM "$b"
	gk_poll pane_has 'waiting for 1 of 2'
	kill -KILL "$a"
	gk_poll test -s "$rc"
	[[ $(<"$rc") == 0 ]]
	refute_pane_has 'waiting for'
	gk_assert_exit "$b" 0
}

@test "on a terminal with stderr to a file: no live line anywhere" {
	gk_start -c TERM -k 2 -x 0
	pid=$GK_PID name=$GK_NAME
	rc=$BATS_TEST_TMPDIR/rc err=$BATS_TEST_TMPDIR/err
	in_tmux "'$GRACEKILL' -t 30 $pid 2>'$err'; echo \$? >'$rc'"
	# gracekill is waiting once the target has logged TERM.
	gk_poll gx_file_has "$GK_LOG" '^15 '
	kill -TERM "$pid"
	gk_poll test -s "$rc"
	[[ $(<"$rc") == 0 ]]
	gk_poll pane_has "^$pid $name: exited with status 0 after"
	refute_pane_has 'waiting for'
	[[ ! -s $err ]] || { echo "stderr file has:" >&2; cat -A "$err" >&2; false; }
	gk_assert_exit "$pid" 0
}

@test "on a terminal with -q: no live line" {
	gk_start -c TERM -k 2 -x 0
	pid=$GK_PID
	rc=$BATS_TEST_TMPDIR/rc
	in_tmux "'$GRACEKILL' -q -t 30 $pid; echo \$? >'$rc'"
	gk_poll gx_file_has "$GK_LOG" '^15 '
	# Without -q the line shows at once; give it a full second here.
	if GK_TIMEOUT=1 gk_poll pane_has 'waiting for' 2>/dev/null; then
		echo "live line shown with -q:" >&2
		pane >&2
		false
	fi
	kill -TERM "$pid"
	gk_poll test -s "$rc"
	[[ $(<"$rc") == 0 ]]
	gk_assert_exit "$pid" 0
}

@test "stderr to a file outside a terminal: no live line" {
	gk_start -c TERM -x 0 -d 300
	pid=$GK_PID
	gk_run -t 5 "$pid"
	assert_status 0
	assert_stderr_empty
	gk_assert_exit "$pid" 0
}

@test "on a terminal: a name with an escape sequence is shown escaped" {
	local name base
	base=$(gk_name)
	name=${base:0:10}$'\x1b[2J'
	gk_start -n "$name" -c TERM -k 2 -x 0
	pid=$GK_PID
	rc=$BATS_TEST_TMPDIR/rc
	in_tmux "'$GRACEKILL' -t 30 $pid; echo \$? >'$rc'"
	gk_poll pane_has 'waiting for'
	pane | grep -qF "$pid (${base:0:10}\\x1b[2J)" || {
		echo "the live line does not show the name escaped:" >&2
		pane >&2
		false
	}
	kill -TERM "$pid"
	gk_poll test -s "$rc"
	[[ $(<"$rc") == 0 ]]
	gk_assert_exit "$pid" 0
}
