/**
 * NBSS, SMB and SMB2 (app/dissect/nbss.ts, smb.ts, smb2.ts, gss.ts) against tshark 4.0: frame.protocols,
 * Protocol, Info, the header and body fields, summary lines and display filters — on built TCP
 * conversations (an NBSS session request on 139, an SMB2 message spread over segments, two NBSS
 * messages in one segment, a compound request, a cut header), on the corpus captures that hold
 * SMB1 over NBSS (whose Trans2 Info tshark extends and we do not: only chains and header fields are
 * compared there), and on real traffic between network namespaces (Debian's python3-impacket:
 * its smbserver.py example with -smb2support in namespace B, impacket.smbconnection in namespace A:
 * SMB1 negotiate upgraded to SMB2, NTLMSSP session setup, tree connect, listing, get, put, delete,
 * logoff). Skipped when tshark (or, for the live test, root, tcpdump or impacket) is missing.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireCorpusDir } from './support/corpus';
import { createNetnsPair, finished, sleep, waitForStderr, waitForStdout } from './support/netns';
import { assertFiltersAgree, assertFrameSelectionsAgree } from './support/agree';
import { sievecap } from './support/sievecap';
import { TcpConversation, writeConversations } from './support/tcp-frames';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const NOT_ROOT = process.getuid?.() !== 0 ? 'needs root to create network namespaces' : false;
const NO_TCPDUMP = spawnSync('tcpdump', ['--version']).status !== 0 ? 'tcpdump is not installed' : false;
// Debian's interpreter, not one earlier on PATH (pyenv): the package installs for it.
const PYTHON = '/usr/bin/python3';
const NO_IMPACKET = spawnSync(PYTHON, ['-c', 'import impacket.smbconnection']).status !== 0 ? 'python3-impacket is not installed (apt-get install python3-impacket)' : false;
const SMBSERVER = ['/usr/share/doc/python3-impacket/examples/smbserver.py', '/usr/bin/impacket-smbserver'].find((f) => fs.existsSync(f));

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-smb-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const HEADER_FIELDS = [
  'frame.protocols', 'nbss.type', 'nbss.length', 'nbss.flags', 'nbss.called_name', 'nbss.calling_name', 'nbss.continuation_data',
  'smb.server_component', 'smb.cmd', 'smb.nt_status', 'smb.error_class', 'smb.error_code', 'smb.flags', 'smb.flags2', 'smb.pid.high',
  'smb.signature', 'smb.tid', 'smb.pid', 'smb.uid', 'smb.mid',
];
const FIELDS = [
  ...HEADER_FIELDS, 'smb.reserved', 'smb.wct', 'smb.bcc', '_ws.col.Protocol', '_ws.col.Info', 'smb.dialect.name', 'smb.buffer_format',
  'smb2.protocol_id', 'smb2.header_len', 'smb2.credit.charge', 'smb2.nt_status', 'smb2.channel_sequence', 'smb2.reserved', 'smb2.cmd',
  'smb2.credits.requested', 'smb2.credits.granted', 'smb2.flags', 'smb2.flags.response', 'smb2.flags.chained', 'smb2.flags.signature',
  'smb2.chain_offset', 'smb2.msg_id', 'smb2.pid', 'smb2.aid', 'smb2.tid', 'smb2.sesid', 'smb2.signature', 'smb2.response_to', 'smb2.time',
  'smb2.tree', 'smb2.share_type', 'smb2.tcon_frame', 'smb2.acct', 'smb2.domain', 'smb2.host', 'smb2.auth_frame',
  'smb2.buffer_code', 'smb2.buffer_code.length', 'smb2.buffer_code.dynamic', 'smb2.dialect_count', 'smb2.dialect', 'smb2.sec_mode',
  'smb2.capabilities', 'smb2.client_guid', 'smb2.server_guid', 'smb2.max_trans_size', 'smb2.max_read_size', 'smb2.max_write_size',
  'smb2.current_time', 'smb2.boot_time', 'smb2.olb.offset', 'smb2.olb.length', 'smb2.security_blob', 'smb2.negotiate_context.count',
  'smb2.ses_req_flags', 'smb2.channel', 'smb2.previous_sesid', 'smb2.session_flags', 'smb2.tc.flags', 'smb2.share_flags', 'smb2.share_caps',
  'smb.access_mask', 'smb2.create.oplock', 'smb2.impersonation.level', 'smb2.create_flags', 'smb2.file_attribute', 'smb.share_access',
  'smb2.create.disposition', 'smb.create_options', 'smb2.filename', 'smb2.create.extrainfo', 'smb2.create.rep_flags', 'smb2.create.action',
  'smb2.create.time', 'smb2.last_access.time', 'smb2.last_write.time', 'smb2.last_change.time', 'smb2.allocation_size', 'smb2.eof',
  'smb2.fid', 'dcerpc.nt.open_frame', 'dcerpc.nt.close_frame', 'smb2.close.flags', 'smb2.read_padding', 'smb2.read_flags',
  'smb2.read_length', 'smb2.file_offset', 'smb2.min_count', 'smb2.remaining_bytes', 'smb2.read_remaining', 'smb2.read.blob',
  'smb2.data_offset', 'smb2.write_length', 'smb2.write.flags', 'smb2.write.count', 'smb2.write.remaining', 'smb2.find.infolevel',
  'smb2.find.pattern', 'smb2.class', 'smb2.file_info.infolevel', 'smb2.max_response_size', 'smb2.getinfo_flags',
  'smb2.error.context_count', 'smb2.error.byte_count', 'smb2.error.data',
  'gss-api.OID', 'spnego.MechType', 'spnego.mechToken', 'spnego.negResult', 'spnego.supportedMech', 'spnego.responseToken',
  'ntlmssp.identifier', 'ntlmssp.messagetype', 'ntlmssp.ntlmserverchallenge', 'ntlmssp.auth.username', 'ntlmssp.auth.domain',
  'ntlmssp.auth.hostname', 'data.data',
];
/**
 * Fields that Find responses repeat for each directory entry (FullDirectoryInfo), which we leave
 * undissected: left out where a listing is compared.
 */
const DIRECTORY_ENTRY_FIELDS = new Set([
  'smb2.filename', 'smb2.file_attribute', 'smb2.create.time', 'smb2.last_access.time', 'smb2.last_write.time', 'smb2.last_change.time',
  'smb2.allocation_size', 'smb2.eof',
]);
const FILTERS = [
  'nbss', 'smb', 'smb2', 'smb2.cmd == 5', 'smb2.filename contains "txt"', 'smb2.nt_status != 0', 'smb2.flags.response == 0',
  'ntlmssp.messagetype == 3', 'smb.dialect.name == "SMB 2.002"', 'nbss.type == 0x81', 'smb2.tree', 'spnego && !ntlmssp',
];

function run(command: 'ours' | 'tshark', file: string, args: string[]): string {
  const r = command === 'tshark'
    ? spawnSync('tshark', ['-r', file, '-n', ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
    : sievecap(['-r', file, '-n', ...(args.includes('fields') ? args : ['-T', 'text', ...args])]);
  assert.equal(r.status, 0, String(r.stderr));
  return String(r.stdout);
}

const fieldArgs = (fields: readonly string[]) => ['-T', 'fields', '-E', 'header=y', '-E', 'occurrence=a', ...fields.flatMap((f) => ['-e', f])];

function agree(file: string, fields: readonly string[] = FIELDS, filters: readonly string[] = FILTERS): string {
  // SIEVECAP_KEEP_CAPTURES=DIR keeps the compared captures for a look with tshark.
  if (process.env.SIEVECAP_KEEP_CAPTURES) fs.copyFileSync(file, path.join(process.env.SIEVECAP_KEEP_CAPTURES, path.basename(file)));
  const ours = run('ours', file, fieldArgs(fields));
  assert.equal(ours, run('tshark', file, fieldArgs(fields)));
  const summary = run('tshark', file, []);
  assert.equal(run('ours', file, []), summary, 'summary lines');
  assertFiltersAgree(file, filters);
  return summary;
}

/** An SMB2 header (64 bytes) for command `cmd`. */
function smb2Header(cmd: number, msgId: number, response: boolean, status = 0, next = 0, flags = 0): Buffer {
  const h = Buffer.alloc(64);
  h.write('\xfeSMB', 0, 'latin1');
  h.writeUInt16LE(64, 4);
  h.writeUInt16LE(1, 6);
  h.writeUInt32LE(response ? status : 0, 8);
  h.writeUInt16LE(cmd, 12);
  h.writeUInt16LE(1, 14);
  h.writeUInt32LE((response ? 1 : 0) | flags, 16);
  h.writeUInt32LE(next, 20);
  h.writeBigUInt64LE(BigInt(msgId), 24);
  h.writeUInt32LE(1, 36);
  h.writeBigUInt64LE(0x1122334455n, 40);
  return h;
}
const nbss = (body: Buffer): Buffer => Buffer.concat([Buffer.from([0, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]), body]);

function createRequest(msgId: number, name: string, next = 0, flags = 0): Buffer {
  const fixed = Buffer.alloc(56);
  fixed.writeUInt16LE(0x39, 0);
  fixed.writeUInt32LE(2, 4);
  fixed.writeUInt32LE(0x80, 24);
  fixed.writeUInt32LE(7, 32);
  fixed.writeUInt32LE(1, 36);
  const n = Buffer.from(name, 'utf16le');
  fixed.writeUInt16LE(120, 44);
  fixed.writeUInt16LE(n.length, 46);
  let pdu = Buffer.concat([smb2Header(5, msgId, false, 0, next, flags), fixed, n]);
  if (next > pdu.length) pdu = Buffer.concat([pdu, Buffer.alloc(next - pdu.length)]);
  return pdu;
}

function builtCapture(): string {
  const file = path.join(tmp, 'built.pcap');
  // NetBIOS session request and positive response on 139, then an SMB1 negotiate request.
  const s139 = new TcpConversation({ serverPort: 139, clientPort: 40139 }).handshake();
  const encode = (name: string, type: number) => {
    const bytes = Buffer.alloc(16, 0x20);
    bytes.write(name, 'latin1');
    bytes[15] = type;
    let text = '';
    for (const c of bytes) text += String.fromCharCode(0x41 + (c >> 4), 0x41 + (c & 15));
    return Buffer.concat([Buffer.from([32]), Buffer.from(text, 'latin1'), Buffer.from([0])]);
  };
  const names = Buffer.concat([encode('FILESERVER', 0x20), encode('CLIENT', 0x00)]);
  s139.send('client', Buffer.concat([Buffer.from([0x81, 0, 0, names.length]), names]));
  s139.send('server', Buffer.from('82000000', 'hex'));
  const dialects = Buffer.from('\x02NT LM 0.12\x00\x02SMB 2.002\x00\x02SMB 2.???\x00', 'latin1');
  const smb1 = Buffer.alloc(35);
  smb1.write('\xffSMB', 0, 'latin1');
  smb1[4] = 0x72;
  smb1[9] = 0x18;
  smb1.writeUInt16LE(0xc853, 10);
  smb1.writeUInt16LE(0xffff, 24);
  smb1.writeUInt16LE(dialects.length, 33);
  s139.send('client', nbss(Buffer.concat([smb1, dialects])));
  // SMB1 with DOS error codes (flags2 without NT status), a response without error.
  const dos = Buffer.from(smb1.subarray(0, 35));
  dos[9] = 0x98;
  dos.writeUInt16LE(0x0001, 10);
  dos.writeUInt16LE(0, 33);
  s139.send('server', nbss(dos));
  s139.send('client', Buffer.from('85000000', 'hex'));

  // SMB2 on 445: a tree connect, a create spread over three segments, two NBSS messages in one
  // segment, a compound (related) create + close, an error response, a cut header.
  const c = new TcpConversation({ serverPort: 445 }).handshake();
  const tree = Buffer.from('\\\\10.0.0.2\\IPC$', 'utf16le');
  const tc = Buffer.alloc(8);
  tc.writeUInt16LE(9, 0);
  tc.writeUInt16LE(72, 4);
  tc.writeUInt16LE(tree.length, 6);
  c.send('client', nbss(Buffer.concat([smb2Header(3, 2, false), tc, tree])));
  const tcr = Buffer.alloc(16);
  tcr.writeUInt16LE(16, 0);
  tcr[2] = 2;
  tcr.writeUInt32LE(0x1f01ff, 12);
  c.send('server', nbss(Buffer.concat([smb2Header(3, 2, true), tcr])));
  c.send('client', nbss(createRequest(3, 'report.txt')), [3, 50]);
  const cr = Buffer.alloc(88);
  cr.writeUInt16LE(0x59, 0);
  cr.writeUInt32LE(1, 4);
  cr.writeBigUInt64LE(133000000000000000n, 8);
  cr.writeBigUInt64LE(21n, 48);
  cr.writeUInt32LE(0x20, 56);
  Buffer.from('00112233445566778899aabbccddeeff', 'hex').copy(cr, 64);
  c.send('server', nbss(Buffer.concat([smb2Header(5, 3, true), cr])));
  const close = (msgId: number, flags = 0) => {
    const body = Buffer.alloc(24);
    body.writeUInt16LE(0x18, 0);
    Buffer.from('00112233445566778899aabbccddeeff', 'hex').copy(body, 8);
    return Buffer.concat([smb2Header(6, msgId, false, 0, 0, flags), body]);
  };
  const read = Buffer.alloc(49);
  read.writeUInt16LE(0x31, 0);
  read.writeUInt32LE(100, 4);
  read.writeBigUInt64LE(4096n, 8);
  Buffer.from('00112233445566778899aabbccddeeff', 'hex').copy(read, 16);
  c.send('client', Buffer.concat([nbss(Buffer.concat([smb2Header(8, 4, false), read])), nbss(close(5))]));
  const err = Buffer.alloc(9);
  err.writeUInt16LE(9, 0);
  c.send('server', nbss(Buffer.concat([smb2Header(8, 4, true, 0xc0000011), err])));
  c.send('client', nbss(Buffer.concat([createRequest(6, 'a.txt', 136), close(7, 4)])));
  c.send('client', nbss(smb2Header(4, 8, false).subarray(0, 40)));
  writeConversations(file, [s139, c]);
  return file;
}

test('built NBSS/SMB/SMB2 conversations agree with tshark', { skip: NO_TSHARK }, () => {
  const summary = agree(builtCapture());
  assert.match(summary, /Session request, to FILESERVER<20> from CLIENT<00>/);
  // A first segment of 3 bytes is a continuation to tshark (its check comes before reassembly).
  assert.match(summary, /NBSS Continuation Message/);
  assert.match(summary, /Create Request File: a\.txt;Close Request/);
  assert.match(summary, /\[Malformed Packet\]/);
});

test('corpus captures with SMB1 over NBSS: chains and headers agree with tshark', { skip: NO_TSHARK }, () => {
  const corpus = requireCorpusDir();
  for (const name of ['tcpdump/tests/smb_data_print-segv.pcap', 'tcpdump/tests/smb_data_print-oobr.pcapng']) {
    const file = path.join(corpus, name);
    assert.equal(run('ours', file, fieldArgs(HEADER_FIELDS)), run('tshark', file, fieldArgs(HEADER_FIELDS)), name);
    assertFrameSelectionsAgree(file, ['nbss', 'smb', 'smb.cmd == 0x32', 'nbss.length > 70'], { context: name });
  }
});

/** The client, in namespace A: SMB1 negotiate upgraded to SMB2, NTLM login, list, get, put, delete, logoff. */
const CLIENT = `
import io
from impacket.smbconnection import SMBConnection
c = SMBConnection('IP_B', 'IP_B', sess_port=445, timeout=10)
c.login('alice', 'secret1')
names = [f.get_longname() for f in c.listPath('SHARE', '*')]
buf = io.BytesIO()
c.getFile('SHARE', 'hello.txt', buf.write)
c.putFile('SHARE', 'up.txt', io.BytesIO(b'uploaded content 12345\\n').read)
c.deleteFile('SHARE', 'up.txt')
c.logoff()
print('done', names, buf.getvalue())
`;

test('real traffic between namespaces: impacket smbserver and SMBConnection agree with tshark', { skip: NO_TSHARK || NOT_ROOT || NO_TCPDUMP || NO_IMPACKET || (SMBSERVER ? false : 'impacket smbserver.py not found') }, async () => {
  const pair = createNetnsPair();
  const share = path.join(tmp, 'share');
  fs.mkdirSync(share, { recursive: true });
  fs.writeFileSync(path.join(share, 'hello.txt'), 'hello from the share\n');
  const file = path.join(tmp, 'smb.pcap');
  try {
    const server = pair.spawn(pair.nsB, [PYTHON, '-u', SMBSERVER!, '-smb2support', '-username', 'alice', '-password', 'secret1', '-ip', pair.ipB, 'SHARE', share]);
    const serverDone = finished(server);
    const td = pair.spawn(pair.nsA, ['tcpdump', '--immediate-mode', '-i', pair.vethA, '-w', file, 'tcp']);
    const done = finished(td);
    let client = '';
    try {
      // impacket logs to stdout (-u: unbuffered).
      await Promise.all([waitForStdout(server, /Config file parsed/, 'smbserver.py'), waitForStderr(td, /listening on/)]);
      await sleep(1000);
      const r = spawnSync('ip', ['netns', 'exec', pair.nsA, PYTHON, '-c', CLIENT.replaceAll('IP_B', pair.ipB)], { timeout: 30000, encoding: 'utf8' });
      client = `${r.stdout}${r.stderr}`;
      await sleep(500);
    } finally {
      td.kill('SIGINT');
      if (server.pid) server.kill('SIGTERM');
      await done;
      await serverDone;
    }
    assert.match(client, /done/, client);
    const summary = agree(file, FIELDS.filter((f) => !DIRECTORY_ENTRY_FIELDS.has(f)), FILTERS.filter((f) => !f.includes('filename')));
    for (const info of ['Negotiate Protocol Request', 'Session Setup Response, Error: STATUS_MORE_PROCESSING_REQUIRED, NTLMSSP_CHALLENGE', 'Read Request Len:21 Off:0 File: hello.txt', 'Write Request Len:23 Off:0 File: up.txt']) {
      assert.ok(summary.includes(info), `no "${info}" in:\n${summary}`);
    }
  } finally {
    pair.destroy();
  }
});
