import type { JobExportResponse } from '../../../shared/contract';

/** The bytes of an export response: utf8 text as is, base64 (zip) decoded. */
export function exportBlob(response: Pick<JobExportResponse, 'content' | 'contentType' | 'encoding'>): Blob {
  if (response.encoding === 'utf8') return new Blob([response.content], { type: response.contentType });
  const binary = atob(response.content);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type: response.contentType });
}

/**
 * Saves an export through an `<a download>` click: Electron turns it into the native save dialog,
 * a browser into a download. The object URL is released once the click has been handled.
 */
export function saveExport(response: Pick<JobExportResponse, 'content' | 'contentType' | 'encoding' | 'filename'>): void {
  const url = URL.createObjectURL(exportBlob(response));
  const a = document.createElement('a');
  a.href = url;
  a.download = response.filename;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
