#!/usr/bin/env bats
# contrib/systemd: every example unit is accepted by `systemd-analyze
# verify` (systemd need not run), and its TimeoutStopSec= exceeds the
# whole gracekill schedule of its ExecStop=, as read by gracekill itself.

load helper

UNITS=$BATS_TEST_DIRNAME/../contrib/systemd

setup() {
	gk_setup || return 1
	T=$BATS_TEST_TMPDIR
	export HOME=$T
	# Documentation=man:gracekill(1) is checked with man(1).
	mkdir -p "$T/man/man1"
	cp "$BATS_TEST_DIRNAME/../gracekill.1" "$T/man/man1/"
}

# verify_copy FILE: a copy of unit FILE in $T/units whose absolute
# executables (/usr/bin/gunicorn, ...) are stubs under $T, since verify
# rejects a command that does not exist.  Prints the copy's path.
verify_copy() {
	local unit=$1 copy p re='^Exec[A-Za-z]*=[-@:+!]*(/[^[:space:]]+)'
	copy=$T/units/${unit##*/}
	mkdir -p "$T/units"
	sed -E "s#^(Exec[A-Za-z]*=[-@:+!]*)/#\\1$T/#" "$unit" >"$copy"
	while IFS= read -r line; do
		[[ $line =~ $re ]] || continue
		p=$T${BASH_REMATCH[1]}
		mkdir -p "${p%/*}"
		printf '#!/bin/sh\n' >"$p"
		chmod 755 "$p"
	done <"$unit"
	printf '%s\n' "$copy"
}

# assert_verified FILE: systemd-analyze verify accepts unit FILE and says
# nothing (it exits 0 even for an unknown key or a bad value).
assert_verified() {
	local copy
	copy=$(verify_copy "$1")
	# Only the executables' paths differ from the unit.
	diff <(sed -E 's#=[-@:+!]*/[^[:space:]]+##' "$1") \
	    <(sed -E 's#=[-@:+!]*/[^[:space:]]+##' "$copy")
	run env MANPATH="$T/man" systemd-analyze verify "$copy"
	if [[ $status != 0 || -n $output ]]; then
		printf 'systemd-analyze verify %s: status %s\n%s\n' "$1" \
		    "$status" "$output" >&2
		return 1
	fi
}

# last_value FILE KEY: the value of the last KEY= line of FILE.
last_value() {
	sed -n "s/^$2=//p" "$1" | tail -n 1
}

# schedule_us FILE: the sum, in microseconds, of the durations of the
# schedule (-S) of FILE's gracekill ExecStop=, as gracekill reads it
# (a trailing signal gets the kill wait), or "infinity" with forever.
schedule_us() {
	local line sched re='[[:space:]](-S|--schedule)[[:space:]=]([^[:space:]]+)'
	local step n unit total=0 norm
	line=$(grep -E '^ExecStop=[-@:+!]*/[^[:space:]]*/gracekill ' "$1") || {
		echo "$1: no gracekill ExecStop=" >&2
		return 1
	}
	[[ $line =~ $re ]] || {
		echo "$1: ExecStop= has no -S schedule" >&2
		return 1
	}
	sched=${BASH_REMATCH[2]}
	# gracekill's reading of it: "schedule: WINCH/30s/TERM/5s/KILL/5s".
	gk_run --dry-run -S "$sched" -p "$GK_PID"
	assert_status 0 || return 1
	norm=${lines[-1]}
	[[ $norm == "schedule: "* ]] || {
		echo "unexpected dry-run output: $output" >&2
		return 1
	}
	norm=${norm#schedule: }
	IFS=/ read -ra step <<<"$norm"
	for n in "${step[@]}"; do
		[[ $n == forever ]] && { echo infinity; return 0; }
		[[ $n =~ ^([0-9]+)(\.([0-9]{1,3}))?(ms|s)$ ]] || continue
		unit=${BASH_REMATCH[4]}
		n=$((10#${BASH_REMATCH[1]} * 1000 + 10#$(printf '%-3s' \
		    "${BASH_REMATCH[3]}" | tr ' ' 0)))
		[[ $unit == s ]] && n=$((n * 1000))
		total=$((total + n))
	done
	printf '%s\n' "$total"
}

# assert_timeout_exceeds_schedule FILE: TimeoutStopSec= of FILE is set and
# longer than its gracekill schedule.
assert_timeout_exceeds_schedule() {
	local value us sched
	value=$(last_value "$1" TimeoutStopSec)
	[[ -n $value ]] || {
		echo "$1: no TimeoutStopSec=" >&2
		return 1
	}
	us=$(systemd-analyze timespan "$value" | sed -n 's/^ *μs: //p')
	[[ $us =~ ^[0-9]+$ ]] || {
		echo "$1: TimeoutStopSec=$value does not parse" >&2
		return 1
	}
	sched=$(schedule_us "$1") || return 1
	if [[ $sched == infinity ]]; then
		[[ $value == infinity ]] || {
			echo "$1: a schedule with forever needs TimeoutStopSec=infinity" >&2
			return 1
		}
		return 0
	fi
	# 2^64-1 (infinity) does not fit shell arithmetic.
	[[ $value == infinity ]] && return 0
	if ((us <= sched)); then
		echo "$1: TimeoutStopSec=$value (${us}us) does not exceed the schedule (${sched}us)" >&2
		return 1
	fi
}

@test "the example units are the three of USERS.md" {
	run ls "$UNITS"
	assert_status 0
	assert_output_line apache2-wsgi.service
	assert_output_line gunicorn.service
	assert_output_line rq-worker@.service
	grep -q '^ExecStop=.* -S WINCH/30/TERM/5/KILL/5 --tree=mixed ' \
	    "$UNITS/apache2-wsgi.service"
	grep -q '^ExecStop=.* -S TERM/35/KILL/5 --tree=mixed ' \
	    "$UNITS/gunicorn.service"
	grep -q '^ExecStop=.* -S INT/600/INT/10/KILL/5 --tree=mixed ' \
	    "$UNITS/rq-worker@.service"
	for u in "$UNITS"/*.service; do
		[[ $(last_value "$u" KillMode) == mixed ]]
	done
}

@test "systemd-analyze verify accepts apache2-wsgi.service" {
	assert_verified "$UNITS/apache2-wsgi.service"
}

@test "systemd-analyze verify accepts gunicorn.service" {
	assert_verified "$UNITS/gunicorn.service"
}

@test "systemd-analyze verify accepts rq-worker@.service" {
	assert_verified "$UNITS/rq-worker@.service"
}

@test "the verify check fails on a unit systemd only warns about" {
	mkdir "$T/bad"
	{
		cat "$UNITS/gunicorn.service"
		printf '[Service]\nTimeoutStopSec=fifty\nKillMdoe=mixed\n'
	} >"$T/bad/gunicorn.service"
	run assert_verified "$T/bad/gunicorn.service"
	assert_status 1
	[[ $output == *"Failed to parse"*"fifty"* ]]
	[[ $output == *"Unknown key"*"KillMdoe"* ]]
}

@test "TimeoutStopSec= exceeds each unit's whole gracekill schedule" {
	gk_start -c TERM -x 0
	for u in "$UNITS"/*.service; do
		assert_timeout_exceeds_schedule "$u"
	done
	# The sums, for the record: 40 s, 40 s and 615 s.
	[[ $(schedule_us "$UNITS/apache2-wsgi.service") == 40000000 ]]
	[[ $(schedule_us "$UNITS/gunicorn.service") == 40000000 ]]
	[[ $(schedule_us "$UNITS/rq-worker@.service") == 615000000 ]]
}

@test "the schedule check fails when TimeoutStopSec= is too short" {
	gk_start -c TERM -x 0
	mkdir "$T/short"
	sed 's/^TimeoutStopSec=.*/TimeoutStopSec=10min 15s/' \
	    "$UNITS/rq-worker@.service" >"$T/short/rq-worker@.service"
	run assert_timeout_exceeds_schedule "$T/short/rq-worker@.service"
	assert_status 1
	[[ $output == *"TimeoutStopSec=10min 15s (615000000us) does not exceed the schedule (615000000us)" ]]
	sed 's/^TimeoutStopSec=.*/TimeoutStopSec=10min 16s/' \
	    "$UNITS/rq-worker@.service" >"$T/short/rq-worker@.service"
	assert_timeout_exceeds_schedule "$T/short/rq-worker@.service"
}

@test "each unit's ExecStop= is a command gracekill accepts" {
	local u line args unit
	for u in "$UNITS"/*.service; do
		line=$(grep -E '^ExecStop=' "$u")
		# systemd's specifiers, for a unit that does not run here.
		unit=gkunit$(gk_name).service
		line=${line//%n/$unit}
		line=${line//%i/x}
		read -ra args <<<"${line#*/gracekill }"
		gk_run --dry-run "${args[@]}"
		# Nothing of these services runs here: nothing matched, which
		# --oknodo makes 0; never a usage error.
		assert_status 0
		[[ ${lines[-1]} == "schedule: "* ]]
	done
}
