/**
 * The `httpObjects` and `exportHttpObjects` requests: Wireshark's File > Export Objects > HTTP, on a
 * session, writing what `sievecap -r FILE --export-objects http,DIR` (and tshark's) writes.
 *
 * - The session's frames are fed again, as the HTTP index feeds them (http.ts: the same frames, the
 *   same extractor numbering tcp.stream), through the one reassembly and HTTP parser with bodies
 *   kept (up to the CLI's 256 MiB each) — but only the connections of the chosen transactions reach
 *   the parser, so only their bodies are held. Frames fed: those the index had seen; reassembly is
 *   finished only when the index was (a live capture still running exports what is complete).
 * - The objects, their bytes (content coding undone) and their names come from
 *   app/reassembly/export-objects.ts (httpObjectsOf, objectBaseName, massageFileName): each message
 *   is named with its whole connection's requests in view (tshark names a response after the latest
 *   request of its connection), and the objects go out in tshark's order (by the frame completing
 *   each message), so exporting everything writes the CLI's files byte for byte.
 * - Each file is created exclusively (O_EXCL): a name taken — by an earlier object or by a file
 *   already in the folder — gets tshark's (1), (2)… before its extension; no file is ever
 *   overwritten. A failure (disk full, no permission) removes the half-written file and answers
 *   ESAVE with the system's reason, saying how many files were complete before it; a cancel answers
 *   ECANCELED and leaves the files already complete.
 * - Progress: 'http' (frames fed) while reading, then 'export' (files written).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { httpObjectsOf, massageFileName, MAX_DUPLICATES, MAX_FILE_LEN, objectBaseName, type HttpObject } from '../../reassembly/export-objects';
import { HttpTransactionTracker, type HttpTransaction } from '../../reassembly/http';
import type { HttpMessage } from '../../reassembly/http-parser';
import { SegmentExtractor } from '../../reassembly/segment-extractor';
import { TcpReassembler, type TcpStreamHandler } from '../../reassembly/tcp-stream';
import type { EngineResult, HttpObjectPart, HttpObjectRow } from '../../rpc/engine-protocol';
import type { AnalysisWork } from './analysis-work';
import { frameInput, mayCarryTcp, updatedIndex } from './http';
import { EngineError } from './plain';
import type { EngineSession } from './session';

/** Bodies kept for export, each: the CLI's bound (a longer body is not exported, as the CLI does not). */
const MAX_EXPORT_BODY = 256 << 20;
/** Bytes written between two looks at the clock. */
const WRITE_CHUNK = 1 << 20;

/** One object, with the transaction and message it is the body of. */
export interface SessionHttpObject {
  /** httpTransactions' index; null for a response whose request was not captured (not listed). */
  index: number | null;
  part: HttpObjectPart;
  object: HttpObject;
}

export interface ObjectChoice {
  /** Transactions (httpTransactions' numbering); null: every object of the session. */
  indexes: readonly number[] | null;
  /** Only this message of each transaction; absent: all of them. */
  part?: HttpObjectPart;
}

/** Passes on only the chosen connections' data: the others' bodies are never held. */
function onlyStreams(handler: TcpStreamHandler, streams: ReadonlySet<number> | null): TcpStreamHandler {
  if (streams === null) return handler;
  return {
    onStreamStart: (info) => {
      if (streams.has(info.index)) handler.onStreamStart?.(info);
    },
    onData: (info, dir, chunk) => {
      if (streams.has(info.index)) handler.onData(info, dir, chunk);
    },
    onGap: (info, dir, gap) => {
      if (streams.has(info.index)) handler.onGap?.(info, dir, gap);
    },
    onEnd: (info, dir, reason, frame, tsNs) => {
      if (streams.has(info.index)) handler.onEnd?.(info, dir, reason, frame, tsNs);
    },
  };
}

const stripped = (m: HttpMessage): HttpMessage => ({ ...m, body: null });

/**
 * The session's HTTP objects (of the chosen transactions), in the order tshark writes them, with
 * their bytes. Throws ENOTRANSACTION for an index the session does not have.
 */
export async function sessionHttpObjects(session: EngineSession, choice: ObjectChoice, work: AnalysisWork): Promise<SessionHttpObject[]> {
  const index = await updatedIndex(session, work);
  const listed = index.transactions();
  const fed = index.fed;
  const finished = index.finished;
  let streams: Set<number> | null = null;
  if (choice.indexes !== null) {
    streams = new Set();
    for (const i of choice.indexes) {
      const t = listed[i];
      if (!t) {
        throw new EngineError('ENOTRANSACTION', `session ${session.id} has no HTTP transaction ${i}: ${listed.length === 0 ? 'it holds none (so far)' : `its transactions are numbered 0 to ${listed.length - 1}`}`);
      }
      streams.add(t.stream);
    }
  }

  // The frames again, as the index fed them, with bodies kept for the chosen connections.
  const store = session.store;
  const tracker = new HttpTransactionTracker({ keepBodies: true, maxBodyBytes: MAX_EXPORT_BODY });
  const tcp = new TcpReassembler(onlyStreams(tracker, streams));
  const segments = new SegmentExtractor();
  // The extractor numbers streams from the capture's first frame: it sees every frame, the parser only the chosen streams'.
  work.progress('http', 0, fed);
  for (let k = 0; k < fed; k++) {
    if (mayCarryTcp(store, k)) {
      const seg = segments.segmentOf(frameInput(store, k));
      if (seg) tcp.add(seg);
    }
    if ((k & 255) === 0 && work.due()) {
      work.progress('http', k + 1, fed);
      await work.pause();
    }
  }
  if (finished) tcp.finish(fed, fed > 0 ? store.tsNs(fed - 1) : 0n);
  work.progress('http', fed, fed);
  work.check();

  // The transactions again, numbered as the index numbers them (both list requests in the same order).
  const replayed = tracker.transactions();
  const numbered = new Map<HttpTransaction, number>();
  const listedByStream = new Map<number, number[]>();
  listed.forEach((t, i) => {
    if (streams !== null && !streams.has(t.stream)) return;
    const onStream = listedByStream.get(t.stream);
    if (onStream) onStream.push(i);
    else listedByStream.set(t.stream, [i]);
  });
  const seenOnStream = new Map<number, number>();
  for (const t of replayed) {
    if (t.request === null) continue;
    const ordinal = seenOnStream.get(t.stream) ?? 0;
    seenOnStream.set(t.stream, ordinal + 1);
    const i = listedByStream.get(t.stream)?.[ordinal];
    if (i === undefined || listed[i]!.request!.firstFrame !== t.request.firstFrame) {
      throw new EngineError('EENGINE', `reading the HTTP bodies again found transactions of TCP stream ${t.stream} other than those listed (at request frame ${t.request.firstFrame})`);
    }
    numbered.set(t, i);
  }
  const wanted = choice.indexes === null ? null : new Set(choice.indexes);

  // Each connection's requests, bodies left out: what names its messages' objects.
  const requestsOf = new Map<number, HttpTransaction[]>();
  for (const t of replayed) {
    if (!t.request) continue;
    const context: HttpTransaction = { ...t, request: stripped(t.request), interim: [], response: null };
    const onStream = requestsOf.get(t.stream);
    if (onStream) onStream.push(context);
    else requestsOf.set(t.stream, [context]);
  }

  const out: SessionHttpObject[] = [];
  for (const t of replayed) {
    const i = numbered.get(t) ?? null;
    if (wanted !== null && (i === null || !wanted.has(i))) continue;
    const messages: [HttpObjectPart, HttpMessage | null][] = [['request', t.request], ...t.interim.map((m): [HttpObjectPart, HttpMessage] => ['interim', m]), ['response', t.response]];
    for (const [part, m] of messages) {
      if (m === null || (choice.part !== undefined && choice.part !== part)) continue;
      if (!m.complete || m.missingBytes > 0 || m.bodyCut || !m.body || m.body.length === 0) continue;
      // This message alone keeps its body: httpObjectsOf makes its object, named as among all the connection's.
      const only = (x: HttpMessage | null): HttpMessage | null => (x === null || x === m ? x : stripped(x));
      const probe: HttpTransaction = { ...t, request: only(t.request), interim: t.interim.map((x) => only(x)!), response: only(t.response) };
      const [object] = httpObjectsOf([probe, ...(requestsOf.get(t.stream) ?? [])]);
      if (object) out.push({ index: i, part, object });
    }
    await work.step();
  }
  // tshark's order: by the frame completing each message (a stable sort keeps the rest as httpObjectsOf does).
  return out.sort((a, b) => a.object.frame - b.object.frame);
}

function row(o: SessionHttpObject): HttpObjectRow {
  return {
    index: o.index,
    part: o.part,
    frame: o.object.frame,
    stream: o.object.stream,
    hostname: o.object.hostname ?? '',
    contentType: o.object.contentType ?? '',
    size: o.object.payload.length,
    name: objectFileName(o.object),
  };
}

/** The name tshark gives the object in an empty folder. */
export function objectFileName(object: HttpObject): string {
  return massageFileName(objectBaseName(object), MAX_FILE_LEN, 0);
}

export async function httpObjects(session: EngineSession, work: AnalysisWork): Promise<EngineResult<'httpObjects'>> {
  try {
    return { objects: (await sessionHttpObjects(session, { indexes: null }, work)).map(row) };
  } finally {
    work.end();
  }
}

/** A system error as a sentence a user can act on, with its code. */
function reason(err: unknown, where: string): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOSPC': return 'the disk is full (ENOSPC)';
    case 'EDQUOT': return 'the disk quota is exhausted (EDQUOT)';
    case 'EACCES':
    case 'EPERM': return `no permission to write in ${where} (${e.code})`;
    case 'EROFS': return `${where} is on a read-only file system (EROFS)`;
    case 'ENOENT': return `the folder ${where} does not exist (ENOENT)`;
    case 'ENOTDIR': return `${where} (or a folder above it) is not a folder (ENOTDIR)`;
    case 'EFBIG': return 'the file is too large for the file system (EFBIG)';
    case 'ENAMETOOLONG': return `the name is too long for the file system (ENAMETOOLONG)`;
    case 'EIO': return 'the disk reported an input/output error (EIO)';
    default: return e.code ? `${e.message} (${e.code})` : (e.message ?? String(err));
  }
}

/** Creates a new file under tshark's name for the object (a taken name gets (1), (2)…); never opens an existing one. */
function createUnique(dir: string, base: string): { name: string; fd: number } {
  for (let dup = 0; dup < MAX_DUPLICATES; dup++) {
    const name = massageFileName(base, MAX_FILE_LEN, dup);
    try {
      return { name, fd: fs.openSync(path.join(dir, name), 'wx', 0o666) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw Object.assign(err as Error, { fileName: name });
    }
  }
  throw Object.assign(new Error(`every name from ${massageFileName(base, MAX_FILE_LEN, 0)} to ${massageFileName(base, MAX_FILE_LEN, MAX_DUPLICATES - 1)} is taken`), { code: 'EEXIST' });
}

export async function exportHttpObjects(
  session: EngineSession,
  request: { directory: string; indexes?: readonly number[]; part?: HttpObjectPart },
  work: AnalysisWork,
): Promise<EngineResult<'exportHttpObjects'>> {
  try {
    const dir = path.resolve(request.directory);
    const objects = await sessionHttpObjects(session, { indexes: request.indexes ?? null, part: request.part }, work);
    try {
      if (fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory() === false) throw Object.assign(new Error(`${dir} is not a folder`), { code: 'ENOTDIR' });
      fs.mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new EngineError('ESAVE', `cannot export the HTTP objects into ${dir}: ${reason(err, dir)}; nothing was written`);
    }
    const files: EngineResult<'exportHttpObjects'>['files'] = [];
    work.progress('export', 0, objects.length);
    for (const o of objects) {
      const base = objectBaseName(o.object);
      let created: { name: string; fd: number } | null = null;
      try {
        created = createUnique(dir, base);
        const data = o.object.payload;
        for (let at = 0; at < data.length; ) {
          at += fs.writeSync(created.fd, data, at, Math.min(WRITE_CHUNK, data.length - at));
          if (at < data.length) await work.step();
        }
        fs.closeSync(created.fd);
        files.push({ index: o.index, part: o.part, frame: o.object.frame, name: created.name, bytes: data.length });
        created = null;
      } catch (err) {
        if (created) {
          try {
            fs.closeSync(created.fd);
          } catch {
            // already closed
          }
          fs.rmSync(path.join(dir, created.name), { force: true });
        }
        if (work.signal.aborted) throw work.signal.reason;
        if (err instanceof EngineError) throw err;
        const name = created?.name ?? (err as { fileName?: string }).fileName ?? massageFileName(base, MAX_FILE_LEN, 0);
        const before = files.length === 0 ? 'nothing was written' : `the ${files.length} files written before it stay`;
        throw new EngineError('ESAVE', `cannot write the HTTP object ${name} (frame ${o.object.frame}) into ${dir}: ${reason(err, dir)}; ${before}`);
      }
      work.progress('export', files.length, objects.length);
      await work.step();
    }
    return { directory: dir, files };
  } finally {
    work.end();
  }
}
