/**
 * CIP I/O (EtherNet/IP class 0/1 implicit messaging) on UDP 2222 as tshark 4.0 shows it
 * (epan/dissectors/packet-enip.c, dissect_cipio): Protocol "CIP I/O", an "EtherNet/IP (Industrial
 * Protocol)" tree holding the Common Packet Format items with no encapsulation header, then for
 * the Connected Data Item a "Common Industrial Protocol, I/O" tree with the I/O data (cipio.data).
 * Both are called by cipio's handles, so frame.protocols says `udp:cipio:cipio`; the first tree
 * is ENIP's protocol (`enip` filters match it). The Sequenced Address Item's connection ID and
 * sequence number make the Info: "Connection: ID=0x004B0603, SEQ=0004166875".
 *
 * Left out: a connection a Forward Open seen earlier in the capture set up (Sievecap does not decode
 * Forward Open), with which tshark adds ", O->T"/", T->O", the connection's tree, the class 1
 * sequence count and run/idle header; and the items I/O never carries (unconnected data, List
 * Identity and List Services items), shown as enip.cpf.data.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import { addExpert } from './expert';
import { bytesLabelHex } from './format';
import type { AppContext, AppDissector, AppResult, Layer } from './model';

export const CIP_IO_PORT = 2222;

const CPF_ITEMS: Record<number, string> = {
  0x0000: 'Null Address Item', 0x000c: 'CIP Identity', 0x0086: 'CIP Security Information', 0x0087: 'EtherNet/IP Capability',
  0x0088: 'EtherNet/IP Usage', 0x00a1: 'Connected Address Item', 0x00b1: 'Connected Data Item', 0x00b2: 'Unconnected Data Item',
  0x0100: 'List Services Response', 0x8000: 'Socket Address Info O->T', 0x8001: 'Socket Address Info T->O',
  0x8002: 'Sequenced Address Item', 0x8003: 'Unconnected Message over UDP',
};

const HX8 = (value: number): string => `0x${value.toString(16).toUpperCase().padStart(8, '0')}`;

export const cipIoDissector: AppDissector = {
  protocol: 'cipio',
  fieldPrefixes: ['enip', 'cip'],
  udpPorts: [CIP_IO_PORT],
  dissect: dissectCipIo,
};

export function dissectCipIo(data: Buffer, offset: number, end: number, ctx: AppContext): AppResult {
  const stop = Math.min(end, data.length);
  const b = new LayerBuilder(data, 'enip', 'EtherNet/IP (Industrial Protocol)', offset, end, ctx.fields);
  const io: Layer[] = [];
  // Info: a sequenced address replaces UDP's (col_add_fstr), a connected address appends to it.
  let info = '';
  let replaced = false;
  dissectSafely(b, () => {
    b.need(offset, 2, 'item count');
    const count = data.readUInt16LE(offset);
    let at = offset + 2;
    b.group('enip.cpf.itemcount', () => `Item Count: ${count}`, count, offset, 2, () => {
      for (let k = 0; k < count; k++) {
        const remaining = end - at;
        if (remaining < 4) {
          malformedExpert(b, 'enip.malformed.cpf_item_minimum_size', `CPF Item Minimum Size is 4, but Remaining Data Length is ${remaining}`, offset);
          break;
        }
        b.need(at, 4, 'CPF item header');
        const type = data.readUInt16LE(at);
        const length = data.readUInt16LE(at + 2);
        const item = at + 4;
        b.group('enip.cpf.typeid', () => `Type ID: ${CPF_ITEMS[type] ?? 'Unknown'} (${hex(type, 4)})`, type, at, 2, () => {
          b.add('enip.cpf.length', () => `Length: ${length}`, length, at + 2, 2);
          if (length > end - item) {
            malformedExpert(b, 'enip.malformed.cpf_item_length_mismatch', `CPF Item Length Mismatch: Item Length ${length}, Remaining Data Length: ${end - item}`, at);
          }
          if (length === 0) return;
          if (type === 0x8002) {
            b.need(item, 8, 'sequenced address');
            const id = data.readUInt32LE(item);
            const sequence = data.readUInt32LE(item + 4);
            b.add('enip.cpf.sai.connid', () => `Connection ID: ${hex(id, 8)}`, id, item, 4, hex(id, 8));
            const hidden = b.add('cip.connid', () => `Connection ID: ${hex(id, 8)}`, id, item, 4, hex(id, 8));
            hidden.hidden = true;
            b.add('enip.cpf.sai.seq', () => `Encapsulation Sequence Number: ${sequence}`, sequence, item + 4, 4);
            info = `Connection: ID=${HX8(id)}, SEQ=${String(sequence).padStart(10, '0')}`;
            replaced = true;
          } else if (type === 0x00a1) {
            b.need(item, 4, 'connection ID');
            const id = data.readUInt32LE(item);
            b.add('enip.cpf.cai.connid', () => `Connection ID: ${hex(id, 8)}`, id, item, 4, hex(id, 8));
            const hidden = b.add('cip.connid', () => `Connection ID: ${hex(id, 8)}`, id, item, 4, hex(id, 8));
            hidden.hidden = true;
            info += `, Connection: ID=${HX8(id)}`;
          } else if (type === 0x00b1) {
            // dissect_cip_class01_io: the item's bytes (a subset that must lie in the packet) to cipgenericio.
            if (item >= end) return;
            io.push(ioLayer(data, item, item + length, end, ctx));
          } else if (type === 0x8000 || type === 0x8001) {
            b.need(item, 16, 'socket address');
            const family = data.readUInt16BE(item);
            const port = data.readUInt16BE(item + 2);
            const address = [...data.subarray(item + 4, item + 8)].join('.');
            const zero = data.subarray(item + 8, item + 16);
            b.add('enip.sinfamily', () => `sin_family: ${family}`, family, item, 2);
            b.add('enip.sinport', () => `sin_port: ${port}`, port, item + 2, 2);
            b.add('enip.sinaddr', () => `sin_addr: ${address}`, address, item + 4, 4);
            b.add('enip.sinzero', () => `sin_zero: ${zero.toString('hex')}`, zero, item + 8, 8, () => zero.toString('hex'));
          } else {
            const bytes = b.bytes(item, Math.min(length, stop - item), 'item data');
            b.add('enip.cpf.data', () => `Data: ${bytesLabelHex(data, item, bytes.length)}`, bytes, item, bytes.length, () => bytes.toString('hex'));
          }
        }, hex(type, 4));
        at = item + length;
        // The I/O data item longer than the packet stopped the dissection in its layer.
        if (io.at(-1)?.status === 'malformed') return;
      }
    }, String(count));
  });
  const layers = [b.layer, ...io];
  if (b.layer.status !== 'ok') info += ' [Malformed Packet]';
  else if (io.at(-1)?.status === 'malformed') info += `[Malformed Packet: ${CONTAINED}]`;
  return { layers, protocolColumn: 'CIP I/O', info, keepsInfo: !replaced, chain: layers.map(() => 'cipio') };
}

/** An Error/Malformed expert on a 2-byte item, with the hidden "_ws.malformed" expert.c adds after such an expert. */
function malformedExpert(b: LayerBuilder, abbrev: string, message: string, at: number): void {
  addExpert(b, abbrev, 'Error', 'Malformed', message, at, 2);
  b.add('_ws.malformed', 'Malformed Packet', 'Malformed Packet', at, 0, '_ws.malformed').hidden = true;
}

/** show_exception's words for a ContainedBoundsError (a subset longer than the bytes it was cut from). */
const CONTAINED = 'length of contained item exceeds length of containing item';

/**
 * cipgenericio without a connection: the item's bytes [at, itemEnd) as the I/O data. An item
 * longer than the packet (its `end`) leaves the layer empty and malformed, as the subset tshark
 * cuts for it throws when its data is added.
 */
function ioLayer(data: Buffer, at: number, itemEnd: number, end: number, ctx: AppContext): Layer {
  const b = new LayerBuilder(data, 'cipio', 'Common Industrial Protocol, I/O', at, Math.min(itemEnd, end), ctx.fields);
  if (itemEnd > end) {
    b.mark('malformed', CONTAINED);
    b.layer.problemDetail = CONTAINED;
    return b.layer;
  }
  dissectSafely(b, () => {
    const bytes = b.bytes(at, itemEnd - at, 'I/O data');
    b.add('cipio.data', () => `Data: ${bytesLabelHex(data, at, bytes.length)}`, bytes, at, bytes.length, () => bytes.toString('hex'));
  });
  return b.layer;
}
