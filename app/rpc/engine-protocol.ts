/**
 * The engine's service protocol: one schema for every request a UI (the renderer, `sievecap serve`'s
 * page, the CLI) sends to the engine, every reply and every event it sends back. A leaf module: no
 * Node imports, so the renderer shares its types. Carried as it is by a MessagePort (Electron's
 * utilityProcess, worker_threads: structured clone) or as JSON text by a WebSocket: every reply is
 * plain data (no bigint, Buffer, Map or class instance), time stamps are strings of nanoseconds
 * since the epoch, bytes are base64, errors are `{code, message}`.
 *
 *   → { id: 7, method: 'rows', session: 1, start: 0, count: 50, view: 3 }
 *   ← { type: 'result', id: 7, method: 'rows', result: { total: 812, start: 0, rows: [...] } }
 *   ← { type: 'error', id: 8, method: 'createView', error: { code: 'EFILTER', message: '...' } }
 *   ← { type: 'event', event: 'framesAppended', session: 1, frames: 9120, views: [...] }
 *
 * Work that takes long (opening a file, a display filter, a report) is one request answered when
 * it is done, announcing `progress` events meanwhile; `cancel` stops any running request, which
 * then answers ECANCELED. Objects made by a request (a session, a view, a report) get their id at
 * once, in its first progress event (and `opened` for a session), so a UI can page rows while a
 * file is still being indexed or a filter still runs.
 */
import { TIME_DISPLAY_FORMATS } from './time-formats';
import * as v from 'valibot';
import { KernelStagesSpec, WatchRule } from './helper-protocol';

export const ENGINE_PROTOCOL_VERSION = 1;

/** Largest request, as JSON text (a WebSocket message); the schema bounds every field besides. */
export const MAX_REQUEST_BYTES = 64 * 1024;
export const MAX_PAGE_ROWS = 1000;
export const MAX_PATH_CHARS = 4096;
export const MAX_FILTER_CHARS = 16 * 1024;
export const MAX_SPEC_CHARS = 16 * 1024;
export const MAX_LIVE_INTERFACES = 32;
/** Most rules a capture's CIDR watchlist has (its kernel counters: bpf/programs/watchlist.ts MAX_WATCH_RULES). */
export const MAX_WATCH_RULES = 64;

/**
 * The codes errors carry. Requests that name a file may also answer with the system's code for
 * it (ENOENT, EACCES, EISDIR).
 */
export const ENGINE_ERRORS = {
  EBADMSG: 'the request does not match the schema (or its id is already running)',
  EMSGSIZE: 'the request is larger than MAX_REQUEST_BYTES',
  ENOSESSION: 'no open session has that id (never opened, or closed)',
  ENOVIEW: 'the session has no display-filter view with that id',
  ENOREPORT: 'the session has no report with that id',
  ERANGE: 'no frame has that number',
  EFILTER: 'the display filter is not valid (the message is the parser’s)',
  ESPEC: 'the report spec is unknown or has a bad parameter',
  EFORMAT: 'the file is not a capture file sievecap reads',
  EDAMAGED: 'the file is damaged: the frames before the damage were indexed and stay open in `session`',
  EREAD: 'captured bytes could not be read back (the file or spool was truncated or removed underneath)',
  ENOTLIVE: 'the session is not a live capture, or its capture has ended',
  ECAPFILTER: 'the capture filter is not valid (the message is libpcap’s)',
  EWATCHLIST: 'a watchlist change is refused: a prefix that is not an address or CIDR prefix, a prefix in two rules, or more than 64 rules (the message says which)',
  ENODEV: 'no network interface has that name (or it vanished)',
  EPERM: 'capturing needs privileges this engine could not get: the message says how to get them',
  ENOHELPER: 'the capture helper could not be started or was lost (the message says why)',
  ENOTRANSACTION: 'the session has no HTTP transaction with that index',
  ENOSTREAM: 'the session has no stream with that number',
  EPRESET: 'a preset is invalid, built in (read-only), unknown, or the presets file is damaged (it is then never overwritten)',
  ESAVE: 'the capture (or an exported HTTP object) could not be written (disk full, no permission: the message says which)',
  EDECODEAS: 'a decode-as rule names a protocol that has no dissector for that transport (the message lists those there are)',
  EBUSY: 'a capture is already running: the capture helper runs one at a time (stop it first)',
  ECANCELED: 'the request was cancelled',
  ECLOSED: 'the session was closed while the request ran',
  EENGINE: 'an unexpected failure inside the engine (a bug: the message says what)',
} as const;
export type EngineErrorCode = keyof typeof ENGINE_ERRORS;

// ---- building blocks ---------------------------------------------------------------------------

const Count = v.pipe(v.number(), v.integer(), v.minValue(0));
const RequestId = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 31));
const ObjectId = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(2 ** 31));
export const SessionId = ObjectId;
export const ViewId = ObjectId;
export const ReportId = ObjectId;
/** 1-based frame number. */
const FrameNumber = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(2 ** 32));
/** Nanoseconds since the Unix epoch, as a decimal string (exact: no bigint crosses the boundary). */
export const Nanoseconds = v.pipe(v.string(), v.regex(/^-?\d{1,21}$/, 'a time stamp is a string of nanoseconds'));
const Base64 = v.pipe(v.string(), v.regex(/^[A-Za-z0-9+/]*={0,2}$/, 'bytes are base64'));
export const FilePath = v.pipe(
  v.string(),
  v.minLength(1, 'a file path is empty'),
  v.maxLength(MAX_PATH_CHARS, `a file path has at most ${MAX_PATH_CHARS} characters`),
  v.check((s) => !s.includes('\0'), 'a file path holds no NUL character'),
);
export const DisplayFilterText = v.pipe(v.string(), v.maxLength(MAX_FILTER_CHARS, `a display filter has at most ${MAX_FILTER_CHARS} characters`));
export const ReportSpec = v.pipe(v.string(), v.minLength(1, 'a report spec is empty'), v.maxLength(MAX_SPEC_CHARS, `a report spec has at most ${MAX_SPEC_CHARS} characters`));

export const LiveInterface = v.strictObject({
  /** LINKTYPE_* of the frames the interface hands over. */
  linkType: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0xffff)),
  name: v.optional(v.pipe(v.string(), v.maxLength(256))),
  /** 0: frames are never cut (default 262144, as the spool's writer). */
  snapLen: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(262144))),
});
export type LiveInterface = v.InferOutput<typeof LiveInterface>;

/** A network interface's name, as the kernel spells it. */
export const InterfaceName = v.pipe(
  v.string(),
  v.minLength(1, 'an interface name is empty'),
  v.maxLength(15, 'an interface name has at most 15 characters'),
  v.regex(/^[^\s/:]+$/, 'an interface name has no spaces, slashes or colons'),
);
/** A tcpdump (libpcap) capture filter expression. */
export const CaptureFilterText = v.pipe(v.string(), v.maxLength(MAX_FILTER_CHARS, `a capture filter has at most ${MAX_FILTER_CHARS} characters`));
export const PresetName = v.pipe(
  v.string(),
  v.minLength(1, 'a preset name is empty'),
  v.maxLength(64, 'a preset name has at most 64 characters'),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'a preset name starts with a letter or digit and holds letters, digits, spaces, dots, dashes and underscores'),
);

/** A capture preset: a named capture filter, and the kernel stages it adds, with a one-line description. */
export const PresetSettings = v.strictObject({
  name: PresetName,
  description: v.pipe(v.string(), v.maxLength(200, 'a preset description has at most 200 characters')),
  /** The capture filter ('' captures everything). */
  filter: CaptureFilterText,
  snapLen: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(262144))),
  /** Interfaces the preset captures on; absent: whatever the user picked. */
  interfaces: v.optional(v.pipe(v.array(InterfaceName), v.maxLength(MAX_LIVE_INTERFACES))),
  /** Kernel stages after the filter (HTTP session tracking); absent: the filter alone. */
  stages: v.optional(KernelStagesSpec),
});
export type PresetSettings = v.InferOutput<typeof PresetSettings>;
export const Preset = v.strictObject({
  ...PresetSettings.entries,
  /** Built-in presets cannot be changed or deleted; a user's preset of the same name is refused. */
  builtin: v.boolean(),
});
export type Preset = v.InferOutput<typeof Preset>;

export const CaptureFormat = v.picklist(['pcap', 'pcapng']);
export type CaptureFormat = v.InferOutput<typeof CaptureFormat>;
/** Kinds of conversation the Sessions table lists (as `-z conv,KIND`). */
export const ConversationKind = v.picklist(['eth', 'ip', 'ipv6', 'tcp', 'udp']);
export type ConversationKind = v.InferOutput<typeof ConversationKind>;

/** Which message of a transaction an HTTP object is the body of ('interim': a 1xx response's). */
export const HttpObjectPart = v.picklist(['request', 'interim', 'response']);
export type HttpObjectPart = v.InferOutput<typeof HttpObjectPart>;
/** Most transactions one exportHttpObjects names (the request stays below MAX_REQUEST_BYTES). */
export const MAX_EXPORT_INDEXES = 4096;

export const SortColumn = v.picklist(['number', 'time', 'source', 'destination', 'protocol', 'length', 'info']);
export type SortColumn = v.InferOutput<typeof SortColumn>;
export const RowSort = v.strictObject({ column: SortColumn, descending: v.boolean() });
export type RowSort = v.InferOutput<typeof RowSort>;

export { TIME_DISPLAY_FORMATS, type TimeDisplayFormat } from './time-formats';
export const TimeDisplay = v.strictObject({
  format: v.picklist(TIME_DISPLAY_FORMATS),
  /** Digits after the point (0: seconds … 9: nanoseconds), truncated; absent: the time stamps' own precision (tshark's automatic). */
  precision: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(9))),
  /** Seconds as hours, minutes and seconds (tshark's -u hms). */
  hms: v.optional(v.boolean()),
});
export type TimeDisplay = v.InferOutput<typeof TimeDisplay>;

/**
 * View › Name Resolution, as Wireshark's: MAC addresses by vendor and well-known name (manuf, wka,
 * ethers), IP addresses by host name (Wireshark's hosts files, then /etc/hosts; never DNS), TCP and
 * UDP ports by service name. Shown in the Source and Destination columns, the Info column's ports
 * and tree labels.
 */
export const NameResolutionFlags = v.strictObject({ mac: v.boolean(), network: v.boolean(), transport: v.boolean() });
export type NameResolutionFlags = v.InferOutput<typeof NameResolutionFlags>;

/** Per-frame flags a user sets (Edit › Mark Packet, Ignore Packet), as Wireshark's frame.marked and frame.ignored. */
export const FrameFlag = v.picklist(['marked', 'ignored']);
export type FrameFlag = v.InferOutput<typeof FrameFlag>;
/** Decode As: TCP or UDP payloads on a port go to a protocol's dissector (tshark's `-d tcp.port==8888,http`). */
export const DecodeAsRule = v.strictObject({
  transport: v.picklist(['tcp', 'udp']),
  port: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65535)),
  protocol: v.pipe(v.string(), v.regex(/^[a-z0-9_.-]{1,32}$/, 'a protocol is named in lower case, as Wireshark’s (http, dns, tls)')),
});
export type DecodeAsRule = v.InferOutput<typeof DecodeAsRule>;

/** A field's name, as Wireshark abbreviates it ('tcp.window_size', '_ws.col.Info'). */
export const FieldName = v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/, 'a field name is letters, digits, dots, dashes and underscores'));
/** Most field columns the packet list asks for. */
export const MAX_FIELD_COLUMNS = 16;
/** Most frame numbers or ranges one request names. */
export const MAX_FRAME_LIST = 4096;
const FrameRanges = v.pipe(
  v.array(v.strictObject({ first: v.pipe(v.number(), v.integer(), v.minValue(1)), last: v.pipe(v.number(), v.integer(), v.minValue(1)) })),
  v.maxLength(MAX_FRAME_LIST, `at most ${MAX_FRAME_LIST} ranges`),
);

// ---- requests (UI → engine) --------------------------------------------------------------------

export const EngineRequest = v.variant('method', [
  /**
   * Opens a capture file; answered once it is indexed (progress and `opened` events before).
   * `decodeAs`: payloads on these ports go to these protocols' dissectors (tshark's -d), in every
   * row, tree, filter and report of the session.
   */
  v.strictObject({ id: RequestId, method: v.literal('openFile'), path: FilePath, decodeAs: v.optional(v.pipe(v.array(DecodeAsRule), v.maxLength(16, 'at most 16 decode-as rules'))) }),
  /** A session for a live capture: a new spool; its frames are appended by the engine's host (the capture helper's batches). */
  v.strictObject({ id: RequestId, method: v.literal('openLive'), interfaces: v.pipe(v.array(LiveInterface), v.minLength(1, 'a live capture has at least one interface'), v.maxLength(MAX_LIVE_INTERFACES)) }),
  v.strictObject({ id: RequestId, method: v.literal('sessionInfo'), session: SessionId }),
  v.strictObject({ id: RequestId, method: v.literal('listSessions') }),
  /** Summary rows [start, start + count) of the capture, or of a view's matches. */
  v.strictObject({
    id: RequestId,
    method: v.literal('rows'),
    session: SessionId,
    start: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 32)),
    count: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_PAGE_ROWS, `a page has at most ${MAX_PAGE_ROWS} rows`)),
    view: v.optional(ViewId),
    /** Rows in the order of one column (the packet list's sortable headers); absent: frame order. */
    sort: v.optional(RowSort),
    /** Each row's Time column in this format (the row's timeText). */
    time: v.optional(TimeDisplay),
    /** Fields shown as columns (Apply as Column): each row's `columns`, as `tshark -T fields -e NAME` prints them. */
    columns: v.optional(v.pipe(v.array(FieldName), v.maxLength(MAX_FIELD_COLUMNS, `at most ${MAX_FIELD_COLUMNS} field columns`))),
    /** Names in the Source, Destination and Info columns (absent: none, addresses and ports as numbers). */
    names: v.optional(NameResolutionFlags),
  }),
  /**
   * One packet's layers and fields (with byte ranges) and its captured bytes; `names` in its
   * labels as in the rows'; `fullValues`: byte fields longer than CUT_BYTES come whole (else cut,
   * with `cut` set).
   */
  v.strictObject({ id: RequestId, method: v.literal('packet'), session: SessionId, number: FrameNumber, names: v.optional(NameResolutionFlags), fullValues: v.optional(v.boolean()) }),
  /** Compiles a display filter without running it (the filter bar validating as the user types). */
  v.strictObject({ id: RequestId, method: v.literal('checkFilter'), filter: DisplayFilterText }),
  /** A display-filter view; answered when it has tested every frame (it then follows appended frames). */
  v.strictObject({ id: RequestId, method: v.literal('createView'), session: SessionId, filter: DisplayFilterText }),
  /** Replaces a view's filter (same id); a bad filter leaves the view as it was. */
  v.strictObject({ id: RequestId, method: v.literal('updateView'), session: SessionId, view: ViewId, filter: DisplayFilterText }),
  v.strictObject({ id: RequestId, method: v.literal('dropView'), session: SessionId, view: ViewId }),
  /** A statistics report (`conv,tcp`, `endpoints,ip`, `io,phs`, `io,stat,1[,FILTER…]`, `http,tree`, `http_req,tree`, `follow,tcp,ascii,0`): answered once fed every frame. */
  v.strictObject({ id: RequestId, method: v.literal('createReport'), session: SessionId, spec: ReportSpec }),
  /** A report brought up to date with the session's frames: its data (JSON) and/or tshark's text. */
  v.strictObject({ id: RequestId, method: v.literal('readReport'), session: SessionId, report: ReportId, format: v.optional(v.picklist(['json', 'text', 'both'])) }),
  v.strictObject({ id: RequestId, method: v.literal('dropReport'), session: SessionId, report: ReportId }),
  /** Stops a running request, which answers ECANCELED. */
  v.strictObject({ id: RequestId, method: v.literal('cancel'), request: RequestId }),
  /** Closes a session: its running requests answer ECLOSED, its views and reports go, its spool is removed. */
  v.strictObject({ id: RequestId, method: v.literal('closeSession'), session: SessionId }),

  // ---- live capture (the engine starts the privileged helper when the first capture needs it) ----
  /** The machine's network interfaces with their traffic counters (from /sys: no privilege needed), for sparklines. */
  v.strictObject({ id: RequestId, method: v.literal('listInterfaces') }),
  /** Compiles a capture filter with libpcap without capturing (no privilege needed); ECAPFILTER carries libpcap's message. */
  v.strictObject({ id: RequestId, method: v.literal('checkCaptureFilter'), filter: CaptureFilterText, interface: v.optional(InterfaceName) }),
  /**
   * Starts a live capture through the helper (started on first use; EPERM/ECANCELED/ENOHELPER when it
   * cannot be). Answered with the live session once the helper is capturing; frames then arrive as
   * framesAppended events, kernel counters as captureStatistics events.
   */
  v.strictObject({
    id: RequestId,
    method: v.literal('startCapture'),
    interfaces: v.pipe(v.array(InterfaceName), v.minLength(1, 'a capture names at least one interface'), v.maxLength(MAX_LIVE_INTERFACES)),
    filter: CaptureFilterText,
    snapLen: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(262144))),
    promiscuous: v.optional(v.boolean()),
    /** The preset the settings came from (shown in the session's info). */
    preset: v.optional(PresetName),
    /** Kernel stages after the filter (a preset's), built by the helper. */
    stages: v.optional(KernelStagesSpec),
  }),
  /** Stops a live capture; its frames stay in the session (and its spool) until it is closed. */
  v.strictObject({ id: RequestId, method: v.literal('stopCapture'), session: SessionId }),
  /**
   * Replaces a running capture's CIDR watchlist with `rules` (all of them, as they should be now).
   * With a watchlist already in the kernel, prefixes are added, moved and removed in place (no
   * reload; every rule keeps its counters, a rule whose prefixes are all removed keeps its counter
   * until the program is replaced). A capture without one gets it by a program swap (as
   * setCaptureFilter), and no rules at all takes it away the same way. EWATCHLIST names a bad prefix.
   */
  v.strictObject({
    id: RequestId,
    method: v.literal('watch'),
    session: SessionId,
    rules: v.pipe(
      v.array(WatchRule),
      v.maxLength(MAX_WATCH_RULES, `a watchlist has at most ${MAX_WATCH_RULES} rules`),
      v.check((rules) => new Set(rules.map((r) => r.name)).size === rules.length, 'a rule name is used twice'),
    ),
  }),
  /**
   * Replaces a running capture's kernel program with one built from another filter and stages,
   * atomically (no packet lost or seen twice; the capture's counters and traffic mix carry on).
   * The filter is checked with libpcap first: ECAPFILTER leaves the capture running as it was.
   * Absent stages: the filter alone. The session's capture.filter, preset and stages follow.
   */
  v.strictObject({
    id: RequestId,
    method: v.literal('setCaptureFilter'),
    session: SessionId,
    filter: CaptureFilterText,
    stages: v.optional(KernelStagesSpec),
    /** The preset the new settings came from (absent: none). */
    preset: v.optional(PresetName),
  }),

  // ---- saving ----
  /**
   * Writes the session's frames (all, or a view's matches) to a file of the engine's machine, as
   * pcap or pcapng; Export Specified Packets narrows them to the marked ones, to frame number
   * ranges, and leaves out ignored ones.
   */
  v.strictObject({
    id: RequestId,
    method: v.literal('saveFile'),
    session: SessionId,
    path: FilePath,
    format: CaptureFormat,
    view: v.optional(ViewId),
    /** Only marked frames. */
    marked: v.optional(v.boolean()),
    /** Only frames whose number is in one of these ranges (inclusive). */
    ranges: v.optional(FrameRanges),
    /** Leave out ignored frames. */
    removeIgnored: v.optional(v.boolean()),
  }),
  /**
   * Sets or clears a flag (marked, ignored) on frames: those listed, and/or every frame `displayed`
   * (a view's matches, or every frame without one). Ignoring changes what the session's reports
   * count: each is counted again from the first frame when next read. Ignored frames match no
   * display filter of a view made (or updated) afterwards.
   */
  v.strictObject({
    id: RequestId,
    method: v.literal('setFrameFlag'),
    session: SessionId,
    flag: FrameFlag,
    value: v.boolean(),
    frames: v.optional(v.pipe(v.array(FrameNumber), v.maxLength(MAX_FRAME_LIST, `at most ${MAX_FRAME_LIST} frames are named in one request`))),
    displayed: v.optional(v.boolean()),
    view: v.optional(ViewId),
  }),
  /**
   * The first frame after (or before) `from` in the list's order (a view's matches, or every
   * frame; frame order) that matches: a display filter, bytes (hex) or a string (in the frame's
   * bytes, as Wireshark's Find Packet); or the next (previous) frame of the same TCP/UDP stream as
   * `from` (Ctrl+. and Ctrl+,), or marked. The search wraps around; null: none.
   */
  v.strictObject({
    id: RequestId,
    method: v.literal('findFrame'),
    session: SessionId,
    view: v.optional(ViewId),
    from: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 32)),
    backwards: v.optional(v.boolean()),
    find: v.variant('kind', [
      v.strictObject({ kind: v.literal('filter'), filter: DisplayFilterText }),
      v.strictObject({ kind: v.literal('hex'), bytes: v.pipe(v.string(), v.regex(/^([0-9a-fA-F]{2})+$/, 'hex bytes are pairs of hex digits'), v.maxLength(2048)) }),
      v.strictObject({ kind: v.literal('string'), text: v.pipe(v.string(), v.minLength(1), v.maxLength(1024)), caseSensitive: v.optional(v.boolean()) }),
      v.strictObject({ kind: v.literal('conversation') }),
      /** The next (previous) marked frame (Go › Next Mark). */
      v.strictObject({ kind: v.literal('marked') }),
    ]),
  }),
  /**
   * Decode As on a session as it is (a live capture's, as Wireshark does it): the rules replace the
   * session's, and every frame is dissected again with them — rows, trees, the session's views
   * (run again), reports (counted again from frame 1), conversations — as are frames captured
   * afterwards. An empty list takes the rules away. EDECODEAS names a protocol there is not.
   */
  v.strictObject({ id: RequestId, method: v.literal('setDecodeAs'), session: SessionId, decodeAs: v.pipe(v.array(DecodeAsRule), v.maxLength(16, 'at most 16 decode-as rules')) }),
  /** What capinfos says of the session's file (or a live capture's spool): Statistics › Capture File Properties. */
  v.strictObject({ id: RequestId, method: v.literal('captureProperties'), session: SessionId }),

  // ---- sessions table, follow stream, HTTP ----
  /** Conversations of one kind, as `-z conv,KIND` counts them (optionally only a view's matches). */
  v.strictObject({ id: RequestId, method: v.literal('conversations'), session: SessionId, kind: ConversationKind, view: v.optional(ViewId) }),
  /** Both directions of one TCP or UDP stream (tcp.stream / udp.stream numbers), as Follow Stream shows them. */
  v.strictObject({
    id: RequestId,
    method: v.literal('followStream'),
    session: SessionId,
    protocol: v.picklist(['tcp', 'udp']),
    stream: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 32)),
  }),
  /**
   * A page of HTTP transactions (requests with their responses): in request order, or the slowest
   * first (`order: 'slowest'`: by http.time, longest first; those without a response last). Each
   * row keeps its `index` in request order.
   */
  v.strictObject({
    id: RequestId,
    method: v.literal('httpTransactions'),
    session: SessionId,
    start: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 32)),
    count: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_PAGE_ROWS, `a page has at most ${MAX_PAGE_ROWS} rows`)),
    order: v.optional(v.picklist(['request', 'slowest'])),
  }),
  /** One HTTP transaction: headers of both messages and their bodies (content-decoded, up to MAX_BODY_PREVIEW bytes each). */
  v.strictObject({ id: RequestId, method: v.literal('httpTransaction'), session: SessionId, index: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 32)) }),
  /** The HTTP objects (bodies) `--export-objects http` would write, as Wireshark's Export Objects list shows them, without writing any. */
  v.strictObject({ id: RequestId, method: v.literal('httpObjects'), session: SessionId }),
  /**
   * Writes HTTP bodies into a folder of the engine's machine as `--export-objects http,DIR` does (same bytes,
   * same names; a name taken gets (1), (2)…: no file is ever overwritten): those of the transactions
   * `indexes` (httpTransactions' numbering; absent: every object, responses without a captured request
   * included), only their `part` when given. ESAVE carries the system's reason.
   */
  v.strictObject({
    id: RequestId,
    method: v.literal('exportHttpObjects'),
    session: SessionId,
    directory: FilePath,
    indexes: v.optional(v.pipe(v.array(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 32))), v.maxLength(MAX_EXPORT_INDEXES, `at most ${MAX_EXPORT_INDEXES} transactions are named in one export (leave indexes out for all)`))),
    part: v.optional(HttpObjectPart),
  }),

  // ---- presets and recent files (the user's config directory) ----
  /** Built-in presets, then the user's; a damaged presets file is reported in `problem`, never overwritten. */
  v.strictObject({ id: RequestId, method: v.literal('listPresets') }),
  /** Saves (or replaces) one of the user's presets; a built-in name is refused (EPRESET). */
  v.strictObject({ id: RequestId, method: v.literal('savePreset'), preset: PresetSettings }),
  v.strictObject({ id: RequestId, method: v.literal('deletePreset'), name: PresetName }),
  /** Capture files opened lately, newest first (openFile records them). */
  v.strictObject({ id: RequestId, method: v.literal('recentFiles') }),
]);
export type EngineRequest = v.InferOutput<typeof EngineRequest>;
export type EngineMethod = EngineRequest['method'];
/** The parameters of a method: the request without its id and method. */
export type EngineParams<M extends EngineMethod> = Omit<Extract<EngineRequest, { method: M }>, 'id' | 'method'>;

// ---- results -----------------------------------------------------------------------------------

export const ErrorData = v.strictObject({
  code: v.string(),
  message: v.string(),
  /** Set when a session stays open despite the error (EDAMAGED: the frames before the damage). */
  session: v.optional(SessionId),
});
export type ErrorData = v.InferOutput<typeof ErrorData>;

const Status = v.picklist(['ok', 'truncated', 'malformed']);

export const PacketRow = v.strictObject({
  number: FrameNumber,
  time: Nanoseconds,
  /** Seconds since the first frame (frame.time_relative). */
  relativeSeconds: v.number(),
  source: v.string(),
  destination: v.string(),
  protocol: v.string(),
  /** Length on the wire (frame.len). */
  length: Count,
  info: v.string(),
  status: Status,
  /** The Time column as the rows request's `time` asked. */
  timeText: v.optional(v.string()),
  /** The values of the rows request's `columns` (occurrences joined by ','; '' when absent). */
  columns: v.optional(v.array(v.string())),
  marked: v.optional(v.literal(true)),
  ignored: v.optional(v.literal(true)),
});
export type PacketRow = v.InferOutput<typeof PacketRow>;

/** Byte fields longer than this come cut in a packet reply (a reassembled body can be megabytes, sent twice: hex text and base64). */
export const CUT_BYTES = 1024;

export interface PacketField {
  /** Wireshark's abbreviation ('tcp.flags.syn'); '' for a text-only tree line. */
  abbrev: string;
  label: string;
  /** The value as `tshark -T fields` prints it. */
  text: string;
  /** Plain value: 64-bit integers as decimal strings (type 'integer64'), byte strings as base64 (type 'bytes'). */
  value: string | number | boolean | null;
  type: 'number' | 'integer64' | 'string' | 'boolean' | 'bytes' | 'none';
  /** Byte range in the frame (in the reassembled data when `reassembled`). */
  offset: number;
  length: number;
  hidden?: true;
  reassembled?: true;
  /** A byte field longer than CUT_BYTES, cut: see the schema below. */
  cut?: true;
  children?: PacketField[];
}

export const PacketField: v.GenericSchema<PacketField> = v.strictObject({
  abbrev: v.string(),
  label: v.string(),
  text: v.string(),
  value: v.nullable(v.union([v.string(), v.number(), v.boolean()])),
  type: v.picklist(['number', 'integer64', 'string', 'boolean', 'bytes', 'none']),
  offset: v.number(),
  length: v.number(),
  hidden: v.optional(v.literal(true)),
  reassembled: v.optional(v.literal(true)),
  /** A byte field longer than CUT_BYTES: `text` holds its first CUT_BYTES bytes and then '…', `value` is null (ask for the packet with fullValues). */
  cut: v.optional(v.literal(true)),
  children: v.optional(v.array(v.lazy(() => PacketField))),
});

export const PacketLayer = v.strictObject({
  protocol: v.string(),
  title: v.string(),
  offset: v.number(),
  length: v.number(),
  status: Status,
  problem: v.nullable(v.string()),
  fields: v.array(PacketField),
});
export type PacketLayer = v.InferOutput<typeof PacketLayer>;

export const PacketDetail = v.strictObject({
  number: FrameNumber,
  time: Nanoseconds,
  relativeSeconds: v.number(),
  /** Bytes captured and length on the wire. */
  capturedLength: Count,
  length: Count,
  linkType: v.number(),
  interfaceId: Count,
  /** pcapng direction: 'in', 'out' or null when unknown. */
  direction: v.nullable(v.picklist(['in', 'out'])),
  status: Status,
  summary: v.strictObject({ source: v.string(), destination: v.string(), protocol: v.string(), length: Count, info: v.string() }),
  layers: v.array(PacketLayer),
  /** The captured bytes. */
  bytes: Base64,
});
export type PacketDetail = v.InferOutput<typeof PacketDetail>;

export const ViewInfo = v.strictObject({
  view: ViewId,
  filter: v.string(),
  matches: Count,
  /** Frames tested so far, of `framesTotal` in the session. */
  framesDone: Count,
  framesTotal: Count,
  /** Set when the view stopped at a frame it could not read. */
  error: v.nullable(ErrorData),
});
export type ViewInfo = v.InferOutput<typeof ViewInfo>;

export const ReportInfo = v.strictObject({
  report: ReportId,
  spec: v.string(),
  /** The report covers frames 1..framesFed. */
  framesFed: Count,
});
export type ReportInfo = v.InferOutput<typeof ReportInfo>;

export const InterfaceInfo = v.strictObject({
  linkType: v.number(),
  /** libpcap's name ('EN10MB') and description ('Ethernet'). */
  linkTypeName: v.string(),
  linkTypeDescription: v.string(),
  name: v.nullable(v.string()),
});
export type InterfaceInfo = v.InferOutput<typeof InterfaceInfo>;

export const CaptureStatistics = v.strictObject({
  interface: v.string(),
  /** Packets the kernel handed to the ring (drops included). */
  received: Count,
  /** Packets the kernel dropped for lack of ring space. */
  dropped: Count,
  /** Every packet the eBPF program saw, and those it accepted. */
  seenPackets: Count,
  acceptedPackets: Count,
  /**
   * With a CIDR watchlist: packets and bytes from or to each rule's prefixes, in the order the
   * rules got their counters (a rule whose prefixes were all removed is still listed).
   */
  rules: v.optional(v.array(v.strictObject({ name: v.string(), packets: Count, bytes: Count }))),
  /**
   * With the traffic-mix stage: every packet the program saw (accepted or not), per ethertype and
   * per IP protocol (IPv4 protocol, IPv6 first next header); only entries with packets, by number.
   */
  mix: v.optional(v.strictObject({
    ethertypes: v.array(v.strictObject({ ethertype: Count, packets: Count, bytes: Count })),
    ipProtocols: v.array(v.strictObject({ protocol: Count, packets: Count, bytes: Count })),
  })),
});
export type CaptureStatistics = v.InferOutput<typeof CaptureStatistics>;

export const SessionInfo = v.strictObject({
  session: SessionId,
  kind: v.picklist(['file', 'live']),
  /** The opened file, or the live capture's spool. */
  path: v.string(),
  /** file: 'loading' → 'loaded'; live: 'capturing' → 'stopped'. */
  state: v.picklist(['loading', 'loaded', 'capturing', 'stopped']),
  frames: Count,
  loading: v.strictObject({
    /** Bytes of the (uncompressed) file indexed so far, of its size on disk. */
    bytesDone: Count,
    bytesTotal: Count,
    milliseconds: v.nullable(Count),
    /** Why indexing stopped early (EDAMAGED: damaged data; ECANCELED). */
    error: v.nullable(ErrorData),
  }),
  interfaces: v.array(InterfaceInfo),
  /** What the file's header says (null for a live capture). */
  file: v.nullable(v.strictObject({
    format: v.nullable(v.picklist(['pcap', 'pcapng'])),
    compressed: v.boolean(),
    nanosecond: v.boolean(),
    byteOrder: v.picklist(['little', 'big']),
    version: v.string(),
  })),
  /** Size of the file, or of the spool so far. */
  bytes: Count,
  firstTime: v.nullable(Nanoseconds),
  lastTime: v.nullable(Nanoseconds),
  /** Decode As rules the session was opened with. */
  decodeAs: v.optional(v.array(DecodeAsRule)),
  /** Frames marked and ignored (Edit › Mark, Ignore). */
  marked: v.optional(Count),
  ignored: v.optional(Count),
  views: v.array(ViewInfo),
  reports: v.array(ReportInfo),
  /** A live capture's settings and its latest kernel counters (absent for files and host-fed live sessions). */
  capture: v.optional(v.strictObject({
    interfaces: v.array(v.string()),
    filter: v.string(),
    preset: v.nullable(v.string()),
    /** Kernel stages after the filter (the preset's); absent: the filter alone. */
    stages: v.optional(KernelStagesSpec),
    snapLen: Count,
    statistics: v.array(CaptureStatistics),
    /** Why the capture ended early (an interface vanished, the helper was lost), else null. */
    error: v.nullable(ErrorData),
  })),
});
export type SessionInfo = v.InferOutput<typeof SessionInfo>;

/** capinfos' facts about a capture file (Statistics › Capture File Properties). */
export const CaptureProperties = v.strictObject({
  path: v.string(),
  /** capinfos' "File type" ('Wireshark/... - pcapng', 'Wireshark/tcpdump/... - pcap'). */
  fileType: v.string(),
  /** capinfos' "File encapsulation": one link type's name, or 'Per packet'. */
  encapsulation: v.string(),
  /** capinfos' "File timestamp precision" ('microseconds (6)', 'nanoseconds (9)'). */
  timePrecision: v.string(),
  /** File size in bytes, and the sum of the frames' captured lengths ("Data size"). */
  fileBytes: Count,
  dataBytes: Count,
  packets: Count,
  firstTime: v.nullable(Nanoseconds),
  lastTime: v.nullable(Nanoseconds),
  /** Both as capinfos prints them: the engine's local date and time at the time stamps' precision. */
  firstTimeText: v.nullable(v.string()),
  lastTimeText: v.nullable(v.string()),
  /** Last minus first, seconds (null with fewer than two frames' times). */
  elapsedSeconds: v.nullable(v.number()),
  /** Data bytes / s, data bits / s, average packet size (bytes), packets / s; null when no time elapsed. */
  bytesPerSecond: v.nullable(v.number()),
  bitsPerSecond: v.nullable(v.number()),
  averagePacketBytes: v.nullable(v.number()),
  packetsPerSecond: v.nullable(v.number()),
  /** The snap lengths the interfaces record (capinfos' "Packet size limit"), smallest and largest. */
  snapLengthMin: v.nullable(Count),
  snapLengthMax: v.nullable(Count),
  interfaces: v.array(v.strictObject({
    name: v.nullable(v.string()),
    description: v.nullable(v.string()),
    encapsulation: v.string(),
    snapLength: Count,
    /** Digits of its time stamps. */
    timeDigits: Count,
    packets: Count,
  })),
  marked: Count,
  ignored: Count,
});
export type CaptureProperties = v.InferOutput<typeof CaptureProperties>;

/** Most data followStream sends in its chunks, bytes (a longer stream is cut: `truncated`). */
export const MAX_FOLLOW_BYTES = 16 * 1024 * 1024;
/** Largest body preview httpTransaction sends, bytes (after content decoding). */
export const MAX_BODY_PREVIEW = 1024 * 1024;

export const NetworkInterface = v.strictObject({
  name: v.string(),
  index: Count,
  up: v.boolean(),
  running: v.boolean(),
  loopback: v.boolean(),
  /** LINKTYPE_* its frames will have (1 Ethernet, 772 → 1 for loopback as libpcap reports it). */
  linkType: v.number(),
  /** Addresses, as text ('127.0.0.1/8', 'fe80::1/64'). */
  addresses: v.array(v.string()),
  /** Counters of the interface since it came up (/sys/class/net/NAME/statistics). */
  rxPackets: Count,
  txPackets: Count,
  rxBytes: Count,
  txBytes: Count,
});
export type NetworkInterface = v.InferOutput<typeof NetworkInterface>;


/** One protocol of readReport's `io,phs` data, its children the protocols found inside it (tshark's -z io,phs tree). */
export interface HierarchyNode {
  protocol: string;
  frames: number;
  /** Frame lengths on the wire. */
  bytes: number;
  children: HierarchyNode[];
}
export const HierarchyNode: v.GenericSchema<HierarchyNode> = v.strictObject({
  protocol: v.string(),
  frames: Count,
  bytes: Count,
  children: v.array(v.lazy(() => HierarchyNode)),
});

/**
 * readReport's `data` for `io,phs[,FILTER]` (app/stats/hierarchy.ts). The protocols are the tree
 * under tshark's frame: each frame counts once at a root (usually eth), so the roots' frames
 * add up to the frames counted.
 */
export const HierarchyReportData = v.strictObject({ filter: v.nullable(v.string()), protocols: v.array(HierarchyNode) });
export type HierarchyReportData = v.InferOutput<typeof HierarchyReportData>;

/** One row of readReport's `endpoints,KIND[,FILTER]` data (app/stats/endpoints.ts), in tshark's order. */
export const Endpoint = v.strictObject({
  address: v.string(),
  /** TCP/UDP port, null for eth, ip and ipv6. */
  port: v.nullable(Count),
  packets: Count,
  bytes: Count,
  txPackets: Count,
  txBytes: Count,
  rxPackets: Count,
  rxBytes: Count,
});
export type Endpoint = v.InferOutput<typeof Endpoint>;
export const EndpointsReportData = v.array(Endpoint);

/**
 * readReport's `data` for `io,stat,INTERVAL[,FILTER…]` (app/stats/io-graph.ts): one column per
 * filter, its values one per row; row k spans k·interval to min((k+1)·interval, duration) seconds
 * after the first frame, as tshark's table.
 */
export const IoStatReportData = v.strictObject({
  interval: v.number(),
  duration: v.number(),
  columns: v.array(v.strictObject({
    /** null: every frame. */
    filter: v.nullable(v.string()),
    frames: v.array(Count),
    bytes: v.array(Count),
    /** The first frame counted in each row, 0 when none. */
    firstFrames: v.array(Count),
  })),
});
export type IoStatReportData = v.InferOutput<typeof IoStatReportData>;

/** One node of readReport's `http,tree` and `http_req,tree` data (tshark's stats tree: app/stats/http-tree.ts). */
export interface StatsTreeNode {
  name: string;
  count: number;
  /** Per millisecond over the tree's elapsed time (null when none elapsed). */
  ratePerMs: number | null;
  /** Share of the parent's count (null for the root, or a parent counting 0). */
  percent: number | null;
  /** The most within 100 ms, per ms, and when that window started (seconds); null when none. */
  burstRatePerMs: number | null;
  burstStart: number | null;
  children: StatsTreeNode[];
}
export const StatsTreeNode: v.GenericSchema<StatsTreeNode> = v.strictObject({
  name: v.string(),
  count: Count,
  ratePerMs: v.nullable(v.number()),
  percent: v.nullable(v.number()),
  burstRatePerMs: v.nullable(v.number()),
  burstStart: v.nullable(v.number()),
  children: v.array(v.lazy(() => StatsTreeNode)),
});

export const Conversation = v.strictObject({
  /** Address A and B ('10.0.0.1', 'fe80::1', '02:00:00:00:00:01'), as tshark's conv table. */
  addressA: v.string(),
  portA: v.nullable(Count),
  addressB: v.string(),
  portB: v.nullable(Count),
  framesAtoB: Count,
  bytesAtoB: Count,
  framesBtoA: Count,
  bytesBtoA: Count,
  frames: Count,
  bytes: Count,
  /** Seconds since the capture's first frame, and the conversation's duration. */
  relativeStart: v.number(),
  duration: v.number(),
  /** tcp.stream / udp.stream of the conversation (null for eth, ip, ipv6). */
  stream: v.nullable(Count),
  /** A display filter selecting exactly this conversation's frames. */
  filter: v.string(),
});
export type Conversation = v.InferOutput<typeof Conversation>;

export const StreamChunk = v.strictObject({
  /** 'client': from the side that sent the stream's first frame (or SYN). */
  from: v.picklist(['client', 'server']),
  /** The frame whose payload ends this chunk. */
  frame: FrameNumber,
  data: Base64,
});

export const HttpTransactionRow = v.strictObject({
  index: Count,
  stream: Count,
  requestFrame: FrameNumber,
  responseFrame: v.nullable(FrameNumber),
  client: v.string(),
  server: v.string(),
  method: v.string(),
  host: v.string(),
  /** The request target as sent (http.request.uri). */
  path: v.string(),
  version: v.string(),
  status: v.nullable(Count),
  reason: v.string(),
  contentType: v.string(),
  /** Bodies' sizes in bytes as transferred (before content decoding). */
  requestBytes: Count,
  responseBytes: Count,
  /** Seconds from the frame completing the request to the frame completing the response (tshark's http.time), null without a response. */
  seconds: v.nullable(v.number()),
  relativeSeconds: v.number(),
});
export type HttpTransactionRow = v.InferOutput<typeof HttpTransactionRow>;

/** One row of Wireshark's Export Objects > HTTP list: an HTTP body `--export-objects http` writes. */
export const HttpObjectRow = v.strictObject({
  /** The transaction (httpTransactions' numbering); null for a response whose request was not captured. */
  index: v.nullable(Count),
  part: HttpObjectPart,
  /** The frame completing the message (Wireshark's "Packet"). */
  frame: FrameNumber,
  stream: Count,
  hostname: v.string(),
  contentType: v.string(),
  /** Bytes of the file (content coding undone when it could be). */
  size: Count,
  /** The file's name as tshark writes it into an empty folder (duplicates then get (1), (2)…). */
  name: v.string(),
});
export type HttpObjectRow = v.InferOutput<typeof HttpObjectRow>;

const HeaderList = v.array(v.strictObject({ name: v.string(), value: v.string() }));
const BodyPreview = v.strictObject({
  /** Content-decoded bytes (gzip, deflate, br, chunked undone), at most MAX_BODY_PREVIEW. */
  data: Base64,
  /** Size after decoding; more than data holds when cut. */
  size: Count,
  truncated: v.boolean(),
  /** What went wrong decoding it (unknown encoding, data missing from the capture), else null. */
  problem: v.nullable(v.string()),
});

/** What each method answers with, when it succeeds. */
export const EngineResults = {
  openFile: SessionInfo,
  openLive: SessionInfo,
  sessionInfo: SessionInfo,
  listSessions: v.strictObject({ sessions: v.array(SessionInfo) }),
  rows: v.strictObject({
    /** Frames in the session, or matches in the view so far. */
    total: Count,
    start: Count,
    view: v.nullable(ViewId),
    rows: v.array(PacketRow),
  }),
  packet: PacketDetail,
  checkFilter: v.strictObject({ filter: v.string(), fields: v.array(v.string()) }),
  createView: ViewInfo,
  updateView: ViewInfo,
  dropView: v.strictObject({ view: ViewId }),
  createReport: ReportInfo,
  readReport: v.strictObject({
    report: ReportId,
    spec: v.string(),
    framesFed: Count,
    /** The capture has ended and every frame was fed: the report is complete (finish() was called). */
    final: v.boolean(),
    /** tshark's `-q -z SPEC` text (format 'text' or 'both'). */
    text: v.nullable(v.string()),
    /**
     * The report as plain JSON data (format 'json' or 'both'): for `io,phs` a HierarchyReportData,
     * for `endpoints,…` an EndpointsReportData, for `io,stat,…` an IoStatReportData, for
     * `http,tree` and `http_req,tree` a StatsTreeNode, for `conv,…` ConversationJson rows (app/stats).
     */
    data: v.unknown(),
  }),
  dropReport: v.strictObject({ report: ReportId }),
  cancel: v.strictObject({ request: RequestId, cancelled: v.boolean() }),
  closeSession: v.strictObject({ session: SessionId }),
  listInterfaces: v.strictObject({ interfaces: v.array(NetworkInterface), /** ms since the epoch when the counters were read */ time: v.number() }),
  checkCaptureFilter: v.strictObject({ filter: v.string(), /** classic BPF instructions libpcap made */ instructions: Count }),
  startCapture: SessionInfo,
  stopCapture: v.strictObject({ session: SessionId, statistics: v.array(CaptureStatistics) }),
  /** The watchlist as it now is (absent from capture.stages when it was taken away). */
  watch: v.strictObject({ session: SessionId, rules: v.array(WatchRule) }),
  /** The capture's settings now (as sessionInfo's capture). */
  setCaptureFilter: v.strictObject({ session: SessionId, filter: v.string(), preset: v.nullable(v.string()), stages: v.optional(KernelStagesSpec) }),
  saveFile: v.strictObject({ path: v.string(), format: CaptureFormat, frames: Count, bytes: Count }),
  setFrameFlag: v.strictObject({ session: SessionId, marked: Count, ignored: Count, changed: Count }),
  findFrame: v.strictObject({ frame: v.nullable(FrameNumber), /** the frame's position in the list searched */ index: v.nullable(Count), wrapped: v.boolean() }),
  setDecodeAs: SessionInfo,
  captureProperties: CaptureProperties,
  conversations: v.strictObject({ kind: ConversationKind, conversations: v.array(Conversation) }),
  followStream: v.strictObject({
    protocol: v.picklist(['tcp', 'udp']),
    stream: Count,
    client: v.string(),
    server: v.string(),
    clientBytes: Count,
    serverBytes: Count,
    chunks: v.array(StreamChunk),
    /** The display filter selecting the stream (tcp.stream eq N). */
    filter: v.string(),
    /** Set when the chunks stop after MAX_FOLLOW_BYTES of data (clientBytes and serverBytes still count the whole stream). */
    truncated: v.optional(v.boolean()),
  }),
  httpTransactions: v.strictObject({ total: Count, start: Count, transactions: v.array(HttpTransactionRow) }),
  httpTransaction: v.strictObject({
    transaction: HttpTransactionRow,
    requestLine: v.string(),
    requestHeaders: HeaderList,
    requestBody: BodyPreview,
    statusLine: v.nullable(v.string()),
    responseHeaders: HeaderList,
    responseBody: v.nullable(BodyPreview),
  }),
  httpObjects: v.strictObject({ objects: v.array(HttpObjectRow) }),
  exportHttpObjects: v.strictObject({
    /** The folder, as an absolute path. */
    directory: v.string(),
    /** The files written, in the order written (tshark's: by the frame completing each message). */
    files: v.array(v.strictObject({
      /** The transaction (httpTransactions' numbering); null for a response whose request was not captured. */
      index: v.nullable(Count),
      part: HttpObjectPart,
      frame: FrameNumber,
      /** The file's name in the folder. */
      name: v.string(),
      bytes: Count,
    })),
  }),
  listPresets: v.strictObject({ presets: v.array(Preset), /** the presets file, and what is wrong with it (null when fine or absent) */ file: v.string(), problem: v.nullable(v.string()) }),
  savePreset: v.strictObject({ presets: v.array(Preset), file: v.string(), problem: v.nullable(v.string()) }),
  deletePreset: v.strictObject({ presets: v.array(Preset), file: v.string(), problem: v.nullable(v.string()) }),
  recentFiles: v.strictObject({ files: v.array(v.strictObject({ path: v.string(), /** ms since the epoch */ openedAt: v.number(), exists: v.boolean() })) }),
} satisfies Record<EngineMethod, v.GenericSchema>;
export type EngineResult<M extends EngineMethod> = v.InferOutput<(typeof EngineResults)[M]>;

// ---- replies and events (engine → UI) ----------------------------------------------------------

export const EngineReply = v.variant('type', [
  v.strictObject({ type: v.literal('result'), id: RequestId, method: v.picklist(Object.keys(EngineResults) as [EngineMethod, ...EngineMethod[]]), result: v.unknown() }),
  /** A request failed; id (and method) are null when the request was too malformed to carry them. */
  v.strictObject({ type: v.literal('error'), id: v.nullable(RequestId), method: v.nullable(v.string()), error: ErrorData }),
]);
export type EngineReply = v.InferOutput<typeof EngineReply>;
export type EngineResultReply<M extends EngineMethod = EngineMethod> = { type: 'result'; id: number; method: M; result: EngineResult<M> };

export const EngineEvent = v.variant('event', [
  /** A session exists (before its openFile request is answered): rows can be asked for at once. request is null for a session the engine's host opened. */
  v.strictObject({ type: v.literal('event'), event: v.literal('opened'), request: v.nullable(RequestId), session: SessionId, kind: v.picklist(['file', 'live']), path: v.string() }),
  /** Long work under way. `done`/`total` count bytes for 'load', files for 'export', frames for the other tasks. */
  v.strictObject({
    type: v.literal('event'),
    event: v.literal('progress'),
    /** The running request, or null for work no request waits for (a view catching up with a file still loading). */
    request: v.nullable(RequestId),
    session: SessionId,
    task: v.picklist(['load', 'filter', 'report', 'save', 'http', 'conversations', 'follow', 'sort', 'export']),
    done: Count,
    total: Count,
    frames: Count,
    view: v.optional(ViewId),
    report: v.optional(ReportId),
    matches: v.optional(Count),
  }),
  /** The session holds more frames (a file being indexed, a live capture); views' match counts so far. */
  v.strictObject({
    type: v.literal('event'),
    event: v.literal('framesAppended'),
    session: SessionId,
    frames: Count,
    views: v.array(v.strictObject({ view: ViewId, matches: Count, framesDone: Count })),
  }),
  /** A live capture ended (no more frames will come): reports can be read as final. */
  v.strictObject({ type: v.literal('event'), event: v.literal('captureEnded'), session: SessionId, frames: Count }),
  /** A live capture's kernel counters (about once a second while it runs, and when it stops). */
  v.strictObject({ type: v.literal('event'), event: v.literal('captureStatistics'), session: SessionId, statistics: v.array(CaptureStatistics) }),
  /** A live capture hit a problem (an interface vanished, the helper died); frames captured so far stay. */
  v.strictObject({ type: v.literal('event'), event: v.literal('captureError'), session: SessionId, interface: v.nullable(v.string()), error: ErrorData }),
  /** A session was closed (by closeSession or by the engine's host). */
  v.strictObject({ type: v.literal('event'), event: v.literal('sessionClosed'), session: SessionId }),
]);
export type EngineEvent = v.InferOutput<typeof EngineEvent>;

export type EngineMessage = EngineReply | EngineEvent;

// ---- parsing -----------------------------------------------------------------------------------

/** Turns valibot's issues into one sentence naming the first offending field. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  const first = issues[0];
  if (!first) return 'invalid message';
  const where = first.path?.map((p) => String(p.key)).join('.') ?? '';
  return where ? `${where}: ${first.message}` : first.message;
}

function requestIdOf(json: unknown): number | null {
  const id = typeof json === 'object' && json !== null ? (json as { id?: unknown }).id : undefined;
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 && id <= 2 ** 31 ? id : null;
}

function methodOf(json: unknown): string | null {
  const method = typeof json === 'object' && json !== null ? (json as { method?: unknown }).method : undefined;
  return typeof method === 'string' && method in EngineResults ? method : null;
}

export type ParsedRequest = { ok: true; request: EngineRequest } | { ok: false; id: number | null; method: string | null; error: ErrorData };

/**
 * Validates a request: a structured-clone value (MessagePort) or JSON text (WebSocket; bounded by
 * MAX_REQUEST_BYTES). A bad one is answered with the id it carried, when it carried one.
 */
export function parseEngineRequest(message: unknown): ParsedRequest {
  let json = message;
  if (typeof message === 'string') {
    // UTF-16 code units bound the UTF-8 size from below; a message near the limit is measured exactly.
    if (message.length > MAX_REQUEST_BYTES || (message.length * 3 > MAX_REQUEST_BYTES && new TextEncoder().encode(message).length > MAX_REQUEST_BYTES)) {
      return { ok: false, id: null, method: null, error: { code: 'EMSGSIZE', message: `a request is larger than ${MAX_REQUEST_BYTES} bytes` } };
    }
    try {
      json = JSON.parse(message);
    } catch {
      return { ok: false, id: null, method: null, error: { code: 'EBADMSG', message: 'a request is not valid JSON' } };
    }
  }
  const parsed = v.safeParse(EngineRequest, json);
  if (parsed.success) return { ok: true, request: parsed.output };
  return { ok: false, id: requestIdOf(json), method: methodOf(json), error: { code: 'EBADMSG', message: `malformed request: ${describeIssues(parsed.issues)}` } };
}

/** Validates what the engine sent (a client's side): a reply, or an event. Throws with a sentence on anything else. */
export function parseEngineMessage(message: unknown): EngineMessage {
  const isEvent = typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'event';
  const parsed = isEvent ? v.safeParse(EngineEvent, message) : v.safeParse(EngineReply, message);
  if (!parsed.success) throw Object.assign(new Error(`the engine sent a malformed message: ${describeIssues(parsed.issues)}`), { code: 'EBADMSG' });
  return parsed.output;
}

/** Validates a result against its method's schema (a client checking what it was sent). */
export function parseEngineResult<M extends EngineMethod>(method: M, result: unknown): EngineResult<M> {
  const parsed = v.safeParse(EngineResults[method], result);
  if (!parsed.success) throw Object.assign(new Error(`the engine's ${method} result is malformed: ${describeIssues(parsed.issues)}`), { code: 'EBADMSG' });
  return parsed.output as EngineResult<M>;
}
