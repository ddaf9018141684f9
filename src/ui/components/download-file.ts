/**
 * Saves a Blob as a file through a temporary <a download>. The object URL is revoked a little
 * later rather than at once: some browsers start reading the URL only after the click returns.
 */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function downloadText(text: string, fileName: string, type = 'text/plain;charset=utf-8'): void {
  downloadBlob(new Blob([text], { type }), fileName);
}

export function downloadBytes(bytes: Uint8Array, fileName: string, type = 'application/octet-stream'): void {
  // A copy into a fresh ArrayBuffer: the Blob constructor rejects views over shared memory.
  downloadBlob(new Blob([bytes.slice().buffer as ArrayBuffer], { type }), fileName);
}
