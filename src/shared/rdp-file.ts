/**
 * The .rdp file the "Remote Desktop" button opens (browser download or Electron temp file), one
 * builder for both. Only an IP address the inventory reported goes in, checked here again, so no
 * line break or other setting can be smuggled into the file.
 */

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;
const IPV6 = /^[0-9a-fA-F:.]{2,45}$/;

export function isPlainIpAddress(address: string): boolean {
  return IPV4.test(address) || (address.includes(':') && IPV6.test(address));
}

/** `full address` as mstsc reads it: the port only when it is not 3389, IPv6 in brackets then. */
export function rdpFullAddress(address: string, port: number): string {
  if (!isPlainIpAddress(address)) throw new Error(`"${address}" is not an IP address; a .rdp file is only written for an address the VM's host reported`);
  if (port === 3389) return address;
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The file's text: CRLF lines, credentials asked for by the client (none are ever written). */
export function rdpFileText(address: string, port: number): string {
  return [
    `full address:s:${rdpFullAddress(address, port)}`,
    'prompt for credentials:i:1',
    'administrative session:i:0',
    'screen mode id:i:2',
    'use multimon:i:0',
    'authentication level:i:2',
    'redirectclipboard:i:1',
    '',
  ].join('\r\n');
}

/** `<vm>.rdp`, with anything a file name may not hold on Windows, macOS or Linux replaced by "_". */
export function rdpFileName(vmName: string): string {
  const safe = vmName.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').replace(/^[.\s]+|[.\s]+$/g, '').slice(0, 100);
  return `${safe || 'vm'}.rdp`;
}

export const RDP_CONTENT_TYPE = 'application/x-rdp';
