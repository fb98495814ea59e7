# fish completion for gracekill(1).

# Signal names: those `gracekill -l` lists ("NUMBER NAME"), or a built-in
# list when no gracekill on PATH knows -l.
function __gracekill_signals
    if command -q gracekill; and set -l list (command gracekill -l 2>/dev/null)
        string replace -r '^ *\d+ ' '' -- $list
        return
    end
    printf '%s\n' HUP INT QUIT ILL TRAP ABRT IOT BUS FPE KILL USR1 SEGV \
        USR2 PIPE ALRM TERM STKFLT CHLD CLD CONT STOP TSTP TTIN TTOU URG \
        XCPU XFSZ VTALRM PROF WINCH IO POLL PWR SYS \
        RTMIN RTMIN+(seq 15) RTMAX-(seq 14 -1 1) RTMAX
end

# The token being completed, without a leading --option=.
function __gracekill_token
    string replace -r -- '^--[^=]*=' '' (commandline -ct)
end

# A SIG/DURATION/SIG/... list: offer a signal where one is due.
function __gracekill_schedule
    set -l pre (string match -r -- '^.*/' (__gracekill_token))
    set -l slashes (string replace -ra -- '[^/]' '' "$pre")
    test (math (string length -- "$slashes") % 2) -eq 0; or return
    printf '%s\n' "$pre"(__gracekill_signals)
end

# "PID<TAB>NAME" (-p) or "NAME" (-n) for every process in /proc.  Kernel
# threads (empty command line) are left out: gracekill never targets them.
function __gracekill_procs
    for dir in (string match -r -- '^/proc/\d+$' /proc/*)
        # fish warns when a redirection fails: the process may be gone.
        test -e $dir/comm; and read -z -l arg <$dir/cmdline; or continue
        read -l name <$dir/comm; or continue
        if test "$argv[1]" = -p
            printf '%s\t%s\n' (string replace /proc/ '' $dir) $name
        else
            printf '%s\n' $name
        end
    end
end

# PIDs, also as the next item of a comma list.
function __gracekill_pids
    set -l pre (string match -r -- '^.*,' (__gracekill_token))
    printf '%s\n' "$pre"(__gracekill_procs -p)
end

# The protocol prefix of a --port item; the rest is free text.
function __gracekill_ports
    string match -q -- '*:*' (__gracekill_token); or printf '%s\n' tcp: udp:
end

# Cgroups as cgroup paths (/system.slice/x.service), or with -u unit
# names, under the cgroup2 mount found in /proc/self/mountinfo (proc(5)).
function __gracekill_cgroups
    set -l mnt (string match -r -- '^\S+ \S+ \S+ \S+ (\S+) .* - cgroup2 ' \
        </proc/self/mountinfo)[2]
    test -n "$mnt"; or return
    if test "$argv[1]" = -u
        find $mnt -mindepth 1 -type d \( -name '*.service' -o -name '*.scope' \
            -o -name '*.slice' -o -name '*.socket' -o -name '*.mount' \
            -o -name '*.swap' \) -printf '%f\n' 2>/dev/null
    else
        find $mnt -mindepth 1 -type d -printf '/%P\n' 2>/dev/null
    end
end

complete -c gracekill -f
complete -c gracekill -a '(__gracekill_procs)' -d 'process name'
# A first argument -SIG means -s SIG, as with kill.
complete -c gracekill -n 'test (count (commandline -opc)) -eq 1' \
    -a '-(__gracekill_signals)' -d signal

complete -c gracekill -s p -l pid -x -a '(__gracekill_pids)' \
    -d 'Select processes by ID'
complete -c gracekill -s F -l pidfile -r -F -d 'Select the process in a pidfile'
complete -c gracekill -s n -l name -x -a '(__gracekill_procs)' \
    -d 'Select processes by name'
complete -c gracekill -s x -l exe -r -F -d 'Select processes by executable'
complete -c gracekill -s f -l full -x -d 'Select by full command line (ERE)'
complete -c gracekill -s P -l parent -x -a '(__gracekill_procs -p)' \
    -d 'Select the children of a process'
complete -c gracekill -s u -l user -x -a '(__fish_complete_users)' \
    -d 'Select processes by user'
complete -c gracekill -l older -x -d 'Select processes started DURATION ago'
complete -c gracekill -l cgroup -x -a '(__gracekill_cgroups)' \
    -d 'Select processes in a cgroup'
complete -c gracekill -l unit -x -a '(__gracekill_cgroups -u)' \
    -d 'Select the processes of a systemd unit'
complete -c gracekill -s g -l pgroup -x -d 'Select members of process groups'
complete -c gracekill -l session -x -d 'Select members of sessions'
complete -c gracekill -l port -x -a '(__gracekill_ports)' \
    -d 'Select holders of a port'
complete -c gracekill -s T -d 'Also take every descendant'
complete -c gracekill -l tree -a 'all mixed' -d 'Also take every descendant'
complete -c gracekill -s s -l signal -x -a '(__gracekill_signals)' \
    -d 'First signal'
complete -c gracekill -s t -l timeout -x -d 'Grace period after SIG'
complete -c gracekill -l kill-wait -x -d 'How long to wait after SIGKILL'
complete -c gracekill -s S -l schedule -x -a '(__gracekill_schedule)' \
    -d 'The whole schedule: SIG/DURATION/...'
complete -c gracekill -l no-escalate -d 'Never send SIGKILL'
complete -c gracekill -l no-cont -d 'Send no SIGCONT after a graceful signal'
complete -c gracekill -l no-wait -d 'Send the first signal and return'
complete -c gracekill -s j -l json -d 'Print the report as JSON'
complete -c gracekill -s q -l quiet -d 'Print nothing but errors'
complete -c gracekill -s v -l verbose -d 'Report events on stderr'
complete -c gracekill -l dry-run -d 'Show the targets, signal nothing'
complete -c gracekill -s o -l oknodo -d 'Exit 0 when nothing matched'
complete -c gracekill -l remove-pidfile \
    -d 'Remove each pidfile once its process is gone'
complete -c gracekill -s l -l list -d 'List signal names and numbers'
complete -c gracekill -s h -l help -d 'Show usage'
complete -c gracekill -s V -l version -d 'Show version'
