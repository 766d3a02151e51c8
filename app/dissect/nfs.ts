/**
 * NFS (program 100003) inside ONC RPC as tshark 4.0 shows it (epan/dissectors/packet-nfs.c):
 * versions 2 and 3 procedure by procedure (file handles with their CRC-32 hash, names, file
 * attributes, the Info words each procedure adds: ", FH: 0x56d448b4", ", DH: 0x.../name",
 * "  Directory mode: 1777 uid: 0 gid: 0", " Error: NFS3ERR_NOENT"), and version 4's COMPOUND:
 * its operations, the Info summary of the most significant ones ("V4 Call GETATTR FH: 0x...",
 * "V4 Reply (Call In 5) OPEN StateID: 0x45de"). Default preferences: no file-name snooping, no
 * request/reply file handle matching, file handles as plain data.
 *
 * Left out: NFSv4 operations whose arguments are not read here end the list (the summary then
 * names the operations before them), NFSv4 attribute values, v3 READDIRPLUS entries' attributes
 * in detail, ACLs.
 */
import { hex, type LayerBuilder } from './builder';
import { crc16Ccitt, crc32 } from './checksum';
import { absoluteTimeText } from './app-format';
import { bitPicture, nsToSeconds } from './format';
import { NFS2_FTYPES, NFS2_STATUS, NFS3_STATUS, NFS4_OPS, NFS4_STATUS } from './nfs-names';
import { rpcRoundup, rpcString, type RpcBody } from './rpc';

const FTYPE3: Record<number, string> = { 1: 'Regular File', 2: 'Directory', 3: 'Block Special Device', 4: 'Character Special Device', 5: 'Symbolic Link', 6: 'Socket', 7: 'Named Pipe' };
const ACCESS_BITS: Array<[number, string, string]> = [
  [0x001, 'RD', 'read'], [0x002, 'LU', 'lookup'], [0x004, 'MD', 'modify'], [0x008, 'XT', 'extend'], [0x010, 'DL', 'delete'],
  [0x020, 'XE', 'execute'], [0x040, 'XAR', 'xattr_read'], [0x080, 'XAW', 'xattr_write'], [0x100, 'XAL', 'xattr_list'],
];
const STABLE = ['UNSTABLE', 'DATA_SYNC', 'FILE_SYNC'];
const CREATE_MODES = ['UNCHECKED', 'GUARDED', 'EXCLUSIVE'];

/** The NFS program's dissector (RpcProgramDissector). */
export function nfsBody(body: RpcBody): number | undefined {
  const { call } = body;
  if (call.vers === 2 || call.vers === 3) {
    // The tree's title repeats the Info words after the procedure's name (proto_item_append_text).
    let words = '';
    const titled: RpcBody = { ...body, info: (text) => { words += text; body.info(text); } };
    try {
      return call.vers === 2 ? nfs2(titled) : nfs3(titled);
    } finally {
      if (call.proc !== 0) body.title(treeTitle(call.vers, call.proc, body.request, words));
    }
  }
  if (call.vers === 4) return call.proc === 1 ? (body.request ? compoundCall(body) : compoundReply(body)) : body.at;
  return undefined;
}

/** ", GETATTR Call FH: 0x..." / ", LOOKUP Reply FH: 0x..." / ", ACCESS Call, FH: 0x..., [Check: RD]". */
function treeTitle(vers: number, proc: number, request: boolean, words: string): string {
  const name = vers === 3 ? nfs3Name(proc) : NFS2_NAMES[proc] ?? `proc-${proc}`;
  // ACCESS's call keeps its comma; READDIR's entry names stay in Info only.
  let tail = vers === 3 && proc === 4 && request ? words : words.replace(/^, (?=FH:|DH:|From)/, ' ');
  if (!request && (proc === 16 || proc === 17) && !/^ Error: /.test(tail)) tail = '';
  // FSINFO's and PATHCONF's calls name their handle DH in the tree.
  if (vers === 3 && request && (proc === 18 || proc === 19 || proc === 20)) tail = tail.replace(' FH:', ' DH:');
  if (/^ Error: /.test(tail)) tail = ` ${tail}`;
  return `, ${name} ${request ? 'Call' : 'Reply'}${tail}`;
}

const NFS2_NAMES = ['NULL', 'GETATTR', 'SETATTR', 'ROOT', 'LOOKUP', 'READLINK', 'READ', 'WRITECACHE', 'WRITE', 'CREATE', 'REMOVE', 'RENAME', 'LINK', 'SYMLINK', 'MKDIR', 'RMDIR', 'READDIR', 'STATFS'];

/** An XDR reader over the NFS layer's builder. */
class Xdr {
  constructor(readonly r: RpcBody, public at: number) {}
  get b(): LayerBuilder {
    return this.r.b;
  }
  u32(abbrev: string, label: string, names?: Record<number, string> | readonly string[], textHex = 0): number {
    const at = this.at;
    const v = this.b.u32(at, label);
    const name = names ? (names as Record<number, string>)[v] : undefined;
    this.b.add(abbrev, () => `${label}: ${textHex ? hex(v, textHex) : name !== undefined ? `${name} (${v})` : v}`, v, at, 4, textHex ? hex(v, textHex) : undefined);
    this.at += 4;
    return v;
  }
  u64(abbrev: string, label: string, textHex = false): bigint {
    const at = this.at;
    this.b.need(at, 8, label);
    const v = this.r.data.readBigUInt64BE(at);
    const text = textHex ? `0x${v.toString(16).padStart(16, '0')}` : String(v);
    this.b.add(abbrev, () => `${label}: ${textHex ? `${text} (${v})` : text}`, v, at, 8, text);
    this.at += 8;
    return v;
  }
  bool(abbrev: string, label: string): boolean {
    const at = this.at;
    const v = this.b.u32(at, label);
    this.b.add(abbrev, () => `${label}: ${v ? 'Yes' : 'No'}`, v !== 0, at, 4);
    this.at += 4;
    return v !== 0;
  }
  string(abbrev: string, name: string, opaque = false): string {
    const s = rpcString(this.b, this.r.data, this.at, abbrev, name, opaque);
    this.at = s.next;
    return s.value;
  }
  /** Fixed-length opaque bytes (FT_BYTES: -T fields prints plain hex). */
  bytes(abbrev: string, label: string, n: number): void {
    const at = this.at;
    const raw = this.b.bytes(at, n, label);
    this.b.add(abbrev, () => `${label}: ${raw.toString('hex')}`, raw, at, n, () => raw.toString('hex'));
    this.at += n;
  }
  skip(n: number, what: string): void {
    this.b.need(this.at, n, what);
    this.at += n;
  }
  group(label: string, body: () => void): void {
    const start = this.at;
    const f = this.b.group('', label, null, start, 0, body);
    // Only a field of the tree (a text-only line is not built without one).
    if (this.b.tree) f.length = this.at - start;
  }
}

// ---------------------------------------------------------------------------- file handles

/** dissect_fhandle_data: the hash, then the handle as data. */
function fhData(x: Xdr, at: number, length: number): number {
  const data = x.r.data;
  x.b.need(at, length, 'file handle');
  const hash = crc32(data, at, at + length);
  x.b.add('nfs.fh.hash', () => `[hash (CRC-32): ${hex(hash, 8)}]`, hash, at, length, hex(hash, 8));
  const bytes = data.subarray(at, at + length);
  x.b.add('nfs.fhandle', () => `FileHandle: ${bytes.toString('hex')}`, bytes, at, length, () => bytes.toString('hex'));
  return hash;
}

/** nfs_fh3 (and nfs_fh4): length, hash, handle. */
function fh3(x: Xdr, name: string): number {
  const at = x.at;
  const length = x.b.u32(at, name);
  let hash = 0;
  x.b.group('', name, null, at, 4 + rpcRoundup(length), () => {
    x.b.add('nfs.fh.length', () => `length: ${length}`, length, at, 4);
    hash = fhData(x, at + 4, length);
  });
  x.at = at + 4 + rpcRoundup(length);
  return hash;
}

/** NFSv2's fixed 32-byte fhandle. */
function fh2(x: Xdr, name: string): number {
  const at = x.at;
  let hash = 0;
  x.b.group('', name, null, at, 32, () => {
    hash = fhData(x, at, 32);
  });
  x.at = at + 32;
  return hash;
}

function diropargs3(x: Xdr, label: string): { hash: number; name: string } {
  let hash = 0;
  let name = '';
  x.group(label, () => {
    hash = fh3(x, 'dir');
    name = x.string('nfs.name', 'Name');
  });
  return { hash, name };
}

function diropargs2(x: Xdr, label: string): { hash: number; name: string } {
  let hash = 0;
  let name = '';
  x.group(label, () => {
    hash = fh2(x, 'dir');
    name = x.string('nfs.name', 'Name');
  });
  return { hash, name };
}

// ---------------------------------------------------------------------------- attributes

function nfstime(x: Xdr, which: 'atime' | 'mtime' | 'ctime', v2 = false): void {
  const at = x.at;
  const sec = x.b.u32(at, which);
  const sub = x.b.u32(at + 4, which);
  const nsec = v2 ? (sub < 1000000 ? sub * 1000 : 0) : sub;
  const text = absoluteTimeText(BigInt(sec), nsec);
  x.b.group(`nfs.${which}`, () => `${which}: ${text}`, text, at, 8, () => {
    x.b.add(`nfs.${which}.sec`, () => `seconds: ${sec}`, sec, at, 4);
    if (v2) x.b.add(`nfs.${which}.usec`, () => `micro seconds: ${sub}`, sub, at + 4, 4);
    else x.b.add(`nfs.${which}.nsec`, () => `nano seconds: ${sub}`, sub, at + 4, 4);
  });
  x.at += 8;
}

const MODE_BITS: Array<[number, string, string]> = [
  [0o4000, 'suid', 'S_ISUID'], [0o2000, 'sgid', 'S_ISGID'], [0o1000, 'sticky', 'S_ISVTX'], [0o400, 'rusr', 'S_IRUSR'], [0o200, 'wusr', 'S_IWUSR'],
  [0o100, 'xusr', 'S_IXUSR'], [0o40, 'rgrp', 'S_IRGRP'], [0o20, 'wgrp', 'S_IWGRP'], [0o10, 'xgrp', 'S_IXGRP'], [0o4, 'roth', 'S_IROTH'],
  [0o2, 'woth', 'S_IWOTH'], [0o1, 'xoth', 'S_IXOTH'],
];

function mode3(x: Xdr, withType = 0): number {
  const at = x.at;
  const mode = x.b.u32(at, 'mode');
  const names = MODE_BITS.filter(([m]) => mode & m).map(([, , n]) => n);
  const shown = withType ? (withType === 2 ? 0o40000 : withType === 1 ? 0o100000 : withType === 5 ? 0o120000 : 0) | mode : mode;
  x.b.group('nfs.mode3', () => `Mode: 0${shown.toString(8).padStart(3, '0')}${names.map((n) => `, ${n}`).join('')}`, mode, at, 4, () => {
    for (const [m, abbrev, name] of MODE_BITS) x.b.add(`nfs.mode3.${abbrev}`, () => `${bitPicture(mode, m, 32)} = ${name}: ${mode & m ? 'Yes' : 'No'}`, (mode & m) !== 0, at, 4);
  });
  x.at += 4;
  return mode;
}

function specdata(x: Xdr, name: string): void {
  const at = x.at;
  const d1 = x.b.u32(at, name);
  const d2 = x.b.u32(at + 4, name);
  x.b.group('', () => `${name}: ${d1},${d2}`, null, at, 8, () => {
    x.b.add('nfs.specdata1', () => `specdata1: ${d1}`, d1, at, 4);
    x.b.add('nfs.specdata2', () => `specdata2: ${d2}`, d2, at + 4, 4);
  });
  x.at += 8;
}

/** fattr3; returns "Directory mode: 1777 uid: 0 gid: 0" (what GETATTR's reply puts in Info). */
function fattr3(x: Xdr, name: string): string {
  let summary = '';
  const start = x.at;
  const f = x.b.group('', () => `${name}  ${summary}`, null, start, 84, () => {
    const type = x.u32('nfs.fattr3.type', 'Type', FTYPE3);
    const mode = mode3(x, type);
    x.u32('nfs.fattr3.nlink', 'nlink');
    const uid = x.u32('nfs.fattr3.uid', 'uid');
    const gid = x.u32('nfs.fattr3.gid', 'gid');
    x.u64('nfs.fattr3.size', 'size');
    x.u64('nfs.fattr3.used', 'used');
    specdata(x, 'rdev');
    x.u64('nfs.fattr3.fsid', 'fsid', true);
    x.u64('nfs.fattr3.fileid', 'fileid');
    nfstime(x, 'atime');
    nfstime(x, 'mtime');
    nfstime(x, 'ctime');
    summary = `${FTYPE3[type] ?? `Unknown Type: 0x${type.toString(16)}`} mode: ${(mode & 0xfff).toString(8).padStart(4, '0')} uid: ${uid | 0} gid: ${gid | 0}`;
  });
  if (x.b.tree && f.label) f.label = `${name}  ${summary}`;
  return summary;
}

function postOpAttr(x: Xdr, name: string): void {
  x.group(name, () => {
    const follows = x.u32('nfs.attributes_follow', 'attributes_follow', ['no value', 'value follows']);
    if (follows === 1) fattr3(x, 'attributes');
  });
}

function wccData(x: Xdr, name: string): void {
  x.group(name, () => {
    x.group('before', () => {
      const follows = x.u32('nfs.attributes_follow', 'attributes_follow', ['no value', 'value follows']);
      if (follows === 1) {
        x.group('attributes', () => {
          x.u64('nfs.wcc_attr.size', 'size');
          nfstime(x, 'mtime');
          nfstime(x, 'ctime');
        });
      }
    });
    postOpAttr(x, 'after');
  });
}

function postOpFh(x: Xdr, name: string): number {
  let hash = 0;
  x.group(name, () => {
    const follows = x.u32('nfs.handle_follow', 'handle_follow', ['no value', 'value follows']);
    if (follows === 1) hash = fh3(x, 'handle');
  });
  return hash;
}

function sattr3(x: Xdr, name: string): void {
  x.group(name, () => {
    const setIt = (what: string, value: () => void): void => {
      const set = x.u32(`nfs.set_it`, `set_it`, ['no value', 'value follows']);
      if (set === 1) value();
      void what;
    };
    setIt('mode', () => { mode3(x); });
    setIt('uid', () => { x.u32('nfs.uid3', 'uid'); });
    setIt('gid', () => { x.u32('nfs.gid3', 'gid'); });
    setIt('size', () => { x.u64('nfs.set_size3.size', 'size'); });
    for (const which of ['atime', 'mtime'] as const) {
      const set = x.u32('nfs.set_it', 'set_it', ['don\'t change', 'set to server time', 'set to client time']);
      if (set === 2) nfstime(x, which);
    }
  });
}

function status3(x: Xdr): number {
  const at = x.at;
  const v = x.u32('nfs.status3', 'Status', NFS3_STATUS);
  const f = x.b.add('nfs.status', () => `Status: ${NFS3_STATUS[v] ?? v} (${v})`, v, at, 4);
  f.hidden = true;
  return v;
}

function err3(status: number): string {
  return NFS3_STATUS[status] ?? `Unknown error: ${status}`;
}

function access(body: RpcBody, x: Xdr, mask: number, label: string, mtype: 'C' | 'A' | 'D' | 'R', out: string[]): void {
  const at = x.at;
  if (mtype === 'C' || mtype === 'A' || mtype === 'D') {
    let text = `, [${label}:`;
    for (const [bit, short] of ACCESS_BITS) if (mask & bit) text += ` ${short}`;
    text += ']';
    out.push(text);
  }
  if (mtype === 'C' || mtype === 'R') {
    const v = x.r.data.readUInt32BE(at);
    x.b.group(mtype === 'C' ? 'nfs.access_check' : 'nfs.access_rights', () => `${mtype === 'C' ? 'Check access' : 'Access rights'}: ${hex(v, 2)}`, v, at, 4, () => {
      for (const [bit, short, name] of ACCESS_BITS) {
        if (mask & bit) x.b.add(`nfs.access_${name}`, () => `${bitPicture(v, bit, 8)} = 0x${bit.toString(16).padStart(3, '0')} ${short}: ${v & bit ? 'allowed' : '*Access Denied*'}${mtype === 'C' ? '?' : ''}`, (v & bit) !== 0, at, 4);
      }
    }, hex(v, 2));
  }
  void body;
}

/** dissect_access_reply (v3 and v4). */
function accessReply(body: RpcBody, x: Xdr, v4: boolean, out: string[]): void {
  const requested = body.call.privateData as number | undefined;
  let supported: number;
  if (v4) {
    supported = x.b.u32(x.at, 'supported');
  } else supported = requested ?? -1;
  const rights = x.b.u32(v4 ? x.at + 4 : x.at, 'access rights');
  if (supported === -1) supported = rights;
  const notSupported = requested !== undefined ? (requested ^ supported) >>> 0 : 0;
  const effective = supported & rights;
  const denied = (supported ^ effective) >>> 0;
  const allowed = (supported & effective) >>> 0;
  if (v4) {
    if (notSupported > 0) access(body, x, notSupported, 'NOT Supported', 'D', out);
    const at = x.at;
    x.b.add('nfs.access_supported', () => `Supported types (of requested): ${hex(supported, 2)}`, supported, at, 4, hex(supported, 2));
    x.at += 4;
  }
  if (denied > 0) access(body, x, denied, 'Access Denied', 'D', out);
  if (allowed > 0) access(body, x, allowed, 'Allowed', 'A', out);
  access(body, x, allowed | denied, '', 'R', out);
  x.b.add('nfs.access_denied', () => `[Access Denied: ${denied > 0 ? 'Yes' : 'No'}]`, denied > 0, x.at, 4);
  x.at += 4;
}

// ---------------------------------------------------------------------------- version 3

const FSINFO_PROPERTIES: Array<[number, string, string]> = [
  [0x10, 'setattr', 'SETATTR can set time on server'], [0x08, 'pathconf', 'PATHCONF'], [0x02, 'symlinks', 'File System supports symbolic links'],
  [0x01, 'hardlinks', 'File System supports hard links'],
];
const SEQUENCE_FLAGS: Array<[number, string, string]> = [
  [0x1, 'cb_path_down', 'SEQ4_STATUS_CB_PATH_DOWN'], [0x2, 'cb_gss_contexts_expiring', 'SEQ4_STATUS_CB_GSS_CONTEXTS_EXPIRING'],
  [0x4, 'cb_gss_contexts_expired', 'SEQ4_STATUS_CB_GSS_CONTEXTS_EXPIRED'], [0x8, 'expired_all_state_revoked', 'SEQ4_STATUS_EXPIRED_ALL_STATE_REVOKED'],
  [0x10, 'expired_some_state_revoked', 'SEQ4_STATUS_EXPIRED_SOME_STATE_REVOKED'], [0x20, 'admin_state_revoked', 'SEQ4_STATUS_ADMIN_STATE_REVOKED'],
  [0x40, 'recallable_state_revoked', 'SEQ4_STATUS_RECALLABLE_STATE_REVOKED'], [0x80, 'lease_moved', 'SEQ4_STATUS_LEASE_MOVED'],
  [0x100, 'restart_reclaim_needed', 'SEQ4_STATUS_RESTART_RECLAIM_NEEDED'], [0x200, 'cb_path_down_session', 'SEQ4_STATUS_CB_PATH_DOWN_SESSION'],
  [0x400, 'backchannel_fault', 'SEQ4_STATUS_BACKCHANNEL_FAULT'], [0x800, 'devid_changed', 'SEQ4_STATUS_DEVID_CHANGED'],
  [0x1000, 'devid_deleted', 'SEQ4_STATUS_DEVID_DELETED'],
];

/** A 32-bit flags word with its bits (proto_tree_add_bitmask). */
function flags(x: Xdr, abbrev: string, label: string, bits: Array<[number, string, string]>): void {
  const at = x.at;
  const v = x.b.u32(at, label);
  x.b.group(abbrev, () => `${label}: ${hex(v, 8)}`, v, at, 4, () => {
    for (const [m, name, text] of bits) x.b.add(`${abbrev}.${name}`, () => `${bitPicture(v, m, 32)} = ${text}: ${v & m ? 'Set' : 'Not set'}`, (v & m) !== 0, at, 4);
  }, hex(v, 8));
  x.at += 4;
}

function nfs3(body: RpcBody): number | undefined {
  const x = new Xdr(body, body.at);
  const proc = body.call.proc;
  const info = (s: string): void => body.info(s);
  if (body.request) {
    switch (proc) {
      case 0: return x.at;
      case 1: case 5: case 16: case 18: case 19: case 20: {
        // GETATTR, READLINK, READDIR, FSSTAT, FSINFO, PATHCONF
        const hash = fh3(x, proc === 16 || proc === 18 || proc === 19 || proc === 20 ? (proc === 16 ? 'dir' : 'object') : 'object');
        if (proc === 16) {
          x.u64('nfs.cookie3', 'cookie');
          x.skip(8, 'cookie verifier');
          x.u32('nfs.count3', 'count');
        }
        info(`, FH: ${hex(hash, 8)}`);
        return x.at;
      }
      case 2: {
        const hash = fh3(x, 'object');
        sattr3(x, 'new_attributes');
        const check = x.u32('nfs.sattrguard3', 'Check', ['no value', 'value follows']);
        if (check === 1) nfstime(x, 'ctime');
        info(`, FH: ${hex(hash, 8)}`);
        return x.at;
      }
      case 3: case 12: case 13: case 9: {
        const where = diropargs3(x, proc === 3 ? 'what' : proc === 9 ? 'where' : 'object');
        if (proc === 9) sattr3(x, 'attributes');
        info(`, DH: ${hex(where.hash, 8)}/${where.name}`);
        return x.at;
      }
      case 4: {
        const hash = fh3(x, 'object');
        const mask = x.b.u32(x.at, 'access');
        body.call.privateData = mask;
        info(`, FH: ${hex(hash, 8)}`);
        const words: string[] = [];
        access(body, x, mask, 'Check', 'C', words);
        x.at += 4;
        info(words.join(''));
        return x.at;
      }
      case 6: case 7: case 21: {
        const hash = fh3(x, 'file');
        const off = x.u64('nfs.offset3', 'offset');
        const count = x.u32('nfs.count3', 'count');
        if (proc === 21) {
          info(`, FH: ${hex(hash, 8)}`);
          return x.at;
        }
        if (proc === 6) {
          info(`, FH: ${hex(hash, 8)} Offset: ${off} Len: ${count}`);
          return x.at;
        }
        const stable = x.u32('nfs.write.stable', 'Stable', STABLE);
        info(`, FH: ${hex(hash, 8)} Offset: ${off} Len: ${count} ${STABLE[stable] ?? `Stable: ${stable}`}`);
        x.string('nfs.data', 'Data', true);
        return x.at;
      }
      case 8: {
        const where = diropargs3(x, 'where');
        const mode = x.u32('nfs.createmode', 'Create Mode', CREATE_MODES);
        if (mode === 0 || mode === 1) sattr3(x, 'obj_attributes');
        else if (mode === 2) x.skip(8, 'verifier');
        info(`, DH: ${hex(where.hash, 8)}/${where.name} Mode: ${CREATE_MODES[mode] ?? `Unknown Mode: ${mode}`}`);
        return x.at;
      }
      case 10: {
        const where = diropargs3(x, 'where');
        sattr3(x, 'symlink_attributes');
        const to = x.string('nfs.symlink.to', 'To');
        info(`, From DH: ${hex(where.hash, 8)}/${where.name} To ${to}`);
        return x.at;
      }
      case 11: {
        const where = diropargs3(x, 'where');
        const type = x.u32('nfs.type', 'Type', FTYPE3);
        if (type === 3 || type === 4) {
          sattr3(x, 'dev_attributes');
          specdata(x, 'spec');
        } else if (type === 6 || type === 7) sattr3(x, 'pipe_attributes');
        info(`, FH: ${hex(where.hash, 8)}/${where.name} ${FTYPE3[type] ?? `Unknown type: ${type}`}`);
        return x.at;
      }
      case 14: {
        const from = diropargs3(x, 'from');
        const to = diropargs3(x, 'to');
        info(`, From DH: ${hex(from.hash, 8)}/${from.name} To DH: ${hex(to.hash, 8)}/${to.name}`);
        return x.at;
      }
      case 15: {
        const file = fh3(x, 'file');
        const link = diropargs3(x, 'link');
        info(`, From DH: ${hex(file, 8)} To DH: ${hex(link.hash, 8)}/${link.name}`);
        return x.at;
      }
      case 17: {
        const hash = fh3(x, 'dir');
        x.u64('nfs.cookie3', 'cookie');
        x.skip(8, 'cookie verifier');
        x.u32('nfs.count3_dircount', 'dircount');
        x.u32('nfs.count3_maxcount', 'maxcount');
        info(`, FH: ${hex(hash, 8)}`);
        return x.at;
      }
      default: return x.at;
    }
  }
  // Replies
  if (proc === 0) return x.at;
  const status = status3(x);
  const error = (): number => {
    info(` Error: ${err3(status)}`);
    return x.at;
  };
  switch (proc) {
    case 1:
      if (status !== 0) return error();
      info(`  ${fattr3(x, 'obj_attributes')}`);
      return x.at;
    case 2:
      wccData(x, 'obj_wcc');
      return status === 0 ? x.at : error();
    case 3:
      if (status !== 0) {
        postOpAttr(x, 'dir_attributes');
        return error();
      }
      {
        const hash = fh3(x, 'object');
        postOpAttr(x, 'obj_attributes');
        postOpAttr(x, 'dir_attributes');
        info(`, FH: ${hex(hash, 8)}`);
      }
      return x.at;
    case 4:
      postOpAttr(x, 'obj_attributes');
      if (status !== 0) return error();
      {
        const words: string[] = [];
        accessReply(body, x, false, words);
        info(words.join(''));
      }
      return x.at;
    case 5:
      postOpAttr(x, 'symlink_attributes');
      if (status !== 0) return error();
      info(` Path: ${x.string('nfs.readlink.data', 'Data')}`);
      return x.at;
    case 6:
      postOpAttr(x, 'file_attributes');
      if (status !== 0) return error();
      {
        const len = x.u32('nfs.count3', 'count');
        x.bool('nfs.read.eof', 'EOF');
        info(` Len: ${len | 0}`);
        x.string('nfs.data', 'Data', true);
      }
      return x.at;
    case 7:
      wccData(x, 'file_wcc');
      if (status !== 0) return error();
      {
        const len = x.u32('nfs.count3', 'count');
        const committed = x.u32('nfs.write.committed', 'Committed', STABLE);
        x.bytes('nfs.verifier', 'Verifier', 8);
        info(` Len: ${len | 0} ${STABLE[committed] ?? `Stable: ${committed}`}`);
      }
      return x.at;
    case 8: case 9: case 10: case 11:
      if (status === 0) {
        postOpFh(x, 'obj');
        postOpAttr(x, 'obj_attributes');
      }
      wccData(x, 'dir_wcc');
      return status === 0 ? x.at : error();
    case 12: case 13:
      wccData(x, 'dir_wcc');
      return status === 0 ? x.at : error();
    case 14:
      wccData(x, 'fromdir_wcc');
      wccData(x, 'todir_wcc');
      return status === 0 ? x.at : error();
    case 15:
      postOpAttr(x, 'file_attributes');
      wccData(x, 'linkdir_wcc');
      return status === 0 ? x.at : error();
    case 16: case 17: {
      postOpAttr(x, 'dir_attributes');
      if (status !== 0) return error();
      x.skip(8, 'cookie verifier');
      for (let guard = 0; guard < 100000; guard++) {
        const followsAt = x.at;
        const follows = x.b.u32(followsAt, 'value follows');
        x.b.add('rpc.value_follows', () => `Value Follows: ${follows ? 'Yes' : 'No'}`, follows !== 0, followsAt, 4);
        x.at += 4;
        if (follows !== 1) break;
        x.group('Entry', () => {
          x.u64(proc === 16 ? 'nfs.readdir.entry3.fileid' : 'nfs.readdirplus.entry.fileid', 'File ID');
          const n = x.string(proc === 16 ? 'nfs.readdir.entry3.name' : 'nfs.readdirplus.entry.name', 'Name');
          info(` ${n}`);
          x.u64(proc === 16 ? 'nfs.readdir.entry3.cookie' : 'nfs.readdirplus.entry.cookie', 'Cookie');
          if (proc === 17) {
            postOpAttr(x, 'name_attributes');
            postOpFh(x, 'name_handle');
          }
        });
      }
      x.bool('nfs.readdir.eof', 'EOF');
      return x.at;
    }
    case 18: case 19: case 20: {
      postOpAttr(x, 'obj_attributes');
      if (status !== 0) return error();
      if (proc === 18) {
        for (const f of ['tbytes', 'fbytes', 'abytes', 'tfiles', 'ffiles', 'afiles']) x.u64(`nfs.fsstat3_resok.${f}`, f);
        x.u32('nfs.fsstat.invarsec', 'invarsec');
      } else if (proc === 19) {
        for (const f of ['rtmax', 'rtpref', 'rtmult', 'wtmax', 'wtpref', 'wtmult', 'dtpref']) x.u32(`nfs.fsinfo.${f}`, f);
        x.u64('nfs.fsinfo.maxfilesize', 'maxfilesize');
        {
          const at = x.at;
          const sec = x.b.u32(at, 'time delta');
          const nsec = x.b.u32(at + 4, 'time delta');
          const text = nsToSeconds(BigInt(sec) * 1_000_000_000n + BigInt(nsec));
          x.b.group('nfs.dtime', () => `time delta: ${text} seconds`, text, at, 8, () => {
            x.b.add('nfs.dtime.sec', () => `seconds: ${sec}`, sec, at, 4);
            x.b.add('nfs.dtime.nsec', () => `nano seconds: ${nsec}`, nsec, at + 4, 4);
          });
          x.at += 8;
        }
        flags(x, 'nfs.fsinfo.properties', 'Properties', FSINFO_PROPERTIES);
      } else {
        x.u32('nfs.pathconf.linkmax', 'linkmax');
        x.u32('nfs.pathconf.name_max', 'name_max');
        for (const f of ['no_trunc', 'chown_restricted', 'case_insensitive', 'case_preserving']) x.bool(`nfs.pathconf.${f}`, f);
      }
      return x.at;
    }
    case 21:
      wccData(x, 'file_wcc');
      if (status !== 0) return error();
      x.bytes('nfs.verifier', 'Verifier', 8);
      return x.at;
    default:
      return x.at;
  }
}

function nfs3Name(proc: number): string {
  return ['NULL', 'GETATTR', 'SETATTR', 'LOOKUP', 'ACCESS', 'READLINK', 'READ', 'WRITE', 'CREATE', 'MKDIR', 'SYMLINK', 'MKNOD', 'REMOVE', 'RMDIR', 'RENAME', 'LINK', 'READDIR', 'READDIRPLUS', 'FSSTAT', 'FSINFO', 'PATHCONF', 'COMMIT'][proc] ?? `proc-${proc}`;
}

// ---------------------------------------------------------------------------- version 2

function fattr2(x: Xdr, name: string): void {
  x.group(name, () => {
    x.u32('nfs.ftype', 'type', NFS2_FTYPES);
    mode2(x);
    for (const f of ['nlink', 'uid', 'gid', 'size', 'blocksize', 'rdev', 'blocks']) x.u32(`nfs.fattr.${f}`, f);
    x.u32('nfs.fattr.fsid', 'fsid', undefined, 8);
    x.u32('nfs.fattr.fileid', 'fileid');
    nfstime(x, 'atime', true);
    nfstime(x, 'mtime', true);
    nfstime(x, 'ctime', true);
  });
}

const MODE2_BITS: Array<[number, string, string]> = [
  [0o4000, 'set_user_id', 'Set user id on exec'], [0o2000, 'set_group_id', 'Set group id on exec'], [0o1000, 'save_swap_text', 'Save swapped text even after use'],
  [0o400, 'read_owner', 'Read permission for owner'], [0o200, 'write_owner', 'Write permission for owner'], [0o100, 'exec_owner', 'Execute permission for owner'],
  [0o40, 'read_group', 'Read permission for group'], [0o20, 'write_group', 'Write permission for group'], [0o10, 'exec_group', 'Execute permission for group'],
  [0o4, 'read_other', 'Read permission for others'], [0o2, 'write_other', 'Write permission for others'], [0o1, 'exec_other', 'Execute permission for others'],
];
const MODE2_NAMES: Record<number, string> = { 0o40000: 'Directory', 0o20000: 'Character Special Device', 0o60000: 'Block Special Device', 0o100000: 'Regular File', 0o120000: 'Symbolic Link', 0o140000: 'Named Socket' };

/** NFSv2's mode (proto_tree_add_bitmask: the name field's 0160000 bits, then the permission bits). */
function mode2(x: Xdr): void {
  const at = x.at;
  const mode = x.b.u32(at, 'mode');
  const kind = (mode & 0o160000) >>> 13;
  const kindName = MODE2_NAMES[kind << 13] ?? 'Unknown';
  const set = MODE2_BITS.filter(([m]) => mode & m).map(([, , n]) => n);
  x.b.group('nfs.mode', () => `mode: 0${mode.toString(8)}, Name: ${kindName}${set.map((n) => `, ${n}`).join('')}`, mode, at, 4, () => {
    x.b.add('nfs.mode.name', () => `${bitPicture(mode, 0o160000, 32)} = Name: ${kindName} (${kind})`, kind, at, 4);
    for (const [m, abbrev, name] of MODE2_BITS) x.b.add(`nfs.mode.${abbrev}`, () => `${bitPicture(mode, m, 32)} = ${name}: ${mode & m ? 'Yes' : 'No'}`, (mode & m) !== 0, at, 4);
  });
  x.at += 4;
}

function sattr2(x: Xdr, name: string): void {
  x.group(name, () => {
    mode2(x);
    x.u32('nfs.fattr.uid', 'uid');
    x.u32('nfs.fattr.gid', 'gid');
    x.u32('nfs.fattr.size', 'size');
    nfstime(x, 'atime', true);
    nfstime(x, 'mtime', true);
  });
}

function nfs2(body: RpcBody): number | undefined {
  const x = new Xdr(body, body.at);
  const proc = body.call.proc;
  const info = (s: string): void => body.info(s);
  if (body.request) {
    switch (proc) {
      case 0: case 3: case 7: return x.at;
      case 1: case 5: case 17: {
        info(`, FH: ${hex(fh2(x, 'object'), 8)}`);
        return x.at;
      }
      case 2: {
        const hash = fh2(x, 'file');
        sattr2(x, 'attributes');
        info(`, FH: ${hex(hash, 8)}`);
        return x.at;
      }
      case 4: case 10: case 15: {
        const d = diropargs2(x, 'where');
        info(`, DH: ${hex(d.hash, 8)}/${d.name}`);
        return x.at;
      }
      case 6: {
        const hash = fh2(x, 'file');
        const off = x.u32('nfs.read.offset', 'offset');
        const count = x.u32('nfs.read.count', 'count');
        const total = x.u32('nfs.read.totalcount', 'total count');
        info(`, FH: ${hex(hash, 8)} Offset: ${off | 0} Count: ${count | 0} TotalCount: ${total | 0}`);
        return x.at;
      }
      case 8: {
        const hash = fh2(x, 'file');
        const begin = x.u32('nfs.write.beginoffset', 'begin offset');
        const off = x.u32('nfs.write.offset', 'offset');
        const total = x.u32('nfs.write.totalcount', 'total count');
        info(`, FH: ${hex(hash, 8)} BeginOffset: ${begin | 0} Offset: ${off | 0} TotalCount: ${total | 0}`);
        x.string('nfs.data', 'Data', true);
        return x.at;
      }
      case 9: case 14: {
        const d = diropargs2(x, 'where');
        sattr2(x, 'attributes');
        info(`, DH: ${hex(d.hash, 8)}/${d.name}`);
        return x.at;
      }
      case 11: {
        const from = diropargs2(x, 'from');
        const to = diropargs2(x, 'to');
        info(`, From DH: ${hex(from.hash, 8)}/${from.name} To DH: ${hex(to.hash, 8)}/${to.name}`);
        return x.at;
      }
      case 12: {
        const from = fh2(x, 'from');
        const to = diropargs2(x, 'to');
        info(`, From DH: ${hex(from, 8)} To DH: ${hex(to.hash, 8)}/${to.name}`);
        return x.at;
      }
      case 13: {
        const from = diropargs2(x, 'from');
        const to = x.string('nfs.symlink.to', 'To');
        sattr2(x, 'attributes');
        info(`, From DH: ${hex(from.hash, 8)}/${from.name} To ${to}`);
        return x.at;
      }
      case 16: {
        const hash = fh2(x, 'dir');
        x.u32('nfs.readdir.cookie', 'Cookie');
        x.u32('nfs.readdir.count', 'Count');
        info(`, FH: ${hex(hash, 8)}`);
        return x.at;
      }
      default: return x.at;
    }
  }
  if (proc === 0 || proc === 3 || proc === 7) return x.at;
  const at = x.at;
  const status = x.u32('nfs.status2', 'Status', NFS2_STATUS);
  x.b.add('nfs.status', () => `Status: ${NFS2_STATUS[status] ?? status} (${status})`, status, at, 4).hidden = true;
  if (status !== 0) {
    info(` Error: ${NFS2_STATUS[status] ?? `Unknown error: ${status}`}`);
    return x.at;
  }
  switch (proc) {
    case 1: case 2: case 8:
      fattr2(x, 'attributes');
      return x.at;
    case 4: case 9: case 14: {
      const hash = fh2(x, 'file');
      fattr2(x, 'attributes');
      info(`, FH: ${hex(hash, 8)}`);
      return x.at;
    }
    case 5:
      info(` Path: ${x.string('nfs.readlink.data', 'Data')}`);
      return x.at;
    case 6:
      fattr2(x, 'attributes');
      x.string('nfs.data', 'Data', true);
      return x.at;
    case 16:
      for (let guard = 0; guard < 100000; guard++) {
        const followsAt = x.at;
        const follows = x.b.u32(followsAt, 'value follows');
        x.b.add('rpc.value_follows', () => `Value Follows: ${follows ? 'Yes' : 'No'}`, follows !== 0, followsAt, 4);
        x.at += 4;
        if (follows !== 1) break;
        x.group('Entry', () => {
          x.u32('nfs.readdir.entry.fileid', 'file ID');
          x.string('nfs.readdir.entry.name', 'name');
          x.u32('nfs.readdir.entry.cookie', 'Cookie');
        });
      }
      x.bool('nfs.readdir.eof', 'EOF');
      return x.at;
    case 17:
      for (const f of ['tsize', 'bsize', 'blocks', 'bfree', 'bavail']) x.u32(`nfs.statfs.${f}`, f);
      return x.at;
    default:
      return x.at;
  }
}

// ---------------------------------------------------------------------------- version 4

const TIERS: Record<number, number> = { 3: 2, 9: 3, 10: 4, 17: 2, 22: 4, 23: 3, 24: 3, 31: 4, 32: 4, 53: 4 };
function tier(op: number): number {
  if (op >= 76) return 0;
  return TIERS[op] ?? 1;
}

function stateid(x: Xdr): number {
  const at = x.at;
  x.b.need(at, 16, 'stateid');
  const hash = crc16Ccitt(x.r.data, at, at + 16);
  const raw = x.r.data.subarray(at, at + 16);
  x.b.group('nfs.stateid', 'StateID', raw, at, 16, () => {
    x.b.add('nfs.stateid.hash', () => `[StateID Hash: ${hex(hash, 4)}]`, hash, at, 16, hex(hash, 4));
    x.u32('nfs.stateid.seqid', 'StateID seqid');
    const other = x.r.data.subarray(at + 4, at + 16);
    x.b.add('nfs.stateid.other', () => `StateID Other: ${other.toString('hex')}`, other, at + 4, 12, () => other.toString('hex'));
    const otherHash = crc32(x.r.data, at + 4, at + 16);
    x.b.add('nfs.stateid.other_hash', () => `[StateID Other hash: ${hex(otherHash, 8)}]`, otherHash, at + 4, 12, hex(otherHash, 8));
  }, () => raw.toString('hex'));
  x.at = at + 16;
  return hash;
}

/** fattr4 with only its bitmap (a request) or its bitmap and values (skipped as one opaque block). */
function fattrs(x: Xdr, values: boolean): void {
  const words = x.u32('nfs.bitmap4.length', 'Attr mask');
  x.skip(4 * words, 'attribute mask');
  if (values) {
    const length = x.u32('nfs.fattr4.attr_vals.length', 'attr_vals length');
    x.skip(rpcRoundup(length), 'attribute values');
  }
}

function compoundCall(body: RpcBody): number {
  const x = new Xdr(body, body.at);
  const tag = x.string('nfs.tag', 'Tag');
  if (tag !== '<EMPTY>') body.info(` ${tag}`);
  x.u32('nfs.minorversion', 'minorversion');
  let ops = x.u32('nfs.ops.count', 'Operations (count)');
  if (ops > 0) body.title(`, Ops(${ops}):`);
  if (ops > 128) ops = 128;
  const summary: Array<{ op: number; text: string }> = [];
  let gaveUp = false;
  let lastFh = 0;
  let savedFh = 0;
  try {
    for (let i = 0; i < ops; i++) {
      const op = x.b.u32(x.at, 'opcode');
      if ((op < 3 || op > 75) && op !== 10044) break;
      const opname = NFS4_OPS[op] ?? 'Unknown';
      x.u32('nfs.opcode', 'Opcode', NFS4_OPS);
      body.title(`${i ? ', ' : ' '}${opname}`);
      const s = { op, text: opname };
      summary.push(s);
      const fhText = (): string => (lastFh !== 0 ? ` FH: ${hex(lastFh, 8)}` : '');
      const named = (n: string): string => ` ${lastFh !== 0 ? `DH: ${hex(lastFh, 8)}/` : ''}${n}`;
      switch (op) {
        case 3: {
          const mask = x.b.u32(x.at, 'access');
          body.call.privateData = mask;
          s.text += ` FH: ${hex(lastFh, 8)}`;
          const words: string[] = [];
          access(body, x, mask, 'Check', 'C', words);
          x.at += 4;
          s.text += words.join('');
          break;
        }
        case 4: x.u32('nfs.seqid', 'seqid', undefined, 8); s.text += ` StateID: ${hex(stateid(x), 4)}`; break;
        case 5: {
          const off = x.u64('nfs.offset4', 'offset');
          const len = x.u32('nfs.count4', 'count');
          s.text += ` FH: ${hex(lastFh, 8)} Offset: ${off} Len: ${len}`;
          break;
        }
        case 8: s.text += ` StateID: ${hex(stateid(x), 4)}`; break;
        case 18: s.text += ` ${lastFh !== 0 ? `DH: ${hex(lastFh, 8)}/` : ''}${openArgs(x) ?? ''}`; break;
        case 9: fattrs(x, false); s.text += fhText(); break;
        case 10: lastFh = 0; break;
        case 11: x.string('nfs.pathname.component', 'Name'); break;
        case 15: s.text += named(x.string('nfs.pathname.component', 'Name')); break;
        case 16: case 23: case 24: case 27: case 10044: break;
        case 17: case 37: fattrs(x, true); if (op === 17) s.text += fhText(); break;
        case 22: lastFh = fh3(x, 'FileHandle'); break;
        case 25: {
          const sid = stateid(x);
          const off = x.u64('nfs.offset4', 'offset');
          const len = x.u32('nfs.count4', 'count');
          if (sid !== 0) s.text += ` StateID: ${hex(sid, 4)} Offset: ${off} Len: ${len}`;
          break;
        }
        case 26: x.u64('nfs.cookie4', 'cookie'); x.skip(8, 'cookie verifier'); x.u32('nfs.dircount', 'dircount'); x.u32('nfs.maxcount', 'maxcount'); fattrs(x, false); s.text += fhText(); break;
        case 28: s.text += named(x.string('nfs.pathname.component', 'Name')); break;
        case 29: {
          const from = x.string('nfs.pathname.component', 'Name');
          const to = x.string('nfs.pathname.component', 'Name');
          s.text += ` From: ${from} To: ${to}`;
          break;
        }
        case 30: {
          const cid = x.u64('nfs.clientid', 'clientid', true);
          s.text += ` CID: 0x${cid.toString(16).padStart(16, '0')}`;
          break;
        }
        case 31: lastFh = savedFh; break;
        case 32: savedFh = lastFh; break;
        case 33: x.string('nfs.pathname.component', 'Name'); break;
        case 34: stateid(x); fattrs(x, true); s.text += ` FH: ${hex(lastFh, 8)}`; break;
        case 36: x.u64('nfs.clientid', 'clientid', true); x.skip(8, 'verifier'); break;
        case 38: {
          const sid = stateid(x);
          const off = x.u64('nfs.offset4', 'offset');
          x.u32('nfs.stable_how4', 'stable', STABLE);
          const len = x.b.u32(x.at, 'data length');
          x.string('nfs.data', 'Data', true);
          if (sid !== 0) s.text += ` StateID: ${hex(sid, 4)} Offset: ${off} Len: ${len}`;
          break;
        }
        case 44: x.skip(16, 'sessionid'); break;
        case 45: stateid(x); break;
        case 52: x.u32('nfs.secinfo.style', 'Secinfo Style'); break;
        case 53:
          x.bytes('nfs.session_id4', 'sessionid', 16);
          x.u32('nfs.seqid', 'seqid', undefined, 8);
          x.u32('nfs.slotid', 'slot id');
          x.u32('nfs.high_slotid', 'high slot id');
          x.bool('nfs.cachethis4', 'cache this?');
          break;
        case 57: x.u64('nfs.clientid', 'clientid', true); break;
        case 58: x.bool('nfs.reclaim_one_fs4', 'reclaim one fs?'); break;
        default:
          // Arguments not read here: the operations after it cannot be found.
          i = ops;
          gaveUp = true;
          break;
      }
    }
  } finally {
    summarize(body, summary.map((s) => ({ ...s, error: false })));
  }
  return gaveUp ? Math.max(x.at, Math.min(body.end, body.data.length)) : x.at;
}

/** OPEN4args after the opcode; returns the name its claim gives (null when none). */
function openArgs(x: Xdr): string | null {
  x.u32('nfs.seqid', 'seqid', undefined, 8);
  x.u32('nfs.open4.share_access', 'share_access');
  x.u32('nfs.open4.share_deny', 'share_deny');
  x.u64('nfs.clientid', 'clientid', true);
  x.string('nfs.open_owner4', 'owner', true);
  const opentype = x.u32('nfs.open.opentype', 'Open Type', ['OPEN4_NOCREATE', 'OPEN4_CREATE']);
  if (opentype === 1) {
    const mode = x.u32('nfs.createmode4', 'Create Mode', ['UNCHECKED4', 'GUARDED4', 'EXCLUSIVE4', 'EXCLUSIVE4_1']);
    if (mode === 0 || mode === 1) fattrs(x, true);
    else if (mode === 2) x.skip(8, 'verifier');
    else if (mode === 3) {
      x.skip(8, 'verifier');
      fattrs(x, true);
    }
  }
  const claim = x.u32('nfs.open.claim_type', 'Claim Type', ['CLAIM_NULL', 'CLAIM_PREVIOUS', 'CLAIM_DELEGATE_CUR', 'CLAIM_DELEGATE_PREV', 'CLAIM_FH', 'CLAIM_DELEG_CUR_FH', 'CLAIM_DELEG_PREV_FH']);
  switch (claim) {
    case 0: case 3: return x.string('nfs.pathname.component', 'Name');
    case 1: x.u32('nfs.delegate_type', 'Delegate Type'); return null;
    case 2: stateid(x); return x.string('nfs.pathname.component', 'Name');
    case 5: stateid(x); return null;
    default: return null;
  }
}

/** OPEN4resok: its stateid's hash (Info), after the change info, flags, attribute mask and delegation. */
function openResult(x: Xdr): number {
  const sid = stateid(x);
  x.skip(20, 'change info');
  x.u32('nfs.open4.rflags', 'result flags', undefined, 8);
  fattrs(x, false);
  const type = x.u32('nfs.open.delegation_type', 'Delegation Type', ['OPEN_DELEGATE_NONE', 'OPEN_DELEGATE_READ', 'OPEN_DELEGATE_WRITE', 'OPEN_DELEGATE_NONE_EXT', 'OPEN_DELEGATE_READ_ATTRS_DELEG', 'OPEN_DELEGATE_WRITE_ATTRS_DELEG']);
  if (type === 1 || type === 2 || type === 4 || type === 5) {
    stateid(x);
    x.bool('nfs.recall4', 'Recall');
    if (type === 2 || type === 5) {
      const by = x.u32('nfs.limit_by', 'Limit By', ['', 'NFS_LIMIT_SIZE', 'NFS_LIMIT_BLOCKS']);
      if (by === 1) x.u64('nfs.filesize', 'filesize');
      else if (by === 2) x.skip(8, 'blocks');
    }
    x.u32('nfs.acetype4', 'acetype');
    x.u32('nfs.aceflag4', 'aceflag', undefined, 8);
    x.u32('nfs.acemask4', 'acemask', undefined, 8);
    x.string('nfs.who', 'who');
  } else if (type === 3) {
    const why = x.u32('nfs.why_no_delegation', 'why no delegation');
    if (why === 1 || why === 2) x.bool('nfs.ond_server_will_push_deleg', 'will push');
  }
  return sid;
}

function summarize(body: RpcBody, ops: Array<{ op: number; text: string; error: boolean }>): void {
  let highest = 5;
  for (const s of ops) highest = Math.min(highest, tier(s.op));
  let first = true;
  for (const s of ops) {
    if (tier(s.op) !== highest && !s.error) continue;
    if (tier(s.op) === highest) body.b.add('nfs.main_opcode', () => `[Main Opcode: ${NFS4_OPS[s.op] ?? 'Unknown'} (${s.op})]`, s.op, 0, 0);
    if (!first) body.info(' |');
    if (s.text.length > 0) body.info(` ${s.text}`);
    first = false;
  }
}

function status4(x: Xdr): number {
  const at = x.at;
  const status = x.u32('nfs.nfsstat4', 'Status', NFS4_STATUS);
  x.b.add('nfs.status', () => `Status: ${NFS4_STATUS[status] ?? status} (${status})`, status, at, 4).hidden = true;
  return status;
}

function compoundReply(body: RpcBody): number {
  const x = new Xdr(body, body.at);
  const status = status4(x);
  const tag = x.string('nfs.tag', 'Tag');
  if (tag !== '<EMPTY>') body.info(` ${tag}`);
  let ops = x.u32('nfs.ops.count', 'Operations (count)');
  body.title(`, Ops(${ops}):`);
  if (ops > 128) ops = 128;
  const summary: Array<{ op: number; text: string; error: boolean }> = [];
  let gaveUp = false;
  try {
    for (let i = 0; i < ops; i++) {
      const op = x.b.u32(x.at, 'opcode');
      if ((op < 3 || op > 75) && op !== 10044) break;
      x.u32('nfs.opcode', 'Opcode', NFS4_OPS);
      const s = { op, text: NFS4_OPS[op] ?? 'Unknown', error: false };
      summary.push(s);
      const st = status4(x);
      body.title(st !== 0 ? ` ${s.text}(${NFS4_STATUS[st] ?? `Unknown error: ${st}`})` : ` ${s.text}`);
      if (st !== 0 && op !== 12 && op !== 13 && op !== 34 && op !== 35 && op !== 60) {
        s.error = true;
        continue;
      }
      switch (op) {
        case 3: {
          const words: string[] = [];
          accessReply(body, x, true, words);
          s.text += words.join('');
          break;
        }
        case 4: x.skip(16, 'stateid'); break;
        case 5: x.skip(8, 'verifier'); break;
        case 18: s.text += ` StateID: ${hex(openResult(x), 4)}`; break;
        case 8: case 10044: case 16: case 22: case 23: case 24: case 31: case 32: case 15: case 58: case 44: case 45: case 57: break;
        case 9: fattrs(x, true); break;
        case 10: fh3(x, 'Filehandle'); break;
        case 11: x.skip(20, 'change info'); break;
        case 25: x.bool('nfs.eof', 'eof'); x.string('nfs.data', 'Data', true); break;
        case 27: x.string('nfs.symlink.linktext', 'Link Contents'); break;
        case 28: x.skip(20, 'change info'); break;
        case 29: x.skip(40, 'change info'); break;
        case 30: case 36: break;
        case 34: fattrs(x, false); break;
        case 38:
          x.u32('nfs.count4', 'count');
          x.u32('nfs.stable_how4', 'committed', STABLE);
          x.skip(8, 'verifier');
          break;
        case 53:
          x.bytes('nfs.session_id4', 'sessionid', 16);
          x.u32('nfs.seqid', 'seqid', undefined, 8);
          x.u32('nfs.slotid', 'slot id');
          x.u32('nfs.high_slotid', 'high slot id');
          x.u32('nfs.target_high_slotid', 'target high slot id');
          flags(x, 'nfs.sequence.flags', 'status flags', SEQUENCE_FLAGS);
          break;
        default:
          i = ops;
          gaveUp = true;
          break;
      }
    }
  } finally {
    summarize(body, summary);
    if (status !== 0) body.info(` Status: ${NFS4_STATUS[status] ?? `Unknown error: ${status}`}`);
  }
  return gaveUp ? Math.max(x.at, Math.min(body.end, body.data.length)) : x.at;
}

/** An NFSv3 file handle (nfs_fh3) in another program's body (MOUNT's MNT reply); returns where it ends. */
export function nfsFh3(body: RpcBody, at: number, name: string): number {
  const x = new Xdr(body, at);
  fh3(x, name);
  return x.at;
}

/** An NFSv2 fhandle (32 bytes) in another program's body (MOUNT v1/v2's MNT reply). */
export function nfsFh2(body: RpcBody, at: number, name: string): number {
  const x = new Xdr(body, at);
  fh2(x, name);
  return x.at;
}
