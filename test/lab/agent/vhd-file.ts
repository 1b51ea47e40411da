/**
 * The lab's stand-in for a VHD file's content: its metadata as one line of JSON, so Copy-Item
 * carries it along and both the simulated Hyper-V module (pwsh/hyperv-rpc.ts) and the TypeScript
 * stand-in (agent/jobs/hardware.ts) read the same size from the same file.
 */
export interface LabVhd {
  format: 'VHD' | 'VHDX';
  type: 'Fixed' | 'Dynamic' | 'Differencing';
  sizeBytes: number;
  fileSizeBytes: number;
  parentPath?: string | null;
}

export const VHD_STUB = 'AETHERV-LAB-VHD ';

export function labVhdFileContent(vhd: LabVhd): string {
  return `${VHD_STUB}${JSON.stringify(vhd)}\n`;
}

/** The metadata in a stub file, or undefined for any other content (a golden image written as text). */
export function parseLabVhd(content: Buffer | undefined): LabVhd | undefined {
  if (!content) return undefined;
  const text = content.subarray(0, 4096).toString('utf8');
  if (!text.startsWith(VHD_STUB)) return undefined;
  try {
    return JSON.parse(text.slice(VHD_STUB.length).split('\n')[0]!) as LabVhd;
  } catch {
    return undefined;
  }
}
