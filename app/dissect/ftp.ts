/**
 * FTP control connection (RFC 959; TCP 21), segment by segment as tshark 4.0 shows it: the
 * request command and argument or the response code and argument of each line, the passive-mode
 * address of a 227 reply, and the current working directory tshark follows through PWD (257) and
 * CWD (250) replies; and the data connections a 227 or 229 reply or a PORT request announces
 * (tshark's ftp-data), with the PORT and EPSV address fields of the control lines. Left out: EPRT.
 */
import { conversationKey } from './dissector';
import { dissectSafely, LayerBuilder } from './builder';
import type { AppContext, AppDissector, AppResult, Layer } from './model';
import { countLines, textLines } from './http-body';

export const FTP_PORT = 21;

/** Wireshark's names of FTP reply codes (RFC 959, 2228, 2428). */
const RESPONSES: Record<number, string> = {
  110: 'Restart marker reply', 120: 'Service ready in nnn minutes', 125: 'Data connection already open; transfer starting',
  150: 'File status okay; about to open data connection', 200: 'Command okay', 202: 'Command not implemented, superfluous at this site',
  211: 'System status, or system help reply', 212: 'Directory status', 213: 'File status', 214: 'Help message',
  215: 'NAME system type', 220: 'Service ready for new user', 221: 'Service closing control connection',
  225: 'Data connection open; no transfer in progress', 226: 'Closing data connection', 227: 'Entering Passive Mode',
  228: 'Entering Long Passive Mode', 229: 'Entering Extended Passive Mode', 230: 'User logged in, proceed',
  232: 'User logged in, authorized by security data exchange', 234: 'Security data exchange complete',
  235: 'Security data exchange completed successfully', 250: 'Requested file action okay, completed', 257: 'PATHNAME created',
  331: 'User name okay, need password', 332: 'Need account for login', 334: 'Requested security mechanism is ok',
  335: 'Security data is acceptable, more is required', 336: 'Username okay, need password. Challenge is ...',
  350: 'Requested file action pending further information', 421: 'Service not available, closing control connection',
  425: "Can't open data connection", 426: 'Connection closed; transfer aborted', 431: 'Need some unavailable resource to process security',
  450: 'Requested file action not taken', 451: 'Requested action aborted: local error in processing',
  452: 'Requested action not taken. Insufficient storage space in system', 500: 'Syntax error, command unrecognized',
  501: 'Syntax error in parameters or arguments', 502: 'Command not implemented', 503: 'Bad sequence of commands',
  504: 'Command not implemented for that parameter', 522: 'Network protocol not supported', 530: 'Not logged in',
  532: 'Need account for storing files', 533: 'Command protection level denied for policy reasons',
  534: 'Request denied for policy reasons', 535: 'Failed security check (hash, sequence, etc)',
  536: 'Requested PROT level not supported by mechanism', 537: 'Command protection level not supported by security mechanism',
  550: 'Requested action not taken: File unavailable', 551: 'Requested action aborted: page type unknown',
  552: 'Requested file action aborted: Exceeded storage allocation', 553: 'Requested action not taken: File name not allowed',
  631: 'Integrity protected reply', 632: 'Confidentiality and integrity protected reply', 633: 'Confidentiality protected reply',
};

interface Conversation {
  cwd: string;
  /** The latest request (command and argument) and its frame: what a data connection carries out. */
  command: string;
  commandFrame: number;
  /** Data endpoints this segment announced (taken by createFtpDissectors). */
  announced?: DataSetup[];
  /** The endpoint of a PORT request, until its reply. */
  pendingPort?: string;
  /** The argument of the last CWD request, applied when a 250 reply confirms it. */
  pendingCwd?: string;
}

/**
 * FTP's control dissector and its data-connection dissector (`ftp-data`), sharing what the control
 * connection announced: a 227 (PASV) or 229 (EPSV) reply names the server's data endpoint, a PORT
 * request the client's; a TCP payload to or from that endpoint is then FTP data, with the setup
 * frame and method and the control connection's latest command, as tshark shows it.
 */
export function createFtpDissectors(): AppDissector[] {
  const conversations = new Map<string, Conversation>();
  const expected = new Map<string, DataSetup>();
  const setupOf = (ctx: AppContext): DataSetup | undefined => {
    const setup = expected.get(`${ctx.src}|${ctx.srcPort}`) ?? expected.get(`${ctx.dst}|${ctx.dstPort}`);
    // A connection that began before the announcement keeps the conversation it began with (tshark).
    return setup && (ctx.streamFirstFrame ?? Infinity) > setup.frame ? setup : undefined;
  };
  return [
    {
      protocol: 'ftp',
      tcpPorts: [FTP_PORT],
      stateful: true,
      dissect: (data, offset, end, ctx) => {
        const key = conversationKey(ctx.src, ctx.srcPort, ctx.dst, ctx.dstPort);
        let conv = conversations.get(key);
        if (conv === undefined) conversations.set(key, (conv = { cwd: '', command: '', commandFrame: 0 }));
        const result = dissectFtp(conv, data, offset, end, ctx);
        for (const setup of conv.announced ?? []) {
          if (expected.size >= MAX_DATA_CONNECTIONS) expected.clear();
          expected.set(setup.endpoint, { ...setup, control: conv });
        }
        conv.announced = undefined;
        return result;
      },
    },
    {
      // Only through the control connection's announcements: tshark 4.0 gives TCP port 20 to other
      // protocols first (BGP from port 20 to 179 stays BGP).
      protocol: 'ftp-data',
      stateful: true,
      // Wireshark's conversation (set up by PORT/PASV): tried before any port's dissector.
      conversation: (_data, _offset, _end, ctx) => expected.size > 0 && ctx.transport === 'tcp' && setupOf(ctx) !== undefined,
      dissect: (data, offset, end, ctx) => dissectFtpData(setupOf(ctx), data, offset, end, ctx),
    },
  ];
}

/** The data connections remembered at once (a long capture's old ones are dropped). */
const MAX_DATA_CONNECTIONS = 10000;

interface DataSetup {
  /** "address|port" of the announced end. */
  endpoint: string;
  frame: number;
  method: 'PASV' | 'EPASV' | 'PORT';
  control?: Conversation;
}

function dissectFtpData(setup: DataSetup | undefined, data: Buffer, offset: number, end: number, ctx: AppContext): AppResult {
  const stop = Math.min(end, data.length);
  const b = new LayerBuilder(data, 'ftp-data', 'FTP Data', offset, end, ctx.fields);
  const control = setup?.control;
  const command = control?.command ?? '';
  // tshark's test for text: the first (up to) ten bytes are printable or white space.
  let text = stop > offset;
  for (let i = offset; i < Math.min(stop, offset + 10); i++) {
    const c = data[i]!;
    if (!((c >= 0x20 && c < 0x7f) || c === 0x09 || c === 0x0a || c === 0x0d)) text = false;
  }
  b.title(() => `FTP Data (${stop - offset} bytes data)`);
  if (setup) {
    b.add('ftp-data.setup-frame', () => `[Setup frame: ${setup.frame}]`, setup.frame, offset, 0).root = true;
    b.add('ftp-data.setup-method', () => `[Setup method: ${setup.method}]`, setup.method, offset, 0).root = true;
  }
  if (command) {
    b.add('ftp-data.command', () => `[Command: ${command}]`, command, offset, 0).root = true;
    const frame = control!.commandFrame;
    b.add('ftp-data.command-frame', () => `Command frame: ${frame}`, frame, offset, 0).root = true;
  }
  const cwd = control?.cwd ?? '';
  if (cwd) b.add('ftp-data.current-working-directory', () => `[Current working directory: ${cwd}]`, cwd, offset, 0).root = true;
  b.setLength(stop - offset);
  const layers: Layer[] = [b.layer];
  // Text goes on to line-based text; binary bytes stay in the FTP Data item (tshark).
  if (stop > offset && text) {
    const lines = new LayerBuilder(data, 'data-text-lines', `Line-based text data (${countLines(data, offset, stop)} lines)`, offset, stop, ctx.fields);
    layers.push(textLines(lines, data, offset, stop));
  }
  const info = `FTP Data: ${end - offset} bytes${setup ? ` (${setup.method})` : ''}${command ? ` (${command})` : ''}`;
  return { layers, protocolColumn: 'FTP-DATA', info };
}

function dissectFtp(conv: Conversation, data: Buffer, offset: number, end: number, ctx: AppContext): AppResult {
  const request = ctx.dstPort === FTP_PORT;
  const b = new LayerBuilder(data, 'ftp', 'File Transfer Protocol (FTP)', offset, end, ctx.fields);
  const stop = Math.min(end, data.length);
  let info = '';
  dissectSafely(b, () => {
    b.add('ftp.request', request ? 'Request: True' : 'Request: False', request, offset, 0, request ? '1' : '0').hidden = true;
    b.add('ftp.response', request ? 'Response: False' : 'Response: True', !request, offset, 0, request ? '0' : '1').hidden = true;
    let first = true;
    for (let at = offset; at < stop; ) {
      const newline = data.indexOf(0x0a, at);
      const lineEnd = newline < 0 || newline >= stop ? stop : newline + 1;
      let textEnd = lineEnd;
      while (textEnd > at && (data[textEnd - 1] === 0x0a || data[textEnd - 1] === 0x0d)) textEnd--;
      const line = data.toString('latin1', at, textEnd);
      const shown = data.toString('latin1', at, lineEnd).replace(/\r/g, '\\r').replace(/\n/g, '\\n');
      if (first) {
        info = `${request ? 'Request' : 'Response'}: ${line}`;
        b.group('', shown, null, at, lineEnd - at, () => (request ? requestLine(b, conv, line, at, ctx.frameNumber) : responseLine(b, conv, line, at, ctx.frameNumber, ctx.src)));
        first = false;
      } else b.add('', shown, null, at, lineEnd - at);
      at = lineEnd;
    }
    const cwd = conv.cwd;
    // packet-ftp.c adds it to the tree it was handed, the packet's top level (as the FTP Data
    // fields above).
    b.add('ftp.current-working-directory', () => `[Current working directory: ${cwd}]`, cwd, offset, 0).root = true;
  });
  return { layers: [b.layer], protocolColumn: 'FTP', info };
}

function requestLine(b: LayerBuilder, conv: Conversation, line: string, at: number, frame: number): void {
  const space = line.indexOf(' ');
  const command = space < 0 ? line : line.slice(0, space);
  b.add('ftp.request.command', () => `Request command: ${command}`, command, at, command.length);
  const argAt = space < 0 ? -1 : firstNonSpace(line, space);
  conv.command = line;
  conv.commandFrame = frame;
  // PORT's address and port, after its argument.
  let active: (() => void) | undefined;
  if (command.toUpperCase() === 'PORT' && argAt >= 0) {
    const n = line.slice(argAt).split(',').map((v) => Number(v.trim()));
    if (n.length === 6 && n.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)) {
      const ip = n.slice(0, 4).join('.');
      const port = n[4]! * 256 + n[5]!;
      // The address's four numbers, then the port's two (packet-ftp.c's items).
      const parts = line.slice(argAt).split(',');
      const ipLength = parts.slice(0, 4).join(',').length;
      active = () => {
        b.add('ftp.active.cip', () => `Active IP address: ${ip}`, ip, at + argAt, ipLength);
        b.add('ftp.active.port', () => `Active port: ${port}`, port, at + argAt + ipLength + 1, parts.slice(4).join(',').length);
      };
      // Taken up when the server accepts it (its 200 reply), as tshark's conversation is.
      conv.pendingPort = `${ip}|${port}`;
    }
  }
  if (argAt >= 0) {
    const arg = line.slice(argAt);
    b.add('ftp.request.arg', () => `Request arg: ${arg}`, arg, at + argAt, arg.length);
    if (command.toUpperCase() === 'CWD') conv.pendingCwd = arg;
  }
  active?.();
}

function responseLine(b: LayerBuilder, conv: Conversation, line: string, at: number, frame: number, server: string): void {
  if (!/^\d{3}/.test(line)) return;
  const code = Number(line.slice(0, 3));
  b.add('ftp.response.code', () => `Response code: ${RESPONSES[code] ?? 'Unknown'} (${code})`, code, at, 3);
  const argAt = line.length > 4 ? firstNonSpace(line, 4) : -1;
  if (argAt >= 0) {
    const arg = line.slice(argAt);
    b.add('ftp.response.arg', () => `Response arg: ${arg}`, arg, at + argAt, arg.length);
  }
  if (conv.pendingPort !== undefined && code >= 200 && code < 300) (conv.announced ??= []).push({ endpoint: conv.pendingPort, frame, method: 'PORT' });
  conv.pendingPort = undefined;
  if (code === 227) {
    const m = /(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)/.exec(line);
    if (m) {
      const n = m.slice(1).map(Number);
      if (n.every((v) => v <= 255)) {
        const ip = n.slice(0, 4).join('.');
        const port = n[4]! * 256 + n[5]!;
        const where = at + m.index;
        // The address's four numbers, then the port's two (packet-ftp.c's items).
        const ipText = m.slice(1, 5).join(',');
        const portText = m.slice(5, 7).join(',');
        b.add('ftp.passive.ip', () => `Passive IP address: ${ip}`, ip, where, ipText.length);
        b.add('ftp.passive.port', () => `Passive port: ${port}`, port, where + ipText.length + 1, portText.length);
        (conv.announced ??= []).push({ endpoint: `${ip}|${port}`, frame, method: 'PASV' });
      }
    }
  } else if (code === 229) {
    const m = /\(([!-~])\1\1(\d{1,5})\1\)/.exec(line);
    if (m && Number(m[2]) <= 65535) {
      const port = Number(m[2]);
      // The server's own address (the reply names none), then the port's digits.
      if (server.includes(':')) b.add('ftp.epsv.ipv6', () => `[Extended passive IPv6 address: ${server}]`, server, at, 0);
      else b.add('ftp.epsv.ip', () => `[Extended passive IPv4 address: ${server}]`, server, at, 0);
      b.add('ftp.epsv.port', () => `Extended passive port: ${port}`, port, at + m.index + 4, m[2]!.length);
      (conv.announced ??= []).push({ endpoint: `${server}|${port}`, frame, method: 'EPASV' });
    }
  } else if (code === 257) {
    const m = /"([^"]*)"/.exec(line);
    if (m) conv.cwd = m[1]!;
  } else if (code === 250 && conv.pendingCwd !== undefined) {
    const dir = conv.pendingCwd;
    conv.cwd = dir.startsWith('/') ? dir : `${conv.cwd.endsWith('/') ? conv.cwd : `${conv.cwd}/`}${dir}`;
    conv.pendingCwd = undefined;
  }
}

function firstNonSpace(line: string, from: number): number {
  for (let i = from; i < line.length; i++) if (line[i] !== ' ') return i;
  return -1;
}
