/**
 * Files crossing the browser boundary. A browser's files have no path on the engine's machine, and
 * the engine writes only to paths: so an upload (Open, drag and drop) is streamed into a private
 * temporary folder and its path handed to the page, which then sends openFile; a download (Save)
 * is written there by the service's saveFile and streamed back as an attachment, and so is one HTTP
 * object (the body of a transaction, written there by exportHttpObjects).
 *
 * Everything lives under one folder of mode 700 made for this run (`workDir`): uploads/ and
 * downloads/, each file in a folder of its own (mkdtemp: unique, 700). A download's file goes as soon
 * as it is sent, an upload's when the last session that opened it closes; whatever is left goes
 * with the folder when serve exits.
 */
import * as fs from 'node:fs';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type TransformCallback } from 'node:stream';
import type { EngineService } from '../engine/service';
import type { EngineReply, EngineResult } from '../rpc/engine-protocol';
import type { RequestIds } from './connection';
import { clientGone, integerParam, sendJson, sendText, statusForEngineError } from './http-util';

/** Uploads larger than this are refused (413): far above a normal capture, below filling a disk by accident. */
export const DEFAULT_MAX_UPLOAD_BYTES = 4 * 1024 ** 3;
const MAX_NAME_CHARS = 200;

/** A file name a browser sent, reduced to one safe path component. */
export function safeFileName(name: string | null, fallback: string): string {
  let base = (name ?? '').split(/[/\\]/).pop() ?? '';
  base = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (base === '' || base === '.' || base === '..') base = fallback;
  if (base.length > MAX_NAME_CHARS) {
    const ext = path.extname(base).slice(0, 16);
    base = base.slice(0, MAX_NAME_CHARS - ext.length) + ext;
  }
  return base.startsWith('.') ? `_${base}` : base;
}

/** Content-Disposition for an attachment: an ASCII fallback and the exact UTF-8 name (RFC 6266). */
export function attachmentDisposition(name: string): string {
  const ascii = name.replace(/[^A-Za-z0-9._ ()+-]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** The name a saved capture gets: the session's file name with the format's extension. */
export function downloadName(sessionPath: string, kind: 'file' | 'live', session: number, format: 'pcap' | 'pcapng', filtered: boolean): string {
  let stem = kind === 'file' ? path.basename(sessionPath) : `sievecap-capture-${session}`;
  stem = stem.replace(/\.gz$/i, '').replace(/\.(pcapng|pcap|cap|ntar|dmp)$/i, '');
  if (stem === '') stem = `sievecap-${session}`;
  return safeFileName(`${stem}${filtered ? '-filtered' : ''}.${format}`, `sievecap-${session}.${format}`);
}

class UploadLimit extends Transform {
  private seen = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) done(Object.assign(new Error('upload too large'), { code: 'E2BIG' }));
    else done(null, chunk);
  }
  get bytes(): number {
    return this.seen;
  }
}

export interface TransfersOptions {
  service: EngineService;
  ids: RequestIds;
  /** The run's private folder (mode 700). */
  workDir: string;
  maxUploadBytes?: number;
}

export class Transfers {
  private readonly uploadsDir: string;
  private readonly downloadsDir: string;
  private readonly maxUploadBytes: number;
  /** Upload paths, and the sessions that opened each. */
  private readonly uploads = new Map<string, Set<number>>();
  private readonly stopEvents: () => void;

  constructor(private readonly options: TransfersOptions) {
    this.uploadsDir = path.join(options.workDir, 'uploads');
    this.downloadsDir = path.join(options.workDir, 'downloads');
    fs.mkdirSync(this.uploadsDir, { mode: 0o700, recursive: true });
    fs.mkdirSync(this.downloadsDir, { mode: 0o700, recursive: true });
    this.maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
    this.stopEvents = options.service.onEvent((event) => {
      if (event.event === 'opened') this.uploads.get(event.path)?.add(event.session);
      if (event.event === 'sessionClosed') this.sessionClosed(event.session);
    });
  }

  close(): void {
    this.stopEvents();
  }

  /** `POST /upload?name=NAME`: the body into a private file; answers `{path, bytes}`. */
  async upload(req: IncomingMessage, res: ServerResponse, query: URLSearchParams, headers: OutgoingHttpHeaders, expectsContinue: boolean): Promise<void> {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > this.maxUploadBytes) {
      this.refuseTooLarge(req, res, headers);
      return;
    }
    const name = safeFileName(query.get('name'), 'upload.pcapng');
    let dir: string;
    try {
      dir = fs.mkdtempSync(path.join(this.uploadsDir, 'upload-'));
    } catch (err) {
      sendText(res, 500, `cannot make a folder for the upload in ${this.uploadsDir}: ${(err as Error).message}`, headers);
      return;
    }
    const file = path.join(dir, name);
    const limit = new UploadLimit(this.maxUploadBytes);
    if (expectsContinue) res.writeContinue();
    try {
      await pipeline(req, limit, fs.createWriteStream(file, { flags: 'wx', mode: 0o600 }));
    } catch (err) {
      fs.rmSync(dir, { recursive: true, force: true });
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'E2BIG') this.refuseTooLarge(req, res, headers);
      else if (clientGone(req, res) || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET') res.destroy();
      else if (code === 'ENOSPC' || code === 'EDQUOT') sendText(res, 507, `the upload does not fit: the disk holding ${this.uploadsDir} is full`, headers);
      else sendText(res, 500, `the upload could not be stored: ${(err as Error).message}`, headers);
      return;
    }
    this.uploads.set(file, new Set());
    sendJson(res, 200, { path: file, bytes: limit.bytes }, headers);
  }

  /**
   * `GET /download?session=N&format=pcap|pcapng[&view=V][&marked=1][&removeIgnored=1][&ranges=1-10,15-15]`:
   * the service's saveFile (Export Specified Packets' choices), streamed back as an attachment.
   */
  async download(req: IncomingMessage, res: ServerResponse, query: URLSearchParams, headers: OutgoingHttpHeaders): Promise<void> {
    const session = integerParam(query, 'session');
    const format = query.get('format');
    const view = query.has('view') ? integerParam(query, 'view') : undefined;
    const rangesText = query.get('ranges');
    const ranges = rangesText === null ? undefined : /^\d{1,10}-\d{1,10}(,\d{1,10}-\d{1,10}){0,4095}$/.test(rangesText) ? rangesText.split(',').map((r) => {
      const [first, last] = r.split('-').map(Number) as [number, number];
      return { first, last };
    }) : null;
    if (session === null || session < 1 || (format !== 'pcap' && format !== 'pcapng') || view === null || view === 0 || ranges === null || ranges?.some((r) => r.first < 1 || r.last < 1)) {
      sendText(res, 400, 'a download is /download?session=N&format=pcap|pcapng (and &view=V for a display filter view’s packets, &marked=1, &removeIgnored=1, &ranges=FIRST-LAST,…)', headers);
      return;
    }
    const narrowing = { ...(query.get('marked') === '1' ? { marked: true } : {}), ...(query.get('removeIgnored') === '1' ? { removeIgnored: true } : {}), ...(ranges ? { ranges } : {}) };
    const { service, ids } = this.options;
    const info = await service.handle({ id: ids.allocate(), method: 'sessionInfo', session });
    if (info.type === 'error') {
      sendText(res, statusForEngineError(info.error.code), info.error.message, headers);
      return;
    }
    const { path: sessionPath, kind } = info.result as { path: string; kind: 'file' | 'live' };
    const name = downloadName(sessionPath, kind, session, format, view !== undefined || Object.keys(narrowing).length > 0);
    let dir: string;
    try {
      dir = fs.mkdtempSync(path.join(this.downloadsDir, 'download-'));
    } catch (err) {
      sendText(res, 500, `cannot make a folder for the download in ${this.downloadsDir}: ${(err as Error).message}`, headers);
      return;
    }
    const remove = (): void => fs.rmSync(dir, { recursive: true, force: true });
    const file = path.join(dir, name);
    const id = ids.allocate();
    // The browser gave up (the user cancelled the download): so does the engine.
    const onGone = (): void => void service.handle({ id: ids.allocate(), method: 'cancel', request: id });
    res.once('close', onGone);
    let reply: EngineReply;
    try {
      reply = await service.handle({ id, method: 'saveFile', session, path: file, format, ...(view !== undefined ? { view } : {}), ...narrowing });
    } finally {
      res.off('close', onGone);
    }
    if (reply.type === 'error' || clientGone(req, res)) {
      remove();
      if (reply.type === 'error') sendText(res, statusForEngineError(reply.error.code), reply.error.message, headers);
      else res.destroy();
      return;
    }
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch (err) {
      remove();
      sendText(res, 500, `the saved capture is missing: ${(err as Error).message}`, headers);
      return;
    }
    res.writeHead(200, {
      ...headers,
      'Content-Type': format === 'pcap' ? 'application/vnd.tcpdump.pcap' : 'application/x-pcapng',
      'Content-Length': size,
      'Content-Disposition': attachmentDisposition(name),
      'Cache-Control': 'no-store',
    });
    try {
      await pipeline(fs.createReadStream(file), res);
    } catch {
      res.destroy();
    } finally {
      remove();
    }
  }

  /**
   * `GET /object?session=N&index=I[&part=response|request]`: one HTTP body of transaction I (default
   * its response), as File > Export Objects > HTTP writes it (the service's exportHttpObjects into a
   * private folder), streamed back as an attachment under tshark's name. Its content type is never
   * sent: application/octet-stream, so a browser saves it and never renders it in this origin.
   */
  async object(req: IncomingMessage, res: ServerResponse, query: URLSearchParams, headers: OutgoingHttpHeaders): Promise<void> {
    const session = integerParam(query, 'session');
    const index = integerParam(query, 'index');
    const part = query.get('part') ?? 'response';
    if (session === null || session < 1 || index === null || (part !== 'response' && part !== 'request')) {
      sendText(res, 400, 'an HTTP object is /object?session=N&index=I (a transaction of the HTTP tab), and &part=request for its request’s body', headers);
      return;
    }
    let dir: string;
    try {
      dir = fs.mkdtempSync(path.join(this.downloadsDir, 'object-'));
    } catch (err) {
      sendText(res, 500, `cannot make a folder for the download in ${this.downloadsDir}: ${(err as Error).message}`, headers);
      return;
    }
    const remove = (): void => fs.rmSync(dir, { recursive: true, force: true });
    const { service, ids } = this.options;
    const id = ids.allocate();
    const onGone = (): void => void service.handle({ id: ids.allocate(), method: 'cancel', request: id });
    res.once('close', onGone);
    let reply: EngineReply;
    try {
      reply = await service.handle({ id, method: 'exportHttpObjects', session, directory: dir, indexes: [index], part });
    } finally {
      res.off('close', onGone);
    }
    if (reply.type === 'error' || clientGone(req, res)) {
      remove();
      if (reply.type === 'error') sendText(res, statusForEngineError(reply.error.code), reply.error.message, headers);
      else res.destroy();
      return;
    }
    const written = (reply.result as EngineResult<'exportHttpObjects'>).files[0];
    if (!written) {
      remove();
      sendText(res, 404, `HTTP transaction ${index} has no ${part} body to export (none, or not captured whole)`, headers);
      return;
    }
    const file = path.join(dir, written.name);
    res.writeHead(200, {
      ...headers,
      'Content-Type': 'application/octet-stream',
      'Content-Length': written.bytes,
      'Content-Disposition': attachmentDisposition(written.name),
      'Cache-Control': 'no-store',
    });
    try {
      await pipeline(fs.createReadStream(file), res);
    } catch {
      res.destroy();
    } finally {
      remove();
    }
  }

  private refuseTooLarge(req: IncomingMessage, res: ServerResponse, headers: OutgoingHttpHeaders): void {
    const gib = (this.maxUploadBytes / 1024 ** 3).toFixed(this.maxUploadBytes % 1024 ** 3 === 0 ? 0 : 2);
    const mib = Math.round(this.maxUploadBytes / 1024 ** 2);
    const limit = this.maxUploadBytes >= 1024 ** 3 ? `${gib} GiB` : `${mib} MiB`;
    // The rest of the body is not read: the connection closes after the answer.
    sendText(res, 413, `the file is larger than the ${limit} an upload may be: open it from a path on this machine instead (sievecap serve FILE)`, { ...headers, Connection: 'close' });
    res.once('finish', () => req.destroy());
  }

  private sessionClosed(session: number): void {
    for (const [file, sessions] of this.uploads) {
      if (!sessions.delete(session) || sessions.size > 0) continue;
      this.uploads.delete(file);
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  }
}
