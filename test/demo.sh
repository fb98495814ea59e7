#!/bin/sh
# make demo: start three demo processes of our own and stop them with
# gracekill, so a newcomer sees a real report.  Only our PIDs are named.
set -eu
gk=${1:-./gracekill}
dir=$(mktemp -d "${TMPDIR:-/tmp}/gracekill-demo.XXXXXX")
pids=
cleanup() {
	for p in $pids; do kill -KILL "$p" 2>/dev/null || :; done
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
start() {	# name, then gk-target options
	name=$1; shift
	ln -s "$(pwd)/test/gk-target" "$dir/$name"
	"$dir/$name" -R "$dir/$name.ready" "$@" &
	pids="$pids $!"
}
start demo-drainer -c TERM -d 400 -x 0	# drains 0.4 s, then exits 0
start demo-stubborn -i TERM		# ignores TERM: needs SIGKILL
start demo-quick -c TERM		# dies on TERM at once
for name in demo-drainer demo-stubborn demo-quick; do
	i=0
	while [ ! -s "$dir/$name.ready" ]; do
		i=$((i + 1))
		[ "$i" -le 500 ] || { echo "demo: $name did not start" >&2; exit 1; }
		sleep 0.01
	done
done
echo "\$ gracekill -t 2 --kill-wait 1 $pids"
set +e
"$gk" -t 2 --kill-wait 1 $pids
status=$?
set -e
echo "(exit status $status)"
pids=
