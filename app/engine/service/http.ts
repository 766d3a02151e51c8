/**
 * The `httpTransactions` and `httpTransaction` requests: HTTP/1.x requests paired with their
 * responses, from the one HTTP parser and TCP reassembly (app/reassembly: SegmentExtractor →
 * TcpReassembler → HttpTransactionTracker, as `sievecap -r FILE --http` runs them).
 *
 * - The list is kept per session and follows it: each request feeds the frames appended since the
 *   last one (in slices, with progress 'http'), bodies not kept. Once the session has ended and
 *   every frame was fed, reassembly is finished (data waiting behind a hole is delivered).
 * - Transactions are listed in request order (the first frame of each request), or the slowest
 *   first (Statistics › HTTP); a response whose request was not captured is not listed. `requestFrame`/`responseFrame` are the frames
 *   that complete each message (where Wireshark shows it), `seconds` is tshark's http.time (from
 *   the request's frame to the response's).
 * - One transaction's detail replays only its stream's frames (found by tcp.stream in the index)
 *   with bodies kept, and sends them content-decoded up to MAX_BODY_PREVIEW bytes each.
 */
import type { FrameInput } from '../../dissect/model';
import { decodeContent } from '../../reassembly/content-decoding';
import { HttpTransactionTracker, transactionHost, type HttpTransaction } from '../../reassembly/http';
import { headerValue, type HttpMessage } from '../../reassembly/http-parser';
import { SegmentExtractor } from '../../reassembly/segment-extractor';
import { TcpReassembler } from '../../reassembly/tcp-stream';
import { MAX_BODY_PREVIEW, type EngineResult, type HttpTransactionRow } from '../../rpc/engine-protocol';
import { FLAG } from '../columns';
import type { PacketStore } from '../store';
import type { AnalysisWork } from './analysis-work';
import { endpointText } from './follow';
import { EngineError } from './plain';
import type { EngineSession } from './session';

/** Body bytes kept per message for a detail (before content decoding): enough to decode a preview of most bodies whole. */
const DETAIL_BODY_BYTES = 16 << 20;

/** Frames the HTTP path must see: TCP segments, and frames whose layout is not simple (tunnels, IP fragments). */
export function mayCarryTcp(store: PacketStore, k: number): boolean {
  return (store.index.flags[k]! & (FLAG.TCP_STREAM | FLAG.NOT_SIMPLE)) !== 0;
}

export function frameInput(store: PacketStore, k: number): FrameInput {
  try {
    return store.frameInput(k, true);
  } catch (err) {
    throw new EngineError('EREAD', `the captured bytes of frame ${k + 1} cannot be read back: ${(err as Error).message}`);
  }
}

/** One session's HTTP transactions so far, fed frame by frame. */
export class HttpIndex {
  fed = 0;
  finished = false;
  /** The reassembly's state per connection; let go once finished (only the transactions are kept). */
  private pipeline: { segments: SegmentExtractor; tracker: HttpTransactionTracker; tcp: TcpReassembler } | null;
  private running: Promise<void> | null = null;
  private listed: { fed: number; finished: boolean; list: HttpTransaction[] } | null = null;
  private slowest: { list: HttpTransaction[]; order: number[] } | null = null;

  constructor(private readonly store: PacketStore) {
    const tracker = new HttpTransactionTracker({ keepBodies: false });
    this.pipeline = { segments: new SegmentExtractor(), tracker, tcp: new TcpReassembler(tracker) };
  }

  /** Feeds every frame the store holds now (one update at a time; a cancelled one leaves the rest to the next). */
  async update(ended: boolean, work: AnalysisWork): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
    const run = this.run(ended, work);
    this.running = run;
    try {
      await run;
    } finally {
      if (this.running === run) this.running = null;
    }
  }

  private async run(ended: boolean, work: AnalysisWork): Promise<void> {
    const store = this.store;
    const total = store.count();
    const pipeline = this.pipeline;
    if (pipeline === null) return;
    for (let k = this.fed; k < total; k++) {
      if (mayCarryTcp(store, k)) {
        const seg = pipeline.segments.segmentOf(frameInput(store, k));
        if (seg) pipeline.tcp.add(seg);
      }
      this.fed = k + 1;
      if ((k & 63) === 0 && work.due()) {
        work.progress('http', k + 1, total);
        await work.pause();
      }
    }
    if (ended && !this.finished && this.fed === store.count()) {
      const last = this.fed - 1;
      pipeline.tcp.finish(this.fed, last >= 0 ? store.tsNs(last) : 0n);
      this.finished = true;
      this.transactions();
      this.pipeline = null;
    }
  }

  /** Transactions with a request, in request order. */
  transactions(): HttpTransaction[] {
    if (this.pipeline !== null && (this.listed?.fed !== this.fed || this.listed.finished !== this.finished)) {
      this.listed = { fed: this.fed, finished: this.finished, list: this.pipeline.tracker.transactions().filter((t) => t.request !== null) };
      this.slowest = null;
    }
    return this.listed?.list ?? [];
  }

  /** Indexes into transactions(), the longest http.time first; equal times and those without a response in request order, the latter last. */
  slowestFirst(): number[] {
    const list = this.transactions();
    if (this.slowest?.list !== list) {
      const seconds = list.map((t) => (t.response ? Number(t.response.lastTsNs - t.request!.lastTsNs) : null));
      const order = list.map((_, i) => i);
      order.sort((a, b) => {
        const x = seconds[a]!;
        const y = seconds[b]!;
        if (x === null || y === null) return x === null && y === null ? a - b : x === null ? 1 : -1;
        return y - x || a - b;
      });
      this.slowest = { list, order };
    }
    return this.slowest.order;
  }
}

const indexes = new WeakMap<EngineSession, HttpIndex>();

export async function updatedIndex(session: EngineSession, work: AnalysisWork): Promise<HttpIndex> {
  let index = indexes.get(session);
  if (!index) indexes.set(session, (index = new HttpIndex(session.store)));
  work.progress('http', index.fed, session.store.count());
  await index.update(session.ended, work);
  return index;
}

export function transactionRow(t: HttpTransaction, index: number, firstTsNs: bigint): HttpTransactionRow {
  const request = t.request!;
  const response = t.response;
  // The response's (tshark's http.content_type on the response's frame); the request's own is in the detail's headers.
  const contentType = (response ? headerValue(response, 'content-type') : null) ?? '';
  return {
    index,
    stream: t.stream,
    requestFrame: request.lastFrame,
    responseFrame: response?.lastFrame ?? null,
    client: endpointText(t.client),
    server: endpointText(t.server),
    method: request.method ?? '',
    host: transactionHost(t) ?? '',
    path: request.target ?? '',
    version: request.version,
    status: response?.status ?? null,
    reason: response?.reason ?? '',
    contentType,
    requestBytes: request.bodyBytes,
    responseBytes: response?.bodyBytes ?? 0,
    seconds: response ? Number(response.lastTsNs - request.lastTsNs) / 1e9 : null,
    relativeSeconds: Number(request.lastTsNs - firstTsNs) / 1e9,
  };
}

export async function httpTransactions(session: EngineSession, start: number, count: number, work: AnalysisWork, order: 'request' | 'slowest' = 'request'): Promise<EngineResult<'httpTransactions'>> {
  try {
    const index = await updatedIndex(session, work);
    const list = index.transactions();
    const ranks = order === 'slowest' ? index.slowestFirst() : null;
    const first = session.store.count() > 0 ? session.store.tsNs(0) : 0n;
    const transactions: HttpTransactionRow[] = [];
    for (let i = start; i < Math.min(list.length, start + count); i++) {
      const k = ranks ? ranks[i]! : i;
      transactions.push(transactionRow(list[k]!, k, first));
    }
    return { total: list.length, start, transactions };
  } finally {
    work.end();
  }
}

type BodyPreview = EngineResult<'httpTransaction'>['requestBody'];

/** A message's body, transfer coding and Content-Encoding undone, cut to MAX_BODY_PREVIEW. */
export function bodyPreview(m: HttpMessage, limit = MAX_BODY_PREVIEW): BodyPreview {
  const problems: string[] = [];
  if (m.missingBytes > 0) problems.push(`${m.missingBytes} bytes of the message are missing from the capture`);
  if (!m.complete) problems.push('the message is incomplete (the capture ends, or a hole cuts it, before its end)');
  let data = m.body ?? Buffer.alloc(0);
  const encoding = headerValue(m, 'content-encoding');
  if (data.length > 0 && encoding !== null) {
    const decoded = decodeContent(data, encoding);
    if (decoded.data) data = decoded.data;
    else problems.push(`${decoded.error}; the body is shown as transferred`);
  }
  if (m.bodyCut) {
    // The parser keeps a body up to its first hole, or up to DETAIL_BODY_BYTES.
    problems.push(m.missingBytes > 0 ? 'only the body before the first missing bytes is shown' : `the body is longer than the ${DETAIL_BODY_BYTES} bytes kept: only its start is shown`);
  }
  const truncated = m.bodyCut || data.length > limit;
  return {
    data: data.subarray(0, limit).toString('base64'),
    // Without a content coding the whole body's size is known even when only its start was kept.
    size: m.bodyCut && encoding === null ? Math.max(data.length, m.bodyBytes) : data.length,
    truncated,
    problem: problems.length > 0 ? problems.join('; ') : null,
  };
}

/** The stream's transactions again, from its own frames only, with bodies kept. */
async function replayStream(store: PacketStore, stream: number, finish: boolean, work: AnalysisWork): Promise<HttpTransaction[]> {
  const segments = new SegmentExtractor();
  const tracker = new HttpTransactionTracker({ keepBodies: true, maxBodyBytes: DETAIL_BODY_BYTES });
  const tcp = new TcpReassembler(tracker);
  const ix = store.index;
  const total = store.count();
  const first = store.streamStart(true, stream)[0] ?? total;
  let last = -1;
  for (let k = first; k < total; k++) {
    if (ix.streamPlusOne[k] === stream + 1 && (ix.flags[k]! & FLAG.TCP_STREAM) !== 0) {
      const seg = segments.segmentOf(frameInput(store, k));
      // The index numbered the stream (a fresh extractor over one stream's frames would count from 0).
      if (seg) tcp.add({ ...seg, stream });
      last = k;
    }
    if ((k & 1023) === 0 && work.due()) {
      work.progress('http', k - first, total - first);
      await work.pause();
    }
  }
  if (finish) tcp.finish(total, last >= 0 ? store.tsNs(last) : 0n);
  return tracker.transactions();
}

export async function httpTransaction(session: EngineSession, index: number, work: AnalysisWork): Promise<EngineResult<'httpTransaction'>> {
  try {
    const list = (await updatedIndex(session, work)).transactions();
    const listed = list[index];
    if (!listed) {
      throw new EngineError('ENOTRANSACTION', `session ${session.id} has no HTTP transaction ${index}: ${list.length === 0 ? 'it holds none (so far)' : `its transactions are numbered 0 to ${list.length - 1}`}`);
    }
    const replayed = await replayStream(session.store, listed.stream, indexes.get(session)!.finished, work);
    // Pipelined requests may start in one frame: the transaction is found by its place on the connection.
    const ordinal = list.filter((t) => t.stream === listed.stream).indexOf(listed);
    const again = replayed.filter((t) => t.request !== null)[ordinal];
    const t = again && again.request!.firstFrame === listed.request!.firstFrame && again.request!.target === listed.request!.target ? again : listed;
    const request = t.request!;
    const response = t.response;
    const first = session.store.count() > 0 ? session.store.tsNs(0) : 0n;
    return {
      transaction: transactionRow(listed, index, first),
      requestLine: request.startLine,
      requestHeaders: request.headers.map(([name, value]) => ({ name, value })),
      requestBody: bodyPreview(request),
      statusLine: response?.startLine ?? null,
      responseHeaders: response ? response.headers.map(([name, value]) => ({ name, value })) : [],
      responseBody: response ? bodyPreview(response) : null,
    };
  } finally {
    work.end();
  }
}
