#!/usr/bin/env bats
# Every option narrows: for each pair of kinds of criteria, a run with
# both selects exactly the processes that meet both.  One world serves
# every pair: T meets every kind, and for each kind K a control C_K
# meets every kind but K.  With kinds A and B, the targets are T and
# every C_K but C_A and C_B, which must be left alone.

load helper

KINDS=(pid pidfile name exe full parent user older)

setup_file() { gk_user_add; }
teardown_file() { gk_user_del; }

setup() {
	gk_setup
	GK_UID=$(id -u "$GK_USER")
	GK_GID=$(id -g "$GK_USER")
}

# member_script K: a script that execs member K as its kind says.
member_script() {
	local k=$1 path=$W/s1/$N ready=$W/x/$1.ready creds=
	[[ $k == name ]] && path=$W/s1/$N2
	[[ $k == exe ]] && path=$W/s2/$N
	[[ $k == full ]] && ready=$W/y/$1.ready
	[[ $k == user ]] ||
	    creds="setpriv --reuid=$GK_UID --regid=$GK_GID --clear-groups"
	printf 'exec %s %s -c TERM -x 0 -R %s\n' "$creds" "$path" "$ready" \
	    >"$W/c/$k.sh"
	printf '%s\n' "$W/c/$k.sh"
}

# ready_file K: where member K writes its PID.
ready_file() {
	if [[ $1 == full ]]; then
		printf '%s\n' "$W/y/$1.ready"
	else
		printf '%s\n' "$W/x/$1.ready"
	fi
}

# build_world: start T and every C_K; sets PID[K] (T under "all").
build_world() {
	local k p1_opts=() pn
	gx_userdir
	W=$GX_UDIR
	N=$(gk_name) N2=$(gk_name) pn=$(gk_name)
	mkdir "$W/e" "$W/e2" "$W/s1" "$W/s2" "$W/x" "$W/y" "$W/c" \
	    "$BATS_TEST_TMPDIR/pf"
	chmod 0777 "$W/x" "$W/y"
	chmod 0755 "$W/c"
	cp "$GK_TARGET" "$W/e/gk"
	cp "$GK_TARGET" "$W/e2/gk"
	chmod 0755 "$W/e" "$W/e2" "$W/s1" "$W/s2" "$W/e/gk" "$W/e2/gk"
	ln -s "$W/e/gk" "$W/s1/$N"
	ln -s "$W/e/gk" "$W/s1/$N2"
	ln -s "$W/e2/gk" "$W/s2/$N"
	# Two parents, whose command lines hold only the scripts' names.
	for k in all pid pidfile name exe full user; do
		p1_opts+=(-s "exec sh $(member_script "$k")")
	done
	p1_opts+=(-c USR1 -k 0 -S "exec sh $(member_script older)")
	gk_start -n "$pn" -c TERM -x 0 "${p1_opts[@]}"
	P1=$GK_PID
	gk_start -n "$pn" -c TERM -x 0 -s "exec sh $(member_script parent)"
	P2=$GK_PID
	declare -gA PID
	for k in all pid pidfile name exe full user parent; do
		PID[$k]=$(gx_record_file "$(ready_file "$k")") || return 1
	done
	# The last, C_older, once the others are older than 3 s.
	gk_poll gk_older_than "${PID[all]}" 3200
	kill -USR1 "$P1"
	PID[older]=$(gx_record_file "$(ready_file older)") || return 1
	for k in "${!PID[@]}"; do
		[[ $k == pidfile ]] ||
		    printf '%s\n' "${PID[$k]}" >"$BATS_TEST_TMPDIR/pf/$k.pid"
	done
}

# criterion K: the options that make kind K a criterion T meets.
criterion() {
	local k f list=
	case $1 in
	pid)
		for k in "${!PID[@]}"; do
			[[ $k == pid ]] || list+=${list:+,}${PID[$k]}
		done
		printf '%s\n' -p "$list" ;;
	pidfile)
		for f in "$BATS_TEST_TMPDIR"/pf/*.pid; do
			printf '%s\n' -F "$f"
		done ;;
	name) printf '%s\n' -n "$N" ;;
	exe) printf '%s\n' -x "$W/e/gk" ;;
	full) printf '%s\n' -f "-R $W/x/" ;;
	parent) printf '%s\n' -P "$P1" ;;
	user) printf '%s\n' -u "$GK_USER" ;;
	older) printf '%s\n' --older 3s ;;
	esac
}

# expected A B: the PIDs a run with kinds A and B selects, sorted.
expected() {
	local k
	for k in "${!PID[@]}"; do
		[[ $k == "$1" || $k == "$2" ]] || printf '%s\n' "${PID[$k]}"
	done | sort -n | paste -sd' '
}

# check_pair A B: a dry run with kinds A and B matches what it should.
check_pair() {
	local args got want
	mapfile -t args < <(criterion "$1"; criterion "$2")
	gk_run --dry-run --json "${args[@]}"
	got=$(jq -r '[.targets[] | select(.outcome == "matched") | .pid] |
	    sort | map(tostring) | join(" ")' <<<"$output")
	want=$(expected "$1" "$2")
	if [[ $status != 0 || $got != "$want" ]]; then
		printf '%s and %s (exit %s): matched %s, expected %s\n%s\n' \
		    "$1" "$2" "$status" "$got" "$want" "$stderr" >&2
		return 1
	fi
}

@test "every pair of kinds narrows: dry runs over one world" {
	local pair pairs=()
	local -i ka kb
	# bats's own helpers use i and j unscoped: other names here.
	for ((ka = 0; ka < ${#KINDS[@]} - 1; ka++)); do
		for ((kb = ka + 1; kb < ${#KINDS[@]}; kb++)); do
			pairs+=("${KINDS[ka]} ${KINDS[kb]}")
		done
	done
	((${#pairs[@]} == 28))
	build_world
	# The pairs with --older first, while C_older is still young.
	for pair in "${pairs[@]}"; do
		[[ $pair == *" older" ]] && check_pair $pair
	done
	if gk_older_than "${PID[older]}" 3000; then
		echo "C_older grew too old during the test" >&2
		false
	fi
	for pair in "${pairs[@]}"; do
		[[ $pair == *" older" ]] || check_pair $pair
	done
	gk_assert_alive "$P1" "$P2" "${PID[@]}"
}

@test "narrowing for real: -n and -u stop the targets, spare the controls" {
	local args k
	build_world
	mapfile -t args < <(criterion name; criterion user)
	gk_run --json "${args[@]}"
	assert_status 0
	for k in "${!PID[@]}"; do
		if [[ $k == name || $k == user ]]; then
			gk_assert_alive "${PID[$k]}"
		else
			gx_assert_target "${PID[$k]}" .outcome '"exited"'
			gk_assert_gone "${PID[$k]}"
		fi
	done
	assert_jq '[.targets[] | select(.outcome == "exited")] | length == 7'
	gk_assert_alive "$P1" "$P2"
}
