/**
 * SMB1 (CIFS) over NBSS as far as tshark 4.0 shows it here (epan/dissectors/packet-smb.c): the
 * 32-byte header (an NT status or the DOS error class and code, as flags2 says), the word and byte
 * counts of every command, and the Negotiate Protocol request's dialects and the NT LM 0.12
 * response's selected dialect index. Info is "<Command> Request|Response" with ", Error: STATUS_..."
 * for an NT status that is not success. Clients begin with an SMB1 negotiate that a server answers
 * with SMB2 (smb2.ts).
 *
 * Left out: the bodies of the other commands (AndX chains, Trans2 subcommands, ...): their Info then
 * lacks what tshark adds after the command name.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import { bitPicture } from './format';
import type { AppContext, Layer } from './model';
import { smb1PipeData, type Smb1State } from './smb-pipe';

export const SMB1_COMMANDS: Record<number, string> = {
  0x00: 'Create Directory', 0x01: 'Delete Directory', 0x02: 'Open', 0x03: 'Create', 0x04: 'Close', 0x05: 'Flush', 0x06: 'Delete',
  0x07: 'Rename', 0x08: 'Query Information', 0x09: 'Set Information', 0x0a: 'Read', 0x0b: 'Write', 0x0c: 'Lock Byte Range',
  0x0d: 'Unlock Byte Range', 0x0e: 'Create Temp', 0x0f: 'Create New', 0x10: 'Check Directory', 0x11: 'Process Exit', 0x12: 'Seek',
  0x13: 'Lock And Read', 0x14: 'Write And Unlock', 0x1a: 'Read Raw', 0x1b: 'Read MPX', 0x1c: 'Read MPX Secondary', 0x1d: 'Write Raw',
  0x1e: 'Write MPX', 0x1f: 'Write MPX Secondary', 0x20: 'Write Complete', 0x21: 'Query Server (reserved)', 0x22: 'Set Information2',
  0x23: 'Query Information2', 0x24: 'Locking AndX', 0x25: 'Trans', 0x26: 'Trans Secondary', 0x27: 'IOCTL', 0x28: 'IOCTL Secondary',
  0x29: 'Copy', 0x2a: 'Move', 0x2b: 'Echo', 0x2c: 'Write And Close', 0x2d: 'Open AndX', 0x2e: 'Read AndX', 0x2f: 'Write AndX',
  0x30: 'New File Size', 0x31: 'Close And Tree Disconnect', 0x32: 'Trans2', 0x33: 'Trans2 Secondary', 0x34: 'Find Close2',
  0x35: 'Find Notify Close', 0x70: 'Tree Connect', 0x71: 'Tree Disconnect', 0x72: 'Negotiate Protocol', 0x73: 'Session Setup AndX',
  0x74: 'Logoff AndX', 0x75: 'Tree Connect AndX', 0x7e: 'Security Package AndX', 0x80: 'Query Information Disk', 0x81: 'Search',
  0x82: 'Find', 0x83: 'Find Unique', 0x84: 'Find Close', 0xa0: 'NT Trans', 0xa1: 'NT Trans Secondary', 0xa2: 'NT Create AndX',
  0xa4: 'NT Cancel', 0xa5: 'NT Rename', 0xc0: 'Open Print File', 0xc1: 'Write Print File', 0xc2: 'Close Print File',
  0xc3: 'Get Print Queue', 0xd8: 'Read Bulk', 0xd9: 'Write Bulk', 0xda: 'Write Bulk Data', 0xfe: 'Invalid', 0xff: 'No ANDX command',
};

/** NT status codes (a subset of Wireshark's NT_errors). */
const NT_STATUS: Record<number, string> = {
  0x00000000: 'STATUS_SUCCESS', 0x00000103: 'STATUS_PENDING', 0x0000010c: 'STATUS_NOTIFY_ENUM_DIR', 0x80000005: 'STATUS_BUFFER_OVERFLOW',
  0x80000006: 'STATUS_NO_MORE_FILES', 0x8000002d: 'STATUS_STOPPED_ON_SYMLINK', 0xc0000001: 'STATUS_UNSUCCESSFUL',
  0xc0000002: 'STATUS_NOT_IMPLEMENTED', 0xc0000003: 'STATUS_INVALID_INFO_CLASS', 0xc0000004: 'STATUS_INFO_LENGTH_MISMATCH',
  0xc0000008: 'STATUS_INVALID_HANDLE', 0xc000000d: 'STATUS_INVALID_PARAMETER', 0xc000000f: 'STATUS_NO_SUCH_FILE',
  0xc0000010: 'STATUS_INVALID_DEVICE_REQUEST', 0xc0000011: 'STATUS_END_OF_FILE', 0xc0000016: 'STATUS_MORE_PROCESSING_REQUIRED',
  0xc0000022: 'STATUS_ACCESS_DENIED', 0xc0000023: 'STATUS_BUFFER_TOO_SMALL', 0xc0000033: 'STATUS_OBJECT_NAME_INVALID',
  0xc0000034: 'STATUS_OBJECT_NAME_NOT_FOUND', 0xc0000035: 'STATUS_OBJECT_NAME_COLLISION', 0xc000003a: 'STATUS_OBJECT_PATH_NOT_FOUND',
  0xc0000043: 'STATUS_SHARING_VIOLATION', 0xc0000055: 'STATUS_LOCK_NOT_GRANTED', 0xc0000056: 'STATUS_DELETE_PENDING',
  0xc0000064: 'STATUS_NO_SUCH_USER', 0xc000006a: 'STATUS_WRONG_PASSWORD', 0xc000006d: 'STATUS_LOGON_FAILURE',
  0xc0000071: 'STATUS_PASSWORD_EXPIRED', 0xc0000072: 'STATUS_ACCOUNT_DISABLED', 0xc000007e: 'STATUS_RANGE_NOT_LOCKED',
  0xc000007f: 'STATUS_DISK_FULL', 0xc000009a: 'STATUS_INSUFFICIENT_RESOURCES', 0xc00000b5: 'STATUS_IO_TIMEOUT',
  0xc00000ba: 'STATUS_FILE_IS_A_DIRECTORY', 0xc00000bb: 'STATUS_NOT_SUPPORTED', 0xc00000be: 'STATUS_BAD_NETWORK_PATH',
  0xc00000c9: 'STATUS_NETWORK_NAME_DELETED', 0xc00000cc: 'STATUS_BAD_NETWORK_NAME', 0xc0000101: 'STATUS_DIRECTORY_NOT_EMPTY',
  0xc0000103: 'STATUS_NOT_A_DIRECTORY', 0xc0000120: 'STATUS_CANCELLED', 0xc0000128: 'STATUS_FILE_CLOSED',
  0xc000019c: 'STATUS_FS_DRIVER_REQUIRED', 0xc0000203: 'STATUS_USER_SESSION_DELETED', 0xc0000225: 'STATUS_NOT_FOUND',
  0xc000035c: 'STATUS_NETWORK_SESSION_EXPIRED',
};

export function ntStatusName(status: number): string {
  return NT_STATUS[status] ?? `Unknown (${hex(status, 8)})`;
}

/** SMB's Flags bits (field, mask, name, text when set, text when clear); NetBIOS datagrams carry the same header. */
export const SMB_FLAGS: [string, number, string, string, string][] = [
  ['smb.flags.response', 0x80, 'Request/Response', 'Message is a response to the client/redirector', 'Message is a request to the server'],
  ['smb.flags.notify', 0x40, 'Notify', 'Notify client on all modifications', 'Notify client only on open'],
  ['smb.flags.oplock', 0x20, 'Oplocks', 'OpLock requested/granted', 'OpLock not requested/granted'],
  ['smb.flags.canon', 0x10, 'Canonicalized Pathnames', 'Pathnames are canonicalized', 'Pathnames are not canonicalized'],
  ['smb.flags.caseless', 0x08, 'Case Sensitivity', 'Path names are caseless', 'Path names are case sensitive'],
  ['smb.flags.receive_buffer', 0x02, 'Receive Buffer Posted', 'Receive buffer has been posted', 'Receive buffer has not been posted'],
  ['smb.flags.lock', 0x01, 'Lock and Read', 'Lock&Read, Write&Unlock are supported', 'Lock&Read, Write&Unlock are not supported'],
];
/** SMB's Flags2 bits, as SMB_FLAGS. */
export const SMB_FLAGS2: [string, number, string, string, string][] = [
  ['smb.flags2.string', 0x8000, 'Unicode Strings', 'Strings are Unicode', 'Strings are ASCII'],
  ['smb.flags2.nt_error', 0x4000, 'Error Code Type', 'Error codes are NT error codes', 'Error codes are DOS error codes'],
  ['smb.flags2.roe', 0x2000, 'Execute-only Reads', 'Permit reads if execute-only', "Don't permit reads if execute-only"],
  ['smb.flags2.dfs', 0x1000, 'Dfs', 'Resolve pathnames with Dfs', "Don't resolve pathnames with Dfs"],
  ['smb.flags2.esn', 0x0800, 'Extended Security Negotiation', 'Extended security negotiation is supported', 'Extended security negotiation is not supported'],
  ['smb.flags2.reparse_path', 0x0400, 'Reparse Path', 'The request uses a @GMT reparse path', 'The request does not use a @GMT reparse path'],
  ['smb.flags2.long_names_used', 0x0040, 'Long Names Used', 'Path names in request are long file names', 'Path names in request are not long file names'],
  ['smb.flags2.sec_sig_required', 0x0010, 'Security Signatures Required', 'Security signatures are required', 'Security signatures are not required'],
  ['smb.flags2.compressed', 0x0008, 'Compressed', 'Compression is requested', 'Compression is not requested'],
  ['smb.flags2.sec_sig', 0x0004, 'Security Signatures', 'Security signatures are supported', 'Security signatures are not supported'],
  ['smb.flags2.ea', 0x0002, 'Extended Attributes', 'Extended attributes are supported', 'Extended attributes are not supported'],
  ['smb.flags2.long_names_allowed', 0x0001, 'Long Names Allowed', 'Long file names are allowed in the response', 'Long file names are not allowed in the response'],
];
const FLAG_NAMES: [number, string][] = [[0x80, 'Response'], [0x40, 'Notify'], [0x20, 'Oplocks'], [0x10, 'Canonicalized Pathnames'], [0x08, 'Case Sensitivity'], [0x02, 'Receive Buffer Posted'], [0x01, 'Lock and Read']];
const FLAG2_NAMES: [number, string][] = [
  [0x8000, 'Unicode Strings'], [0x4000, 'Error Code Type'], [0x2000, 'Execute-only Reads'], [0x1000, 'Dfs'], [0x0800, 'Extended Security Negotiation'],
  [0x0400, 'Reparse Path'], [0x0040, 'Long Names Used'], [0x0010, 'Security Signatures Required'], [0x0008, 'Compressed'], [0x0004, 'Security Signatures'],
  [0x0002, 'Extended Attributes'], [0x0001, 'Long Names Allowed'],
];
const named = (v: number, names: [number, string][]) => names.filter(([m]) => v & m).map(([, n]) => `, ${n}`).join('');

export interface Smb1Result { layers: Layer[]; protocolColumn: string; info: string }

/** One SMB1 message at data[offset, end); with `state`, its named-pipe data goes to DCE/RPC (smb-pipe.ts). */
export function dissectSmb1(data: Buffer, offset: number, end: number, ctx: AppContext, state?: Smb1State): Smb1Result {
  const b = new LayerBuilder(data, 'smb', 'SMB (Server Message Block Protocol)', offset, end, ctx.fields);
  let info = '';
  const layer = dissectSafely(b, () => {
    b.need(offset, 32, 'SMB header');
    const cmd = data[offset + 4]!;
    const flags = data[offset + 9]!;
    const flags2 = data.readUInt16LE(offset + 10);
    const response = (flags & 0x80) !== 0;
    const status = data.readUInt32LE(offset + 5);
    const cmdName = SMB1_COMMANDS[cmd] ?? `Unknown (${hex(cmd, 2)})`;
    info = `${cmdName} ${response ? 'Response' : 'Request'}`;
    if (flags2 & 0x4000 && status !== 0) info += `, Error: ${ntStatusName(status)}`;
    b.group('', 'SMB Header', null, offset, 32, () => {
      const component = data.readUInt32LE(offset);
      b.add('smb.server_component', 'Server Component: SMB', component, offset, 4, () => hex(component, 8));
      b.add('smb.cmd', () => `SMB Command: ${cmdName} (${hex(cmd, 2)})`, cmd, offset + 4, 1, () => hex(cmd, 2));
      if (flags2 & 0x4000) {
        b.add('smb.nt_status', () => `NT Status: ${ntStatusName(status)} (${hex(status, 8)})`, status, offset + 5, 4, () => hex(status, 8));
      } else {
        const errorClass = data[offset + 5]!;
        const errorCode = data.readUInt16LE(offset + 7);
        b.add('smb.error_class', () => `Error Class: ${errorClass === 0 ? 'Success' : 'Unknown'} (${hex(errorClass, 2)})`, errorClass, offset + 5, 1, () => hex(errorClass, 2));
        const r = data.subarray(offset + 6, offset + 7);
        b.add('smb.reserved', () => `Reserved: ${r.toString('hex')}`, r, offset + 6, 1, () => r.toString('hex'));
        b.add('smb.error_code', () => (errorCode === 0 ? 'Error Code: No Error' : `Error Code: Unknown DOS error (${hex(errorCode, 4)})`), errorCode, offset + 7, 2, () => hex(errorCode, 4));
      }
      b.group('smb.flags', () => `Flags: ${hex(flags, 2)}${named(flags, FLAG_NAMES)}`, flags, offset + 9, 1, () => {
        for (const [abbrev, mask, name, yes, no] of SMB_FLAGS) b.add(abbrev, () => `${bitPicture(flags, mask, 8)} = ${name}: ${flags & mask ? yes : no}`, (flags & mask) !== 0, offset + 9, 1);
      }, () => hex(flags, 2));
      b.group('smb.flags2', () => `Flags2: ${hex(flags2, 4)}${named(flags2, FLAG2_NAMES)}`, flags2, offset + 10, 2, () => {
        for (const [abbrev, mask, name, yes, no] of SMB_FLAGS2) b.add(abbrev, () => `${bitPicture(flags2, mask, 16)} = ${name}: ${flags2 & mask ? yes : no}`, (flags2 & mask) !== 0, offset + 10, 2);
      }, () => hex(flags2, 4));
      const pidHigh = data.readUInt16LE(offset + 12);
      b.add('smb.pid.high', () => `Process ID High: ${pidHigh}`, pidHigh, offset + 12, 2);
      const signature = data.subarray(offset + 14, offset + 22);
      b.add('smb.signature', () => `Signature: ${signature.toString('hex')}`, signature, offset + 14, 8, () => signature.toString('hex'));
      const reserved = data.subarray(offset + 22, offset + 24);
      b.add('smb.reserved', () => `Reserved: ${reserved.toString('hex')}`, reserved, offset + 22, 2, () => reserved.toString('hex'));
      const ids: [string, string, number][] = [['smb.tid', 'Tree ID', 24], ['smb.pid', 'Process ID', 26], ['smb.uid', 'User ID', 28], ['smb.mid', 'Multiplex ID', 30]];
      for (const [abbrev, name, at] of ids) {
        const v = data.readUInt16LE(offset + at);
        b.add(abbrev, () => `${name}: ${v}`, v, offset + at, 2);
      }
    });
    const w = offset + 32;
    const wct = b.u8(w, 'word count');
    b.need(w + 1, 2 * wct + 2, 'parameters and byte count');
    const bccAt = w + 1 + 2 * wct;
    const bcc = data.readUInt16LE(bccAt);
    b.group('', () => `${cmdName} ${response ? 'Response' : 'Request'} (${hex(cmd, 2)})`, null, w, 3 + 2 * wct + bcc, () => {
      b.add('smb.wct', () => `Word Count (WCT): ${wct}`, wct, w, 1);
      if (cmd === 0x72 && response && wct >= 1) {
        const index = data.readUInt16LE(w + 1);
        b.add('smb.dialect.index', () => `Selected Index: ${index}`, index, w + 1, 2);
      }
      b.add('smb.bcc', () => `Byte Count (BCC): ${bcc}`, bcc, bccAt, 2);
      if (cmd === 0x72 && !response) {
        const stop = bccAt + 2 + bcc;
        b.need(bccAt + 2, bcc, 'dialects');
        b.group('', 'Requested Dialects', null, bccAt + 2, bcc, () => {
          for (let at = bccAt + 2; at < stop;) {
            let nul = at + 1;
            while (nul < stop && data[nul] !== 0) nul++;
            const name = data.toString('latin1', at + 1, nul);
            const format = data[at]!;
            const len = Math.min(nul + 1, stop) - at;
            b.group('smb.dialect', () => `Dialect: ${name}`, name, at, len, () => {
              b.add('smb.buffer_format', () => `Buffer Format: ${format === 2 ? 'Dialect' : 'Unknown'} (${format})`, format, at, 1);
              b.add('smb.dialect.name', () => `Name: ${name}`, name, at + 1, len - 1);
            });
            at += len;
          }
        });
      }
    });
  });
  if (layer.status !== 'ok') info += layer.status === 'truncated' ? '[Packet size limited during capture]' : '[Malformed Packet]';
  else if (state !== undefined) {
    const pipe = smb1PipeData(state, data, offset, end, ctx);
    return { layers: [layer, ...pipe.layers], protocolColumn: pipe.protocolColumn ?? 'SMB', info: pipe.info ?? info };
  }
  return { layers: [layer], protocolColumn: 'SMB', info };
}
