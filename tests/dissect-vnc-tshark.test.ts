/**
 * VNC (RFB) as tshark 4.0 shows it, on connections this test builds: the version handshake, the
 * security types, VNC authentication and its result, ClientInit and ServerInit (pixel format,
 * desktop name), the client's messages (SetPixelFormat, SetEncodings, FramebufferUpdateRequest,
 * KeyEvent, PointerEvent, ClientCutText) and the server's FramebufferUpdate (raw, CopyRect,
 * Hextile and cursor rectangles; one spread over segments), bell and cut text; a 3.7 server
 * without authentication; a 3.3 server that fails the authentication; a message
 * too short for its state (malformed). Compared with tshark: -T fields, frame.protocols, columns, -V.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sievecap } from './support/sievecap';
import { TcpConversation, writeConversations } from './support/tcp-frames';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-vnc-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const a = (text: string): Buffer => Buffer.from(text, 'latin1');
const bytes = (...values: number[]): Buffer => Buffer.from(values);
const u16 = (v: number): Buffer => bytes(v >> 8, v & 0xff);
const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
};
/** A pixel format: 32 bits per pixel, depth 24, little endian, true colour 255/255/255, shifts 16/8/0. */
const PIXEL_FORMAT = Buffer.concat([bytes(32, 24, 0, 1), u16(255), u16(255), u16(255), bytes(16, 8, 0, 0, 0, 0)]);
const rect = (x: number, y: number, w: number, h: number, encoding: number): Buffer => Buffer.concat([u16(x), u16(y), u16(w), u16(h), u32(encoding)]);

function conversations(): TcpConversation[] {
  const out: TcpConversation[] = [];
  const c = new TcpConversation({ clientPort: 50001, serverPort: 5900 }).handshake();
  c.send('server', a('RFB 003.008\n'));
  c.send('client', a('RFB 003.008\n'));
  c.send('server', bytes(2, 1, 2));
  c.send('client', bytes(2));
  c.send('server', Buffer.alloc(16, 0x5a));
  c.send('client', Buffer.alloc(16, 0xa5));
  c.send('server', u32(0));
  c.send('client', bytes(1));
  c.send('server', Buffer.concat([u16(640), u16(480), PIXEL_FORMAT, u32(7), a('desktop')]));
  c.send('client', Buffer.concat([bytes(0, 0, 0, 0), PIXEL_FORMAT]));
  c.send('client', Buffer.concat([bytes(2, 0), u16(4), u32(5), u32(0), u32(-239), u32(-223)]));
  c.send('client', Buffer.concat([bytes(3, 1), u16(0), u16(0), u16(640), u16(480)]));
  c.send('client', Buffer.concat([bytes(4, 1, 0, 0), u32(0x61)]));
  c.send('client', Buffer.concat([bytes(5, 0x05), u16(100), u16(200)]));
  c.send('client', Buffer.concat([bytes(6, 0, 0, 0), u32(5), a('hello')]));
  // Raw 2x2, CopyRect, a 20x4 Hextile (two tiles: raw, then background, foreground and coloured subrects), a rich cursor.
  const update = Buffer.concat([
    bytes(0, 0), u16(4),
    rect(0, 0, 2, 2, 0), Buffer.alloc(16, 0x11),
    rect(10, 10, 4, 4, 1), u16(1), u16(2),
    rect(0, 20, 20, 4, 5), bytes(1), Buffer.alloc(16 * 4 * 4, 0x22), bytes(0x1e), u32(0x33), u32(0x44), bytes(2), u32(0x55), bytes(0x12, 0x11), u32(0x66), bytes(0x00, 0x00),
    rect(1, 1, 8, 2, -239), Buffer.alloc(8 * 2 * 4, 0x77), bytes(0xff, 0x80),
  ]);
  c.send('server', update);
  // A raw 20x20 rectangle over three segments, a bell, and a server cut text (whose length tshark
  // reads without the padding, and after which it always asks for the next segment).
  c.send('server', Buffer.concat([bytes(0, 0), u16(1), rect(0, 0, 20, 20, 0), Buffer.alloc(1600, 0x99)]), [100, 900]);
  c.send('server', bytes(2));
  c.send('server', Buffer.concat([bytes(3), u32(3), a('abc')]));
  out.push(c);
  // A 3.7 server offering no authentication, on 5901.
  const h = new TcpConversation({ clientPort: 50002, serverPort: 5901 }).handshake();
  h.send('server', a('RFB 003.007\n'));
  h.send('client', a('RFB 003.007\n'));
  h.send('server', bytes(1, 1));
  h.send('client', bytes(1));
  h.send('client', bytes(0));
  h.send('server', Buffer.concat([u16(800), u16(600), PIXEL_FORMAT, u32(0)]));
  h.send('client', Buffer.concat([bytes(3, 0), u16(0), u16(0), u16(800), u16(600)]));
  out.push(h);
  // A 3.3 server mandating VNC authentication, a short response (malformed, the state stays), the failure.
  const f = new TcpConversation({ clientPort: 50003, serverPort: 5500 }).handshake();
  f.send('server', a('RFB 003.003\n'));
  f.send('client', a('RFB 003.003\n'));
  f.send('server', u32(2));
  f.send('server', Buffer.alloc(16, 0x10));
  f.send('client', Buffer.alloc(4, 0x20));
  f.send('client', Buffer.alloc(16, 0x20));
  f.send('server', u32(1));
  out.push(f);
  return out;
}

function run(tool: 'tshark' | 'sievecap', args: string[]): string {
  const r = tool === 'tshark' ? spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 }) : sievecap(args);
  assert.equal(r.status, 0, String(r.stderr));
  return r.stdout.toString();
}

function frames(text: string): string[] {
  return text.split(/^(?=Frame \d+:)/m);
}

const VNC_FIELDS = [
  'vnc.server_proto_ver', 'vnc.client_proto_ver', 'vnc.num_security_types', 'vnc.security_type', 'vnc.server_security_type',
  'vnc.client_security_type', 'vnc.auth_challenge', 'vnc.auth_response', 'vnc.auth_result', 'vnc.share_desktop_flag', 'vnc.width',
  'vnc.height', 'vnc.server_bits_per_pixel', 'vnc.server_depth', 'vnc.server_true_color_flag', 'vnc.server_red_max', 'vnc.desktop_name_len',
  'vnc.desktop_name', 'vnc.client_message_type', 'vnc.client_bits_per_pixel', 'vnc.client_set_encodings_num',
  'vnc.client_set_encodings_encoding_type', 'vnc.update_req_incremental', 'vnc.update_req_width', 'vnc.key_down', 'vnc.key',
  'vnc.button_1_pos', 'vnc.button_3_pos', 'vnc.pointer_x_pos', 'vnc.pointer_y_pos', 'vnc.client_cut_text', 'vnc.server_message_type',
  'vnc.fb_update_num_rects', 'vnc.fb_update_x_pos', 'vnc.fb_update_width', 'vnc.fb_update_encoding_type', 'vnc.raw_pixel_data',
  'vnc.copyrect_src_x_pos', 'vnc.hextile_subencoding', 'vnc.hextile_num_subrects', 'vnc.hextile_subrect_width',
  'vnc.cursor_encoding_bitmask', 'vnc.server_cut_text', 'tcp.segment',
];

test('VNC: handshake, authentication, init, client messages and framebuffer updates over segments, as tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'vnc.pcap');
  writeConversations(file, conversations());
  const fields = ['-r', file, '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a', '-e', 'frame.number', '-e', 'frame.protocols', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info', ...VNC_FIELDS.flatMap((f) => ['-e', f])];
  const theirs = run('tshark', fields).split('\n');
  const joined = theirs.join('\n');
  assert.match(joined, /\|TCP\|Server framebuffer update \[TCP segment of a reassembled PDU\]\|/);
  assert.match(joined, /\|Server ring bell on client\|/);
  assert.match(joined, /\|Authentication response from client\[Malformed Packet\]\|/);
  assert.match(joined, /\|Client protocol version: 003\.007\|/);
  assert.deepEqual(run('sievecap', fields).split('\n'), theirs);
  assert.deepEqual(frames(run('sievecap', ['-r', file, '-V'])), frames(run('tshark', ['-r', file, '-V'])));
  // Summary lines alone build no VNC field: tiles are only walked for where they end.
  assert.deepEqual(run('sievecap', ['-r', file, '-n', '-T', 'text']).split('\n'), run('tshark', ['-r', file, '-n']).split('\n'));
});
