import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNbssDissector, nbssSplit } from './nbss';
import type { AppContext, AppResult, Field } from './model';
import { ONE_MORE_SEGMENT } from './tcp-pdus';

// Expected values are what tshark 4.0 prints for the same bytes (tests/dissect-smb-tshark.test.ts
// compares whole captures of them with tshark).
const client: AppContext = { transport: 'tcp', srcPort: 40000, dstPort: 445, frameNumber: 1, src: '10.0.0.1', dst: '10.0.0.2' };
const server: AppContext = { ...client, srcPort: 445, dstPort: 40000, src: '10.0.0.2', dst: '10.0.0.1' };

function fieldTexts(r: AppResult, abbrev: string): string[] {
  const out: string[] = [];
  const walk = (fields: Field[]): void => {
    for (const f of fields) {
      if (f.abbrev === abbrev) out.push(f.text);
      if (f.children) walk(f.children);
    }
  };
  for (const layer of r.layers) walk(layer.fields);
  return out;
}

function smb2Header(cmd: number, msgId: number, response: boolean, status = 0): Buffer {
  const h = Buffer.alloc(64);
  h.write('\xfeSMB', 0, 'latin1');
  h.writeUInt16LE(64, 4);
  h.writeUInt16LE(1, 6);
  h.writeUInt32LE(response ? status : 0, 8);
  h.writeUInt16LE(cmd, 12);
  h.writeUInt16LE(1, 14);
  h.writeUInt32LE(response ? 1 : 0, 16);
  h.writeBigUInt64LE(BigInt(msgId), 24);
  h.writeUInt32LE(1, 36);
  h.writeBigUInt64LE(0x1122334455n, 40);
  return h;
}
const nbss = (body: Buffer): Buffer => Buffer.concat([Buffer.from([0, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]), body]);

function treeConnect(): Buffer {
  const tree = Buffer.from('\\\\10.0.0.2\\IPC$', 'utf16le');
  const tc = Buffer.alloc(8);
  tc.writeUInt16LE(9, 0);
  tc.writeUInt16LE(72, 4);
  tc.writeUInt16LE(tree.length, 6);
  return nbss(Buffer.concat([smb2Header(3, 2, false), tc, tree]));
}

test('SMB2 over NBSS: a tree connect and its response, the tree remembered for later headers', () => {
  const app = createNbssDissector();
  const req = treeConnect();
  const r = app.dissect(req, 0, req.length, { ...client, tsNs: 1_000_000n });
  assert.deepEqual(r.layers.map((l) => l.protocol), ['nbss', 'smb2']);
  assert.equal(r.protocolColumn, 'SMB2');
  assert.equal(r.info, 'Tree Connect Request Tree: \\\\10.0.0.2\\IPC$');
  assert.deepEqual(fieldTexts(r, 'nbss.length'), ['102']);
  assert.deepEqual(fieldTexts(r, 'nbss.flags'), [], 'a session message carrying SMB has a 24-bit length, no flags');
  assert.deepEqual(fieldTexts(r, 'smb2.protocol_id'), ['0xfe534d42']);
  assert.deepEqual(fieldTexts(r, 'smb2.sesid'), ['0x0000001122334455']);
  assert.deepEqual(fieldTexts(r, 'smb2.olb.length'), ['30']);

  const body = Buffer.alloc(16);
  body.writeUInt16LE(16, 0);
  body[2] = 2;
  body.writeUInt32LE(0x1f01ff, 12);
  const resp = nbss(Buffer.concat([smb2Header(3, 2, true), body]));
  const s = app.dissect(resp, 0, resp.length, { ...server, frameNumber: 2, tsNs: 2_000_000n });
  assert.equal(s.info, 'Tree Connect Response');
  assert.deepEqual(fieldTexts(s, 'smb2.response_to'), ['1']);
  assert.deepEqual(fieldTexts(s, 'smb2.time'), ['0.001000000']);
  assert.deepEqual(fieldTexts(s, 'smb2.share_type'), ['0x02']);
  assert.deepEqual(fieldTexts(s, 'smb.access_mask'), ['0x001f01ff']);

  // A later request on that tree shows the tree under its TID.
  const logoff = nbss(Buffer.concat([smb2Header(4, 3, false), Buffer.from('04000000', 'hex')]));
  const t = app.dissect(logoff, 0, logoff.length, { ...client, frameNumber: 3 });
  assert.equal(t.info, 'Tree Disconnect Request');
  assert.deepEqual(fieldTexts(t, 'smb2.tree'), ['\\\\10.0.0.2\\IPC$']);
  assert.deepEqual(fieldTexts(t, 'smb2.tcon_frame'), ['2']);
});

test('SMB2: an error response and a cut header', () => {
  const app = createNbssDissector();
  const err = Buffer.alloc(9);
  err.writeUInt16LE(9, 0);
  const r = app.dissect(...args(nbss(Buffer.concat([smb2Header(8, 4, true, 0xc0000011), err])), server));
  assert.equal(r.info, 'Read Response, Error: STATUS_END_OF_FILE');
  assert.deepEqual(fieldTexts(r, 'smb2.nt_status'), ['0xc0000011']);
  assert.deepEqual(fieldTexts(r, 'smb2.error.data'), ['00']);

  // An error response without its ErrorData byte is malformed, as tshark says.
  const short = app.dissect(...args(nbss(smb2Header(2, 9, true, 0xc0000022)), server));
  assert.equal(short.info, 'Session Logoff Response, Error: STATUS_ACCESS_DENIED[Malformed Packet]');

  // 40 bytes of header: the fields up to the TID, no command in Info.
  const cut = app.dissect(...args(nbss(smb2Header(4, 8, false).subarray(0, 40)), client));
  assert.equal(cut.info, '[Malformed Packet]');
  assert.equal(cut.layers[1]!.status, 'malformed');
  assert.deepEqual(fieldTexts(cut, 'smb2.tid'), ['0x00000001']);
  assert.deepEqual(fieldTexts(cut, 'smb2.sesid'), []);
});

test('NBSS: session request on 139, continuation, desegmentation needs', () => {
  const app = createNbssDissector();
  const encode = (name: string, type: number) => {
    const bytes = Buffer.alloc(16, 0x20);
    bytes.write(name, 'latin1');
    bytes[15] = type;
    let text = '';
    for (const c of bytes) text += String.fromCharCode(0x41 + (c >> 4), 0x41 + (c & 15));
    return Buffer.concat([Buffer.from([32]), Buffer.from(text, 'latin1'), Buffer.from([0])]);
  };
  const names = Buffer.concat([encode('FILESERVER', 0x20), encode('CLIENT', 0x00)]);
  const req = Buffer.concat([Buffer.from([0x81, 0, 0, names.length]), names]);
  const ctx139 = { ...client, dstPort: 139 };
  const r = app.dissect(req, 0, req.length, ctx139);
  assert.equal(r.protocolColumn, 'NBSS');
  assert.equal(r.info, 'Session request, to FILESERVER<20> from CLIENT<00>');
  assert.deepEqual(fieldTexts(r, 'nbss.flags'), ['0x00']);
  assert.deepEqual(fieldTexts(r, 'nbss.called_name'), ['FILESERVER<20>']);

  const three = Buffer.from('000000', 'hex');
  const c = app.dissect(three, 0, 3, client);
  assert.equal(c.info, 'NBSS Continuation Message');
  assert.deepEqual(fieldTexts(c, 'nbss.continuation_data'), ['000000']);

  const message = treeConnect();
  assert.deepEqual(nbssSplit(message, 0, 50), { pdus: [], need: message.length - 50, replaceInfo: true });
  const two = Buffer.concat([message, message.subarray(0, 2)]);
  assert.deepEqual(nbssSplit(two, 0, two.length), { pdus: [message.length], need: ONE_MORE_SEGMENT, replaceInfo: true });
});

test('SMB1 negotiate request: header and dialects; without a tree the selected fields come out the same', () => {
  const dialects = Buffer.from('\x02NT LM 0.12\x00\x02SMB 2.002\x00\x02SMB 2.???\x00', 'latin1');
  const smb1 = Buffer.alloc(35);
  smb1.write('\xffSMB', 0, 'latin1');
  smb1[4] = 0x72;
  smb1[9] = 0x18;
  smb1.writeUInt16LE(0xc853, 10);
  smb1.writeUInt16LE(0xffff, 24);
  smb1.writeUInt16LE(dialects.length, 33);
  const frame = nbss(Buffer.concat([smb1, dialects]));
  const full = createNbssDissector().dissect(frame, 0, frame.length, client);
  assert.equal(full.protocolColumn, 'SMB');
  assert.equal(full.info, 'Negotiate Protocol Request');
  assert.deepEqual(fieldTexts(full, 'smb.dialect.name'), ['NT LM 0.12', 'SMB 2.002', 'SMB 2.???']);
  assert.deepEqual(fieldTexts(full, 'smb.flags2'), ['0xc853']);
  assert.deepEqual(fieldTexts(full, 'smb.nt_status'), ['0x00000000']);
  const selection = new Set(['smb.dialect.name', 'smb.tid', 'nbss.length']);
  const lean = createNbssDissector().dissect(frame, 0, frame.length, { ...client, fields: selection });
  for (const name of selection) assert.deepEqual(fieldTexts(lean, name), fieldTexts(full, name), name);
  assert.equal(lean.info, full.info);
});

function args(frame: Buffer, ctx: AppContext): [Buffer, number, number, AppContext] {
  return [frame, 0, frame.length, ctx];
}
