/**
 * GIF images (an HTTP body of type image/gif), as tshark 4.0's file-gif.c shows them: the
 * version, the logical screen descriptor and its global settings, the global color map, then
 * extensions and images with their data blocks up to the trailer. A read past the body is
 * tshark's exception: the walk stops and the caller marks the body.
 */
import { hex, type LayerBuilder } from './builder';
import { bitPicture, bytesHex } from './format';
import type { Field } from './model';

const EXTENSIONS: Readonly<Record<number, string>> = { 0xf9: 'Graphics Control', 0xfe: 'Comment', 0xff: 'Application', 0x01: 'Plain Text' };

class Short extends Error {}
const SHORT = new Short('GIF data too short');

/** The version ("GIF87a" or "GIF89a") when tshark's GIF dissector takes the body (20 bytes at least), else null. */
export function gifVersion(data: Buffer, start: number, stop: number): string | null {
  if (stop - start < 20) return null;
  const version = data.toString('latin1', start, start + 6);
  return version === 'GIF87a' || version === 'GIF89a' ? version : null;
}

/** Walks data[start, stop) as dissect_gif does, adding its tree; false where tshark's walk throws. */
export function addGifTree(b: LayerBuilder, data: Buffer, start: number, stop: number, version: string): boolean {
  const tree = b.wantsAny('image-gif.') || b.wants('');
  const u8 = (at: number): number => {
    if (at >= stop) throw SHORT;
    return data[at]!;
  };
  const u16 = (at: number): number => {
    if (at + 2 > stop) throw SHORT;
    return data.readUInt16LE(at);
  };
  const bytes = (abbrev: string, name: string, at: number, length: number): void => {
    if (at + length > stop) throw SHORT;
    if (tree) b.add(abbrev, () => `${name}: ${bytesHex(data, at, Math.min(length, 36))}${length > 36 ? '…' : ''}`, data.subarray(at, at + length), at, length, () => bytesHex(data, at, length));
  };
  const num = (abbrev: string, name: string, at: number, value: number, length: number): void => {
    if (tree) b.add(abbrev, () => `${name}: ${value}`, value, at, length);
  };
  /** A 0x80/0x70/0x08/0x07 flags field of `value` (the true/false ones as "True (1)"). */
  const flag = (abbrev: string, mask: number, name: string, value: number, truth: boolean, at: number): void => {
    const shift = mask === 0x80 ? 7 : mask === 0x70 ? 4 : mask === 0x08 ? 3 : 0;
    const v = (value & mask) >> shift;
    if (tree) b.add(abbrev, () => `${bitPicture(value, mask, 8)} = ${name}: ${truth ? `${v ? 'True' : 'False'} (${v})` : v}`, v, at, 1);
  };
  /** dissect_gif_data_block_seq: length-prefixed blocks up to an empty one. */
  const blocks = (at: number): number => {
    let offset = at;
    for (;;) {
      const len = u8(offset);
      const from = offset;
      if (from + 1 + len > stop) {
        // The item covers the length byte and the block: past the bytes, tshark throws adding it.
        throw SHORT;
      }
      if (tree) b.add('image-gif.data_block', () => `Data block: ${len === 0 ? '<none>' : `${bytesHex(data, from + 1, Math.min(len, 36))}${len > 36 ? '…' : ''}`} (length = ${len})`, data.subarray(from + 1, from + 1 + len), from, 1 + len, () => (len === 0 ? '<none>' : bytesHex(data, from + 1, len)));
      offset += 1 + len;
      if (len === 0) return offset - at;
    }
  };
  const v89 = version === 'GIF89a';
  try {
    if (tree) b.add('image-gif.version', () => `Version: ${version}`, version, start, 6);
    let offset = start + 6;
    num('image-gif.screen.width', 'Screen width', offset, u16(offset), 2);
    offset += 2;
    num('image-gif.screen.height', 'Screen height', offset, u16(offset), 2);
    offset += 2;
    let peek = u8(offset);
    const settings = (kind: 'Global' | 'Local', at: number, value: number): { present: boolean; bpp: number } => {
      const present = (value & 0x80) !== 0;
      // file-gif.c's resolution takes bits 0x60 (sic) for the heading.
      const resolution = 1 + ((value & 0x60) >> 4);
      const bpp = 1 + (value & 0x07);
      const lower = kind.toLowerCase();
      const heading = `${kind} settings:${present ? ` (${kind} color table present)` : ''} (${resolution} bit${resolution === 1 ? '' : 's'} per color) (${bpp} bit${bpp === 1 ? '' : 's'} per pixel)`;
      if (tree) {
        b.group('', heading, null, at, 1, () => {
          flag(`image-gif.${lower}.color_map.present`, 0x80, `${kind} color map is present`, value, true, at);
          flag(`image-gif.${lower}.color_bpp`, 0x70, 'Bits per color minus 1', value, false, at);
          if (v89) flag(`image-gif.${lower}.color_map.ordered`, 0x08, `${kind} color map is ordered`, value, true, at);
          flag('image-gif.global.bpp', 0x07, 'Image bits per pixel minus 1', value, false, at);
        }, '');
      }
      return { present, bpp };
    };
    const global = settings('Global', offset, peek);
    offset++;
    num('image-gif.image_background_index', 'Background color index', offset, u8(offset), 1);
    offset++;
    if (v89) {
      peek = u8(offset);
      const ratio = peek;
      const at = offset;
      if (ratio && tree) b.add('image-gif.global.pixel_aspect_ratio', () => `${ratio}, yields an aspect ratio of (15 + ${ratio}) / 64 = ${((15 + ratio) / 64).toFixed(2)}`, ratio, at, 1);
    }
    offset++;
    if (global.present) {
      const len = 3 * (1 << global.bpp);
      bytes('image-gif.global.color_map', 'Global color map', offset, len);
      offset += len;
    }
    while (offset < stop) {
      const first = offset;
      peek = u8(offset);
      if (peek === 0x21) {
        let item: Field | null = null;
        const label = u8(offset + 1);
        const name = Object.hasOwn(EXTENSIONS, label) ? EXTENSIONS[label]! : `<Warning: Unknown extension 0x${label.toString(16).toUpperCase().padStart(2, '0')}>`;
        let ret = 0;
        const body = (): void => {
          if (tree) b.add('image-gif.extension.label', () => `Extension label: ${Object.hasOwn(EXTENSIONS, label) ? EXTENSIONS[label]! : 'Unknown'} (${hex(label, 2)})`, label, first + 1, 1, () => hex(label, 2));
          ret = blocks(first + 2);
        };
        if (tree) item = b.group('image-gif.extension', () => `Extension: ${name}`, null, first, 1, body, '');
        else body();
        offset = first + 2 + ret;
        if (item) item.length = offset - first;
      } else if (peek === 0x2c) {
        let item: Field | null = null;
        let end = first;
        const body = (): void => {
          let at = first + 1;
          num('image-gif.image.left', 'Image left position', at, u16(at), 2);
          at += 2;
          num('image-gif.image.top', 'Image top position', at, u16(at), 2);
          at += 2;
          num('image-gif.image.width', 'Image width', at, u16(at), 2);
          at += 2;
          num('image-gif.image.height', 'Image height', at, u16(at), 2);
          at += 2;
          const local = settings('Local', at, u8(at));
          at++;
          if (local.present) {
            const len = 3 * (1 << local.bpp);
            bytes('image-gif.local.color_map', 'Local color map', at, len);
            at += len;
          }
          num('image-gif.image.code_size', 'LZW minimum code size', at, u8(at), 1);
          at++;
          at += blocks(at);
          end = at;
        };
        if (tree) item = b.group('image-gif.image', 'Image', null, first, 1, body, '');
        else body();
        offset = end;
        if (item) item.length = offset - first;
      } else {
        if (tree) b.add('image-gif.end', 'Trailer (End of the GIF stream)', null, offset, 1, '');
        break;
      }
    }
    return true;
  } catch (err) {
    if (err instanceof Short) return false;
    throw err;
  }
}
