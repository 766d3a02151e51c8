/**
 * NetBIOS Datagram Service (RFC 1002, UDP 138) and what it carries in practice, as tshark 4.0 shows
 * them (epan/dissectors/packet-nbns.c, packet-smb.c, packet-smb-mailslot.c, packet-smb-browse.c):
 *
 * - nbdgm: message type, flags, datagram ID, source IP and port; for the datagram types the
 *   length, offset and the source and destination NetBIOS names, then the payload (NetBIOS's
 *   heuristics: SMB when it starts with "\xffSMB").
 * - smb: the 32-byte header and a Trans request (0x25) whose transaction name is a mailslot.
 * - mailslot: the Trans setup words (opcode, priority, class), the byte count and the name. tshark
 *   shows the layer but it is not in frame.protocols (it is called as a function, not by handle).
 * - browser (\MAILSLOT\BROWSE): command and its fields; Protocol "BROWSER", Info the command,
 *   the host or domain name and the server types ("Host Announcement ALICE, Workstation, Server").
 *
 * Only SMB Trans requests to \MAILSLOT\BROWSE are taken as SMB here; any other payload is data.
 * The SMB/browser part is shared with NetBIOS over IPX (ipx.ts).
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import { ipv4Text } from './app-format';
import { bitPicture } from './format';
import type { AppDissector, AppResult, Layer } from './model';
import { DnsNameReader } from './dns-names';
import { describe, readNetbiosName } from './nbns';
import { dataLayer } from './hsrp';
import { SMB_FLAGS, SMB_FLAGS2 } from './smb';

export const NBDGM_PORT = 138;

const MSG_TYPES: Record<number, string> = {
  0x10: 'Direct_unique datagram', 0x11: 'Direct_group datagram', 0x12: 'Broadcast datagram', 0x13: 'Datagram error',
  0x14: 'Datagram query request', 0x15: 'Datagram positive query response', 0x16: 'Datagram negative query response',
};
const NODE_TYPES = ['B node', 'P node', 'M node', 'NBDD'];
const ERROR_CODES: Record<number, string> = { 0x82: 'Destination name not present', 0x83: 'Invalid source name format', 0x84: 'Invalid destination name format' };

export const nbdgmDissector: AppDissector = {
  protocol: 'nbdgm',
  fieldPrefixes: ['smb', 'mailslot', 'browser', 'data'],
  udpPorts: [NBDGM_PORT],
  dissect: (data, offset, end, ctx) => dissectNbdgm(data, offset, end, ctx.fields),
};

const yesNo = (v: boolean) => (v ? 'Yes' : 'No');

export function dissectNbdgm(data: Buffer, offset: number, end: number, selection?: ReadonlySet<string>): AppResult {
  const b = new LayerBuilder(data, 'nbdgm', 'NetBIOS Datagram Service', offset, end, selection);
  let info = '';
  let payload = -1;
  const layer = dissectSafely(b, () => {
    const type = b.u8(offset, 'message type');
    const typeName = MSG_TYPES[type];
    info = typeName ?? `Unknown message type (0x${type.toString(16).toUpperCase().padStart(2, '0')})`;
    b.add('nbdgm.type', () => `Message Type: ${typeName ?? 'Unknown'} (${type})`, type, offset, 1);
    const flags = b.u8(offset + 1, 'flags');
    const node = (flags >> 2) & 3;
    // proto_tree_add_bitmask: the set booleans' names and the node type follow the value.
    b.group('nbdgm.flags', () => `Flags: ${hex(flags, 2)}${flags & 1 ? ', More fragments follow' : ''}${flags & 2 ? ', This is first fragment' : ''}, Node Type: ${NODE_TYPES[node]}`, flags, offset + 1, 1, () => {
      b.add('nbdgm.next', () => `${bitPicture(flags, 0x01, 8)} = More fragments follow: ${yesNo((flags & 1) !== 0)}`, (flags & 1) !== 0, offset + 1, 1);
      b.add('nbdgm.first', () => `${bitPicture(flags, 0x02, 8)} = This is first fragment: ${yesNo((flags & 2) !== 0)}`, (flags & 2) !== 0, offset + 1, 1);
      b.add('nbdgm.node_type', () => `${bitPicture(flags, 0x0c, 8)} = Node Type: ${NODE_TYPES[node]} (${node})`, node, offset + 1, 1);
    }, () => hex(flags, 2));
    const id = b.u16(offset + 2, 'datagram ID');
    b.add('nbdgm.dgram_id', () => `Datagram ID: ${hex(id, 4)}`, id, offset + 2, 2, () => hex(id, 4));
    b.need(offset + 4, 4, 'source IP');
    const ip = ipv4Text(data, offset + 4);
    b.add('nbdgm.src.ip', () => `Source IP: ${ip}`, ip, offset + 4, 4);
    const port = b.u16(offset + 8, 'source port');
    b.add('nbdgm.src.port', () => `Source Port: ${port}`, port, offset + 8, 2);
    let at = offset + 10;
    const names = new DnsNameReader(data, offset, Math.min(end, data.length));
    const name = (abbrev: string, title: string) => {
      const n = readNetbiosName(b, names, at, title);
      const text = n.text;
      b.add(abbrev, () => `${title}: ${text}${describe(n)}`, text, at, n.length);
      at += n.length;
    };
    if (type >= 0x10 && type <= 0x12) {
      const length = b.u16(at, 'datagram length');
      b.add('nbdgm.dgram_len', () => `Datagram length: ${length} bytes`, length, at, 2);
      const packetOffset = b.u16(at + 2, 'packet offset');
      b.add('nbdgm.pkt_offset', () => `Packet offset: ${packetOffset} bytes`, packetOffset, at + 2, 2);
      at += 4;
      name('nbdgm.source_name', 'Source name');
      name('nbdgm.destination_name', 'Destination name');
      b.setLength(at - offset);
      payload = at;
    } else if (type === 0x13) {
      const code = b.u8(at, 'error code');
      b.add('nbdgm.error_code', () => `Error code: ${ERROR_CODES[code] ?? 'Unknown'} (${hex(code, 2)})`, code, at, 1, () => hex(code, 2));
      b.setLength(at + 1 - offset);
    } else if (type >= 0x14 && type <= 0x16) {
      name('nbdgm.destination_name', 'Destination name');
      b.setLength(at - offset);
    }
  });
  if (layer.status !== 'ok') {
    info += layer.status === 'truncated' ? '[Packet size limited during capture]' : '[Malformed Packet]';
    return { layers: [layer], protocolColumn: 'NBDS', info };
  }
  const stop = Math.min(end, data.length);
  if (payload < 0 || payload >= stop) return { layers: [layer], protocolColumn: 'NBDS', info };
  const smb = dissectSmbMailslot(data, payload, end, selection);
  if (smb === null) return { layers: [layer, dataLayer(data, payload, stop, selection)], protocolColumn: 'NBDS', info };
  return { layers: [layer, ...smb.layers], chain: ['nbdgm', ...smb.chain], protocolColumn: smb.protocolColumn, info: smb.info };
}

/** The SMB, mailslot and browser layers of an SMB mailslot write, with their frame.protocols names. */
export interface SmbMailslotResult {
  layers: Layer[];
  chain: string[];
  protocolColumn: string;
  info: string;
}

const SMB_HEADER = 32;
const TRANS_WORDS = 14;
const BROWSE_MAILSLOT = '\\MAILSLOT\\BROWSE';

/**
 * An SMB Trans request (0x25) to \MAILSLOT\BROWSE at data[offset, end): null when the bytes are
 * not one (the caller shows them as data), else the smb, mailslot and browser layers.
 */
export function dissectSmbMailslot(data: Buffer, offset: number, end: number, selection?: ReadonlySet<string>): SmbMailslotResult | null {
  const stop = Math.min(end, data.length);
  const w = offset + SMB_HEADER;
  if (stop - offset < SMB_HEADER + 1 || data.readUInt32BE(offset) !== 0xff534d42 || data[offset + 4] !== 0x25) return null;
  if (data[offset + 9]! & 0x80) return null; // a response
  const wct = data[w]!;
  if (wct < TRANS_WORDS) return null;
  const bccAt = w + 1 + 2 * wct;
  if (bccAt + 2 > stop) return null;
  const setupCount = data[w + 27]!;
  if (wct !== TRANS_WORDS + setupCount || setupCount < 3) return null;
  const bcc = data.readUInt16LE(bccAt);
  const nameAt = bccAt + 2;
  const nul = data.indexOf(0, nameAt);
  if (nul < 0 || nul >= stop) return null;
  const transName = data.toString('latin1', nameAt, nul);
  if (transName !== BROWSE_MAILSLOT) return null;
  const dataCount = data.readUInt16LE(w + 23);
  const dataOffset = data.readUInt16LE(w + 25);

  const smb = smbLayer(data, offset, end, selection, wct, bcc, transName, nul + 1 - nameAt);
  const setup = w + 29;
  const mailslot = new LayerBuilder(data, 'mailslot', 'SMB MailSlot Protocol', setup, end, selection);
  mailslot.setLength(nul + 1 - setup);
  const m = mailslot;
  const opcode = data.readUInt16LE(setup);
  const priority = data.readUInt16LE(setup + 2);
  const klass = data.readUInt16LE(setup + 4);
  m.add('mailslot.opcode', () => `Opcode: ${opcode === 1 ? 'Write Mail Slot' : 'Unknown'} (${opcode})`, opcode, setup, 2);
  m.add('mailslot.priority', () => `Priority: ${priority}`, priority, setup + 2, 2);
  m.add('mailslot.class', () => `Class: ${klass === 1 ? 'Reliable' : klass === 2 ? 'Unreliable & Broadcast' : 'Unknown'} (${klass})`, klass, setup + 4, 2);
  m.add('mailslot.size', () => `Size: ${bcc}`, bcc, bccAt, 2);
  m.add('mailslot.name', () => `Mailslot Name: ${transName}`, transName, nameAt, nul + 1 - nameAt);

  const browseAt = offset + dataOffset;
  const browseEnd = Math.min(end, browseAt + dataCount);
  const layers = [smb, mailslot.layer];
  const chain = ['smb', '', 'browser'];
  if (browseAt >= stop || browseAt >= browseEnd) return { layers, chain: chain.slice(0, 2), protocolColumn: 'SMB', info: `Trans Request, ${transName}` };
  const browser = dissectBrowser(data, browseAt, browseEnd, selection);
  layers.push(browser.layer);
  return { layers, chain, protocolColumn: 'BROWSER', info: browser.info };
}

/** SMB's timeout text (smbext20_timeout_msecs_to_str). */
function timeoutText(ms: number): string {
  if (ms === 0) return 'Return immediately (0)';
  if (ms === 0xffffffff) return 'Wait indefinitely (-1)';
  return msecsText(ms);
}

/** The smb layer: header and Trans request words and bytes (the layer runs to the end of the payload). */
function smbLayer(data: Buffer, offset: number, end: number, selection: ReadonlySet<string> | undefined, wct: number, bcc: number, transName: string, nameLength: number): Layer {
  const b = new LayerBuilder(data, 'smb', 'SMB (Server Message Block Protocol)', offset, end, selection);
  const le16 = (at: number) => data.readUInt16LE(at);
  b.group('', 'SMB Header', null, offset, SMB_HEADER, () => {
    const component = data.readUInt32LE(offset);
    b.add('smb.server_component', 'Server Component: SMB', component, offset, 4, () => hex(component, 8));
    b.add('smb.cmd', 'SMB Command: Trans (0x25)', 0x25, offset + 4, 1, '0x25');
    const errorClass = data[offset + 5]!;
    const errorCode = le16(offset + 7);
    b.add('smb.error_class', () => `Error Class: ${errorClass === 0 ? 'Success' : 'Unknown'} (${hex(errorClass, 2)})`, errorClass, offset + 5, 1, () => hex(errorClass, 2));
    b.add('smb.reserved', () => `Reserved: ${data.toString('hex', offset + 6, offset + 7)}`, data.subarray(offset + 6, offset + 7), offset + 6, 1, () => data.toString('hex', offset + 6, offset + 7));
    b.add('smb.error_code', () => (errorCode === 0 ? 'Error Code: No Error' : `Error Code: Unknown DOS error (${hex(errorCode, 4)})`), errorCode, offset + 7, 2, () => hex(errorCode, 4));
    const flags = data[offset + 9]!;
    b.group('smb.flags', () => `Flags: ${hex(flags, 2)}`, flags, offset + 9, 1, () => {
      for (const [abbrev, mask, name, yes, no] of SMB_FLAGS) {
        b.add(abbrev, () => `${bitPicture(flags, mask, 8)} = ${name}: ${flags & mask ? yes : no}`, (flags & mask) !== 0, offset + 9, 1);
      }
    }, () => hex(flags, 2));
    const flags2 = le16(offset + 10);
    b.group('smb.flags2', () => `Flags2: ${hex(flags2, 4)}`, flags2, offset + 10, 2, () => {
      for (const [abbrev, mask, name, yes, no] of SMB_FLAGS2) {
        b.add(abbrev, () => `${bitPicture(flags2, mask, 16)} = ${name}: ${flags2 & mask ? yes : no}`, (flags2 & mask) !== 0, offset + 10, 2);
      }
    }, () => hex(flags2, 4));
    const pidHigh = le16(offset + 12);
    b.add('smb.pid.high', () => `Process ID High: ${pidHigh}`, pidHigh, offset + 12, 2);
    const signature = data.subarray(offset + 14, offset + 22);
    b.add('smb.signature', () => `Signature: ${signature.toString('hex')}`, signature, offset + 14, 8, () => signature.toString('hex'));
    const reserved = data.subarray(offset + 22, offset + 24);
    b.add('smb.reserved', () => `Reserved: ${reserved.toString('hex')}`, reserved, offset + 22, 2, () => reserved.toString('hex'));
    const ids: [string, string, number][] = [['smb.tid', 'Tree ID', 24], ['smb.pid', 'Process ID', 26], ['smb.uid', 'User ID', 28], ['smb.mid', 'Multiplex ID', 30]];
    for (const [abbrev, name, at] of ids) {
      const v = le16(offset + at);
      b.add(abbrev, () => `${name}: ${v}`, v, offset + at, 2);
    }
  });
  const w = offset + SMB_HEADER;
  b.group('', 'Trans Request (0x25)', null, w, 1 + 2 * wct + 2 + bcc, () => {
    b.add('smb.wct', () => `Word Count (WCT): ${wct}`, wct, w, 1);
    const word = (abbrev: string, name: string, at: number) => {
      const v = le16(w + at);
      b.add(abbrev, () => `${name}: ${v}`, v, w + at, 2);
    };
    word('smb.tpc', 'Total Parameter Count', 1);
    word('smb.tdc', 'Total Data Count', 3);
    word('smb.mpc', 'Max Parameter Count', 5);
    word('smb.mdc', 'Max Data Count', 7);
    const msc = data[w + 9]!;
    b.add('smb.msc', () => `Max Setup Count: ${msc}`, msc, w + 9, 1);
    const r1 = data.subarray(w + 10, w + 11);
    b.add('smb.reserved', () => `Reserved: ${r1.toString('hex')}`, r1, w + 10, 1, () => r1.toString('hex'));
    const tflags = le16(w + 11);
    b.group('smb.transaction.flags', () => `Flags: ${hex(tflags, 4)}`, tflags, w + 11, 2, () => {
      b.add('smb.transaction.flags.owt', () => `${bitPicture(tflags, 2, 16)} = One Way Transaction: ${tflags & 2 ? 'One way transaction (no response)' : 'Two way transaction'}`, (tflags & 2) !== 0, w + 11, 2);
      b.add('smb.transaction.flags.dtid', () => `${bitPicture(tflags, 1, 16)} = Disconnect TID: ${tflags & 1 ? 'Also DISCONNECT TID' : 'Do NOT disconnect TID'}`, (tflags & 1) !== 0, w + 11, 2);
    }, () => hex(tflags, 4));
    const timeout = data.readUInt32LE(w + 13);
    b.add('smb.timeout', () => `Timeout: ${timeoutText(timeout)}`, timeout, w + 13, 4);
    const r2 = data.subarray(w + 17, w + 19);
    b.add('smb.reserved', () => `Reserved: ${r2.toString('hex')}`, r2, w + 17, 2, () => r2.toString('hex'));
    word('smb.pc', 'Parameter Count', 19);
    word('smb.po', 'Parameter Offset', 21);
    word('smb.dc', 'Data Count', 23);
    word('smb.data_offset', 'Data Offset', 25);
    const sc = data[w + 27]!;
    b.add('smb.sc', () => `Setup Count: ${sc}`, sc, w + 27, 1);
    const r3 = data.subarray(w + 28, w + 29);
    b.add('smb.reserved', () => `Reserved: ${r3.toString('hex')}`, r3, w + 28, 1, () => r3.toString('hex'));
    const bccAt = w + 1 + 2 * wct;
    b.add('smb.bcc', () => `Byte Count (BCC): ${bcc}`, bcc, bccAt, 2);
    b.add('smb.trans_name', () => `Transaction Name: ${transName}`, transName, bccAt + 2, nameLength);
  });
  return b.layer;
}

const COMMANDS: Record<number, string> = {
  1: 'Host Announcement', 2: 'Request Announcement', 8: 'Browser Election Request', 9: 'Get Backup List Request',
  10: 'Get Backup List Response', 11: 'Become Backup Browser', 12: 'Domain/Workgroup Announcement', 13: 'Master Announcement',
  14: 'Reset Browser State Announcement', 15: 'Local Master Announcement',
};
/** Server type bits: the field (tree) name, the Info name, and the true/false texts (packet-smb-browse.c). */
const SERVER_TYPES: [number, string, string, string, string, string][] = [
  [0, 'workstation', 'Workstation', 'Workstation', 'This is a Workstation', 'This is NOT a Workstation'],
  [1, 'server', 'Server', 'Server', 'This is a Server', 'This is NOT a Server'],
  [2, 'sql', 'SQL', 'SQL Server', 'This is an SQL server', 'This is NOT an SQL server'],
  [3, 'domain_controller', 'Domain Controller', 'Domain Controller', 'This is a Domain Controller', 'This is NOT a Domain Controller'],
  [4, 'backup_controller', 'Backup Controller', 'Backup Controller', 'This is a Backup Controller', 'This is NOT a Backup Controller'],
  [5, 'time', 'Time Source', 'Time Source', 'This is a Time Source', 'This is NOT a Time Source'],
  [6, 'apple', 'Apple', 'Apple Server', 'This is an Apple host', 'This is NOT an Apple host'],
  [7, 'novell', 'Novell', 'Novell Server', 'This is a Novell server', 'This is NOT a Novell server'],
  [8, 'member', 'Member', 'Domain Member Server', 'This is a Domain Member server', 'This is NOT a Domain Member server'],
  [9, 'print', 'Print', 'Print Queue Server', 'This is a Print Queue server', 'This is NOT a Print Queue server'],
  [10, 'dialin', 'Dialin', 'Dialin Server', 'This is a Dialin server', 'This is NOT a Dialin server'],
  [11, 'xenix', 'Xenix', 'Xenix Server', 'This is a Xenix server', 'This is NOT a Xenix server'],
  [12, 'ntw', 'NT Workstation', 'NT Workstation', 'This is an NT Workstation', 'This is NOT an NT Workstation'],
  [13, 'wfw', 'WfW', 'Windows for Workgroups', 'This is a WfW host', 'This is NOT a WfW host'],
  [15, 'nts', 'NT Server', 'NT Server', 'This is an NT Server', 'This is NOT an NT Server'],
  [16, 'browser.potential', 'Potential Browser', 'Potential Browser', 'This is a Potential Browser', 'This is NOT a Potential Browser'],
  [17, 'browser.backup', 'Backup Browser', 'Backup Browser', 'This is a Backup Browser', 'This is NOT a Backup Browser'],
  [18, 'browser.master', 'Master Browser', 'Master Browser', 'This is a Master Browser', 'This is NOT a Master Browser'],
  [19, 'browser.domain_master', 'Domain Master Browser', 'Domain Master Browser', 'This is a Domain Master Browser', 'This is NOT a Domain Master Browser'],
  [20, 'osf', 'OSF', 'OSF', 'This is an OSF host', 'This is NOT an OSF host'],
  [21, 'vms', 'VMS', 'VMS', 'This is a VMS host', 'This is NOT a VMS host'],
  [22, 'w95', 'Windows 95+', 'Windows 95 or above', 'This is a Windows 95 or above host', 'This is NOT a Windows 95 or above host'],
  [23, 'dfs', 'DFS', 'DFS server', 'This is a DFS server', 'THis is NOT a DFS server'],
  [30, 'local', 'Local', 'Local List Only', 'This is a local list only request', 'This is NOT a local list only request'],
  [31, 'domainenum', 'Domain Enum', 'Domain Enum', 'This is a Domain Enum request', 'This is NOT a Domain Enum request'],
];
const INFO_SERVER_TYPES = new Map(SERVER_TYPES.map(([bit, , , info]) => [bit, info]));

const DESIRE: [string, number, string, string, string][] = [
  ['backup', 0x01, 'Backup', 'Backup Browse Server', 'NOT Backup Browse Server'],
  ['standby', 0x02, 'Standby', 'Standby Browse Server', 'NOT Standby Browse Server'],
  ['master', 0x04, 'Master', 'Master Browser', 'NOT Master Browser'],
  ['domain_master', 0x08, 'Domain Master', 'Domain Master Browse Server', 'NOT Domain Master Browse Server'],
  ['wins', 0x20, 'WINS', 'WINS Client', 'NOT WINS Client'],
  ['nt', 0x80, 'NT', 'Windows NT Advanced Server', 'NOT Windows NT Advanced Server'],
];
const ELECTION_OS: [string, number, string, string, string][] = [
  ['wfw', 0x01, 'WfW', 'Windows for Workgroups', 'Not Windows for Workgroups'],
  ['ntw', 0x10, 'NT Workstation', 'Windows NT Workstation', 'Not Windows NT Workstation'],
  ['nts', 0x20, 'NT Server', 'Windows NT Server', 'Not Windows NT Server'],
];

/** Wireshark's (signed_)time_msecs_to_str: "12 minutes", "4 days, 2 hours, 20 minutes, 5.337 seconds". */
export function msecsText(ms: number): string {
  if (ms === 0) return '0 seconds';
  const parts: string[] = [];
  const secs = Math.floor(ms / 1000);
  const frac = ms % 1000;
  const unit = (n: number, name: string) => { if (n) parts.push(`${n} ${name}${n === 1 ? '' : 's'}`); };
  unit(Math.floor(secs / 86400), 'day');
  unit(Math.floor(secs / 3600) % 24, 'hour');
  unit(Math.floor(secs / 60) % 60, 'minute');
  if (frac) parts.push(`${secs % 60}.${String(frac).padStart(3, '0')} seconds`);
  else unit(secs % 60, 'second');
  return parts.join(', ');
}

/** SET_WINDOWS_VERSION_STRING of packet-smb-browse.h: the Windows release of an OS major/minor version. */
function windowsVersion(major: number, minor: number): string {
  if (major === 6 && minor === 1) return 'Windows 7 or Windows Server 2008 R2';
  if (major === 6 && minor === 0) return 'Windows Vista or Windows Server 2008';
  if (major === 5 && minor === 2) return 'Windows Server 2003 R2 or Windows Server 2003';
  if (major === 5 && minor === 1) return 'Windows XP';
  if (major === 5 && minor === 0) return 'Windows 2000';
  return '';
}

/** A NUL-terminated string at `at` (tvb_strsize: past the end of the bytes is an error). */
function stringz(b: LayerBuilder, at: number, what: string): { text: string; length: number } {
  const stop = Math.min(b.end, b.data.length);
  const nul = b.data.indexOf(0, at);
  if (nul < 0 || nul >= stop) {
    b.need(at, Math.max(1, stop - at + 1), what);
  }
  return { text: b.data.toString('latin1', at, nul), length: nul + 1 - at };
}

function dissectBrowser(data: Buffer, offset: number, end: number, selection?: ReadonlySet<string>): { layer: Layer; info: string } {
  const b = new LayerBuilder(data, 'browser', 'Microsoft Windows Browser Protocol', offset, end, selection);
  let info = '';
  const layer = dissectSafely(b, () => {
    const cmd = b.u8(offset, 'command');
    const cmdName = COMMANDS[cmd];
    info = cmdName ?? `Unknown command:${hex(cmd, 2)}`;
    b.add('browser.command', () => `Command: ${cmdName ?? 'Unknown'} (${hex(cmd, 2)})`, cmd, offset, 1, () => hex(cmd, 2));
    let at = offset + 1;
    const le32 = (o: number) => { b.need(o, 4, 'field'); return data.readUInt32LE(o); };
    switch (cmd) {
      case 1: case 12: case 15: {
        const count = b.u8(at, 'update count');
        b.add('browser.update_count', () => `Update Count: ${count}`, count, at, 1);
        const period = le32(at + 1);
        b.add('browser.period', () => `Update Periodicity: ${msecsText(period)}`, period, at + 1, 4);
        at += 5;
        b.need(at, 16, 'server name');
        const nul = data.indexOf(0, at);
        const host = data.toString('latin1', at, nul < 0 || nul > at + 16 ? at + 16 : nul);
        info += ` ${host}`;
        b.add('browser.server', () => `${cmd === 12 ? 'Domain/Workgroup' : 'Host Name'}: ${host}`, host, at, 16);
        at += 16;
        const major = b.u8(at, 'OS major version');
        const minor = b.u8(at + 1, 'OS minor version');
        const version = windowsVersion(major, minor);
        b.add('browser.windows_version', () => `Windows version: ${version}`, version, at, 2);
        b.add('browser.os_major', () => `OS Major Version: ${major}`, major, at, 1);
        b.add('browser.os_minor', () => `OS Minor Version: ${minor}`, minor, at + 1, 1);
        at += 2;
        const types = le32(at);
        for (let bit = 0; bit < 32; bit++) {
          if (types & (2 ** bit)) info += `, ${INFO_SERVER_TYPES.get(bit) ?? `Unknown server type:${bit}`}`;
        }
        serverTypes(b, at, types);
        at += 4;
        if (cmd === 12 && (b.need(at + 2, 2, 'signature'), data.readUInt16LE(at + 2)) !== 0xaa55) {
          const mysterious = le32(at);
          b.add('browser.mysterious_field', () => `Mysterious Field: ${hex(mysterious, 8)}`, mysterious, at, 4, () => hex(mysterious, 8));
          at += 4;
        } else {
          const pmaj = b.u8(at, 'protocol major version');
          const pmin = b.u8(at + 1, 'protocol minor version');
          b.add('browser.proto_major', () => `Browser Protocol Major Version: ${pmaj}`, pmaj, at, 1);
          b.add('browser.proto_minor', () => `Browser Protocol Minor Version: ${pmin}`, pmin, at + 1, 1);
          b.need(at + 2, 2, 'signature');
          const sig = data.readUInt16LE(at + 2);
          b.add('browser.sig', () => `Signature: ${hex(sig, 4)}`, sig, at + 2, 2, () => hex(sig, 4));
          at += 4;
        }
        const s = stringz(b, at, cmd === 12 ? 'master browser server name' : 'comment');
        if (cmd === 12) b.add('browser.mb_server', () => `Master Browser Server Name: ${s.text}`, s.text, at, s.length);
        else b.add('browser.comment', () => `Host Comment: ${s.text}`, s.text, at, s.length);
        break;
      }
      case 2: {
        const unused = b.u8(at, 'flags');
        b.add('browser.unused', () => `Unused flags: ${hex(unused, 2)}`, unused, at, 1, () => hex(unused, 2));
        const s = stringz(b, at + 1, 'computer name');
        b.add('browser.response_computer_name', () => `Response Computer Name: ${s.text}`, s.text, at + 1, s.length);
        info += ` ${s.text}`;
        break;
      }
      case 8: {
        const version = b.u8(at, 'election version');
        b.add('browser.election.version', () => `Election Version: ${version}`, version, at, 1);
        at += 1;
        const criteria = le32(at);
        b.group('browser.election.criteria', () => `Election Criteria: ${hex(criteria, 8)}`, criteria, at, 4, () => {
          const desire = data[at]!;
          bitmask(b, 'browser.election.desire', 'Election Desire', 'browser.election.desire.', DESIRE, desire, at);
          const pmaj = data[at + 1]!;
          const pmin = data[at + 2]!;
          b.add('browser.proto_major', () => `Browser Protocol Major Version: ${pmaj}`, pmaj, at + 1, 1);
          b.add('browser.proto_minor', () => `Browser Protocol Minor Version: ${pmin}`, pmin, at + 2, 1);
          bitmask(b, 'browser.election.os', 'Election OS', 'browser.election.os.', ELECTION_OS, data[at + 3]!, at + 3);
        }, () => hex(criteria, 8));
        at += 4;
        const uptime = le32(at);
        b.add('browser.uptime', () => `Uptime: ${msecsText(uptime)}`, uptime, at, 4);
        at += 8;
        const s = stringz(b, at, 'server name');
        b.add('browser.server', () => `Server Name: ${s.text}`, s.text, at, s.length);
        break;
      }
      case 9: {
        const count = b.u8(at, 'count');
        b.add('browser.backup.count', () => `Backup List Requested Count: ${count}`, count, at, 1);
        const token = le32(at + 1);
        b.add('browser.backup.token', () => `Backup Request Token: ${token}`, token, at + 1, 4);
        break;
      }
      case 10: {
        const count = b.u8(at, 'count');
        b.add('browser.backup.count', () => `Backup List Requested Count: ${count}`, count, at, 1);
        const token = le32(at + 1);
        b.add('browser.backup.token', () => `Backup Request Token: ${token}`, token, at + 1, 4);
        at += 5;
        for (let i = 0; i < count; i++) {
          const s = stringz(b, at, 'backup server');
          b.add('browser.backup.server', () => `Backup Server: ${s.text}`, s.text, at, s.length);
          at += s.length;
        }
        break;
      }
      case 11: {
        const s = stringz(b, at, 'browser to promote');
        b.add('browser.browser_to_promote', () => `Browser to Promote: ${s.text}`, s.text, at, s.length);
        break;
      }
      case 13: {
        const s = stringz(b, at, 'master browser server name');
        b.add('browser.mb_server', () => `Master Browser Server Name: ${s.text}`, s.text, at, s.length);
        break;
      }
      default:
        break;
    }
  });
  if (layer.status === 'truncated') info += '[Packet size limited during capture]';
  else if (layer.status === 'malformed') info += '[Malformed Packet]';
  return { layer, info };
}

/** proto_tree_add_bitmask of an 8-bit field: "Name: 0x20, WINS" (the set flags' names), then the flags. */
function bitmask(b: LayerBuilder, abbrev: string, title: string, prefix: string, bits: [string, number, string, string, string][], value: number, at: number): void {
  const names = bits.filter(([, mask]) => value & mask).map(([, , name]) => `, ${name}`).join('');
  b.group(abbrev, () => `${title}: ${hex(value, 2)}${names}`, value, at, 1, () => {
    for (const [suffix, mask, name, yes, no] of bits) {
      b.add(prefix + suffix, () => `${bitPicture(value, mask, 8)} = ${name}: ${value & mask ? yes : no}`, (value & mask) !== 0, at, 1);
    }
  }, () => hex(value, 2));
}

/** browser.server_type: the value with its set flags' field names, then the 25 flags. */
function serverTypes(b: LayerBuilder, at: number, types: number): void {
  const names = SERVER_TYPES.filter(([bit]) => types & (2 ** bit)).map(([, , name]) => `, ${name}`).join('');
  b.group('browser.server_type', () => `Server Type: ${hex(types, 8)}${names}`, types, at, 4, () => {
    for (const [bit, suffix, name, , yes, no] of SERVER_TYPES) {
      const set = (types & (2 ** bit)) !== 0;
      b.add(`browser.server_type.${suffix}`, () => `${bitPicture(types, 2 ** bit, 32)} = ${name}: ${set ? yes : no}`, set, at, 4);
    }
  }, () => hex(types, 8));
}
