#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026 The gracekill authors
# ISC License (see LICENSE at the top of the gracekill repository)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


DOCUMENTATION = r'''
---
module: gracekill
short_description: Stop processes gracefully, wait for them and report how each ended
description:
  - Runs gracekill(1) on the managed host. It selects
    processes through C(/proc) by PID, pidfile, name, executable, command line,
    parent, user, age, cgroup, systemd unit, process group, session or listening
    port, sends a signal, waits for each target to exit, escalates along a
    schedule (in the end to SIGKILL) and reports per process how it ended.
  - The options mirror the long options of gracekill, with C(_) for C(-). Every
    selector is a criterion and a target must meet all the criteria given; the
    values of one selector are alternatives, as on the command line.
  - The module always runs gracekill with C(--json) and returns its report.
  - Exit status 1 of gracekill (nothing matched) is not a failure and changes
    nothing. Exit status 2 (a target survived the schedule, or a port is still
    held), 3 (trouble, for example a pidfile that is malformed or insecure, or a
    process that could not be signalled) and 64 (usage error) fail the task.
version_added: "0.1.0"
author:
  - The gracekill authors (!UNKNOWN)
requirements:
  - gracekill on the managed host (in C(PATH), or given with I(executable))
options:
  pid:
    description:
      - Process IDs (C(--pid)). A string is split at commas.
    type: list
    elements: int
  pidfile:
    description:
      - Pidfiles holding the PID of a target (C(--pidfile)). gracekill reads them
        strictly and, running as root, trusts a pidfile owned by another user or
        writable by others only when an identity criterion (I(name), I(exe),
        I(user), I(cgroup) or I(unit)) confirms the process.
      - A string or a list of strings. A string is not split at commas.
    type: raw
  name:
    description:
      - Process names, matched exactly against the kernel's C(comm) (C(--name)).
      - A string or a list of strings. A string is not split at commas.
    type: raw
  exe:
    description:
      - Paths of executables (C(--exe)); a binary replaced on disk still matches.
      - A string or a list of strings. A string is not split at commas.
    type: raw
  full:
    description:
      - POSIX extended regular expressions matched against the whole command line
        (C(--full)).
      - A string or a list of strings. A string is not split at commas, so a
        regular expression such as C(a{1,3}) stays whole.
    type: raw
  parent:
    description:
      - Parent process IDs, whose children are selected (C(--parent)).
    type: list
    elements: int
  user:
    description:
      - Users (names or numeric IDs) whose processes are selected by real or
        effective user ID (C(--user)).
    type: list
    elements: str
  older:
    description:
      - Only processes started at least this long ago (C(--older)), a gracekill
        DURATION such as C(30), C(30s), C(1.5s), C(250ms), C(2m), C(1h).
      - It narrows the other selectors and cannot be the only one.
    type: str
  cgroup:
    description:
      - Cgroups, as the C(0::) line of C(/proc/PID/cgroup) shows them or relative
        to the cgroup2 mount (C(--cgroup)). Members of cgroups below them match
        too.
      - A string or a list of strings. A string is not split at commas.
    type: raw
  unit:
    description:
      - systemd units whose cgroup holds the targets (C(--unit)); C(.service) is
        appended to a name without a unit suffix.
      - A string or a list of strings. A string is not split at commas.
    type: raw
  pgroup:
    description:
      - Process group IDs (C(--pgroup)); C(0) is gracekill's own group.
    type: list
    elements: int
  session:
    description:
      - Session IDs (C(--session)); C(0) is gracekill's own session.
    type: list
    elements: int
  port:
    description:
      - Sockets whose holders are selected (C(--port)), each
        C([tcp:|udp:][ADDR:]PORT), for example C(8080), C(udp:53),
        C(tcp:[::1]:443). After the schedule gracekill checks every port again
        and the task fails if one is still held.
    type: list
    elements: str
  tree:
    description:
      - Also take every descendant of every target (C(--tree=MODE)).
      - C(none) takes the selected processes only.
      - C(all) sends every step of the schedule to the whole tree.
      - C(mixed) sends the graceful steps to the selected processes only and
        SIGKILL to the whole tree, as systemd's C(KillMode=mixed) does.
    type: str
    choices: [none, all, mixed]
    default: none
  schedule:
    description:
      - The whole schedule, C(SIG/DUR/SIG/DUR...) (C(--schedule)), for example
        C(WINCH/30/TERM/5/KILL/5) or C(INT/600/INT/10/KILL/5). A plain DURATION
        means C(TERM/DURATION/KILL/5s).
      - Mutually exclusive with I(signal), I(timeout), I(kill_wait) and
        I(no_escalate).
    type: str
  signal:
    description:
      - The first signal (C(--signal)), a name with or without C(SIG) in any
        case, a number, C(RTMIN+N), C(RTMAX-N), or C(0) to send nothing and only
        wait. gracekill's default is C(TERM).
    type: str
  timeout:
    description:
      - The grace period after the first signal (C(--timeout)), a DURATION or
        C(infinity). gracekill's default is C(10s).
    type: str
  kill_wait:
    description:
      - How long to wait after SIGKILL (C(--kill-wait)). gracekill's default is
        C(5s).
    type: str
  no_escalate:
    description:
      - Never send SIGKILL (C(--no-escalate)); the schedule is I(signal) and
        I(timeout) only, and a process that outlives it fails the task.
    type: bool
    default: false
  no_cont:
    description:
      - Do not send SIGCONT to stopped targets after a graceful signal
        (C(--no-cont)).
    type: bool
    default: false
  no_wait:
    description:
      - Send the first signal and return at once (C(--no-wait)); the targets are
        reported as C(signalled).
    type: bool
    default: false
  oknodo:
    description:
      - Exit status 0 when nothing matched (C(--oknodo)). Without it, nothing
        matched is still not a failure of the task, only C(exit_code) differs.
    type: bool
    default: false
  remove_pidfile:
    description:
      - Remove each pidfile once its process is gone (C(--remove-pidfile)). A
        removed pidfile counts as a change and is listed in C(pidfiles_removed).
    type: bool
    default: false
  executable:
    description:
      - Path of the gracekill binary. By default it is looked up in C(PATH) and
        the usual C(sbin) directories.
    type: path
notes:
  - Check mode runs gracekill with C(--dry-run), which signals nothing; C(changed)
    then says whether any process matched, that is, whether a real run would
    signal something. Each target's C(outcome) is C(matched).
  - gracekill never signals PID 1, itself or its ancestors, so a selector that
    matches the Ansible module process or its interpreter leaves them out.
  - Ansible splits a string given to a list option at commas. The options whose
    values may contain a comma (I(pidfile), I(name), I(exe), I(full), I(cgroup),
    I(unit)) take a string or a list and never split.
'''

EXAMPLES = r'''
- name: Stop the app through its pidfile, TERM then KILL after 30 s
  gracekill:
    pidfile: /run/app/app.pid
    name: app
    schedule: TERM/30/KILL/5

- name: Stop Apache gracefully, with a fail-safe, and see every worker's fate
  gracekill:
    pidfile: /run/apache2/apache2.pid
    schedule: WINCH/30/TERM/5/KILL/5
    tree: mixed
  register: apache_stop

- name: Show which processes needed SIGKILL
  ansible.builtin.debug:
    msg: "{{ apache_stop.targets | selectattr('outcome', 'eq', 'killed') | list }}"

- name: Stop the rq workers, letting a long job finish
  gracekill:
    full: '^/usr/bin/python3 .*rq worker'
    user: rq
    schedule: INT/600/INT/10/KILL/5
    tree: mixed

- name: Free port 8080 (fails if anything still listens there afterwards)
  gracekill:
    port: [8080]
    signal: TERM
    timeout: 10s

- name: Wait up to a minute for a job to end by itself, never signalling it
  gracekill:
    pid: "{{ job_pid }}"
    signal: 0
    timeout: 60
    no_escalate: true

- name: Stop the old release's workers if any still run
  gracekill:
    name: [worker-a, worker-b]
    older: 1m
    oknodo: true
'''

RETURN = r'''
report:
  description:
    - The whole report of gracekill (C(--json)), as its manual describes it;
      it also lists each port (C(ports)) and cgroup (C(cgroups)) when those
      selectors are given, and whether each ended free or empty.
  returned: when gracekill printed a report (not on usage errors)
  type: dict
  sample:
    version: 1
    targets:
      - pid: 1234
        name: gunicorn
        outcome: exited
        exit: {code: 0}
        signals: [TERM]
        seconds: 1.203
        state: null
        reason: null
    summary: {exited: 1, killed: 0, survived: 0, vanished: 0, denied: 0, skipped: 0}
    exit_code: 0
targets:
  description:
    - One entry per target with its C(pid), C(name), C(outcome) (C(exited),
      C(killed), C(survived), C(vanished), C(denied), C(skipped), C(signalled),
      or C(matched) in check mode), C(exit), C(signals), C(seconds), C(state),
      C(reason) and, from gracekill versions that report them, C(reaped),
      C(parent) and C(cgroup). The same as C(report.targets).
  returned: when gracekill printed a report
  type: list
  elements: dict
  sample:
    - {pid: 1234, name: gunicorn, outcome: exited, exit: {code: 0}, signals: [TERM],
       seconds: 1.203, state: null, reason: null}
summary:
  description:
    - How many targets had each outcome (C(report.summary)); in check mode it
      also counts C(matched).
  returned: when gracekill printed a report
  type: dict
  sample: {exited: 1, killed: 0, survived: 0, vanished: 0, denied: 0, skipped: 0}
exit_code:
  description:
    - gracekill's exit status; 0 every target is gone, 1 nothing matched,
      2 something survived or a port is still held, 3 trouble, 64 usage error.
  returned: always
  type: int
  sample: 0
rc:
  description: The exit status of the gracekill process (the same as C(exit_code)).
  returned: always
  type: int
  sample: 0
cmd:
  description: The command line that was run.
  returned: always
  type: list
  elements: str
  sample: [/usr/bin/gracekill, --json, --pidfile=/run/app.pid, --schedule=TERM/30/KILL/5]
stderr:
  description: What gracekill wrote on its standard error (messages, never the report).
  returned: always
  type: str
  sample: "gracekill: no matching process"
stdout:
  description: gracekill's standard output, when it was not a JSON document.
  returned: when the output could not be parsed
  type: str
pidfiles_removed:
  description: The pidfiles that I(remove_pidfile) removed.
  returned: always
  type: list
  elements: str
  sample: [/run/app.pid]
'''

import json
import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.six import integer_types, string_types


# Selectors in the order gracekill documents them: (option, flag).
SELECTORS = (
    ('pid', '--pid'),
    ('pidfile', '--pidfile'),
    ('name', '--name'),
    ('exe', '--exe'),
    ('full', '--full'),
    ('parent', '--parent'),
    ('user', '--user'),
    ('cgroup', '--cgroup'),
    ('unit', '--unit'),
    ('pgroup', '--pgroup'),
    ('session', '--session'),
    ('port', '--port'),
)

# Options that take a string or a list and are never split at commas.
UNSPLIT = ('pidfile', 'name', 'exe', 'full', 'cgroup', 'unit')

VALUED = (
    ('older', '--older'),
    ('schedule', '--schedule'),
    ('signal', '--signal'),
    ('timeout', '--timeout'),
    ('kill_wait', '--kill-wait'),
)

FLAGS = (
    ('no_escalate', '--no-escalate'),
    ('no_cont', '--no-cont'),
    ('no_wait', '--no-wait'),
    ('oknodo', '--oknodo'),
    ('remove_pidfile', '--remove-pidfile'),
)


def unsplit_list(module, option):
    """The value of a string-or-list option as a list of strings."""
    value = module.params[option]
    if value is None:
        return []
    if isinstance(value, (string_types, integer_types, float)) and \
            not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list):
        module.fail_json(msg="%s: expected a string or a list of strings, got %s"
                         % (option, type(value).__name__))
    values = []
    for v in value:
        if isinstance(v, bool) or \
                not isinstance(v, (string_types, integer_types, float)):
            module.fail_json(msg="%s: expected a string, got %s in the list"
                             % (option, type(v).__name__))
        values.append(str(v))
    return values


def build_command(module, gracekill):
    p = module.params
    cmd = [gracekill, '--json']
    if module.check_mode:
        cmd.append('--dry-run')
    for option, flag in SELECTORS:
        if option in UNSPLIT:
            values = unsplit_list(module, option)
        else:
            values = p[option] or []
        # --opt=VALUE: a value starting with '-' stays a value.
        cmd.extend('%s=%s' % (flag, v) for v in values)
    if p['tree'] != 'none':
        cmd.append('--tree=%s' % p['tree'])
    for option, flag in VALUED:
        if p[option] is not None:
            cmd.append('%s=%s' % (flag, p[option]))
    for option, flag in FLAGS:
        if p[option]:
            cmd.append(flag)
    return cmd


def messages(stderr):
    """gracekill's own lines of stderr, without the usage synopsis."""
    lines = []
    for line in stderr.splitlines():
        if line.startswith('usage:') or line.startswith(' '):
            continue
        if line.strip():
            lines.append(line.strip())
    return lines


def describe(target):
    if not isinstance(target, dict):
        return str(target)
    text = '%s (%s)' % (target.get('pid'), target.get('name'))
    details = []
    if target.get('state'):
        details.append('state %s' % target['state'])
    if target.get('reason'):
        details.append(target['reason'])
    if details:
        text += ' [%s]' % ', '.join(details)
    return text


def survivors_message(report):
    parts = []
    survivors = [t for t in report.get('targets', [])
                 if t.get('outcome') == 'survived']
    if survivors:
        parts.append('%d process%s still running after the schedule: %s'
                     % (len(survivors), '' if len(survivors) == 1 else 'es',
                        ', '.join(describe(t) for t in survivors)))
    for port in report.get('ports') or []:
        if port.get('free', True):
            continue
        where = '%s:%s' % (port.get('proto'), port.get('port'))
        if port.get('addr'):
            where = '%s:%s:%s' % (port.get('proto'), port['addr'],
                                  port.get('port'))
        holders = ', '.join(describe(h) for h in port.get('held_by') or [])
        parts.append('port %s still held%s' % (where,
                                                ' by ' + holders if holders else ''))
    return '; '.join(parts)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            pid=dict(type='list', elements='int'),
            pidfile=dict(type='raw'),
            name=dict(type='raw'),
            exe=dict(type='raw'),
            full=dict(type='raw'),
            parent=dict(type='list', elements='int'),
            user=dict(type='list', elements='str'),
            older=dict(type='str'),
            cgroup=dict(type='raw'),
            unit=dict(type='raw'),
            pgroup=dict(type='list', elements='int'),
            session=dict(type='list', elements='int'),
            port=dict(type='list', elements='str'),
            tree=dict(type='str', default='none',
                      choices=['none', 'all', 'mixed']),
            schedule=dict(type='str'),
            signal=dict(type='str'),
            timeout=dict(type='str'),
            kill_wait=dict(type='str'),
            no_escalate=dict(type='bool', default=False),
            no_cont=dict(type='bool', default=False),
            no_wait=dict(type='bool', default=False),
            oknodo=dict(type='bool', default=False),
            remove_pidfile=dict(type='bool', default=False),
            executable=dict(type='path'),
        ),
        mutually_exclusive=[
            ('schedule', 'signal'),
            ('schedule', 'timeout'),
            ('schedule', 'kill_wait'),
            ('schedule', 'no_escalate'),
        ],
        required_one_of=[[option for option, _ in SELECTORS]],
        supports_check_mode=True,
    )

    gracekill = module.params['executable']
    if gracekill is None:
        gracekill = module.get_bin_path('gracekill', required=True)
    cmd = build_command(module, gracekill)

    pidfiles = []
    if module.params['remove_pidfile'] and not module.check_mode:
        pidfiles = [f for f in unsplit_list(module, 'pidfile')
                    if os.path.lexists(f)]

    rc, stdout, stderr = module.run_command(cmd, check_rc=False)

    result = dict(changed=False, cmd=cmd, rc=rc, exit_code=rc, stderr=stderr,
                  pidfiles_removed=[f for f in pidfiles
                                    if not os.path.lexists(f)])
    report = None
    if stdout.strip():
        try:
            report = json.loads(stdout)
        except ValueError:
            result['stdout'] = stdout
    if isinstance(report, dict):
        result['report'] = report
        result['targets'] = report.get('targets', [])
        result['summary'] = report.get('summary', {})
        result['exit_code'] = report.get('exit_code', rc)
        if module.check_mode:
            result['changed'] = any(t.get('outcome') == 'matched'
                                    for t in result['targets'])
        else:
            # A denied target's signal was refused: nothing changed there.
            result['changed'] = any(
                t.get('signals') and
                t.get('outcome') not in ('denied', 'vanished', 'skipped')
                for t in result['targets'])
    elif report is not None:
        result['stdout'] = stdout
        report = None
    if result['pidfiles_removed']:
        result['changed'] = True

    stderr_text = '; '.join(messages(stderr))
    if rc in (0, 1) and report is not None:
        # Explicit: Ansible takes a result with a nonzero rc for a failure.
        module.exit_json(failed=False, **result)
    if rc == 2 and report is not None:
        result['msg'] = survivors_message(report) or \
            stderr_text or 'gracekill: a target survived the schedule'
    elif rc == 3:
        parts = [stderr_text or 'gracekill: trouble (exit status 3)']
        if report is not None and survivors_message(report):
            parts.append(survivors_message(report))
        result['msg'] = '; '.join(parts)
    elif rc == 64:
        result['msg'] = stderr_text or 'gracekill: usage error (exit status 64)'
    elif rc < 0:
        result['msg'] = 'gracekill was killed by signal %d' % -rc
    else:
        result['msg'] = 'gracekill exited with status %d%s' % (
            rc, ' without a JSON report' if report is None else '')
        if stderr_text:
            result['msg'] += ': ' + stderr_text
    module.fail_json(**result)


if __name__ == '__main__':
    main()
