/**
 * JPEG images in HTTP responses, against tshark 4.0's file-jpeg.c: markers and their segments
 * (APP0 JFIF with and without a thumbnail, JFXX, an unknown identifier; APP1 Exif in both byte
 * orders with values inline and elsewhere, rationals, an Exif sub-directory, and the warning when
 * Exif comes first; APP2 FlashPix and others; DQT, DHT, DRI, COM, SOF, SOS), entropy-coded data
 * with escaped 0xFF, restart markers and fill bytes, a reserved marker, and an image cut short
 * ("[Malformed Packet: JFIF (JPEG) image]"). The images are built here byte by byte; compared as
 * -V, -T json, -T text, -T pdml, fields and filters.
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
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-jfif-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const segment = (marker: number, body: Buffer): Buffer => {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(marker, 0);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([head, body]);
};
const u16 = (v: number, le: boolean): Buffer => {
  const b = Buffer.alloc(2);
  if (le) b.writeUInt16LE(v);
  else b.writeUInt16BE(v);
  return b;
};
const u32 = (v: number, le: boolean): Buffer => {
  const b = Buffer.alloc(4);
  if (le) b.writeUInt32LE(v >>> 0);
  else b.writeUInt32BE(v >>> 0);
  return b;
};

/** A TIFF header and IFD0 of nine entries (ASCII elsewhere and inline, SHORT, RATIONAL, LONG, UNDEFINED, SLONG, an Exif pointer), its values, and an Exif IFD. */
function tiff(le: boolean): Buffer {
  const entry = (tag: number, type: number, count: number, value: Buffer): Buffer => Buffer.concat([u16(tag, le), u16(type, le), u32(count, le), value]);
  const inline = (bytes: Buffer): Buffer => Buffer.concat([bytes, Buffer.alloc(4 - bytes.length)]);
  const far: Buffer[] = [];
  let farAt = 8 + 2 + 12 * 9 + 4;
  const elsewhere = (bytes: Buffer): Buffer => {
    const at = farAt;
    far.push(bytes);
    farAt += bytes.length;
    return u32(at, le);
  };
  const make = entry(0x010f, 2, 6, elsewhere(Buffer.from('Canon\0')));
  const resolution = entry(0x011a, 5, 1, elsewhere(Buffer.concat([u32(72, le), u32(1, le)])));
  const exifAt = farAt;
  const exif = Buffer.concat([u16(2, le), entry(0x9000, 7, 4, Buffer.from('0230')), entry(0x829a, 10, 1, u32(exifAt + 2 + 24 + 4, le)), u32(0, le), u32(-1, le), u32(3, le)]);
  const entries = [make, entry(0x0110, 2, 3, inline(Buffer.from('AB\0'))), entry(0x0112, 3, 1, inline(u16(1, le))), resolution,
    entry(0x0128, 3, 1, inline(u16(2, le))), entry(0x0100, 4, 1, u32(640, le)), entry(0x9999, 7, 3, inline(Buffer.from([1, 2, 3]))),
    entry(0x0101, 9, 1, u32(-5, le)), entry(0x8769, 4, 1, u32(exifAt, le))];
  return Buffer.concat([Buffer.from(le ? 'II' : 'MM'), u16(42, le), u32(8, le), u16(entries.length, le), ...entries, u32(0, le), ...far, exif]);
}

test('JPEG images in HTTP responses: markers, segments, Exif directories and entropy-coded data as tshark shows them', { skip: NO_TSHARK }, () => {
  const SOI = Buffer.from([0xff, 0xd8]);
  const EOI = Buffer.from([0xff, 0xd9]);
  const jfif = segment(0xffe0, Buffer.concat([Buffer.from('JFIF\0'), Buffer.from([1, 2, 0]), u16(100, false), u16(100, false), Buffer.from([0, 0])]));
  const thumbnail = segment(0xffe0, Buffer.concat([Buffer.from('JFIF\0'), Buffer.from([1, 1, 1]), u16(72, false), u16(72, false), Buffer.from([1, 2, 1, 2, 3, 4, 5, 6])]));
  const dqt = segment(0xffdb, Buffer.alloc(65, 1));
  const sof = segment(0xffc0, Buffer.from([8, 0, 16, 0, 32, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]));
  const sos = segment(0xffda, Buffer.from([3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]));
  // Escaped 0xFF, a restart marker, fill bytes before another.
  const scan = Buffer.from([0x12, 0x34, 0xff, 0x00, 0x56, 0xff, 0xd0, 0x78, 0x9a, 0xff, 0xff, 0xd1, 0xbc]);
  const images: Record<string, Buffer[]> = {
    plain: [SOI, jfif, dqt, sof, segment(0xffc4, Buffer.alloc(20, 2)), segment(0xffdd, u16(4, false)), segment(0xfffe, Buffer.from('made by a test')), sos, scan, EOI],
    extras: [SOI, thumbnail, segment(0xffe2, Buffer.from('FPXR\0\0\0')), segment(0xffe2, Buffer.from('ICC_PROFILE\0xx')), segment(0xffee, Buffer.from('Adobe\0\0')), segment(0xffc2, Buffer.from([8, 0, 8, 0, 8, 1, 1, 0x11, 0])), sos, scan, EOI],
    exifFirst: [SOI, segment(0xffe1, Buffer.concat([Buffer.from('Exif\0\0'), tiff(true)])), sof, sos, scan, EOI],
    exifBigEndian: [SOI, jfif, segment(0xffe1, Buffer.concat([Buffer.from('Exif\0\0'), tiff(false)])), segment(0xffe1, Buffer.from('http://ns.adobe.com/xap/1.0/\0<x/>')), sos, scan, EOI],
    jfxx: [SOI, jfif, segment(0xffe0, Buffer.concat([Buffer.from('JFXX\0'), Buffer.from([0x10, 1, 2])])), segment(0xffe0, Buffer.from('XYZ\0abc')), sos, scan, EOI],
    reserved: [SOI, jfif, Buffer.from([0xff, 0x02]), Buffer.from([1, 2, 3, 4]), EOI],
    cut: [SOI, jfif, dqt.subarray(0, 30)],
  };
  const conversations = Object.entries(images).map(([name, parts], k) => {
    const body = Buffer.concat(parts);
    const c = new TcpConversation({ serverPort: 80, clientPort: 44000 + k });
    const type = k === 1 ? 'image/jpg' : 'image/jpeg';
    c.handshake().send('client', Buffer.from(`GET /${name}.jpg HTTP/1.1\r\nHost: x\r\n\r\n`)).send('server', Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: ${type}\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
    return c.fin('client').fin('server').ack('client');
  });
  const file = path.join(tmp, 'jpeg.pcap');
  writeConversations(file, conversations);
  const tree = tshark(['-r', file, '-V']);
  assert.match(tree, /Exif IFD #0\n/);
  assert.match(tree, /Initial App0 segment with "JFIF" Identifier not found/);
  assert.match(tree, /Marker: Unknown \(0xff02\) \(Reserved\)/);
  assert.match(tree, /\[Malformed Packet: JFIF \(JPEG\) image\]/);
  assert.equal(sievecap(['-r', file, '-V']).stdout.toString(), tree);
  assert.equal(sievecap(['-r', file, '-T', 'json']).stdout.toString(), tshark(['-r', file, '-T', 'json']));
  assert.equal(sievecap(['-r', file, '-T', 'text']).stdout.toString(), tshark(['-r', file]));
  // PDML too (but its time of day): the malformed images' exception items, HTTP items covering their bodies.
  const withoutTime = (text: string): string => text.replace(/ time="[^"]*"/, '');
  assert.equal(withoutTime(sievecap(['-r', file, '-T', 'pdml']).stdout.toString()), withoutTime(tshark(['-r', file, '-T', 'pdml'])));
  const names = ['image-jfif.marker', 'image-jfif.length', 'image-jfif.identifier', 'image-jfif.ifd.tag', 'image-jfif.ifd.tag_exif', 'image-jfif.ifd.type',
    'image-jfif.ifd.offset', 'image-jfif.ifd.value_ascii', 'image-jfif.ifd.value_short', 'image-jfif.ifd.value_long', 'image-jfif.ifd.value_rational.numerator',
    'image-jfif.ifd.value_srational.numerator', 'image-jfif.ifd.value_slong', 'image-jfif.ifd.value_undefined', 'image-jfif.entropy_coded_segment',
    'image-jfif.fill_bytes', 'image-jfif.remain_seg_data', 'image-jfif.RGB', 'image-jfif.exif_flashpix_marker', 'image-jfif.sof.h_i', 'image-jfif.sos.ac_entropy_selector',
    'image-jfif.endianness', 'image-jfif.extension.code', 'image-jfif.comment', 'image-jfif.version', 'image-jfif.start_ifd_offset', 'image-jfif.next_ifd_offset', '_ws.malformed'];
  const fields = ['-T', 'fields', ...names.flatMap((n) => ['-e', n])];
  assert.equal(sievecap(['-r', file, ...fields]).stdout.toString(), tshark(['-r', file, ...fields]));
  for (const filter of ['image-jfif.ifd.tag_exif == 36864', 'image-jfif.comment contains "test"', 'image-jfif.marker == 0xffd1', 'image-jfif.ifd.value_slong < 0']) {
    assert.equal(sievecap(['-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.number']).stdout.toString(), tshark(['-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.number']), filter);
  }
});
