/** The connect actions' files and command lines: argument arrays, no shell, nothing but an IP in a .rdp file. */
import { describe, expect, test } from 'vitest';
import { consoleArgs, rdpOpener, vmconnect, type Platform } from '../../src/main/reachability';
import { rdpFileName, rdpFileText } from '../../src/shared/rdp-file';

const windows = (installed: boolean): Platform => ({ platform: 'win32', env: { SystemRoot: 'C:\\Windows' }, exists: (f) => installed && f === 'C:\\Windows\\System32\\vmconnect.exe' });

describe('connect actions', () => {
  test('vmconnect.exe only on Windows, only when %SystemRoot%\\System32\\vmconnect.exe exists; its arguments are an array with the VM name as one element', () => {
    expect(vmconnect(windows(true))).toEqual({ path: 'C:\\Windows\\System32\\vmconnect.exe', reason: 'vmconnect.exe is installed' });
    expect(vmconnect(windows(false))).toMatchObject({ path: null, reason: expect.stringContaining('Hyper-V Management Tools') });
    expect(vmconnect({ platform: 'linux', env: {}, exists: () => true })).toMatchObject({ path: null, reason: expect.stringContaining('only on Windows') });
    expect(consoleArgs('hv01.lab.local', 'web "01" & calc', '0d6dab93-5144-4b80-9904-e252122a5b48')).toEqual(['hv01.lab.local', 'web "01" & calc', '-G', '0d6dab93-5144-4b80-9904-e252122a5b48']);
    expect(rdpOpener(windows(true), 'C:\\Temp\\a.rdp')).toEqual({ file: 'C:\\Windows\\System32\\mstsc.exe', args: ['C:\\Temp\\a.rdp'] });
    expect(rdpOpener({ platform: 'darwin', env: {}, exists: () => true }, '/tmp/a.rdp')).toEqual({ file: 'open', args: ['/tmp/a.rdp'] });
  });

  test('.rdp file: the address (and a port other than 3389), no credentials; anything but an IP address is refused', () => {
    expect(rdpFileText('127.1.0.10', 3389)).toMatch(/^full address:s:127\.1\.0\.10\r\nprompt for credentials:i:1\r\n/);
    expect(rdpFileText('127.1.0.10', 13389)).toContain('full address:s:127.1.0.10:13389\r\n');
    expect(rdpFileText('2001:db8::5', 13389)).toContain('full address:s:[2001:db8::5]:13389\r\n');
    expect(() => rdpFileText('127.1.0.10\r\nalternate shell:s:cmd', 3389)).toThrow(/not an IP address/);
    expect(() => rdpFileText('evil.example', 3389)).toThrow(/not an IP address/);
    expect(rdpFileName('web/01: "prod"')).toBe('web_01_ _prod_.rdp');
    expect(rdpFileName('测试-db')).toBe('测试-db.rdp');
    expect(rdpFileName('..')).toBe('vm.rdp');
  });
});
