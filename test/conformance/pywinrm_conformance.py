"""Drives the simulated lab with pywinrm (Debian python3-winrm), an independent real WinRM client.

Usage: /usr/bin/python3 pywinrm_conformance.py '<json: {httpUrl, httpsUrl, username, password, caFile}>'
Prints one JSON object with what each case observed; the vitest file asserts on it. Each case is
isolated: an exception is recorded as {"error": "..."} instead of stopping the run.
"""
import base64
import json
import sys
import traceback

import winrm
from winrm.exceptions import InvalidCredentialsError, WinRMOperationTimeoutError


def encoded(script):
    return base64.b64encode(script.encode('utf-16-le')).decode('ascii')


def run_case(results, name, fn):
    try:
        results[name] = fn()
    except Exception as exc:  # recorded, asserted on by the test
        results[name] = {'error': '%s: %s' % (type(exc).__name__, exc), 'trace': traceback.format_exc()[-800:]}


def session_cases(results, prefix, session):
    def echo():
        r = session.run_cmd('echo hi')
        return {'rc': r.status_code, 'stdout': r.std_out.decode('utf-8'), 'stderr': r.std_err.decode('utf-8')}

    def stderr_rc():
        r = session.run_cmd('cmd.exe', ['/c', 'echo out && echo err>&2 && exit 1'])
        return {'rc': r.status_code, 'stdout': r.std_out.decode('utf-8'), 'stderr': r.std_err.decode('utf-8')}

    def run_ps():
        r = session.run_ps("$ProgressPreference = 'SilentlyContinue'; Write-Output 'hello'; $env:COMPUTERNAME; exit 4")
        return {'rc': r.status_code, 'stdout': r.std_out.decode('utf-8')}

    run_case(results, prefix + '.run_cmd', echo)
    run_case(results, prefix + '.run_cmd_stderr', stderr_rc)
    run_case(results, prefix + '.run_ps', run_ps)


def protocol_cases(results, prefix, protocol):
    def unicode_and_error():
        shell = protocol.open_shell(codepage=65001)
        try:
            cid = protocol.run_command(shell, 'powershell.exe -NoProfile -EncodedCommand ' + encoded("Write-Output 'Überwachung-01 测试'; fake-cmdlet"))
            out, err, rc = protocol.get_command_output(shell, cid)
            protocol.cleanup_command(shell, cid)
        finally:
            protocol.close_shell(shell)
        # pywinrm's own CLIXML clean-up (Session._clean_error_msg) must understand our stderr.
        cleaned = winrm.Session.__new__(winrm.Session)._clean_error_msg(err.decode('utf-8'))
        return {'rc': rc, 'stdout': out.decode('utf-8'), 'stderrRaw': err.decode('utf-8'), 'stderrClean': cleaned}

    def operation_timeout():
        # Drive Receive by hand to count the w:TimedOut faults pywinrm would otherwise retry silently.
        shell = protocol.open_shell(codepage=65001)
        timeouts = 0
        stdout = b''
        try:
            cid = protocol.run_command(shell, 'powershell.exe', ["Write-Host before; Start-Sleep -Seconds 5; Write-Host after; exit 7"])
            done = False
            rc = None
            while not done:
                try:
                    out, _err, rc, done = protocol._raw_get_command_output(shell, cid)
                    stdout += out
                except WinRMOperationTimeoutError:
                    timeouts += 1
            protocol.cleanup_command(shell, cid)
        finally:
            protocol.close_shell(shell)
        return {'rc': rc, 'stdout': stdout.decode('utf-8'), 'timeouts': timeouts}

    run_case(results, prefix + '.unicode_and_error', unicode_and_error)
    run_case(results, prefix + '.operation_timeout', operation_timeout)


def main():
    cfg = json.loads(sys.argv[1])
    results = {}
    user, password = cfg['username'], cfg['password']

    ntlm = winrm.Session(cfg['httpUrl'], auth=(user, password), transport='ntlm', message_encryption='always')
    session_cases(results, 'ntlm', ntlm)
    protocol_cases(results, 'ntlm', winrm.Protocol(cfg['httpUrl'], transport='ntlm', username=user, password=password,
                                                   message_encryption='always', operation_timeout_sec=2, read_timeout_sec=4))

    if cfg.get('httpsUrl'):
        basic = winrm.Session(cfg['httpsUrl'], auth=(user, password), transport='ssl', ca_trust_path=cfg['caFile'])
        session_cases(results, 'basic_https', basic)
        protocol_cases(results, 'basic_https', winrm.Protocol(cfg['httpsUrl'], transport='ssl', username=user, password=password,
                                                              ca_trust_path=cfg['caFile'], operation_timeout_sec=2, read_timeout_sec=4))

    def bad_password():
        try:
            winrm.Session(cfg['httpUrl'], auth=(user, 'wrong-password'), transport='ntlm', message_encryption='always').run_cmd('hostname')
            return {'rejected': False}
        except InvalidCredentialsError as exc:
            return {'rejected': True, 'message': str(exc)}

    run_case(results, 'ntlm.bad_password', bad_password)
    print(json.dumps(results, ensure_ascii=False))


if __name__ == '__main__':
    main()
