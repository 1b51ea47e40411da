"""pywinrm side of bench:winrm: N sequential commands against one lab host, timed.

Usage: /usr/bin/python3 winrm_pywinrm.py '<json: {url, username, password, command, expected, count, warmup, mode}>'
Two modes, both NTLM with message_encryption='always':
- mode 'run_cmd': Session.run_cmd, how pywinrm's users run a command: it opens a shell, runs the
  command, collects the output and closes the shell, each time.
- mode 'reused_shell': one shell opened once with Protocol.open_shell (during the warm-up), then per
  command run_command + get_command_output + cleanup_command; close_shell after the timed loop. This
  is pywinrm at its most economical, so the ratio against it measures the client itself.
The warm-up calls (NTLM handshake, connection, and in 'reused_shell' the shell Create) are not timed,
as for our client.

The parent counts the lab's requests for exactly the timed loop, so the run is stepped over stdin and
stdout: this prints {"ready": true} after the warm-up and waits for a line before timing; it prints
the result {seconds, count, cmds_per_s, mismatches} and waits for another line before closing the
shell. An empty stdin (the parent gone) ends the run with an error.
"""
import json
import sys
import time

import winrm


def step(message):
    print(json.dumps(message), flush=True)
    if sys.stdin.readline() == '':
        raise SystemExit('the benchmark closed stdin')


def expected_output(cfg, status, stdout):
    return status == 0 and stdout.decode('utf-8') == cfg['expected']


def run_cmd_mode(cfg, session):
    def one():
        r = session.run_cmd(cfg['command'])
        return expected_output(cfg, r.status_code, r.std_out)

    return one, lambda: None


def reused_shell_mode(cfg, session):
    protocol = session.protocol
    shell_id = protocol.open_shell()

    def one():
        command_id = protocol.run_command(shell_id, cfg['command'])
        stdout, _stderr, status = protocol.get_command_output(shell_id, command_id)
        protocol.cleanup_command(shell_id, command_id)
        return expected_output(cfg, status, stdout)

    return one, lambda: protocol.close_shell(shell_id)


def main():
    cfg = json.loads(sys.argv[1])
    session = winrm.Session(cfg['url'], auth=(cfg['username'], cfg['password']), transport='ntlm', message_encryption='always')
    modes = {'run_cmd': run_cmd_mode, 'reused_shell': reused_shell_mode}
    one, finish = modes[cfg['mode']](cfg, session)
    for _ in range(cfg.get('warmup', 1)):
        if not one():
            raise SystemExit('wrong output during the warm-up')
    step({'ready': True})
    mismatches = 0
    started = time.perf_counter()
    for _ in range(cfg['count']):
        if not one():
            mismatches += 1
    seconds = time.perf_counter() - started
    step({'seconds': seconds, 'count': cfg['count'], 'cmds_per_s': cfg['count'] / seconds, 'mismatches': mismatches})
    finish()


if __name__ == '__main__':
    main()
