/**
 * CIDR watchlists: a stage of the capture program (stages.ts) that lets through only packets whose
 * IPv4 or IPv6 source or destination lies in one of the watched prefixes, and counts packets and
 * bytes per rule (a named set of prefixes).
 *
 * Two longest-prefix-match tries (BPF_MAP_TYPE_LPM_TRIE), one per IP version, map a prefix to its
 * rule's index; a per-CPU array holds each rule's packets and bytes (skb->len, as the capture's own
 * counters). A packet whose source matches rule S and destination rule D counts once for S and,
 * when D is another rule, once for D. The tries are maps: the helper adds and removes prefixes
 * while the capture runs, without loading the program again.
 *
 * Like the HTTP stage it reads Ethernet with at most one VLAN tag in the frame, or a cooked socket's
 * packet from its network header, and runs after the user's filter (a dropped packet is left alone).
 */
import {
  Add, Call, Endian, JEq, JNe, Jmp, Label, LdInd, LdMapFd, Ldx, Mov, R0, R1, R2, R6, R7, R10, St, Stx, XAdd, type AsmItem,
} from '../asm';
import { BPF_MAP_TYPE_LPM_TRIE, BPF_MAP_TYPE_PERCPU_ARRAY } from '../opcodes';
import { SK_BUFF } from '../translate';
import { networkHeader } from './network-header';
import type { MapSpec, Stage } from './stages';
import { parseCidr } from '../../app/filter/ip-text';

/** Rules (named prefix sets) one capture can have. */
export const MAX_WATCH_RULES = 64;
/** Prefixes per IP version. */
export const MAX_WATCH_PREFIXES = 4096;
/** BPF_F_NO_PREALLOC: LPM tries must be created with it. */
const BPF_F_NO_PREALLOC = 1;

export const WATCH_V4_MAP: MapSpec = { name: 'watch_v4', type: BPF_MAP_TYPE_LPM_TRIE, keySize: 4 + 4, valueSize: 4, maxEntries: MAX_WATCH_PREFIXES, flags: BPF_F_NO_PREALLOC };
export const WATCH_V6_MAP: MapSpec = { name: 'watch_v6', type: BPF_MAP_TYPE_LPM_TRIE, keySize: 4 + 16, valueSize: 4, maxEntries: MAX_WATCH_PREFIXES, flags: BPF_F_NO_PREALLOC };
/** Per rule index: packets (u64), bytes (u64), per CPU. */
export const WATCH_COUNTS_MAP: MapSpec = { name: 'watch_counts', type: BPF_MAP_TYPE_PERCPU_ARRAY, keySize: 4, valueSize: 16, maxEntries: MAX_WATCH_RULES };

/** skb->pkt_type of a packet leaving the host (PACKET_OUTGOING). */
const PACKET_OUTGOING = 4;
/** The loopback device's index, in every network namespace (LOOPBACK_IFINDEX). */
const LOOPBACK_IFINDEX = 1;
/** No rule (the value kept on the stack while neither address matched). */
const NONE = -1;

export interface WatchlistStageOptions {
  cooked?: boolean;
}

export function watchlistStage(options: WatchlistStageOptions = {}): Stage {
  return {
    name: 'watch',
    maps: [WATCH_V4_MAP, WATCH_V6_MAP, WATCH_COUNTS_MAP],
    emit: ({ stack, next, result }) => {
      const key = stack.allocate('watch: trie key (prefix length, address)', 4 + 16);
      const rules = stack.allocate('watch: source and destination rules', 8);
      const index = stack.allocate('watch: counter index', 8);
      const drop = 'watch_drop';
      const RULE_SRC = rules;
      const RULE_DST = rules + 4;
      const out: AsmItem[] = [
        JEq.Imm(result, 0, next),
        St.W(R10, RULE_SRC, NONE),
        St.W(R10, RULE_DST, NONE),
        ...networkHeader('watch', options.cooked === true, 'watch_ipv4', 'watch_ipv6', drop),
      ];
      /** Looks the key up in `map`; a hit's rule index goes to the stack slot `slot`. */
      const lookup = (map: MapSpec, slot: number, label: string): AsmItem[] => [
        LdMapFd(R1, map.name),
        Mov.Reg(R2, R10),
        Add.Imm(R2, key),
        Call('map_lookup_elem'),
        JEq.Imm(R0, 0, label),
        Ldx.W(R1, R0, 0),
        Stx.W(R10, slot, R1),
        Label(label),
      ];
      /** The address's bytes, in network order, into the key after its prefix length. */
      const address = (words: number, at: number): AsmItem[] => {
        const items: AsmItem[] = [St.W(R10, key, words * 32)];
        for (let w = 0; w < words; w++) items.push(LdInd.W(R7, at + 4 * w), Endian.ToBE(R0, 32), Stx.W(R10, key + 4 + 4 * w, R0));
        return items;
      };
      out.push(
        Label('watch_ipv4'),
        ...address(1, 12),
        ...lookup(WATCH_V4_MAP, RULE_SRC, 'watch_v4_src_done'),
        ...address(1, 16),
        ...lookup(WATCH_V4_MAP, RULE_DST, 'watch_v4_dst_done'),
        Jmp('watch_count'),
        Label('watch_ipv6'),
        ...address(4, 8),
        ...lookup(WATCH_V6_MAP, RULE_SRC, 'watch_v6_src_done'),
        ...address(4, 24),
        ...lookup(WATCH_V6_MAP, RULE_DST, 'watch_v6_dst_done'),

        // ---- count: the source's rule, then the destination's when it is another one
        Label('watch_count'),
        Ldx.W(R7, R10, RULE_SRC),
        Ldx.W(R1, R10, RULE_DST),
        JNe.Imm32(R7, NONE, 'watch_matched'),
        JEq.Imm32(R1, NONE, drop),
        // Loopback hands a packet socket each packet twice, leaving and arriving; the capture keeps
        // the arriving copy (as libpcap does), and so do the counters.
        Label('watch_matched'),
        Ldx.W(R2, R6, SK_BUFF.pkt_type),
        JNe.Imm(R2, PACKET_OUTGOING, 'watch_counting'),
        Ldx.W(R2, R6, SK_BUFF.ifindex),
        JEq.Imm(R2, LOOPBACK_IFINDEX, next),
        Label('watch_counting'),
        JEq.Imm32(R7, NONE, 'watch_count_dst'),
        Jmp('watch_count_src'),
        Label('watch_count_src'),
        ...countRule(index, RULE_SRC, 'watch_src_counted'),
        Ldx.W(R1, R10, RULE_DST),
        JEq.Imm32(R1, NONE, next),
        JEq.Reg(R1, R7, next),
        Label('watch_count_dst'),
        ...countRule(index, RULE_DST, 'watch_dst_counted'),
        Jmp(next),

        Label(drop),
        Mov.Imm(result, 0),
      );
      return out;
    },
  };
}

/** Adds 1 packet and skb->len bytes to the rule whose index is in the stack slot `slot`. Clobbers r0–r5. */
function countRule(index: number, slot: number, done: string): AsmItem[] {
  return [
    Ldx.W(R1, R10, slot),
    Stx.W(R10, index, R1),
    LdMapFd(R1, WATCH_COUNTS_MAP.name),
    Mov.Reg(R2, R10),
    Add.Imm(R2, index),
    Call('map_lookup_elem'),
    JEq.Imm(R0, 0, done),
    Mov.Imm(R1, 1),
    XAdd.DW(R0, 0, R1),
    Ldx.W(R1, R6, SK_BUFF.len),
    XAdd.DW(R0, 8, R1),
    Label(done),
  ];
}

/** A prefix as the trie's key: u32 prefix length (host order), then the address bytes. */
export function watchKey(cidr: string): { version: 4 | 6; key: Buffer } {
  const parsed = parseCidr(cidr);
  const key = Buffer.alloc(4 + parsed.bytes.length);
  key.writeUInt32LE(parsed.prefixLength, 0);
  parsed.bytes.copy(key, 4);
  return { version: parsed.version, key };
}
