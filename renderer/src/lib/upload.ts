/**
 * Serve mode's Open for a file of the browser's machine: the bytes go to `POST /upload?name=NAME`,
 * which answers the path on the engine's machine to open. XMLHttpRequest rather than fetch: it
 * reports upload progress (a capture can be large) and aborts.
 */
import { serveToken } from './rpc';

export interface UploadOptions {
  onProgress?: (sent: number, total: number) => void;
  signal?: AbortSignal;
}

const failure = (message: string, code = 'EUPLOAD'): Error => Object.assign(new Error(message), { code });

/** The server's reason for refusing an upload: its JSON error message or its text. */
export function uploadRefusal(status: number, body: string, name: string): string {
  let message = body.trim();
  try {
    const parsed = JSON.parse(body) as { error?: { message?: string }; message?: string };
    message = parsed.error?.message ?? parsed.message ?? message;
  } catch {
    // plain text
  }
  return `uploading ${name} failed (${status})${message ? `: ${message}` : ''}`;
}

export function uploadCapture(file: File, options: UploadOptions = {}): Promise<string> {
  const q = new URLSearchParams({ name: file.name });
  const token = serveToken();
  if (token) q.set('token', token);
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(failure('the upload was cancelled', 'ECANCELED'));
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `upload?${q.toString()}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => options.onProgress?.(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      if (xhr.status < 200 || xhr.status >= 300) {
        reject(failure(uploadRefusal(xhr.status, xhr.responseText, file.name)));
        return;
      }
      try {
        const body = JSON.parse(xhr.responseText) as { path?: unknown };
        if (typeof body.path === 'string') resolve(body.path);
        else reject(failure('the server did not say where it put the upload'));
      } catch {
        reject(failure('the server answered the upload with something that is not JSON'));
      }
    };
    xhr.onerror = () => reject(failure(`could not send ${file.name}: the connection to the server failed`));
    xhr.onabort = () => reject(failure('the upload was cancelled', 'ECANCELED'));
    options.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
