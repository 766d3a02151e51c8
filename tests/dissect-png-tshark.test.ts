/**
 * PNG images in HTTP responses (image/png), against tshark 4.0's file-png.c: the signature, each
 * chunk's length, type, flag bits and CRC, the chunks it decodes (IHDR, gAMA, cHRM, sRGB, bKGD in
 * its three sizes, pHYs, tIME, tEXt), "Data" for the others and "unknown" for unnamed types; a
 * chunk that runs past the body ends the tree with "[Malformed Packet: PNG]". The images are built
 * here chunk by chunk (CRCs computed); compared as -V, -T json, -T text, -T pdml and -T fields.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { sievecap } from './support/sievecap';
import { TcpConversation, writeConversations } from './support/tcp-frames';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-png-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

test('PNG chunks in HTTP responses: the tree, the fields and the malformed ones as tshark shows them', { skip: NO_TSHARK }, () => {
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(4, 0);
  ihdr.writeUInt32BE(3, 4);
  ihdr[8] = 8;
  ihdr[9] = 3;
  ihdr[12] = 1;
  // White point and primaries as sRGB's (×100000), blue's y 1 (1e-05 as %g prints it).
  const chrm = Buffer.alloc(32);
  [31270, 32900, 64000, 33000, 30000, 60000, 15000, 1].forEach((v, k) => chrm.writeUInt32BE(v, 4 * k));
  const idat = chunk('IDAT', zlib.deflateSync(Buffer.alloc(15)));
  const iend = chunk('IEND', Buffer.alloc(0));
  const images: Record<string, Buffer[]> = {
    every: [
      chunk('IHDR', ihdr), chunk('gAMA', Buffer.from([0, 0, 0xb1, 0x8f])), chunk('cHRM', chrm),
      chunk('sRGB', Buffer.from([2])), chunk('iCCP', Buffer.concat([Buffer.from('ICC\0\0', 'latin1'), zlib.deflateSync(Buffer.alloc(40))])),
      chunk('sBIT', Buffer.from([8, 8, 8])), chunk('PLTE', Buffer.from([255, 0, 0, 0, 255, 0])), chunk('tRNS', Buffer.from([0, 128])),
      chunk('bKGD', Buffer.from([1])), chunk('pHYs', Buffer.from([0, 0, 0x0b, 0x13, 0, 0, 0x0b, 0x13, 1])),
      chunk('tIME', Buffer.from([0x07, 0xe5, 12, 7, 10, 20, 30])), chunk('tEXt', Buffer.from('Comment\0hello world', 'latin1')),
      // Latin-1 text with control characters (escaped in the tree, some in -T fields), a backslash, a quote and high bytes.
      chunk('tEXt', Buffer.concat([Buffer.from('Odd\0A'), Buffer.from(Array.from({ length: 31 }, (_, i) => i + 1)), Buffer.from([0x7f, 0x5c, 0x22, 0xc3, 0x98, 0xd8, 0xff, 0x42])])),
      chunk('zTXt', Buffer.concat([Buffer.from('Title\0\0', 'latin1'), zlib.deflateSync(Buffer.from('zipped'))])),
      chunk('iTXt', Buffer.from('Author\0\0\0en\0Autor\0someone', 'latin1')), chunk('prIv', Buffer.from('xyz')), idat, iend,
    ],
    greyBackground: [chunk('IHDR', ihdr), chunk('bKGD', Buffer.from([0, 7])), idat, iend],
    rgbBackground: [chunk('IHDR', ihdr), chunk('bKGD', Buffer.from([0, 1, 0, 2, 0, 3])), chunk('pHYs', Buffer.from([0, 0, 0, 1, 0, 0, 0, 2, 0])), iend],
    cut: [chunk('IHDR', ihdr), idat.subarray(0, 10)],
    hugeLength: [chunk('IHDR', ihdr), Buffer.from([0x90, 0, 0, 0, 0x49, 0x44, 0x41, 0x54, 1, 2, 3])],
  };
  const conversations = Object.entries(images).map(([name, parts], k) => {
    const body = Buffer.concat([signature, ...parts]);
    const c = new TcpConversation({ serverPort: 80, clientPort: 42000 + k });
    const head = `HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: ${body.length}\r\n\r\n`;
    c.handshake().send('client', Buffer.from(`GET /${name}.png HTTP/1.1\r\nHost: x\r\n\r\n`)).send('server', Buffer.concat([Buffer.from(head), body]));
    return c.fin('client').fin('server').ack('client');
  });
  const file = path.join(tmp, 'png.pcap');
  writeConversations(file, conversations);
  const tree = tshark(['-r', file, '-V']);
  assert.match(tree, /Primary chromaticities and white point \(cHRM\)\n(.*\n){5}        White X: 0\.3127\n/);
  assert.match(tree, /Intent: Saturation \(2\)/);
  assert.equal((tree.match(/\[Malformed Packet: PNG\]/g) ?? []).length, 2);
  assert.equal(sievecap(['-r', file, '-V']).stdout.toString(), tree);
  assert.equal(sievecap(['-r', file, '-T', 'json']).stdout.toString(), tshark(['-r', file, '-T', 'json']));
  assert.equal(sievecap(['-r', file, '-T', 'text']).stdout.toString(), tshark(['-r', file]));
  // PDML too (but its time of day): the malformed images' exception items, HTTP items covering their bodies.
  const withoutTime = (text: string): string => text.replace(/ time="[^"]*"/, '');
  assert.equal(withoutTime(sievecap(['-r', file, '-T', 'pdml']).stdout.toString()), withoutTime(tshark(['-r', file, '-T', 'pdml'])));
  const names = ['png.signature', 'png.chunk.len', 'png.chunk.type', 'png.chunk.flag.ancillary', 'png.chunk.flag.private', 'png.chunk.flag.stc', 'png.chunk.crc', 'png.chunk.data',
    'png.ihdr.colour_type', 'png.gama.gamma', 'png.chrm.white.x', 'png.chrm.blue.y', 'png.srgb.intent', 'png.bkgd.greyscale', 'png.bkgd.blue', 'png.phys.unit', 'png.time.year', 'png.text.keyword', 'png.text.string', '_ws.malformed'];
  const fields = ['-T', 'fields', ...names.flatMap((n) => ['-e', n])];
  assert.equal(sievecap(['-r', file, ...fields]).stdout.toString(), tshark(['-r', file, ...fields]));
  for (const filter of ['png.chunk.type == "tEXt"', 'png.gama.gamma > 0.4', 'png.chunk.flag.private', 'png.ihdr.width == 4 && png']) {
    assert.equal(sievecap(['-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.number']).stdout.toString(), tshark(['-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.number']), filter);
  }
});
