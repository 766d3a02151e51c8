/**
 * The tree of a PNG image (an HTTP body of type image/png), as tshark 4.0's file-png.c shows it:
 * the signature, then each chunk under "NAME (TYPE)" with its length, type, the three flag bits
 * of its type, the fields of the chunks it decodes (IHDR, gAMA, cHRM, sRGB, bKGD, pHYs, tIME,
 * tEXt), "Data" for the others, and its CRC (not checked). A chunk that runs past the bytes ends
 * the tree there (tshark's exception: the body's "[Malformed Packet]" is its caller's).
 */
import { hex, type LayerBuilder } from './builder';
import { bitPicture, bytesHex } from './format';
import { formatText } from './app-format';

/** file-png.c's chunk_types (4.0): other types are "unknown". */
const CHUNK_NAMES: Readonly<Record<string, string>> = {
  IHDR: 'Image Header', bKGD: 'Background colour', gAMA: 'Image gamma', iCCP: 'Embedded ICC profile',
  cHRM: 'Primary chromaticities and white point', pHYs: 'Physical pixel dimensions', tEXt: 'Textual data',
  sBIT: 'Significant bits', sRGB: 'Standard RGB colour space', tIME: 'Image last-modification time',
  IDAT: 'Image data chunk', IEND: 'Image Trailer', PLTE: 'Palette', tRNS: 'Transparency', iTXt: 'International textual data',
};

const COLOUR_TYPES: Readonly<Record<number, string>> = { 0: 'Greyscale', 2: 'Truecolour', 3: 'Indexed-colour', 4: 'Greyscale with alpha', 6: 'Truecolour with alpha' };
const INTENTS: Readonly<Record<number, string>> = { 0: 'Perceptual', 1: 'Relative colorimetric', 2: 'Saturation', 3: 'Absolute colorimetric' };
const CHRM = ['White X', 'White Y', 'Red X', 'Red Y', 'Green X', 'Green Y', 'Blue X', 'Blue Y'] as const;
const CHRM_FIELDS = ['white.x', 'white.y', 'red.x', 'red.y', 'green.x', 'green.y', 'blue.x', 'blue.y'] as const;

/** A value_string's text: "Name (n)", or "Unknown (n)". */
function named(names: Readonly<Record<number, string>>, value: number): string {
  return `${names[value] ?? 'Unknown'} (${value})`;
}

/** An FT_FLOAT as Wireshark prints it: the single-precision value with %g's six significant digits. */
export function floatText(x: number): string {
  const f = Math.fround(x);
  if (f === 0 || !Number.isFinite(f)) return String(f);
  const exponent = Math.floor(Math.log10(Math.abs(f)));
  if (exponent >= -4 && exponent < 6) return String(Number(f.toPrecision(6)));
  const [mantissa, power] = f.toExponential(5).split('e') as [string, string];
  const e = Number(power);
  return `${mantissa.replace(/\.?0+$/, '')}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

/** Adds the PNG tree of data[start, stop) (the signature checked by the caller) to `b`. */
export function addPngTree(b: LayerBuilder, data: Buffer, start: number, stop: number): void {
  if (!b.wantsAny('png.') && !b.wants('')) return;
  b.add('png.signature', () => `PNG Signature: ${bytesHex(data, start, 8)}`, data.subarray(start, start + 8), start, 8, () => bytesHex(data, start, 8));
  let at = start + 8;
  // Set when a chunk's decoder reads past its data: tshark's exception ends the tree there.
  let short = false;
  while (at < stop) {
    // tshark reads the length and type, then adds the chunk's item: past the bytes, it throws.
    if (stop - at < 12) return;
    const length = data.readUInt32BE(at);
    if (length > stop - at - 12) return;
    const chunkAt = at;
    const type = data.readUInt32BE(at + 4);
    const typeText = data.toString('latin1', at + 4, at + 8);
    const body = at + 8;
    const name = Object.hasOwn(CHUNK_NAMES, typeText) ? CHUNK_NAMES[typeText]! : 'unknown';
    b.group('', () => `${name} (${typeText})`, null, chunkAt, 12 + length, () => {
      b.add('png.chunk.len', () => `Len: ${length}`, length, chunkAt, 4);
      b.add('png.chunk.type', () => `Chunk: ${typeText}`, typeText, chunkAt + 4, 4);
      const flag = (abbrev: string, mask: number, label: string, set: string, unset: string): void => {
        const on = (type & mask) !== 0;
        b.add(abbrev, () => `${bitPicture(type, mask, 32)} = ${label}: ${on ? set : unset}`, on, chunkAt + 4, 4);
      };
      flag('png.chunk.flag.ancillary', 0x20000000, 'Ancillary', 'This is an ANCILLARY chunk', 'This is a CRITICAL chunk');
      flag('png.chunk.flag.private', 0x00200000, 'Private', 'This is a PRIVATE chunk', 'This is a PUBLIC chunk');
      flag('png.chunk.flag.stc', 0x00000020, 'Safe To Copy', 'This chunk is SAFE TO COPY', 'This chunk is NOT safe to copy');
      try {
        chunkFields(b, data, typeText, body, length);
      } catch (err) {
        if (err !== SHORT) throw err;
        short = true;
        return;
      }
      const crc = data.readUInt32BE(body + length);
      b.add('png.chunk.crc', () => `CRC: ${hex(crc, 8)}`, crc, body + length, 4, () => hex(crc, 8));
    });
    if (short) return;
    at = body + length + 4;
  }
}

/** The fields of one chunk's data, data[at, at + length). */
function chunkFields(b: LayerBuilder, data: Buffer, type: string, at: number, length: number): void {
  // Each decoder reads inside the chunk's data: a read past it throws SHORT.
  const end = at + length;
  const u8 = (k: number): number => (at + k < end ? data[at + k]! : short());
  const u16 = (k: number): number => (at + k + 2 <= end ? data.readUInt16BE(at + k) : short());
  const u32 = (k: number): number => (at + k + 4 <= end ? data.readUInt32BE(at + k) : short());
  switch (type) {
    case 'IHDR': {
      const width = u32(0);
      b.add('png.ihdr.width', () => `Width: ${width}`, width, at, 4);
      const height = u32(4);
      b.add('png.ihdr.height', () => `Height: ${height}`, height, at + 4, 4);
      const depth = u8(8);
      b.add('png.ihdr.bitdepth', () => `Bit Depth: ${depth}`, depth, at + 8, 1);
      const colour = u8(9);
      b.add('png.ihdr.colour_type', () => `Colour Type: ${named(COLOUR_TYPES, colour)}`, colour, at + 9, 1);
      const compression = u8(10);
      b.add('png.ihdr.compression_method', () => `Compression Method: ${named({ 0: 'Deflate' }, compression)}`, compression, at + 10, 1);
      const filter = u8(11);
      b.add('png.ihdr.filter_method', () => `Filter Method: ${named({ 0: 'Adaptive' }, filter)}`, filter, at + 11, 1);
      const interlace = u8(12);
      b.add('png.ihdr.interlace_method', () => `Interlace Method: ${named({ 0: 'No interlace', 1: 'Adam7' }, interlace)}`, interlace, at + 12, 1);
      return;
    }
    case 'gAMA': {
      const gamma = floatText(u32(0) / 100000);
      b.add('png.gama.gamma', () => `Gamma: ${gamma}`, Number(gamma), at, 4, gamma);
      return;
    }
    case 'cHRM':
      for (let k = 0; k < 8; k++) {
        const value = floatText(u32(4 * k) / 100000);
        b.add(`png.chrm.${CHRM_FIELDS[k]!}`, () => `${CHRM[k]!}: ${value}`, Number(value), at + 4 * k, 4, value);
      }
      return;
    case 'sRGB': {
      const intent = u8(0);
      b.add('png.srgb.intent', () => `Intent: ${named(INTENTS, intent)}`, intent, at, 1);
      return;
    }
    case 'bKGD':
      if (length === 1) {
        const index = u8(0);
        b.add('png.bkgd.palette_index', () => `Palette Index: ${index}`, index, at, 1);
      } else if (length === 2) {
        const grey = u16(0);
        b.add('png.bkgd.greyscale', () => `Greyscale: ${hex(grey, 4)}`, grey, at, 2, () => hex(grey, 4));
      } else if (length === 6) {
        (['red', 'green', 'blue'] as const).forEach((colour, k) => {
          const value = u16(2 * k);
          b.add(`png.bkgd.${colour}`, () => `${colour[0]!.toUpperCase()}${colour.slice(1)}: ${hex(value, 4)}`, value, at + 2 * k, 2, () => hex(value, 4));
        });
      }
      return;
    case 'pHYs': {
      const horizontal = u32(0);
      b.add('png.phys.horiz', () => `Horizontal pixels per unit: ${horizontal}`, horizontal, at, 4);
      const vertical = u32(4);
      b.add('png.phys.vert', () => `Vertical pixels per unit: ${vertical}`, vertical, at + 4, 4);
      const unit = u8(8);
      b.add('png.phys.unit', () => `Unit: ${named({ 0: 'Unit is unknown', 1: 'Unit is METRE' }, unit)}`, unit, at + 8, 1);
      return;
    }
    case 'tIME': {
      const year = u16(0);
      b.add('png.time.year', () => `Year: ${year}`, year, at, 2);
      (['month', 'day', 'hour', 'minute', 'second'] as const).forEach((part, k) => {
        const value = u8(2 + k);
        b.add(`png.time.${part}`, () => `${part[0]!.toUpperCase()}${part.slice(1)}: ${value}`, value, at + 2 + k, 1);
      });
      return;
    }
    case 'tEXt': {
      // The keyword runs to the first NUL from its second byte on; the text is the rest.
      let nul = at + 1;
      while (u8(nul - at) !== 0) nul++;
      // Latin-1 text (ISO 8859-1, as tEXt is): the tree line as format_text shows it (control
      // characters escaped), the value as -T fields prints it (\b \t \n \f \r escaped, the rest as it is).
      const keyword = data.toString('latin1', at, nul);
      b.add('png.text.keyword', () => `Keyword: ${latin1Line(keyword)}`, keyword, at, nul - at, () => latin1Field(keyword));
      const text = data.toString('latin1', nul + 1, end);
      b.add('png.text.string', () => `String: ${latin1Line(text)}`, text, nul + 1, end - nul - 1, () => latin1Field(text));
      return;
    }
    default:
      if (length > 0) b.add('png.chunk.data', 'Data', null, at, length, '');
  }
}

/** A read past a chunk's data (chunkFields): the tree ends there, as tshark's does. */
const SHORT = new Error('PNG chunk data too short');

function short(): never {
  throw SHORT;
}

/** A Latin-1 string as format_text shows it in a tree line. */
function latin1Line(text: string): string {
  return formatText(Buffer.from(text, 'utf8'));
}

/** A string field's value as tshark's -T fields prints it: \b \t \n \f \r escaped, the rest as it is. */
function latin1Field(text: string): string {
  return text.replace(/[\b\t\n\f\r]/g, (c) => FIELD_ESCAPES[c]!);
}

const FIELD_ESCAPES: Record<string, string> = { '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r' };
