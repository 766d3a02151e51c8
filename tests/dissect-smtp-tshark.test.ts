/**
 * SMTP against tshark 4.0 segment by segment (`-o tcp.desegment_tcp_streams:FALSE`): commands,
 * replies (multi-line and pipelined), DATA fragments, on the corpus' mail captures (Chris Sanders'
 * Practical Packet Analysis files). The segment that ends a message shows the message put
 * together from the DATA fragments as IMF: its fragments, headers with their address items,
 * Protocol and Info, the body's line-based text; a multipart body's frame.protocols is left out
 * (tshark's mime_multipart, media layers are not Sievecap's). The IMF trees of -V are compared
 * too, on the corpus and on messages the test builds (address lists with groups, a quoted
 * comma, a lone address; a body without Content-Type), up to the body's layer, which tshark
 * indents under IMF.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireCorpusFile } from './support/corpus';
import { assertFrameSelectionsAgree } from './support/agree';
import { sievecap } from './support/sievecap';
import { TcpConversation, writeConversations } from './support/tcp-frames';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const FILES = ['mail_receiver_server_3.pcapng', 'mail_sender_attachment.pcapng', 'mail_sender_client_1.pcapng', 'mail_sender_server_2.pcapng'];
const FIELDS = [
  'frame.number', 'frame.protocols', '_ws.col.Protocol', '_ws.col.Info', 'smtp.req', 'smtp.rsp', 'smtp.response', 'smtp.command_line',
  'smtp.req.command', 'smtp.req.parameter', 'smtp.response.code', 'smtp.rsp.parameter', 'smtp.eom', 'smtp.data.fragment',
  'smtp.data.fragment.count', 'smtp.data.reassembled.length', 'imf.from', 'imf.to', 'imf.subject', 'imf.message_id', 'imf.content.type',
];
const ARGS = ['-n', '-o', 'tcp.desegment_tcp_streams:FALSE', '-T', 'fields', '-E', 'separator=|', ...FIELDS.flatMap((f) => ['-e', f])];

test('SMTP commands, replies, DATA fragments and the IMF messages they make agree with tshark on the corpus\' mail captures', { skip: NO_TSHARK }, () => {
  let compared = 0;
  let messages = 0;
  for (const name of FILES) {
    const file = requireCorpusFile(`chrissanders-packets/${name}`);
    const theirs = spawnSync('tshark', ['-r', file, ...ARGS], { encoding: 'utf8' });
    assert.equal(theirs.status, 0, theirs.stderr);
    const ours = sievecap(['-r', file, ...ARGS]);
    assert.equal(ours.status, 0, ours.stderr.toString());
    const a = ours.stdout.toString().split('\n');
    const withoutProtocols = (line: string | undefined): string => (line ?? '').split('|').filter((_, column) => column !== 1).join('|');
    theirs.stdout.split('\n').forEach((line, k) => {
      if (!line.includes('smtp')) return;
      compared++;
      if (line.includes('mime_multipart')) {
        messages++;
        assert.equal(withoutProtocols(a[k]), withoutProtocols(line), `${name} frame ${k + 1} (IMF, multipart)`);
      } else {
        if (line.includes('SMTP/IMF')) messages++;
        assert.equal(a[k], line, `${name} frame ${k + 1}`);
      }
    });
  }
  assert.ok(compared > 60, `${compared} SMTP frames compared`);
  assert.equal(messages, 5, 'IMF messages compared');
  assertFrameSelectionsAgree(requireCorpusFile('chrissanders-packets/mail_sender_client_1.pcapng'), ['smtp.req.command == "RCPT"', 'smtp.response.code == 250', 'smtp.rsp.parameter contains "PIPELINING"'], {
    args: ['-o', 'tcp.desegment_tcp_streams:FALSE'],
  });
});

/** The IMF tree of each message in -V: from its heading to the body's layer (tshark nests that one under IMF). */
function imfTrees(verbose: string): string[] {
  const out: string[] = [];
  let inside = false;
  for (const line of verbose.split('\n')) {
    if (line.startsWith('Internet Message Format')) inside = true;
    else if (!line.startsWith(' ') || /^ {4}(Line-based text data|MIME Multipart)/.test(line)) inside = false;
    if (inside) out.push(line);
  }
  return out;
}

test('IMF trees in -V agree with tshark: the corpus\' messages and address lists the test builds', { skip: NO_TSHARK }, () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-imf-'));
  try {
    const built = path.join(tmp, 'addresses.pcap');
    const c = new TcpConversation({ serverPort: 25 });
    const text = (s: string): Buffer => Buffer.from(s, 'latin1');
    c.handshake();
    c.send('server', text('220 mail.example ESMTP\r\n'));
    c.send('client', text('DATA\r\n'));
    c.send('server', text('354 End data with <CR><LF>.<CR><LF>\r\n'));
    c.send('client', text('From: A <a@example.org>\r\nTo: B <b@example.org>, "Doe, J" <j@example.org>,plain@example.org\r\n' +
      'Cc: undisclosed-recipients:;\r\nBcc: team: x@example.org, y@example.org;\r\nSender: S <s@example.org>\r\nReply-To: r@example.org\r\n' +
      'Subject: hi\r\nX-Mailer: test\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n<p>Body.</p>\r\n.\r\n'));
    c.send('server', text('250 2.0.0 Ok: queued\r\n'));
    c.send('client', text('DATA\r\n'));
    c.send('server', text('354 End data with <CR><LF>.<CR><LF>\r\n'));
    // No Content-Type: the body is Message-Text, its lines also in Info.
    c.send('client', text('From: A <a@example.org>\r\nSubject: plain\r\n\r\nLine one.\r\n\tTabbed  line\r\n\r\nlast\r\n.\r\n'));
    writeConversations(built, [c]);
    const columns = ['-n', '-r', built, '-Y', 'imf', '-T', 'fields', '-e', 'frame.protocols', '-e', '_ws.col.Info'];
    assert.equal(sievecap(columns).stdout.toString(), spawnSync('tshark', columns, { encoding: 'utf8' }).stdout, 'built messages: frame.protocols and Info');
    let lines = 0;
    for (const file of [...FILES.map((name) => requireCorpusFile(`chrissanders-packets/${name}`)), built]) {
      const theirs = spawnSync('tshark', ['-n', '-r', file, '-V', '-Y', 'imf'], { encoding: 'utf8', maxBuffer: 64 << 20 });
      assert.equal(theirs.status, 0, theirs.stderr);
      const expected = imfTrees(theirs.stdout);
      assert.deepEqual(imfTrees(sievecap(['-n', '-r', file, '-V', '-Y', 'imf']).stdout.toString()), expected, path.basename(file));
      lines += expected.length;
    }
    assert.ok(lines > 100, `${lines} lines compared`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
