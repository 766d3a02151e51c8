/**
 * "Save as…" for text the renderer built itself (Follow Stream): a download of a Blob URL. In serve
 * mode the browser saves it; Electron shows its Save dialog for a download too (the desktop bridge's
 * saveFileDialog only names capture files for the engine to write, and the renderer cannot write).
 */
export function downloadBlob(fileName: string, data: string | Uint8Array, type: string): void {
  const part: BlobPart = typeof data === 'string' ? data : (data.slice().buffer as ArrayBuffer);
  const url = URL.createObjectURL(new Blob([part], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has taken its copy once click() returns in Chromium; a little slack for others.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
