/**
 * Counters of everything the program sees: packets and bytes per ethertype and per IP protocol,
 * for every packet, accepted or not, so a capture of a sliver of the traffic still shows the
 * interface's mix. A stage placed before the filter; it never changes the verdict.
 *
 * It loads no packet byte with LD_ABS (a runt frame must still reach the filter as before): the
 * ethertype is skb->protocol, the IP protocol (IPv4's protocol, IPv6's first next header) is read
 * with bpf_skb_load_bytes, which fails softly. Loopback's outgoing copies are not counted (the
 * capture keeps the arriving one, as libpcap does).
 */
import { Add, Call, Endian, JEq, JNe, Jmp, Label, LdMapFd, Ldx, Mov, R0, R1, R2, R3, R4, R6, R7, R10, St, Stx, XAdd, type AsmItem } from '../asm';
import { BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PERCPU_HASH } from '../opcodes';
import { SK_BUFF } from '../translate';
import type { MapSpec, Stage } from './stages';

/** Ethertypes counted at once (a hash map; a type beyond this many is not counted). */
export const MIX_MAX_ETHERTYPES = 128;
/** Key: ethertype (u32, host order); value: packets, bytes (u64 each), per CPU. */
export const MIX_ETHERTYPE_MAP: MapSpec = { name: 'mix_ethertype', type: BPF_MAP_TYPE_PERCPU_HASH, keySize: 4, valueSize: 16, maxEntries: MIX_MAX_ETHERTYPES };
/** Index: IP protocol number (0-255); value: packets, bytes, per CPU. */
export const MIX_IPPROTO_MAP: MapSpec = { name: 'mix_ipproto', type: BPF_MAP_TYPE_PERCPU_ARRAY, keySize: 4, valueSize: 16, maxEntries: 256 };

const PACKET_OUTGOING = 4;
const LOOPBACK_IFINDEX = 1;
/** BPF_NOEXIST: create the entry only when it is not there. */
const BPF_NOEXIST = 1;

export function trafficMixStage(options: { cooked?: boolean } = {}): Stage {
  return {
    name: 'mix',
    maps: [MIX_ETHERTYPE_MAP, MIX_IPPROTO_MAP],
    emit: ({ stack, next }) => {
      const key = stack.allocate('mix: map key', 8);
      const zero = stack.allocate('mix: a new entry', 16);
      const byte = stack.allocate('mix: protocol byte', 8);
      const nh = options.cooked ? 0 : 14;
      const add = (done: string): AsmItem[] => [
        Mov.Imm(R1, 1),
        XAdd.DW(R0, 0, R1),
        Ldx.W(R1, R6, SK_BUFF.len),
        XAdd.DW(R0, 8, R1),
        Label(done),
      ];
      const lookup = (map: MapSpec): AsmItem[] => [LdMapFd(R1, map.name), Mov.Reg(R2, R10), Add.Imm(R2, key), Call('map_lookup_elem')];
      return [
        Ldx.W(R1, R6, SK_BUFF.pkt_type),
        JNe.Imm(R1, PACKET_OUTGOING, 'mix_count'),
        Ldx.W(R1, R6, SK_BUFF.ifindex),
        JEq.Imm(R1, LOOPBACK_IFINDEX, next),
        Label('mix_count'),
        // ---- per ethertype: find the entry, or make it
        Ldx.W(R7, R6, SK_BUFF.protocol),
        Endian.ToBE(R7, 16),
        Stx.W(R10, key, R7),
        ...lookup(MIX_ETHERTYPE_MAP),
        JNe.Imm(R0, 0, 'mix_ethertype_found'),
        St.DW(R10, zero, 0),
        St.DW(R10, zero + 8, 0),
        LdMapFd(R1, MIX_ETHERTYPE_MAP.name),
        Mov.Reg(R2, R10),
        Add.Imm(R2, key),
        Mov.Reg(R3, R10),
        Add.Imm(R3, zero),
        Mov.Imm(R4, BPF_NOEXIST),
        Call('map_update_elem'),
        ...lookup(MIX_ETHERTYPE_MAP),
        JEq.Imm(R0, 0, 'mix_ethertype_done'), // the map is full
        Label('mix_ethertype_found'),
        ...add('mix_ethertype_done'),
        // ---- per IP protocol
        Mov.Imm(R2, nh + 9),
        JEq.Imm(R7, 0x0800, 'mix_ip'),
        Mov.Imm(R2, nh + 6),
        JNe.Imm(R7, 0x86dd, next),
        Label('mix_ip'),
        St.DW(R10, byte, 0),
        Mov.Reg(R1, R6),
        Mov.Reg(R3, R10),
        Add.Imm(R3, byte),
        Mov.Imm(R4, 1),
        Call('skb_load_bytes'),
        JNe.Imm(R0, 0, next),
        Ldx.B(R1, R10, byte),
        Stx.W(R10, key, R1),
        ...lookup(MIX_IPPROTO_MAP),
        JEq.Imm(R0, 0, next),
        ...add('mix_ipproto_done'),
        Jmp(next),
      ];
    },
  };
}

/** Sums a per-CPU {packets, bytes} value. */
export function sumPerCpu(value: Buffer | null, cpus: number): { packets: number; bytes: number } {
  let packets = 0n;
  let bytes = 0n;
  for (let cpu = 0; value && cpu < cpus; cpu++) {
    packets += value.readBigUInt64LE(cpu * 16);
    bytes += value.readBigUInt64LE(cpu * 16 + 8);
  }
  return { packets: Number(packets), bytes: Number(bytes) };
}
