/**
 * GIF images in HTTP responses, against tshark 4.0's file-gif.c: the version, the screen
 * descriptor with its global settings (GIF87a and GIF89a, whose pixel aspect ratio shows when not
 * zero), the global color map, extensions (known and unknown, with their data blocks), images
 * with and without a local color map, the trailer, and an image cut short ("[Malformed Packet]").
 * The images are built here byte by byte; compared as -V, -T json, -T text, -T pdml and fields.
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
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-gif-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('GIF images in HTTP responses: descriptors, color maps, extensions, images and blocks as tshark shows them', { skip: NO_TSHARK }, () => {
  const screen = (flags: number, aspect: number): Buffer => Buffer.from([8, 0, 4, 0, flags, 1, aspect]);
  const colors = (n: number): Buffer => Buffer.from(Array.from({ length: 3 * n }, (_, i) => (i * 37) & 255));
  const graphicsControl = Buffer.from([0x21, 0xf9, 4, 0, 0, 0, 0, 0]);
  const comment = Buffer.concat([Buffer.from([0x21, 0xfe, 40]), Buffer.alloc(40, 0x61), Buffer.from([3, 1, 2, 3, 0])]);
  const unknown = Buffer.from([0x21, 0x77, 2, 9, 9, 0]);
  const image = (flags: number, local: Buffer): Buffer => Buffer.concat([Buffer.from([0x2c, 0, 0, 0, 0, 8, 0, 4, 0, flags]), local, Buffer.from([2, 5, 0x8c, 0x2d, 0x99, 0x87, 0x2a, 0])]);
  const images: Record<string, Buffer> = {
    v89: Buffer.concat([Buffer.from('GIF89a'), screen(0xd5, 49), colors(64), graphicsControl, comment, unknown, image(0x00, Buffer.alloc(0)), Buffer.from([0x3b])]),
    v87: Buffer.concat([Buffer.from('GIF87a'), screen(0x00, 0), image(0x81, colors(4)), Buffer.from([0x3b])]),
    cut: Buffer.concat([Buffer.from('GIF89a'), screen(0x80, 0), colors(2), image(0x00, Buffer.alloc(0)).subarray(0, 14)]),
  };
  const conversations = Object.entries(images).map(([name, body], k) => {
    const c = new TcpConversation({ serverPort: 80, clientPort: 45000 + k });
    c.handshake().send('client', Buffer.from(`GET /${name}.gif HTTP/1.1\r\nHost: x\r\n\r\n`)).send('server', Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: image/gif\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
    return c.fin('client').fin('server').ack('client');
  });
  const file = path.join(tmp, 'gif.pcap');
  writeConversations(file, conversations);
  const tree = tshark(['-r', file, '-V']);
  assert.match(tree, /Global pixel aspect ratio|49, yields an aspect ratio of \(15 \+ 49\) \/ 64 = 1\.00/);
  assert.match(tree, /Extension: <Warning: Unknown extension 0x77>/);
  assert.match(tree, /\[Malformed Packet: GIF image\]/);
  assert.equal(sievecap(['-r', file, '-V']).stdout.toString(), tree);
  assert.equal(sievecap(['-r', file, '-T', 'json']).stdout.toString(), tshark(['-r', file, '-T', 'json']));
  assert.equal(sievecap(['-r', file, '-T', 'text']).stdout.toString(), tshark(['-r', file]));
  const withoutTime = (text: string): string => text.replace(/ time="[^"]*"/, '');
  assert.equal(withoutTime(sievecap(['-r', file, '-T', 'pdml']).stdout.toString()), withoutTime(tshark(['-r', file, '-T', 'pdml'])));
  const names = ['image-gif.version', 'image-gif.screen.width', 'image-gif.global.color_map.present', 'image-gif.global.color_bpp', 'image-gif.global.bpp',
    'image-gif.global.pixel_aspect_ratio', 'image-gif.global.color_map', 'image-gif.extension.label', 'image-gif.data_block', 'image-gif.image.width',
    'image-gif.local.color_map.present', 'image-gif.local.color_map', 'image-gif.image.code_size', 'image-gif.end', '_ws.malformed'];
  const fields = ['-T', 'fields', ...names.flatMap((n) => ['-e', n])];
  assert.equal(sievecap(['-r', file, ...fields]).stdout.toString(), tshark(['-r', file, ...fields]));
});
