/**
 * Export HTTP Objects (Wireshark's File > Export Objects > HTTP): which of the listed objects can be
 * picked, what the picks become — exportHttpObjects requests (desktop: into a folder) or
 * /object downloads (serve: one by one) — and the dialog's text filter.
 */
import type { EngineParams, HttpObjectPart, HttpObjectRow } from '../../../app/rpc/engine-protocol';

export type ExportMode = 'folder' | 'download';

/** Why an object cannot be picked alone in this mode, or null when it can. */
export function unpickableReason(o: HttpObjectRow, mode: ExportMode): string | null {
  if (o.index === null) {
    return mode === 'download'
      ? 'Its request was not captured: it has no transaction to download it by (the CLI exports it: sievecap -r FILE --export-objects http,DIR)'
      : 'Its request was not captured: it is exported only with every object (Select all)';
  }
  if (o.part === 'interim' && mode === 'download') return 'The body of a 1xx response: export it into a folder with the CLI (sievecap -r FILE --export-objects http,DIR)';
  return null;
}

/** The objects picked (by their place in the list) that are actually exported: all of them, or those pickable alone. */
export function effectivePicks(objects: readonly HttpObjectRow[], picked: ReadonlySet<number>, mode: ExportMode): number[] {
  const out: number[] = [];
  const all = mode === 'folder' && objects.length > 0 && objects.every((_, k) => picked.has(k));
  for (let k = 0; k < objects.length; k++) {
    if (picked.has(k) && (all || unpickableReason(objects[k]!, mode) === null)) out.push(k);
  }
  return out;
}

export type ExportRequest = Omit<EngineParams<'exportHttpObjects'>, 'session' | 'directory'>;

/**
 * The exportHttpObjects requests that write exactly the picked objects: one without indexes when
 * every object is picked (tshark's whole export), else one per part for the transactions picked.
 */
export function exportRequests(objects: readonly HttpObjectRow[], picked: ReadonlySet<number>): ExportRequest[] {
  if (objects.length > 0 && objects.every((_, k) => picked.has(k))) return [{}];
  const byPart = new Map<HttpObjectPart, Set<number>>();
  for (const k of effectivePicks(objects, picked, 'folder')) {
    const o = objects[k]!;
    const set = byPart.get(o.part) ?? new Set<number>();
    set.add(o.index!);
    byPart.set(o.part, set);
  }
  const order: HttpObjectPart[] = ['request', 'interim', 'response'];
  const requests: ExportRequest[] = [];
  for (const part of order) {
    const indexes = byPart.get(part);
    if (!indexes) continue;
    // Every object of those transactions is picked: no part needed (fewer requests when both bodies are).
    requests.push({ indexes: [...indexes].sort((a, b) => a - b), part });
  }
  return mergeWholeTransactions(objects, requests);
}

/** Joins the parts of transactions all of whose objects are picked into one request without `part`. */
function mergeWholeTransactions(objects: readonly HttpObjectRow[], requests: ExportRequest[]): ExportRequest[] {
  if (requests.length < 2) return requests;
  const objectsOf = new Map<number, HttpObjectPart[]>();
  for (const o of objects) if (o.index !== null) objectsOf.set(o.index, [...(objectsOf.get(o.index) ?? []), o.part]);
  const pickedParts = new Map<number, Set<HttpObjectPart>>();
  for (const r of requests) for (const i of r.indexes ?? []) pickedParts.set(i, (pickedParts.get(i) ?? new Set()).add(r.part!));
  const whole = new Set<number>();
  for (const [i, parts] of pickedParts) if (parts.size > 1 && objectsOf.get(i)!.every((p) => parts.has(p))) whole.add(i);
  if (whole.size === 0) return requests;
  const rest = requests
    .map((r) => ({ ...r, indexes: r.indexes!.filter((i) => !whole.has(i)) }))
    .filter((r) => r.indexes.length > 0);
  return [{ indexes: [...whole].sort((a, b) => a - b) }, ...rest];
}

/** The serve-mode URL of one object (the page's token when it has one; else its cookie does). */
export function objectUrl(session: number, o: Pick<HttpObjectRow, 'index' | 'part'>, token: string | null): string | null {
  if (o.index === null || o.part === 'interim') return null;
  const q = new URLSearchParams({ session: String(session), index: String(o.index) });
  if (o.part === 'request') q.set('part', 'request');
  if (token) q.set('token', token);
  return `object?${q.toString()}`;
}

/** Rows the dialog's text filter keeps (by place in the list): any of hostname, content type, file name contains it. */
export function filterObjects(objects: readonly HttpObjectRow[], text: string): number[] {
  const needle = text.trim().toLowerCase();
  const out: number[] = [];
  objects.forEach((o, k) => {
    if (needle === '' || o.hostname.toLowerCase().includes(needle) || o.contentType.toLowerCase().includes(needle) || o.name.toLowerCase().includes(needle)) out.push(k);
  });
  return out;
}

/** The picks after "Select all"/"Select none" on the rows shown (others keep their state). */
export function setPicks(picked: ReadonlySet<number>, shown: readonly number[], on: boolean): Set<number> {
  const next = new Set(picked);
  for (const k of shown) {
    if (on) next.add(k);
    else next.delete(k);
  }
  return next;
}
