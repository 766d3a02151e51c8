/**
 * JPEG images (an HTTP body of type image/jpeg, image/jpg or image/jfif), as tshark 4.0's
 * file-jpeg.c shows them: the markers in order with their segments (APP0 JFIF/JFXX, APP1 Exif with
 * its TIFF image file directories and their values, APP2, start of frame, start of scan,
 * comments, the others' remaining data), the entropy-coded data between markers and fill bytes.
 * A read past the body is tshark's exception: the walk stops and the caller marks the body.
 */
import { hex, type LayerBuilder } from './builder';
import type { Field } from './model';
import { bitPicture, bytesHex } from './format';
import { formatText } from './app-format';
import { addExpertTo } from './expert';

const MARKER_NAMES: Readonly<Record<number, string>> = (() => {
  const names: Record<number, string> = {
    0xff01: 'Reserved - For temporary private use in arithmetic coding',
    0xffc0: 'Start of Frame (non-differential, Huffman coding) - Baseline DCT',
    0xffc1: 'Start of Frame (non-differential, Huffman coding) - Extended sequential DCT',
    0xffc2: 'Start of Frame (non-differential, Huffman coding) - Progressive DCT',
    0xffc3: 'Start of Frame (non-differential, Huffman coding) - Lossless (sequential)',
    0xffc4: 'Define Huffman table(s)',
    0xffc5: 'Start of Frame (differential, Huffman coding) - Differential sequential DCT',
    0xffc6: 'Start of Frame (differential, Huffman coding) - Differential progressive DCT',
    0xffc7: 'Start of Frame (differential, Huffman coding) - Differential lossless (sequential)',
    0xffc8: 'Start of Frame (non-differential, arithmetic coding) - Reserved for JPEG extensions',
    0xffc9: 'Start of Frame (non-differential, arithmetic coding) - Extended sequential DCT',
    0xffca: 'Start of Frame (non-differential, arithmetic coding) - Progressive DCT',
    0xffcb: 'Start of Frame (non-differential, arithmetic coding) - Lossless (sequential)',
    0xffcc: 'Define arithmetic coding conditioning(s)',
    0xffcd: 'Start of Frame (differential, arithmetic coding) - Differential sequential DCT',
    0xffce: 'Start of Frame (differential, arithmetic coding) - Differential progressive DCT',
    0xffcf: 'Start of Frame (differential, arithmetic coding) - Differential lossless (sequential)',
    0xffd8: 'Start of Image', 0xffd9: 'End of Image', 0xffda: 'Start of Scan', 0xffdb: 'Define quantization table(s)',
    0xffdc: 'Define number of lines', 0xffdd: 'Define restart interval', 0xffde: 'Define hierarchical progression',
    0xffdf: 'Expand reference component(s)', 0xfffe: 'Comment',
  };
  for (let k = 0; k < 8; k++) names[0xffd0 + k] = `Restart interval termination - Restart with modulo 8 count ${k}`;
  for (let k = 0; k < 16; k++) names[0xffe0 + k] = `Reserved for application segments - ${k}`;
  for (let k = 0; k < 14; k++) names[0xfff0 + k] = `Reserved for JPEG extensions - ${k}`;
  return names;
})();

const UNITS: Readonly<Record<number, string>> = { 0: 'No units; Xdensity and Ydensity specify the pixel aspect ratio', 1: 'Dots per inch', 2: 'Dots per centimeter' };
const EXTENSION_CODES: Readonly<Record<number, string>> = { 0x10: 'Thumbnail encoded using JPEG', 0x11: 'Thumbnail encoded using 1 byte (8 bits) per pixel', 0x13: 'Thumbnail encoded using 3 bytes (24 bits) per pixel' };
const EXIF_TYPES: Readonly<Record<number, string>> = { 1: 'BYTE', 2: 'ASCII', 3: 'SHORT', 4: 'LONG', 5: 'RATIONAL', 7: 'UNDEFINED', 9: 'SLONG', 10: 'SRATIONAL' };
const TYPE_SIZES: Readonly<Record<number, number>> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 };

const IFD_TAGS: Readonly<Record<number, string>> = {
  0x0100: 'ImageWidth', 0x0101: 'ImageLength', 0x0102: 'BitsPerSample', 0x0103: 'Compression', 0x0106: 'PhotometricInterpretation',
  0x0112: 'Orientation', 0x0115: 'SamplesPerPixel', 0x011c: 'PlanarConfiguration', 0x0212: 'YCbCrSubSampling', 0x0213: 'YCbCrPositioning',
  0x011a: 'XResolution', 0x011b: 'YResolution', 0x0128: 'ResolutionUnit', 0x0111: 'StripOffsets', 0x0116: 'RowsPerStrip',
  0x0117: 'StripByteCounts', 0x0201: 'JPEGInterchangeFormat', 0x0202: 'JPEGInterchangeFormatLength', 0x012d: 'TransferFunction',
  0x013e: 'WhitePoint', 0x013f: 'PrimaryChromaticities', 0x0211: 'YCbCrCoefficients', 0x0214: 'ReferenceBlackWhite', 0x0132: 'DateTime',
  0x010e: 'ImageDescription', 0x010f: 'Make', 0x0110: 'Model', 0x0131: 'Software', 0x013b: 'Artist', 0x8298: 'Copyright',
  0x8769: 'Exif IFD Pointer', 0x8825: 'GPS IFD Pointer', 0xa005: 'Interoperability IFD Pointer',
};
const EXIF_TAGS: Readonly<Record<number, string>> = {
  0x9000: 'ExifVersion', 0xa000: 'FlashpixVersion', 0xa001: 'ColorSpace', 0xa500: 'Gamma', 0x9101: 'ComponentsConfiguration',
  0x9102: 'CompressedBitsPerPixel', 0xa002: 'PixelXDimension', 0xa003: 'PixelYDimension', 0x927c: 'MakerNote', 0x9286: 'UserComment',
  0xa004: 'RelatedSoundFile', 0x9003: 'DateTimeOriginal', 0x9004: 'DateTimeDigitized', 0x9010: 'OffsetTime', 0x9011: 'OffsetTimeOriginal',
  0x9012: 'OffsetTimeDigitized', 0x9290: 'SubSecTime', 0x9291: 'SubSecTimeOriginal', 0x9292: 'SubSecTimeDigitized', 0x829a: 'ExposureTime',
  0x829d: 'FNumber', 0x8822: 'ExposureProgram', 0x8824: 'SpectralSensitivity', 0x8827: 'PhotographicSensitivity', 0x8828: 'OECF',
  0x8830: 'SensitivityType', 0x8831: 'StandardOutputSensitivity', 0x8832: 'RecommendedExposureIndex', 0x8833: 'ISOSpeed',
  0x8834: 'ISOSpeedLatitudeyyy', 0x8835: 'ISOSpeedLatitudezzz', 0x9201: 'ShutterSpeedValue', 0x9202: 'ApertureValue', 0x9203: 'BrightnessValue',
  0x9204: 'ExposureBiasValue', 0x9205: 'MaxApertureValue', 0x9206: 'SubjectDistance', 0x9207: 'MeteringMode', 0x9208: 'LightSource',
  0x9209: 'Flash', 0x920a: 'FocalLength', 0x9214: 'SubjectArea', 0xa20b: 'FlashEnergy', 0xa20c: 'SpatialFrequencyResponse',
  0xa20e: 'FocalPlaneXResolution', 0xa20f: 'FocalPlaneYResolution', 0xa210: 'FocalPlaneResolutionUnit', 0xa214: 'SubjectLocation',
  0xa215: 'ExposureIndex', 0xa217: 'SensingMethod', 0xa300: 'FileSource', 0xa301: 'SceneType', 0xa302: 'CFAPattern', 0xa401: 'CustomRendered',
  0xa402: 'ExposureMode', 0xa403: 'WhiteBalance', 0xa404: 'DigitalZoomRatio', 0xa405: 'FocalLengthIn35mmFilm', 0xa406: 'SceneCaptureType',
  0xa407: 'GainControl', 0xa408: 'Contrast', 0xa409: 'Saturation', 0xa40a: 'Sharpness', 0xa40b: 'DeviceSettingDescription',
  0xa40c: 'SubjectDistanceRange', 0xa460: 'CompositeImage', 0xa461: 'SourceImageNumberOfCompositeImage', 0xa462: 'SourceExposureTimesOfCompositeImage',
  0x9400: 'Temperature', 0x9401: 'Humidity', 0x9402: 'Pressure', 0x9403: 'WaterDepth', 0x9404: 'Acceleration', 0x9405: 'CameraElevationAngle',
  0xa420: 'ImageUniqueID', 0xa430: 'CameraOwnerName', 0xa431: 'BodySerialNumber', 0xa432: 'LensSpecification', 0xa433: 'LensMake',
  0xa434: 'LensModel', 0xa435: 'LensSerialNumber',
};
const GPS_TAGS: Readonly<Record<number, string>> = Object.fromEntries(
  ['GPSVersionID', 'GPSLatitudeRef', 'GPSLatitude', 'GPSLongitudeRef', 'GPSLongitude', 'GPSAltitudeRef', 'GPSAltitude', 'GPSTimeStamp',
    'GPSSatellites', 'GPSStatus', 'GPSMeasureMode', 'GPSDOP', 'GPSSpeedRef', 'GPSSpeed', 'GPSTrackRef', 'GPSTrack', 'GPSImgDirectionRef',
    'GPSImgDirection', 'GPSMapDatum', 'GPSDestLatitudeRef', 'GPSDestLatitude', 'GPSDestLongitudeRef', 'GPSDestLongitude', 'GPSDestBearingRef',
    'GPSDestBearing', 'GPSDestDistanceRef', 'GPSDestDistance', 'GPSProcessingMethod', 'GPSAreaInformation', 'GPSDateStamp', 'GPSDifferential',
    'GPSHPositioningError'].map((name, k) => [k, name]),
);
const INTEROP_TAGS: Readonly<Record<number, string>> = { 1: 'InteroperabilityIndex' };

/** The image directories a pointer tag opens (IFD0's Exif, GPS and Interoperability pointers). */
const POINTERS: Readonly<Record<number, { abbrev: string; names: Readonly<Record<number, string>>; title: string }>> = {
  0x8769: { abbrev: 'image-jfif.ifd.tag_exif', names: EXIF_TAGS, title: 'Exif IFD' },
  0x8825: { abbrev: 'image-jfif.ifd.tag_gps', names: GPS_TAGS, title: 'GPS IFD' },
  0xa005: { abbrev: 'image-jfif.ifd.tag_interop', names: INTEROP_TAGS, title: 'Interoperability IFD' },
};

/** A read past the bytes: file-jpeg.c's exception. */
class Short extends Error {}
const SHORT = new Short('JPEG data too short');

function named(names: Readonly<Record<number, string>>, value: number): string {
  return Object.hasOwn(names, value) ? names[value]! : 'Unknown';
}

/** Whether the body is one tshark's JFIF dissector takes: 20 bytes at least, SOI, then "JFIF" or "Exif" (and a NUL) at offset 6. */
export function jfifClaims(data: Buffer, start: number, stop: number): boolean {
  if (stop - start < 20 || data[start] !== 0xff || data[start + 1] !== 0xd8) return false;
  const id = data.toString('latin1', start + 6, start + 11);
  return id === 'Exif\0' || id === 'JFIF\0';
}

/**
 * Walks data[start, stop) as dissect_jfif does, adding its tree to `b` when one is wanted.
 * Returns false where tshark's walk throws (a read past the body).
 */
export function addJfifTree(b: LayerBuilder, data: Buffer, start: number, stop: number): boolean {
  const tree = b.wantsAny('image-jfif.') || b.wants('');
  const walker = new JfifWalk(b, data, start, stop, tree);
  try {
    walker.run();
    return true;
  } catch (err) {
    if (err instanceof Short) return false;
    throw err;
  }
}

class JfifWalk {
  private firstNotJfif: boolean;

  constructor(
    private readonly b: LayerBuilder,
    private readonly data: Buffer,
    private readonly start: number,
    private readonly stop: number,
    private readonly tree: boolean,
  ) {
    this.firstNotJfif = data.toString('latin1', start + 6, start + 11) === 'Exif\0';
  }

  private u8(at: number, end = this.stop): number {
    if (at < this.start || at + 1 > Math.min(end, this.stop)) throw SHORT;
    return this.data[at]!;
  }

  private u16(at: number, little = false, end = this.stop): number {
    if (at < this.start || at + 2 > Math.min(end, this.stop)) throw SHORT;
    return little ? this.data.readUInt16LE(at) : this.data.readUInt16BE(at);
  }

  private u32(at: number, little = false, end = this.stop): number {
    if (at < this.start || at + 4 > Math.min(end, this.stop)) throw SHORT;
    return little ? this.data.readUInt32LE(at) : this.data.readUInt32BE(at);
  }

  /** An FT_BYTES label: the bytes in hex, cut at 36 with an ellipsis. */
  private bytesLabel(name: string, at: number, length: number): string {
    return `${name}: ${bytesHex(this.data, at, Math.min(length, 36))}${length > 36 ? '…' : ''}`;
  }

  private markerField(at: number, suffix = ''): Field {
    const marker = this.u16(at);
    const b = this.b;
    return b.add('image-jfif.marker', () => `Marker: ${named(MARKER_NAMES, marker)} (${hex(marker, 4)})${suffix}`, marker, at, 2, () => hex(marker, 4));
  }

  run(): void {
    const { b, data, stop } = this;
    let entropy = this.start;
    for (;;) {
      // tvb_find_guint8 from past the end throws; from the end it finds nothing.
      if (entropy > stop) throw SHORT;
      let fill = entropy;
      for (;;) {
        fill = data.indexOf(0xff, fill);
        if (fill < 0 || fill >= stop) {
          fill = -1;
          break;
        }
        if (stop - fill === 1 || data[fill + 1] !== 0) break;
        fill += 2;
        if (fill > stop) {
          fill = -1;
          break;
        }
      }
      if (fill < 0) fill = stop;
      if (fill !== entropy && this.tree) {
        const from = entropy;
        const length = fill - entropy;
        b.add('image-jfif.entropy_coded_segment', () => this.bytesLabel('Entropy-coded segment (dissection is not yet implemented)', from, length), data.subarray(from, fill), from, length, () => bytesHex(data, from, length));
      }
      if (fill === stop) return;
      let at = fill;
      while (this.u8(at + 1) === 0xff) at++;
      if (at !== fill && this.tree) {
        const from = fill;
        const length = at - fill;
        b.add('image-jfif.fill_bytes', () => this.bytesLabel('Fill bytes', from, length), data.subarray(from, at), from, length, () => bytesHex(data, from, length));
      }
      const marker = this.u16(at);
      if (!Object.hasOwn(MARKER_NAMES, marker)) {
        if (this.tree) this.markerField(at, ' (Reserved)');
        return;
      }
      const hasLength = !(marker === 0xff01 || marker === 0xffd8 || marker === 0xffd9 || (marker >= 0xffd0 && marker <= 0xffd7));
      if (!hasLength) {
        if (this.tree) this.markerField(at);
        entropy = at + 2;
        continue;
      }
      const len = this.u16(at + 2);
      if (this.tree) this.segment(marker, at, len);
      entropy = at + 2 + len;
    }
  }

  /** One marker segment data[at, at + 2 + len) (its bytes may run past the body: reads there throw). */
  private segment(marker: number, at: number, len: number): void {
    const b = this.b;
    const end = at + 2 + len;
    const name = MARKER_NAMES[marker]!;
    const heading = `${name} (0x${marker.toString(16).toUpperCase().padStart(4, '0')})`;
    const head = (): void => {
      this.markerField(at);
      b.add('image-jfif.length', () => `Length: ${len}`, len, at + 2, 2);
    };
    if (marker >= 0xffc0 && marker <= 0xffcf && marker !== 0xffc4 && marker !== 0xffcc) {
      b.group('image-jfif.sof', () => `Start of Frame header: ${heading}`, null, at, Math.min(end, this.stop) - at, () => this.sof(at, end, head), '');
      return;
    }
    if (marker === 0xffda) {
      b.group('image-jfif.header.sos', () => `Start of Segment header: ${heading}`, null, at, Math.min(end, this.stop) - at, () => this.sos(at, end, head), '');
      return;
    }
    if (marker === 0xfffe) {
      b.group('image-jfif.header.comment', () => `Comment header: ${heading}`, null, at, Math.min(end, this.stop) - at, () => {
        head();
        const length = len - 2;
        if (at + 4 + length > Math.min(end, this.stop)) throw SHORT;
        const text = formatText(this.data.subarray(at + 4, at + 4 + length).subarray(0, nulAt(this.data, at + 4, at + 4 + length) - (at + 4)));
        b.add('image-jfif.comment', () => `Comment: ${text}`, text, at + 4, length);
      }, '');
      return;
    }
    b.group('image-jfif.marker_segment', () => `Marker segment: ${heading}`, null, at, Math.min(end, this.stop) - at, () => {
      head();
      if (marker === 0xffe0) this.app0(at, end, len);
      else if (marker === 0xffe1) this.app1(at, end, len);
      else if (marker === 0xffe2) this.app2(at, end, len);
      else this.remaining(at + 4, end, len - 2);
    }, '');
    const flashpix = this.takeFlashpix();
    if (flashpix !== null) b.add('image-jfif.exif_flashpix_marker', 'Exif FlashPix APP2 application marker', null, flashpix.at, flashpix.length, '');
  }

  /** "Remaining segment data: N bytes" over what the segment holds from `from` on. */
  private remaining(from: number, end: number, shown: number): void {
    const stop = Math.min(end, this.stop);
    // A start past the bytes throws (tvb offsets); at the end, an empty item.
    if (from > stop) throw SHORT;
    const data = this.data;
    this.b.add('image-jfif.remain_seg_data', () => `Remaining segment data: ${shown >>> 0} bytes`, data.subarray(from, stop), from, stop - from, () => bytesHex(data, from, stop - from));
  }

  /** The identifier: a NUL-ended string from `at` (the NUL counted); its field and the string. */
  private identifier(at: number, end: number, known: readonly string[], unknown: string): { field: Field; text: string; size: number } {
    const stop = Math.min(end, this.stop);
    const nul = this.data.indexOf(0, at);
    if (nul < 0 || nul >= stop) throw SHORT;
    const text = formatText(this.data.subarray(at, nul));
    const size = nul + 1 - at;
    const suffix = known.includes(text) ? '' : unknown;
    const field = this.b.add('image-jfif.identifier', () => `Identifier: ${text}${suffix}`, text, at, size);
    return { field, text, size };
  }

  private app0(at: number, end: number, len: number): void {
    const b = this.b;
    const { text, size } = this.identifier(at + 4, end, ['JFIF', 'JFXX'], ' (unknown identifier)');
    if (text === 'JFIF') {
      const major = this.u8(at + 9, end);
      const minor = this.u8(at + 10, end);
      b.group('image-jfif.version', () => `Version: ${major}.${minor}`, null, at + 9, 2, () => {
        b.add('image-jfif.version.major', () => `Major Version: ${major}`, major, at + 9, 1);
        b.add('image-jfif.version.minor', () => `Minor Version: ${minor}`, minor, at + 10, 1);
      }, '');
      const units = this.u8(at + 11, end);
      b.add('image-jfif.units', () => `Units: ${named(UNITS, units)} (${units})`, units, at + 11, 1);
      const xd = this.u16(at + 12, false, end);
      b.add('image-jfif.Xdensity', () => `Xdensity: ${xd}`, xd, at + 12, 2);
      const yd = this.u16(at + 14, false, end);
      b.add('image-jfif.Ydensity', () => `Ydensity: ${yd}`, yd, at + 14, 2);
      const x = this.u8(at + 16, end);
      b.add('image-jfif.Xthumbnail', () => `Xthumbnail: ${x}`, x, at + 16, 1);
      const y = this.u8(at + 17, end);
      b.add('image-jfif.Ythumbnail', () => `Ythumbnail: ${y}`, y, at + 17, 1);
      if (x || y) {
        const length = 3 * x * y;
        if (at + 18 + length > Math.min(end, this.stop)) throw SHORT;
        const data = this.data;
        b.add('image-jfif.RGB', () => this.bytesLabel('RGB values of thumbnail pixels', at + 18, length), data.subarray(at + 18, at + 18 + length), at + 18, length, () => bytesHex(data, at + 18, length));
      }
    } else if (text === 'JFXX') {
      const code = this.u8(at + 9, end);
      b.add('image-jfif.extension.code', () => `Extension code: ${named(EXTENSION_CODES, code)} (${hex(code, 2)})`, code, at + 9, 1, () => hex(code, 2));
    } else this.remaining(at + 4 + size, end, len - 2 - size);
  }

  private app1(at: number, end: number, len: number): void {
    const { field, text, size } = this.identifier(at + 4, end, ['Exif'], ' (Unknown identifier)');
    if (this.firstNotJfif && text !== 'JFIF') addExpertTo(this.b, field, 'image-jfif.app0-identifier-not-jfif', 'Warning', 'Protocol', 'Initial App0 segment with "JFIF" Identifier not found');
    this.firstNotJfif = false;
    if (text === 'Exif') {
      // One byte (a NUL) skipped, then the TIFF header: offsets count from it, inside the segment.
      this.tiff(at + 4 + size + 1, end);
    } else this.remaining(at + 4 + size, end, len - 2 - size);
  }

  private app2(at: number, end: number, len: number): void {
    const { text, size } = this.identifier(at + 4, end, ['FPXR'], ' (Unknown identifier)');
    if (text === 'FPXR') {
      // Added to the JFIF tree, after the segment's own item (tshark's parent tree).
      this.flashpix = { at, length: Math.min(end, this.stop) - at };
    } else this.remaining(at + 4 + size, end, len - 2 - size);
  }

  /** An FPXR APP2 segment: its item goes into the JFIF tree after the segment (segment() adds it). */
  private flashpix: { at: number; length: number } | null = null;

  private sof(at: number, end: number, head: () => void): void {
    const b = this.b;
    head();
    const precision = this.u8(at + 4, end);
    b.add('image-jfif.sof.precision', () => `Sample Precision (bits): ${precision}`, precision, at + 4, 1);
    const lines = this.u16(at + 5, false, end);
    b.add('image-jfif.sof.lines', () => `Lines: ${lines}`, lines, at + 5, 2);
    const samples = this.u16(at + 7, false, end);
    b.add('image-jfif.sof.samples_per_line', () => `Samples per line: ${samples}`, samples, at + 7, 2);
    const count = this.u8(at + 9, end);
    b.add('image-jfif.sof.nf', () => `Number of image components in frame: ${count}`, count, at + 9, 1);
    let offset = at + 10;
    for (let k = 0; k < count; k++) {
      const id = this.u8(offset, end);
      b.add('image-jfif.sof.c_i', () => `Component identifier: ${id}`, id, offset, 1);
      const factors = this.u8(offset + 1, end);
      b.add('image-jfif.sof.h_i', () => `${bitPicture(factors, 0xf0, 8)} = Horizontal sampling factor: ${factors >> 4}`, factors >> 4, offset + 1, 1);
      b.add('image-jfif.sof.v_i', () => `${bitPicture(factors, 0x0f, 8)} = Vertical sampling factor: ${factors & 15}`, factors & 15, offset + 1, 1);
      const tq = this.u8(offset + 2, end);
      b.add('image-jfif.sof.tq_i', () => `Quantization table destination selector: ${tq}`, tq, offset + 2, 1);
      offset += 3;
    }
  }

  private sos(at: number, end: number, head: () => void): void {
    const b = this.b;
    head();
    const count = this.u8(at + 4, end);
    b.add('image-jfif.sos.ns', () => `Number of image components in scan: ${count}`, count, at + 4, 1);
    let offset = at + 5;
    for (let k = 0; k < count; k++) {
      const selector = this.u8(offset, end);
      b.add('image-jfif.sos.component_selector', () => `Scan component selector: ${selector}`, selector, offset, 1);
      const tables = this.u8(offset + 1, end);
      b.add('image-jfif.sos.dc_entropy_selector', () => `${bitPicture(tables, 0xf0, 8)} = DC entropy coding table destination selector: ${tables >> 4}`, tables >> 4, offset + 1, 1);
      b.add('image-jfif.sos.ac_entropy_selector', () => `${bitPicture(tables, 0x0f, 8)} = AC entropy coding table destination selector: ${tables & 15}`, tables & 15, offset + 1, 1);
      offset += 2;
    }
    const ss = this.u8(offset, end);
    b.add('image-jfif.sos.ss', () => `Start of spectral or predictor selection: ${ss}`, ss, offset, 1);
    const se = this.u8(offset + 1, end);
    b.add('image-jfif.sos.se', () => `End of spectral selection: ${se}`, se, offset + 1, 1);
    const approximation = this.u8(offset + 2, end);
    b.add('image-jfif.sos.ah', () => `${bitPicture(approximation, 0xf0, 8)} = Successive approximation bit position high: ${approximation >> 4}`, approximation >> 4, offset + 2, 1);
    b.add('image-jfif.sos.al', () => `${bitPicture(approximation, 0x0f, 8)} = Successive approximation bit position low or point transform: ${approximation & 15}`, approximation & 15, offset + 2, 1);
  }

  /** process_tiff: the byte order, the first directory's offset, then the directories. Offsets count from `base`. */
  private tiff(base: number, end: number): void {
    const b = this.b;
    const order = this.u16(base, false, end);
    if (order !== 0x4949 && order !== 0x4d4d) {
      b.add('image-jfif.endianness', () => `Endianness: Incorrect encoding ${hex(order, 4)}- skipping the remainder of this application marker`, order, base, 2, () => hex(order, 4));
      return;
    }
    const little = order === 0x4949;
    b.add('image-jfif.endianness', () => `Endianness: ${little ? 'little' : 'big'} endian`, order, base, 2, () => hex(order, 4));
    const first = this.u32(base + 4, little, end);
    const field = b.add('image-jfif.start_ifd_offset', () => `Start offset of IFD starting from the TIFF header start: ${first} byte${first === 1 ? '' : 's'}`, first, base + 4, 4);
    if (first < 8) {
      addExpertTo(b, field, 'image-jfif.start_ifd_offset.invalid', 'Warning', 'Protocol', ' (bogus, should be >= 8)');
      return;
    }
    this.ifdChain(base, end, little, first, 'image-jfif.ifd.tag', IFD_TAGS, 'Image File Directory');
  }

  /** process_tiff_ifd_chain: directories from `first` on (offsets from `base`), their entries and values. */
  private ifdChain(base: number, end: number, little: boolean, first: number, tagAbbrev: string, tagNames: Readonly<Record<number, string>>, title: string): void {
    const b = this.b;
    const tiffLength = end - base;
    let next = first;
    for (let index = 0; ; index++) {
      let offset = base + next;
      const fields = this.u16(offset, little, end);
      let nextOffset = 0;
      let stopChain = false;
      // Values outside the directory go into the segment's tree after it (tshark's parent tree).
      const later: (() => void)[] = [];
      b.group('', `${title} #${index}`, null, offset, fields * 12 + 6, () => {
        b.add('image-jfif.ifd.num_fields', () => `Number of fields in this IFD: ${fields}`, fields, offset, 2);
        offset += 2;
        for (let k = 0; k < fields; k++) {
          const tag = this.u16(offset, little, end);
          b.add(tagAbbrev, () => `Tag: ${named(tagNames, tag)} (${tag})`, tag, offset, 2);
          const type = this.u16(offset + 2, little, end);
          b.add('image-jfif.ifd.type', () => `Type: ${named(EXIF_TYPES, type)} (${type})`, type, offset + 2, 2);
          const count = this.u32(offset + 4, little, end);
          b.add('image-jfif.ifd.count', () => `Count: ${count}`, count, offset + 4, 4);
          offset += 8;
          const size = TYPE_SIZES[type] ?? 0;
          if (size === 0 || Math.floor(4 / size) < count) {
            const valueOffset = this.u32(offset, little, end);
            const field = b.add('image-jfif.ifd.offset', () => `Value offset from start of TIFF header: ${valueOffset}`, valueOffset, offset, 4);
            if (valueOffset < tiffLength) {
              later.push(() => this.values(base, end, little, type, size, count, base + valueOffset, tagAbbrev, tag, later));
            } else addExpertTo(b, field, 'image-jfif.ifd_value_offset.invalid', 'Warning', 'Protocol', `bogus, should be < ${tiffLength}`);
          } else this.values(base, end, little, type, size, count, offset, tagAbbrev, tag, later);
          offset += 4;
        }
        nextOffset = this.u32(offset, little, end);
        const field = b.add('image-jfif.next_ifd_offset', () => `Offset to next IFD from start of TIFF header: ${nextOffset} byte${nextOffset === 1 ? '' : 's'}`, nextOffset, offset, 4);
        offset += 4;
        if (nextOffset !== 0 && base + nextOffset < offset) {
          addExpertTo(b, field, 'image-jfif.next_ifd_offset.invalid', 'Warning', 'Protocol', ` (bogus, should be >= ${offset - base})`);
          stopChain = true;
        }
      }, '');
      for (const add of later.splice(0)) add();
      if (nextOffset === 0 || stopChain) return;
      next = nextOffset;
    }
  }

  /** The values of one entry at data[at...) (inline, or where its offset points); a pointer tag of IFD0 opens its directory. */
  private values(base: number, end: number, little: boolean, type: number, size: number, count: number, at: number, tagAbbrev: string, tag: number, later: (() => void)[]): void {
    const b = this.b;
    const data = this.data;
    if (type === 2 || type === 7) {
      if (at + count > Math.min(end, this.stop)) throw SHORT;
      if (type === 2) {
        const text = formatText(data.subarray(at, nulAt(data, at, at + count)));
        b.add('image-jfif.ifd.value_ascii', () => `Value: ${text}`, text, at, count);
      } else b.add('image-jfif.ifd.value_undefined', () => this.bytesLabel('Value (raw)', at, count), data.subarray(at, at + count), at, count, () => bytesHex(data, at, count));
      return;
    }
    if (size === 0) return;
    let offset = at;
    for (let i = 0; i < count; i++) {
      const here = offset;
      if (type === 1) {
        const v = this.u8(here, end);
        b.add('image-jfif.ifd.value_byte', () => `Value: ${v}`, v, here, 1);
      } else if (type === 3) {
        const v = this.u16(here, little, end);
        b.add('image-jfif.ifd.value_short', () => `Value: ${v}`, v, here, 2);
      } else if (type === 4) {
        const v = this.u32(here, little, end);
        const field = b.add('image-jfif.ifd.value_long', () => `Value: ${v}`, v, here, 4);
        const pointer = count === 1 && tagAbbrev === 'image-jfif.ifd.tag' ? POINTERS[tag] : undefined;
        if (pointer !== undefined) {
          if (v < end - base) later.push(() => this.ifdChain(base, end, little, v, pointer.abbrev, pointer.names, pointer.title));
          else addExpertTo(b, field, 'image-jfif.start_ifd_offset.invalid', 'Warning', 'Protocol', `bogus, should be < ${end - base}`);
        }
      } else if (type === 9) {
        const v = this.u32(here, little, end) | 0;
        b.add('image-jfif.ifd.value_slong', () => `Value: ${v}`, v, here, 4);
      } else if (type === 5 || type === 10) {
        const signed = type === 10;
        const read = (o: number): number => (signed ? this.u32(o, little, end) | 0 : this.u32(o, little, end));
        const num = read(here);
        const denom = read(here + 4);
        const kind = signed ? 'srational' : 'rational';
        b.group(`image-jfif.ifd.value_${kind}`, () => `Value: ${num}/${denom}`, null, here, 8, () => {
          b.add(`image-jfif.ifd.value_${kind}.numerator`, () => `Numerator: ${num}`, num, here, 4);
          b.add(`image-jfif.ifd.value_${kind}.denominator`, () => `Denominator: ${denom}`, denom, here + 4, 4);
        }, '');
      }
      offset += size;
    }
  }

  /** Called by segment() after an APP2 segment's group: its FlashPix item, in the JFIF tree. */
  takeFlashpix(): { at: number; length: number } | null {
    const f = this.flashpix;
    this.flashpix = null;
    return f;
  }
}

/** The first NUL in data[from, to), or `to`. */
function nulAt(data: Buffer, from: number, to: number): number {
  const nul = data.indexOf(0, from);
  return nul < 0 || nul >= to ? to : nul;
}
