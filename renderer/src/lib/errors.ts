/**
 * Engine errors as a user reads them: a title saying what failed, the engine's own sentence
 * (which says what to do), and whether captured rows are safe. Pure.
 */

export interface Banner {
  id: number;
  kind: 'error' | 'warning' | 'info';
  title: string;
  message: string;
}

const TITLES: Record<string, string> = {
  EPERM: 'Capturing needs privileges',
  ENOHELPER: 'The capture helper could not be started',
  ENODEV: 'The network interface is gone',
  ECAPFILTER: 'The capture filter is not valid',
  EFILTER: 'The display filter is not valid',
  EFORMAT: 'Not a capture file Sievecap can read',
  EDAMAGED: 'The file is damaged',
  ESAVE: 'The capture could not be saved',
  ENOENT: 'No such file',
  EACCES: 'Permission denied',
  EISDIR: 'That is a folder, not a file',
  EREAD: 'Captured bytes could not be read back',
  ECONNRESET: 'Lost the connection to the engine',
  ECONNREFUSED: 'Cannot reach the engine',
  ENOSESSION: 'The capture is no longer open',
  ECLOSED: 'The capture was closed',
  EENGINE: 'Internal error in the engine',
  EUPLOAD: 'The file could not be uploaded',
};

/** A title for an error of `code` while doing `action` ('Opening trace.pcap'). */
export function errorTitle(code: string | undefined, action: string): string {
  const known = code ? TITLES[code] : undefined;
  return known ?? `${action} failed`;
}

/** The error's code and message, from an RpcError, an Error, or anything thrown. */
export function errorParts(err: unknown): { code: string; message: string; session: number | null } {
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; message?: unknown; session?: unknown };
    return {
      code: typeof e.code === 'string' ? e.code : 'EENGINE',
      message: typeof e.message === 'string' ? e.message : String(err),
      session: typeof e.session === 'number' ? e.session : null,
    };
  }
  return { code: 'EENGINE', message: String(err), session: null };
}

/** Whether an error just means the user (or a newer request) cancelled: nothing to show. */
export function isCancellation(err: unknown): boolean {
  const code = errorParts(err).code;
  return code === 'ECANCELED' || code === 'AbortError';
}
