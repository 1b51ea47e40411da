"""pywinrm side of bench:winrm: N sequential run_cmd calls against one lab host, timed.

Usage: /usr/bin/python3 winrm_pywinrm.py '<json: {url, username, password, command, expected, count, warmup}>'
Session.run_cmd is how pywinrm's users run a command: it opens a shell, runs the command, collects
the output and closes the shell, each time. The warm-up calls (NTLM handshake, connection) are not
timed, as for our client. Prints one JSON line: {seconds, count, cmds_per_s, mismatches}.
"""
import json
import sys
import time

import winrm


def main():
    cfg = json.loads(sys.argv[1])
    session = winrm.Session(cfg['url'], auth=(cfg['username'], cfg['password']), transport='ntlm', message_encryption='always')
    for _ in range(cfg.get('warmup', 1)):
        session.run_cmd(cfg['command'])
    mismatches = 0
    started = time.perf_counter()
    for _ in range(cfg['count']):
        r = session.run_cmd(cfg['command'])
        if r.status_code != 0 or r.std_out.decode('utf-8') != cfg['expected']:
            mismatches += 1
    seconds = time.perf_counter() - started
    print(json.dumps({'seconds': seconds, 'count': cfg['count'], 'cmds_per_s': cfg['count'] / seconds, 'mismatches': mismatches}))


if __name__ == '__main__':
    main()
