/**
 * PTP, the Precision Time Protocol (IEEE 1588-2008, version 2), over Ethernet (ethertype 0x88f7)
 * and UDP (319 event messages, 320 general messages), as tshark 4.0 shows it: the common 34-byte
 * header and the bodies of Sync, Delay_Req, Pdelay_Req/Resp/Resp_Follow_Up, Follow_Up,
 * Delay_Resp, Announce, Signalling (its target port) and Management (its TLV header; the datasets
 * stay as `data`). Protocol column PTPv2, Info the message type's name.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { bitPicture, bytesHex } from './format';
import type { AppDissector, Layer } from './model';
import type { PacketState } from './packet-state';

export const ETHERTYPE_PTP = 0x88f7;
export const PTP_EVENT_PORT = 319;
export const PTP_GENERAL_PORT = 320;
const HEADER = 34;

const MESSAGE_TYPES: Record<number, string> = {
  0x0: 'Sync Message', 0x1: 'Delay_Req Message', 0x2: 'Peer_Delay_Req Message', 0x3: 'Peer_Delay_Resp Message',
  0x8: 'Follow_Up Message', 0x9: 'Delay_Resp Message', 0xa: 'Peer_Delay_Resp_Follow_Up Message', 0xb: 'Announce Message',
  0xc: 'Signalling Message', 0xd: 'Management Message',
};
const MAJOR_SDO_IDS: Record<number, string> = { 1: 'gPTP Domain', 2: 'CMLDS' };
const CONTROL: Record<number, string> = {
  0: 'Sync Message', 1: 'Delay_Req Message', 2: 'Follow_Up Message', 3: 'Delay_Resp Message', 4: 'Management Message', 5: 'Other Message',
};
const FLAGS: readonly (readonly [string, number, string])[] = [
  ['security', 0x8000, 'PTP_SECURITY'], ['specific2', 0x4000, 'PTP profile Specific 2'], ['specific1', 0x2000, 'PTP profile Specific 1'],
  ['unicast', 0x0400, 'PTP_UNICAST'], ['twostep', 0x0200, 'PTP_TWO_STEP'], ['alternatemaster', 0x0100, 'PTP_ALTERNATE_MASTER'],
  ['synchronizationUncertain', 0x0040, 'SYNCHRONIZATION_UNCERTAIN'], ['frequencytraceable', 0x0020, 'FREQUENCY_TRACEABLE'],
  ['timetraceable', 0x0010, 'TIME_TRACEABLE'], ['timescale', 0x0008, 'PTP_TIMESCALE'], ['utcreasonable', 0x0004, 'PTP_UTC_REASONABLE'],
  ['li59', 0x0002, 'PTP_LI_59'], ['li61', 0x0001, 'PTP_LI_61'],
];
const ACCURACY_UNITS = ['25 ns', '100 ns', '250 ns', '1 us', '2,5 us', '10 us', '25 us', '100 us', '250 us', '1 ms', '2,5 ms', '10 ms', '25 ms', '100 ms', '250 ms', '1 s', '10 s'];
const TIME_SOURCES: Record<number, string> = {
  0x10: 'ATOMIC_CLOCK', 0x20: 'GPS', 0x30: 'TERRESTRIAL_RADIO', 0x40: 'PTP', 0x50: 'NTP', 0x60: 'HAND_SET', 0x90: 'OTHER', 0xa0: 'INTERNAL_OSCILLATOR', 0xff: 'reserved',
};
const TLV_TYPES: Record<number, string> = {
  0: 'Reserved', 1: 'Management', 2: 'Management error status', 3: 'Organization extension', 4: 'Request unicast transmission',
  5: 'Grant unicast transmission', 6: 'Cancel unicast transmission', 7: 'Acknowledge cancel unicast transmission', 8: 'Path trace',
  9: 'Alternate time offset indicator', 0x2000: 'Authentication',
};
const ACTIONS = ['GET', 'SET', 'RESPONSE', 'COMMAND', 'ACKNOWLEDGE'];
/** Management IDs: the tree's name and the Info column's. */
const MANAGEMENT_IDS: Record<number, readonly [string, string]> = {
  0x0000: ['NULL_MANAGEMENT', 'Null management'], 0x0001: ['CLOCK_DESCRIPTION', 'Clock description'], 0x0002: ['USER_DESCRIPTION', 'User description'],
  0x0003: ['SAVE_IN_NON_VOLATILE_STORAGE', 'Save in non volatile storage'], 0x0004: ['RESET_NON_VOLATILE_STORAGE', 'Reset non volatile storage'],
  0x0005: ['INITIALIZE', 'Initialize'], 0x0006: ['FAULT_LOG', 'Fault log'], 0x0007: ['FAULT_LOG_RESET', 'Fault log reset'],
  0x2000: ['DEFAULT_DATA_SET', 'Default dataset'], 0x2001: ['CURRENT_DATA_SET', 'Current dataset'], 0x2002: ['PARENT_DATA_SET', 'Parent dataset'],
  0x2003: ['TIME_PROPERTIES_DATA_SET', 'Time properties dataset'], 0x2004: ['PORT_DATA_SET', 'Port dataset'], 0x2005: ['PRIORITY1', 'Priority 1'],
  0x2006: ['PRIORITY2', 'Priority 2'], 0x2007: ['DOMAIN', 'Domain'], 0x2008: ['SLAVE_ONLY', 'Slave only'],
  0x2009: ['LOG_ANNOUNCE_INTERVAL', 'Log announce interval'], 0x200a: ['ANNOUNCE_RECEIPT_TIMEOUT', 'Announce receipt timeout'],
  0x200b: ['LOG_SYNC_INTERVAL', 'Log sync interval'], 0x200c: ['VERSION_NUMBER', 'Version number'], 0x200d: ['ENABLE_PORT', 'Enable port'],
  0x200e: ['DISABLE_PORT', 'Disable port'], 0x200f: ['TIME', 'Time'], 0x2010: ['CLOCK_ACCURACY', 'Clock accuracy'],
  0x2011: ['UTC_PROPERTIES', 'UTC properties'], 0x2012: ['TRACEABILITY_PROPERTIES', 'Traceability properties'],
  0x2013: ['TIMESCALE_PROPERTIES', 'Timescale properties'], 0x2014: ['UNICAST_NEGOTIATION_ENABLE', 'Unicast negotiation enable'],
  0x2015: ['PATH_TRACE_LIST', 'Path trace list'], 0x2016: ['PATH_TRACE_ENABLE', 'Path trace enable'],
  0x2017: ['GRANDMASTER_CLUSTER_TABLE', 'Grandmaster cluster table'], 0x2018: ['UNICAST_MASTER_TABLE', 'Unicast master table'],
  0x2019: ['UNICAST_MASTER_MAX_TABLE_SIZE', 'Unicast master max table size'], 0x201a: ['ACCEPTABLE_MASTER_TABLE', 'Acceptable master table'],
  0x201b: ['ACCEPTABLE_MASTER_TABLE_ENABLED', 'Acceptable master table enabled'], 0x201c: ['ACCEPTABLE_MASTER_MAX_TABLE_SIZE', 'Acceptable master max table size'],
  0x201d: ['ALTERNATE_MASTER', 'Alternate master'], 0x201e: ['ALTERNATE_TIME_OFFSET_ENABLE', 'Alternate time offset enable'],
  0x201f: ['ALTERNATE_TIME_OFFSET_NAME', 'Alternate time offset name'], 0x4000: ['TC_DEFAULT_DATA_SET', 'Transparent clock default dataset'],
  0x4001: ['TC_PORT_DATA_SET', 'Transparent clock port dataset'], 0x4002: ['PRIMARY_DOMAIN', 'Primary domain'],
  0x6000: ['DELAY_MECHANISM', 'Delay mechanism'], 0x6001: ['LOG_MIN_PDELAY_REQ_INTERVAL', 'Log min pdelay req. interval'],
};

/** Wireshark's clockAccuracy names (IEEE 1588-2008 table 6). */
export function clockAccuracyName(value: number): string {
  if (value >= 0x20 && value <= 0x30) return `The time is accurate to within ${ACCURACY_UNITS[value - 0x20]}`;
  if (value === 0x31) return 'The time is accurate to >10 s';
  if (value === 0x32 || value === 0xff) return 'reserved';
  if (value === 0x80) return 'For use by alternate PTP profiles';
  if (value === 0xfe) return 'Accuracy Unknown';
  return 'Unknown';
}

export const ptpDissector: AppDissector = {
  protocol: 'ptp',
  udpPorts: [PTP_EVENT_PORT, PTP_GENERAL_PORT],
  dissect: (data, offset, end, ctx) => {
    const r = dissectPtpMessage(data, offset, end, ctx.fields);
    return { layers: [r.layer], protocolColumn: 'PTPv2', info: r.info };
  },
};

/** PTP directly on Ethernet (ethertype 0x88f7): what follows the message is the frame's padding. */
export function dissectPtpEthertype(_d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const r = dissectPtpMessage(data, offset, end, p.selection);
  p.addLayer(r.layer);
  p.setProtocol('PTPv2', r.info);
  return r.used;
}

export interface PtpMessage {
  layer: Layer;
  /** The Info column: the message type's name (management: its dataset and action). */
  info: string;
  /** Where the message ends (its messageLength), for the link layer's padding. */
  used: number;
}

export function dissectPtpMessage(data: Buffer, offset: number, end: number, selection?: ReadonlySet<string>): PtpMessage {
  const b = new LayerBuilder(data, 'ptp', 'Precision Time Protocol (IEEE1588)', offset, end, selection);
  let info = '';
  let used = end;
  dissectSafely(b, () => {
    const first = b.u8(offset, 'PTP header');
    const type = first & 0x0f;
    const sdo = first >> 4;
    info = MESSAGE_TYPES[type] ?? `Unknown PTP Message (${type})`;
    b.add('ptp.v2.majorsdoid', () => `${bitPicture(first, 0xf0, 8)} = majorSdoId: ${MAJOR_SDO_IDS[sdo] ?? 'Unknown'} (0x${sdo.toString(16)})`, sdo, offset, 1, () => hex(sdo, 2));
    b.add('ptp.v2.messagetype', () => `${bitPicture(first, 0x0f, 8)} = messageType: ${MESSAGE_TYPES[type] ?? 'Unknown'} (0x${type.toString(16)})`, type, offset, 1, () => hex(type, 2));
    const second = b.u8(offset + 1, 'PTP version');
    b.add('ptp.v2.minorversionptp', () => `${bitPicture(second, 0xf0, 8)} = minorVersionPTP: ${second >> 4}`, second >> 4, offset + 1, 1);
    b.add('ptp.v2.versionptp', () => `${bitPicture(second, 0x0f, 8)} = versionPTP: ${second & 0x0f}`, second & 0x0f, offset + 1, 1);
    const length = b.u16(offset + 2, 'messageLength');
    b.add('ptp.v2.messagelength', () => `messageLength: ${length}`, length, offset + 2, 2);
    if (length >= HEADER && offset + length <= end) {
      used = offset + length;
      b.setLength(length);
    }
    const uint = (abbrev: string, label: string, at: number, size: 1 | 2 | 4 | 6) => {
      b.need(at, size, label);
      const v = size === 6 ? data.readUIntBE(at, 6) : size === 4 ? data.readUInt32BE(at) : size === 2 ? data.readUInt16BE(at) : data[at]!;
      b.add(abbrev, () => `${label}: ${v}`, v, at, size);
      return v;
    };
    const identity = (abbrev: string, label: string, at: number) => {
      b.need(at, 8, label);
      const v = data.readBigUInt64BE(at);
      const text = `0x${v.toString(16).padStart(16, '0')}`;
      return b.add(abbrev, () => `${label}: ${text}`, v, at, 8, text);
    };
    uint('ptp.v2.domainnumber', 'domainNumber', offset + 4, 1);
    uint('ptp.v2.minorsdoid', 'minorSdoId', offset + 5, 1);
    const flags = b.u16(offset + 6, 'flags');
    b.group('ptp.v2.flags', () => `flags: ${hex(flags, 4)}`, flags, offset + 6, 2, () => {
      for (const [name, mask, label] of FLAGS) {
        const set = (flags & mask) !== 0;
        b.add(`ptp.v2.flags.${name}`, () => `${bitPicture(flags, mask, 16)} = ${label}: ${set ? 'True' : 'False'}`, set, offset + 6, 2);
      }
    }, () => hex(flags, 4));
    b.need(offset + 8, 8, 'correctionField');
    const correction = data.readBigInt64BE(offset + 8);
    b.group('', () => `correctionField: ${(Number(correction) / 65536).toFixed(6)} nanoseconds`, null, offset + 8, 8, () => {
      // tshark 4.0 prints the (signed) nanoseconds as an unsigned 64-bit number and the
      // sub-nanoseconds as a fraction of a nanosecond.
      const ns = data.readIntBE(offset + 8, 6);
      b.add('ptp.v2.correction.ns', () => `correction: Ns: ${ns} nanoseconds`, ns, offset + 8, 6, () => BigInt.asUintN(64, BigInt(ns)).toString());
      const subNs = data.readUInt16BE(offset + 14) / 65536;
      b.add('ptp.v2.correction.subns', () => `correctionSubNs: ${doubleText(subNs)}`, subNs, offset + 14, 2, () => doubleText(subNs));
    });
    uint('ptp.v2.messagetypespecific', 'messageTypeSpecific', offset + 16, 4);
    b.need(offset + 20, 8, 'ClockIdentity');
    const vendorId = data.readUInt16BE(offset + 23) === 0xfffe;
    b.group('ptp.v2.clockidentity', () => `ClockIdentity: 0x${data.toString('hex', offset + 20, offset + 28)}`, data.readBigUInt64BE(offset + 20), offset + 20, 8, () => {
      if (vendorId) b.add('ptp.v2.clockidentity_manuf', () => `MAC Vendor: ${bytesHex(data, offset + 20, 3).match(/../g)!.join(':')}`, data.subarray(offset + 20, offset + 23), offset + 20, 3, () => bytesHex(data, offset + 20, 3));
    }, () => `0x${data.toString('hex', offset + 20, offset + 28)}`);
    uint('ptp.v2.sourceportid', 'SourcePortID', offset + 28, 2);
    uint('ptp.v2.sequenceid', 'sequenceId', offset + 30, 2);
    const control = b.u8(offset + 32, 'controlField');
    b.add('ptp.v2.controlfield', () => `controlField: ${CONTROL[control] ?? 'Unknown'} (${control})`, control, offset + 32, 1);
    const period = b.u8(offset + 33, 'logMessagePeriod') << 24 >> 24;
    b.add('ptp.v2.logmessageperiod', () => `logMessagePeriod: ${period}`, period, offset + 33, 1);

    const body = offset + HEADER;
    const timestamp = (prefix: string, label: string, at: number) => {
      const seconds = uint(`${prefix}.seconds`, `${label} (seconds)`, at, 6);
      const nanos = uint(`${prefix}.nanoseconds`, `${label} (nanoseconds)`, at + 6, 4);
      return { seconds, nanos };
    };
    switch (type) {
      case 0x0:
      case 0x1:
        timestamp('ptp.v2.sdr.origintimestamp', 'originTimestamp', body);
        break;
      case 0x2:
        timestamp('ptp.v2.pdrq.origintimestamp', 'originTimestamp', body);
        break;
      case 0x3:
        timestamp('ptp.v2.pdrs.requestreceipttimestamp', 'requestreceiptTimestamp', body);
        identity('ptp.v2.pdrs.requestingportidentity', 'requestingSourcePortIdentity', body + 10);
        uint('ptp.v2.pdrs.requestingsourceportid', 'requestingSourcePortId', body + 18, 2);
        break;
      case 0x8: {
        const { seconds, nanos } = timestamp('ptp.v2.fu.preciseorigintimestamp', 'preciseOriginTimestamp', body);
        const low = Number((BigInt(seconds) * 1_000_000_000n + BigInt(nanos)) & 0xffffffffn);
        b.add('ptp.v2.fu.preciseorigintimestamp.32bit', () => `preciseOriginTimestamp (32bit): ${low}`, low, body, 10).hidden = true;
        break;
      }
      case 0x9:
        timestamp('ptp.v2.dr.receivetimestamp', 'receiveTimestamp', body);
        identity('ptp.v2.dr.requestingsourceportidentity', 'requestingSourcePortIdentity', body + 10);
        uint('ptp.v2.dr.requestingsourceportid', 'requestingSourcePortId', body + 18, 2);
        break;
      case 0xa:
        timestamp('ptp.v2.pdfu.responseorigintimestamp', 'responseOriginTimestamp', body);
        identity('ptp.v2.pdfu.requestingportidentity', 'requestingSourcePortIdentity', body + 10);
        uint('ptp.v2.pdfu.requestingsourceportid', 'requestingSourcePortId', body + 18, 2);
        break;
      case 0xb: {
        timestamp('ptp.v2.an.origintimestamp', 'originTimestamp', body);
        const utcOffset = b.u16(body + 10, 'originCurrentUTCOffset') << 16 >> 16;
        b.add('ptp.v2.an.origincurrentutcoffset', () => `originCurrentUTCOffset: ${utcOffset}`, utcOffset, body + 10, 2);
        uint('ptp.v2.an.priority1', 'priority1', body + 13, 1);
        uint('ptp.v2.an.grandmasterclockclass', 'grandmasterClockClass', body + 14, 1);
        const accuracy = b.u8(body + 15, 'grandmasterClockAccuracy');
        b.add('ptp.v2.an.grandmasterclockaccuracy', () => `grandmasterClockAccuracy: ${clockAccuracyName(accuracy)} (${hex(accuracy, 2)})`, accuracy, body + 15, 1, () => hex(accuracy, 2));
        uint('ptp.v2.an.grandmasterclockvariance', 'grandmasterClockVariance', body + 16, 2);
        uint('ptp.v2.an.priority2', 'priority2', body + 18, 1);
        identity('ptp.v2.an.grandmasterclockidentity', 'grandmasterClockIdentity', body + 19);
        uint('ptp.v2.an.localstepsremoved', 'localStepsRemoved', body + 27, 2);
        const source = b.u8(body + 29, 'TimeSource');
        b.add('ptp.v2.timesource', () => `TimeSource: ${TIME_SOURCES[source] ?? 'Unknown'} (${hex(source, 2)})`, source, body + 29, 1, () => hex(source, 2));
        break;
      }
      case 0xc:
        identity('ptp.v2.sig.targetportidentity', 'targetPortIdentity', body);
        uint('ptp.v2.sig.targetportid', 'targetPortId', body + 8, 2);
        break;
      case 0xd:
        info = dissectManagement(b, body, used, info);
        break;
    }
  });
  if (b.layer.status === 'malformed') info += '[Malformed Packet]';
  return { layer: b.layer, info, used };
}

/** The management message's target, hops, action and its TLV's header; returns the Info text. */
function dissectManagement(b: LayerBuilder, body: number, stop: number, info: string): string {
  const data = b.data;
  b.need(body, 8, 'targetPortIdentity');
  const target = data.readBigUInt64BE(body);
  b.add('ptp.v2.mm.targetportidentity', () => `targetPortIdentity: 0x${target.toString(16).padStart(16, '0')}`, target, body, 8, `0x${target.toString(16).padStart(16, '0')}`);
  const port = b.u16(body + 8, 'targetPortId');
  b.add('ptp.v2.mm.targetportid', () => `targetPortId: ${port}`, port, body + 8, 2);
  const starting = b.u8(body + 10, 'startingBoundaryHops');
  b.add('ptp.v2.mm.startingboundaryhops', () => `startingBoundaryHops: ${starting}`, starting, body + 10, 1);
  const hops = b.u8(body + 11, 'boundaryHops');
  b.add('ptp.v2.mm.boundaryhops', () => `boundaryHops: ${hops}`, hops, body + 11, 1);
  const actionByte = b.u8(body + 12, 'action');
  const action = actionByte & 0x0f;
  b.add('ptp.v2.mm.action', () => `${bitPicture(actionByte, 0x0f, 8)} = action: ${ACTIONS[action] ?? 'Unknown'} (${action})`, action, body + 12, 1);
  const tlv = body + 14;
  if (tlv + 4 > Math.min(stop, data.length)) return info;
  const tlvType = data.readUInt16BE(tlv);
  const tlvLength = data.readUInt16BE(tlv + 2);
  b.add('ptp.v2.mm.tlvType', () => `tlvType: ${TLV_TYPES[tlvType] ?? 'Unknown'} (${tlvType})`, tlvType, tlv, 2);
  b.add('ptp.v2.mm.lengthField', () => `lengthField: ${tlvLength}`, tlvLength, tlv + 2, 2);
  if (tlvType !== 1 || tlvLength < 2) return info;
  const id = b.u16(tlv + 4, 'managementId');
  const names = MANAGEMENT_IDS[id];
  b.add('ptp.v2.mm.managementId', () => `managementId: ${names?.[0] ?? 'Unknown'} (${id})`, id, tlv + 4, 2);
  const dataLength = Math.min(tlvLength - 2, Math.max(0, data.length - (tlv + 6)));
  if (dataLength > 0) {
    const bytes = data.subarray(tlv + 6, tlv + 6 + dataLength);
    b.add('ptp.v2.mm.data', () => `data: ${bytes.toString('hex', 0, 36)}${dataLength > 36 ? '…' : ''}`, bytes, tlv + 6, dataLength, () => bytes.toString('hex'));
  }
  return `Management (${names?.[1] ?? `Unknown management Id ${id}`}) ${ACTIONS[action] ?? `Unknown Action ${action}`}`;
}

/** A double as Wireshark prints FT_DOUBLE: C's %.15g (exact decimal value, ties to even). */
export function doubleText(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return String(value);
  // toExponential(60) is exact for the values PTP makes (multiples of 2^-16), so ties are seen.
  const [mantissa, exp] = Math.abs(value).toExponential(60).split('e');
  const digits = mantissa!.replace('.', '');
  let kept = BigInt(digits.slice(0, 15));
  const rest = digits.slice(15);
  const half = '5'.padEnd(rest.length, '0');
  if (rest > half || (rest === half && kept % 2n === 1n)) kept += 1n;
  let exponent = Number(exp);
  let text = kept.toString();
  if (text.length > 15) {
    text = text.slice(0, 15);
    exponent++;
  }
  const sign = value < 0 ? '-' : '';
  if (exponent < -4 || exponent >= 15) {
    const fraction = text.slice(1).replace(/0+$/, '');
    return `${sign}${text[0]}${fraction ? `.${fraction}` : ''}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const point = exponent + 1;
  if (point >= text.length) return sign + text + '0'.repeat(point - text.length);
  const whole = point <= 0 ? `0.${'0'.repeat(-point)}${text}` : `${text.slice(0, point)}.${text.slice(point)}`;
  return sign + whole.replace(/\.?0+$/, '');
}
