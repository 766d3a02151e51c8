/**
 * PacketStore: what the GUI and the CLI ask questions of. It holds every frame of a live capture
 * (appended to a pcapng spool, then indexed) or of an opened file (indexed in place), in a
 * columnar index of typed arrays, and answers: how many frames, a page of summary rows (in
 * display-filter order when given a view), one packet's full tree and bytes, and display filters.
 *
 *   const store = PacketStore.createLive('/tmp/spool.pcapng', [{ linkType: 1, name: 'lo' }]);
 *   store.appendBatch(batchFromLiveCapture);          // written through to the kernel, then indexed
 *   store.rows(0, 50);                                 // summary rows, full Dissector columns
 *   const view = store.filter('tcp.port == 80');       // FilterView, fills in chunks
 *   await view.update(); store.rows(0, 50, view);
 *
 *   const opened = PacketStore.openFile('trace.pcapng', { onProgress });
 *   opened.rows(0, 50);                                // works while opened.loading runs
 *   const summary = await opened.loading;
 *
 * Reports given when a store is made (`reports`: the session tables a window shows) are fed as
 * frames are indexed, in the same pass over the bytes; reports wanted later follow the store
 * with followReport() or feedReport(), which read the frames again.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DissectedPacket, DissectOptions } from '../dissect/model';
import type { PortRule } from '../dissect/dissector';
import type { NameResolution } from '../dissect/names';
import { CaptureReader } from '../pcap/reader';
import type { CaptureFileInfo } from '../pcap/packet';
import type { PcapngInterfaceOptions } from '../pcap/pcapng-writer';
import { FLAG } from './columns';
import { collectFields } from '../dissect/field-values';
import { FilterView, type FilterProgress } from './filter-view';
import { FrameFile } from './frame-file';
import { IndexedFrames } from './indexed-frames';
import { RowDissector } from './row-dissector';
import { feedReport, ReportFeed } from './report-feed';
import { TapFeeder } from './tap-feeder';
import type { StatisticsReport } from '../stats/report';
import { Spool, type SpoolPacket } from './spool';

export interface PacketRow {
  /** 1-based frame number. */
  number: number;
  tsNs: bigint;
  /** Seconds since the first frame (frame.time_relative). */
  relativeSeconds: number;
  source: string;
  destination: string;
  protocol: string;
  /** Length on the wire (frame.len). */
  length: number;
  info: string;
  status: DissectedPacket['status'];
}

export interface IndexedColumns {
  source: string;
  destination: string;
  /** The index's Protocol column: the Dissector's without application dissectors (transport level for most frames). */
  protocol: string;
  capLen: number;
  origLen: number;
  tsNs: bigint;
  /** tcp.stream / udp.stream, -1 when none. */
  streamId: number;
  tcpStream: boolean;
  flags: number;
}

export interface OpenProgress {
  frames: number;
  /** Bytes of the (uncompressed) file read so far, and the file's size on disk. */
  bytesDone: number;
  bytesTotal: number;
}

export interface OpenFileOptions {
  onProgress?: (p: OpenProgress) => void;
  /** Frames indexed between yields to the event loop (default 20000). */
  sliceFrames?: number;
  /** Also ends a slice once it has run this many milliseconds (the service API keeps the event loop free). */
  sliceMs?: number;
  /**
   * How indexing yields between slices (default: to the event loop, setImmediate). The service
   * waits here while it answers a request the user is looking at (a page of rows).
   */
  yieldBetweenSlices?: () => Promise<void>;
  /** Stops indexing at the next slice boundary; `loading` then resolves with the frames so far and an error saying so. */
  signal?: { readonly aborted: boolean };
  /** Where a gzip-compressed file is unpacked to (default a temporary directory, removed on close()). */
  spoolDir?: string;
  /** Reports fed while the file is indexed (see PacketStore): complete when `loading` resolves. */
  reports?: StatisticsReport[];
  /** Decode As: port hand-offs every dissection makes (rows, trees, filters, reports). */
  portRules?: readonly PortRule[];
}

export interface LiveStoreOptions {
  /** Reports fed every frame as it is appended. */
  reports?: StatisticsReport[];
}

export interface LoadSummary {
  frames: number;
  /** Set when the file is damaged: everything before the damage was indexed; says where and what. */
  error: string | null;
  milliseconds: number;
}

/** Which names a NameResolution shows, as a key ('' for none): `m`, `n`, `t`, and `N` for the external resolver's. */
export function nameKey(names: NameResolution | null | undefined): string {
  if (!names || !(names.mac || names.network || names.transport)) return '';
  return `${names.mac ? 'm' : ''}${names.network ? 'n' : ''}${names.transport ? 't' : ''}${names.network && names.external ? 'N' : ''}`;
}

/** A list row needs the summary columns and the status, no tree. */
const SUMMARY_ONLY: DissectOptions = { fields: new Set(), columns: true };

export class PacketStore extends IndexedFrames {
  /** Resolves when an opened file is fully indexed (immediately for a live store). */
  loading: Promise<LoadSummary> = Promise.resolve({ frames: 0, error: null, milliseconds: 0 });
  /** Set once indexing an opened file stops at damaged data. */
  loadError: string | null = null;
  /** What the reader learnt of an opened file's format (null for a live store). */
  fileInfo: CaptureFileInfo | null = null;
  private closed = false;
  private readonly views = new Set<FilterView>();
  /** Decode As: openFile's portRules, or setPortRules'. */
  portRules: readonly PortRule[] | undefined = undefined;
  /** The rows' and trees' dissectors, one per name resolution asked for ('' none: see nameKey). */
  private readonly rowDissectors = new Map<string, RowDissector>();
  private rowDissector(names?: NameResolution | null): RowDissector {
    const key = nameKey(names);
    let dissector = this.rowDissectors.get(key);
    if (!dissector) this.rowDissectors.set(key, (dissector = new RowDissector(this, true, key === '' ? null : names)));
    return dissector;
  }
  /** Dissects for the packet list's field columns, apart from the rows' dissector (neither makes the other go back). */
  private columnDissector: RowDissector | null = null;
  private spool: Spool | null = null;
  private tempDir: string | null = null;
  /** Attached reports that need dissected packets, fed after each slice (reports that take PairTaps are fed in the indexing pass). */
  private readonly attachedFeeds: ReportFeed[];

  private constructor(readonly path: string, reports: StatisticsReport[] = []) {
    const taps = reports.length > 0 && TapFeeder.canFeed(reports);
    super(taps ? reports : []);
    this.attachedFeeds = taps ? [] : reports.map((r) => this.followReport(r));
  }

  /** A store for a live capture: frames are appended to a new pcapng spool at spoolPath. */
  static createLive(spoolPath: string, interfaces: PcapngInterfaceOptions[], options: LiveStoreOptions = {}): PacketStore {
    const store = new PacketStore(spoolPath, options.reports);
    store.spool = new Spool(spoolPath, interfaces);
    for (const i of interfaces) store.linkTypes.push(i.linkType);
    store.frameFile = new FrameFile(spoolPath);
    return store;
  }

  /** Opens a capture file and indexes it in slices; rows can be asked for at once. */
  static openFile(filePath: string, options: OpenFileOptions = {}): PacketStore {
    const reader = CaptureReader.open(filePath);
    const store = new PacketStore(filePath, options.reports);
    if (options.portRules?.length) store.portRules = options.portRules;
    store.fileInfo = reader.info;
    store.loading = store.load(reader, options).finally(() => reader.close());
    // Callers that only query later must not see an unhandled rejection: the promise still rejects for those who await it.
    store.loading.catch(() => undefined);
    return store;
  }

  /** Link types of the capture's interfaces, in interface order (an opened file's grow as pcapng declares them). */
  get interfaceLinkTypes(): readonly number[] {
    return this.linkTypes;
  }

  /** Declares another interface of the live capture; returns its id. */
  addInterface(iface: PcapngInterfaceOptions): number {
    const id = this.liveSpool().addInterface(iface);
    this.linkTypes.push(iface.linkType);
    return id;
  }

  /** Appends one frame (written to the spool before it is indexed). Returns its 1-based number. */
  appendPacket(p: SpoolPacket): number {
    const spool = this.liveSpool();
    spool.append(p, (dataOffset, tsHigh, tsLow, capLen, origLen, flags, data, dataStart) => {
      this.indexFrameNs(dataOffset, (BigInt(tsHigh) << 32n) | BigInt(tsLow), capLen, origLen, p.interfaceId, flags, data, dataStart);
    });
    this.afterAppend();
    return this.index.length;
  }

  /** Appends a batch of EPBs as LiveCapture hands them over. Returns the number of frames. */
  appendBatch(batch: Buffer, interfaceId = 0): number {
    const n = this.liveSpool().appendBatch(batch, interfaceId, (dataOffset, tsHigh, tsLow, capLen, origLen, flags, data, dataStart) => {
      this.indexFrameNs(dataOffset, (BigInt(tsHigh) << 32n) | BigInt(tsLow), capLen, origLen, interfaceId, flags, data, dataStart);
    });
    this.afterAppend();
    return n;
  }

  override count(view?: FilterView): number {
    return view ? view.count() : this.index.length;
  }

  /**
   * Summary rows for positions [start, start + count) of the capture, or of a filter view. Source,
   * destination, protocol and info are the full Dissector's (consistent with a dissection of the
   * whole capture in order: see RowDissector).
   */
  rows(start: number, count: number, view?: FilterView, names?: NameResolution | null): PacketRow[] {
    const dissector = this.rowDissector(names);
    const total = this.count(view);
    const rows: PacketRow[] = [];
    const first = this.index.length > 0 ? this.index.tsNs(0) : 0n;
    for (let i = Math.max(0, start); i < Math.min(total, start + count); i++) {
      const k = view ? view.frameAt(i) - 1 : i;
      const packet = dissector.dissect(k, false, SUMMARY_ONLY);
      const ts = this.index.tsNs(k);
      const s = packet.summary;
      rows.push({ number: k + 1, tsNs: ts, relativeSeconds: Number(ts - first) / 1e9, source: s.source, destination: s.destination, protocol: s.protocol, length: s.length, info: s.info, status: packet.status });
    }
    return rows;
  }

  /**
   * Decode As on the frames held and those to come: the rows' and field columns' dissectors start
   * again with the rules. Views, reports and analyses made afterwards use them (their owners make
   * them again: EngineService.setDecodeAs). The index is not touched: its dissection runs no
   * application dissector that a rule could change, bar reports fed in the indexing pass.
   */
  setPortRules(rules: readonly PortRule[]): void {
    this.portRules = rules.length ? rules : undefined;
    this.rowDissectors.clear();
    this.columnDissector = null;
  }

  /** The values of fields in frame k (0-based), as `tshark -T fields -e NAME` prints each (occurrences joined by ','). */
  fieldTexts(k: number, names: readonly string[]): string[] {
    this.columnDissector ??= new RowDissector(this);
    const packet = this.columnDissector.dissect(k, false, { fields: new Set(names), columns: names.some((n) => n.startsWith('_ws.col.')) });
    const values = collectFields(packet, names);
    return names.map((n) => values.get(n)!.join(','));
  }

  /** One packet's full tree (fields with byte ranges) and its captured bytes (a copy). number is 1-based. */
  packet(number: number, names?: NameResolution | null): { packet: DissectedPacket; data: Buffer } {
    const k = this.checkNumber(number);
    const packet = this.rowDissector(names).dissect(k, true);
    return { packet, data: this.frameInput(k, true).data };
  }

  /** The index's own columns for a frame (no dissection): what sorting and statistics use. */
  indexedColumns(number: number): IndexedColumns {
    const k = this.checkNumber(number);
    const ix = this.index;
    const flags = ix.flags[k]!;
    return {
      source: ix.addresses.strings[ix.source[k]!]!,
      destination: ix.addresses.strings[ix.destination[k]!]!,
      protocol: ix.protocols.strings[ix.protocol[k]!]!,
      capLen: ix.capLen[k]!,
      origLen: ix.origLen[k]!,
      tsNs: ix.tsNs(k),
      streamId: ix.streamId(k),
      tcpStream: (flags & FLAG.TCP_STREAM) !== 0,
      flags,
    };
  }

  /**
   * Starts a display filter over every frame (in slices, with progress); the view keeps up with
   * frames appended later. Throws DisplayFilterError for a bad filter (the message says where).
   */
  filter(text: string, onProgress?: (p: FilterProgress) => void, skip?: (k: number) => boolean): FilterView {
    const view = new FilterView(text, this, onProgress, skip);
    this.views.add(view);
    void view.update();
    return view;
  }

  /**
   * A report that follows the store as it grows (live capture): call update() when frames have
   * been appended; the report then covers every frame so far, and its text()/json() can be asked
   * at any time.
   */
  followReport(report: StatisticsReport, skip?: (k: number) => boolean): ReportFeed {
    return new ReportFeed(this, report, skip);
  }

  /**
   * Feeds every frame the store holds, in order, to a statistics report (app/stats); conversations
   * and endpoints take PairTaps of simple frames (see report-feed.ts).
   */
  feedReport(report: StatisticsReport, onProgress?: (framesDone: number, framesTotal: number) => void): Promise<void> {
    return feedReport(this, report, onProgress);
  }

  /** Stops updating a view (it keeps its matches so far). */
  dropView(view: FilterView): void {
    view.cancel();
    this.views.delete(view);
  }

  close(): void {
    // An opened file still being indexed stops at the next slice.
    this.closed = true;
    for (const v of this.views) v.cancel();
    this.views.clear();
    this.spool?.close();
    this.frameFile?.close();
    if (this.tempDir) fs.rmSync(this.tempDir, { recursive: true, force: true });
  }

  private liveSpool(): Spool {
    if (!this.spool) throw new Error(`${this.path} was opened as a file: frames can only be appended to a live store (PacketStore.createLive)`);
    return this.spool;
  }

  private checkNumber(number: number): number {
    if (!Number.isInteger(number) || number < 1 || number > this.index.length) {
      throw new RangeError(`there is no frame ${number}: frames are numbered 1 to ${this.index.length}`);
    }
    return number - 1;
  }

  private afterAppend(): void {
    for (const view of this.views) view.updateSync();
    this.feedAttached();
  }

  private feedAttached(): void {
    for (const feed of this.attachedFeeds) feed.updateSync();
  }

  private async load(reader: CaptureReader, options: OpenFileOptions): Promise<LoadSummary> {
    const started = Date.now();
    const slice = options.sliceFrames ?? 20000;
    const bytesTotal = fs.statSync(this.path).size;
    const format = reader.info.format;
    if (reader.info.compressed) {
      // Compressed files cannot be read at random: unpack the frames into a spool as we index.
      this.tempDir = fs.mkdtempSync(path.join(options.spoolDir ?? os.tmpdir(), 'sievecap-open-'));
    } else if (format !== null) this.frameFile = new FrameFile(this.path);
    let frames = 0;
    let ended = false;
    let reserved = false;
    for (;;) {
      const first = frames;
      const end = frames + slice;
      const deadline = options.sliceMs === undefined ? Infinity : performance.now() + options.sliceMs;
      while (frames < end) {
        // The clock is read every 64 frames: cheap, and a slice overshoots its time by 64 frames at most.
        if ((frames & 63) === 0 && frames !== first && performance.now() >= deadline) break;
        // One reused view per packet, bytes in place and time as numbers: no object or BigInt per packet.
        const p = reader.nextView();
        if (p === null) {
          ended = true;
          break;
        }
        while (this.linkTypes.length < reader.interfaces.length) this.linkTypes.push(reader.interfaces[this.linkTypes.length]!.linkType);
        if (this.tempDir !== null) {
          const tsNs = BigInt(p.tsSec) * 1_000_000_000n + BigInt(p.tsNsec);
          this.unpack(p.interfaceId, p.linkType, tsNs, p.buf.subarray(p.start, p.start + p.capLen), p.origLen, p.flags);
        } else {
          const header = format === 'pcap' ? 16 : p.noTimestamp ? 12 : 28;
          this.indexFrame(p.offset + header, p.tsSec, p.tsNsec, p.capLen, p.origLen, p.interfaceId, p.flags, p.buf, p.start);
        }
        frames++;
      }
      // The frames seen so far tell the average record size: room for the whole file in one step.
      if (!reserved && !ended && this.tempDir === null && frames >= Math.min(slice, 20000)) {
        reserved = true;
        this.index.reserve(Math.ceil((bytesTotal / Math.max(1, this.approxBytesDone())) * frames * 1.02));
      }
      if (this.closed) break;
      for (const view of this.views) void view.update();
      this.feedAttached();
      options.onProgress?.({ frames, bytesDone: Math.min(bytesTotal, this.approxBytesDone()), bytesTotal });
      if (ended || reader.error !== null) break;
      if (options.signal?.aborted) {
        this.loadError = `indexing was cancelled after ${frames} frames`;
        break;
      }
      await (options.yieldBetweenSlices ? options.yieldBetweenSlices() : new Promise<void>((resolve) => setImmediate(resolve)));
    }
    if (this.closed) this.loadError = `the capture was closed while it was being indexed (after ${frames} frames)`;
    else if (this.loadError === null) this.loadError = reader.error?.message ?? null;
    this.index.trimToSize();
    return { frames, error: this.loadError, milliseconds: Date.now() - started };
  }

  private approxBytesDone(): number {
    const k = this.index.length - 1;
    return k < 0 ? 0 : this.index.dataOffset[k]! + this.index.capLen[k]!;
  }

  /** A frame of a compressed file: into the unpacking spool (interfaces declared as they appear). */
  private unpack(interfaceId: number, linkType: number, tsNs: bigint, data: Buffer, origLen: number, flags: number): void {
    if (this.spool === null) {
      this.spool = new Spool(path.join(this.tempDir!, 'unpacked.pcapng'), [{ linkType, snapLen: 0 }]);
      this.frameFile = new FrameFile(this.spool.path);
    }
    while (this.spool.interfaceCount <= interfaceId) this.spool.addInterface({ linkType: this.linkTypes[this.spool.interfaceCount] ?? linkType, snapLen: 0 });
    this.spool.append({ interfaceId, tsNs, data, origLen, flags: flags || undefined }, (dataOffset, tsHigh, tsLow, capLen, orig, f, bytes, dataStart) => {
      this.indexFrameNs(dataOffset, tsNs, capLen, orig, interfaceId, f, bytes, dataStart);
    });
  }
}
