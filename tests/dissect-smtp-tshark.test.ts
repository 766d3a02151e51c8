/**
 * SMTP against tshark 4.0 segment by segment (`-o tcp.desegment_tcp_streams:FALSE`): commands,
 * replies (multi-line and pipelined), DATA fragments, on the corpus' mail captures (Chris Sanders'
 * Practical Packet Analysis files). The segment that ends a message shows the message put
 * together from the DATA fragments as IMF (its fragments, headers, Protocol and Info); there
 * frame.protocols is left out: tshark also names the body's media dissectors (data-text-lines,
 * mime_multipart, media), whose layers Sievecap does not show under IMF.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { requireCorpusFile } from './support/corpus';
import { sievecap } from './support/sievecap';

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
      if (line.includes('SMTP/IMF')) {
        messages++;
        assert.equal(withoutProtocols(a[k]), withoutProtocols(line), `${name} frame ${k + 1} (IMF)`);
      } else {
        assert.equal(a[k], line, `${name} frame ${k + 1}`);
      }
    });
  }
  assert.ok(compared > 60, `${compared} SMTP frames compared`);
  assert.equal(messages, 5, 'IMF messages compared');
  const filtered = (tool: 'tshark' | 'sievecap', filter: string): string => {
    const file = requireCorpusFile('chrissanders-packets/mail_sender_client_1.pcapng');
    const args = ['-r', file, '-n', '-o', 'tcp.desegment_tcp_streams:FALSE', '-Y', filter, '-T', 'fields', '-e', 'frame.number'];
    return (tool === 'tshark' ? spawnSync('tshark', args, { encoding: 'utf8' }).stdout : sievecap(args).stdout.toString());
  };
  for (const filter of ['smtp.req.command == "RCPT"', 'smtp.response.code == 250', 'smtp.rsp.parameter contains "PIPELINING"']) {
    assert.equal(filtered('sievecap', filter), filtered('tshark', filter), filter);
  }
});
