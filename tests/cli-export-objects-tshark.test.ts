/**
 * `sievecap -r F --export-objects imf,DIR` and `tftp,DIR` against tshark 4.0's on the same file:
 * the same file names in the directory, the same bytes in each. On the corpus' mail and TFTP
 * captures, and on captures the test builds: SMTP sessions (two messages with one subject,
 * subjects with bytes tshark escapes, folded and missing subjects, a message ended in its own
 * segment) and TFTP transfers (a negotiated block size, a file ending on an empty block, a
 * write request with a path, a retransmitted block, a missing block, an unfinished transfer).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapWriter } from '../app/pcap/pcap-writer';
import { requireCorpusFile } from './support/corpus';
import { sievecap } from './support/sievecap';
import { TcpConversation, writeConversations } from './support/tcp-frames';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;

/** Runs both exports of `kind` on `file` and compares the directories; returns the names written. */
function compareExports(file: string, kind: 'imf' | 'tftp'): string[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `sievecap-export-${kind}-`));
  try {
    const ours = path.join(tmp, 'ours');
    const theirs = path.join(tmp, 'theirs');
    const r = sievecap(['-r', file, '--export-objects', `${kind},${ours}`]);
    assert.equal(r.status, 0, r.stderr.toString());
    const t = spawnSync('tshark', ['-r', file, '-q', '--export-objects', `${kind},${theirs}`], { encoding: 'utf8' });
    assert.equal(t.status, 0, t.stderr);
    const names = fs.existsSync(theirs) ? fs.readdirSync(theirs).sort() : [];
    assert.deepEqual(fs.readdirSync(ours).sort(), names, `${path.basename(file)}: the files written`);
    for (const name of names) {
      assert.ok(fs.readFileSync(path.join(ours, name)).equals(fs.readFileSync(path.join(theirs, name))), `${path.basename(file)}: ${name} differs`);
    }
    assert.match(r.stderr.toString(), new RegExp(`^sievecap: ${names.length} `));
    return names;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

describe('--export-objects imf|tftp writes what tshark --export-objects writes', { skip: NO_TSHARK }, () => {
  test('the corpus\' mail captures (imf)', () => {
    const written: string[] = [];
    for (const name of ['mail_receiver_server_3', 'mail_sender_attachment', 'mail_sender_client_1', 'mail_sender_server_2']) {
      written.push(...compareExports(requireCorpusFile(`chrissanders-packets/${name}.pcapng`), 'imf'));
    }
    assert.ok(written.includes('Help!(1).eml') && written.includes('New Coworker.eml'), written.join(', '));
  });

  test('the corpus\' TFTP captures (tftp)', () => {
    assert.deepEqual(compareExports(requireCorpusFile('tcpdump/tests/tftp.pcap'), 'tftp'), ['file1']);
    assert.deepEqual(compareExports(requireCorpusFile('tcpdump/tests/tftp-heapoverflow.pcap'), 'tftp'), []);
  });

  test('SMTP sessions the test builds (imf)', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-smtp-'));
    try {
      const file = path.join(tmp, 'smtp.pcap');
      writeConversations(file, smtpSessions());
      const names = compareExports(file, 'imf');
      assert.ok(names.length >= 5, names.join(', '));
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('TFTP transfers the test builds (tftp)', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-tftp-'));
    try {
      const file = path.join(tmp, 'tftp.pcap');
      writeUdp(file, tftpTransfers());
      const names = compareExports(file, 'tftp');
      assert.ok(names.length >= 5, names.join(', '));
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('an unknown kind is refused, naming the kinds', () => {
    const r = sievecap(['-r', 'x.pcap', '--export-objects', 'smb,out']);
    assert.equal(r.status, 1);
    assert.match(r.stderr.toString(), /KIND one of http, imf, tftp/);
  });
});

/** Deterministic bytes: a repeating pattern offset by `seed`. */
function bytes(length: number, seed: number): Buffer {
  const b = Buffer.alloc(length);
  for (let k = 0; k < length; k++) b[k] = (k * 7 + seed) & 0xff;
  return b;
}

function smtpSessions(): TcpConversation[] {
  const text = (s: string): Buffer => Buffer.from(s, 'latin1');
  const session = (clientPort: number, messages: { data: Buffer; cuts?: number[] }[]): TcpConversation => {
    const c = new TcpConversation({ serverPort: 25, clientPort });
    c.handshake();
    c.send('server', text('220 mail.example ESMTP\r\n'));
    c.send('client', text('EHLO client.example\r\n'));
    c.send('server', text('250 mail.example\r\n'));
    for (const m of messages) {
      c.send('client', text('MAIL FROM:<a@example.org>\r\n'));
      c.send('server', text('250 2.1.0 Ok\r\n'));
      c.send('client', text('RCPT TO:<b@example.org>\r\n'));
      c.send('server', text('250 2.1.5 Ok\r\n'));
      c.send('client', text('DATA\r\n'));
      c.send('server', text('354 End data with <CR><LF>.<CR><LF>\r\n'));
      c.send('client', m.data, m.cuts ?? []);
      c.send('server', text('250 2.0.0 Ok: queued\r\n'));
    }
    c.send('client', text('QUIT\r\n'));
    c.send('server', text('221 2.0.0 Bye\r\n'));
    return c;
  };
  const message = (headers: string, body: string): string => `From: A <a@example.org>\r\nTo: B <b@example.org>\r\n${headers}\r\n${body}`;
  const report = message('Subject: Report\r\nContent-Type: text/plain\r\n', 'First line.\r\n..a dot-stuffed line\r\nLast line.\r\n');
  return [
    // Two messages with one subject (the second is "Report(1).eml"), one cut in three segments with the "." line alone.
    session(40001, [
      { data: text(`${report}.\r\n`) },
      { data: text(`${report.replace('Last', 'Final')}.\r\n`), cuts: [40, 120, report.length] },
    ]),
    // Bytes tshark escapes in a file name, a byte above 0x7f, a folded subject and none at all.
    session(40002, [
      { data: text(`${message('Subject: Q3: a/b <draft> "v2"?\r\n', 'Body.\r\n')}.\r\n`) },
      { data: text(`${message('Subject: Caf\xe9 menu\r\n', 'Body.\r\n')}.\r\n`) },
      { data: text(`${message('Subject: A long subject\r\n folded over two lines\r\n', 'Body.\r\n')}.\r\n`) },
      { data: text(`${message('X-Note: none\r\n', 'No subject.\r\n')}.\r\n`), cuts: [30] },
    ]),
    // A multipart message with an attachment, ending in the segment that carries its last bytes.
    session(40003, [
      {
        data: text(`${message('Subject: Attachment\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="XYZ"\r\n',
          `--XYZ\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--XYZ\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${bytes(600, 3).toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n--XYZ--\r\n`)}.\r\n`),
        cuts: [500, 1000],
      },
    ]),
  ];
}

/** A UDP datagram between two hosts, as an Ethernet frame. */
function udp(src: string, srcPort: number, dst: string, dstPort: number, payload: Buffer): Buffer {
  const f = Buffer.alloc(14 + 20 + 8 + payload.length);
  Buffer.from([2, 0, 0, 0, 0, src === CLIENT ? 1 : 2]).copy(f, 6);
  Buffer.from([2, 0, 0, 0, 0, dst === CLIENT ? 1 : 2]).copy(f, 0);
  f.writeUInt16BE(0x0800, 12);
  f[14] = 0x45;
  f.writeUInt16BE(20 + 8 + payload.length, 16);
  f[22] = 64;
  f[23] = 17;
  Buffer.from(src.split('.').map(Number)).copy(f, 26);
  Buffer.from(dst.split('.').map(Number)).copy(f, 30);
  f.writeUInt16BE(srcPort, 34);
  f.writeUInt16BE(dstPort, 36);
  f.writeUInt16BE(8 + payload.length, 38);
  payload.copy(f, 42);
  return f;
}

const CLIENT = '10.0.0.1';
const SERVER = '10.0.0.2';

function writeUdp(file: string, frames: readonly Buffer[]): void {
  const writer = new PcapWriter(file, { linkType: 1, snapLen: 262144 });
  frames.forEach((data, k) => writer.writePacket({ tsNs: 1_700_000_000_000_000_000n + BigInt(k) * 1_000_000n, data }));
  writer.close();
}

function tftpTransfers(): Buffer[] {
  const frames: Buffer[] = [];
  const u16 = (n: number): Buffer => Buffer.from([n >> 8, n & 0xff]);
  const request = (opcode: number, name: string, options: string[] = []): Buffer =>
    Buffer.concat([u16(opcode), Buffer.from([name, 'octet', ...options].map((s) => `${s}\0`).join(''), 'latin1')]);
  const dataPacket = (block: number, payload: Buffer): Buffer => Buffer.concat([u16(3), u16(block), payload]);
  const ackPacket = (block: number): Buffer => Buffer.concat([u16(4), u16(block)]);
  /**
   * One transfer: the request from clientPort to 69, then blocks of `size` bytes from the server's
   * port (or from the client for a write), each acknowledged; `blocks` lists the block numbers sent
   * in order (a number twice is a retransmission, one left out a lost block).
   */
  const transfer = (t: { clientPort: number; serverPort: number; write?: boolean; name: string; content: Buffer; size?: number; options?: string[]; blocks?: number[] }): void => {
    const size = t.size ?? 512;
    frames.push(udp(CLIENT, t.clientPort, SERVER, 69, request(t.write ? 2 : 1, t.name, t.options)));
    if (t.options) frames.push(udp(SERVER, t.serverPort, CLIENT, t.clientPort, Buffer.concat([u16(6), Buffer.from(t.options.map((s) => `${s}\0`).join(''), 'latin1')])));
    else if (t.write) frames.push(udp(SERVER, t.serverPort, CLIENT, t.clientPort, ackPacket(0)));
    const count = Math.floor(t.content.length / size) + 1;
    for (const block of t.blocks ?? Array.from({ length: count }, (_, k) => k + 1)) {
      const payload = t.content.subarray((block - 1) * size, block * size);
      const [from, fromPort, to, toPort] = t.write ? [CLIENT, t.clientPort, SERVER, t.serverPort] : [SERVER, t.serverPort, CLIENT, t.clientPort];
      frames.push(udp(from, fromPort, to, toPort, dataPacket(block, payload)));
      frames.push(udp(to, toPort, from, fromPort, ackPacket(block)));
    }
  };
  transfer({ clientPort: 50001, serverPort: 60001, name: 'boot/pxelinux.0', content: bytes(1300, 1) });
  transfer({ clientPort: 50002, serverPort: 60002, name: 'big.img', content: bytes(2500, 2), size: 1024, options: ['blksize', '1024'] });
  transfer({ clientPort: 50003, serverPort: 60003, name: 'exact.bin', content: bytes(1024, 3) });
  transfer({ clientPort: 50004, serverPort: 60004, write: true, name: 'configs/router:1?.cfg', content: bytes(700, 4) });
  transfer({ clientPort: 50005, serverPort: 60005, name: 'again.txt', content: bytes(1500, 5), blocks: [1, 2, 2, 3] });
  transfer({ clientPort: 50006, serverPort: 60006, name: 'lost.txt', content: bytes(1500, 6), blocks: [1, 3] });
  transfer({ clientPort: 50007, serverPort: 60007, name: 'unfinished.txt', content: bytes(1500, 7), blocks: [1, 2] });
  transfer({ clientPort: 50008, serverPort: 60008, name: 'boot/pxelinux.0', content: bytes(300, 8) });
  return frames;
}
