/**
 * HTTP session tracking in the kernel: a stage of the capture program (stages.ts) that lets
 * through only the packets of TCP connections carrying HTTP/1.x, on any port.
 *
 * A TCP packet whose payload begins an HTTP/1.x request (`GET `, `POST `, `PUT `, `DELETE `,
 * `HEAD `, `OPTIONS `, `PATCH `, `CONNECT `, `TRACE `) or response (`HTTP/1.`) records its
 * connection in an LRU hash map, under both directions' keys, and is accepted; every later packet
 * of that connection is accepted while the entry lives. A FIN marks its direction's entry; once
 * both directions have sent one, or on a RST, the program deletes both entries (the FIN or RST
 * itself is still accepted). An entry idle for IDLE_TIMEOUT_NS is forgotten: the connection is
 * admitted again by its next request or response. Everything else is dropped (verdict 0).
 *
 * What it reads: Ethernet (with one 802.1Q/802.1ad tag in the frame) or, on a cooked socket
 * (`any`), the packet from its network header with skb->protocol; IPv4 (a first or only fragment)
 * and IPv6 whose next header is TCP (no extension headers). Header loads use LD_ABS/LD_IND, which
 * end the program (drop) on a packet too short to hold them; the payload's first bytes are read
 * with bpf_skb_load_bytes, so a short payload is simply "not HTTP".
 *
 * The stage runs after the user's filter: a packet the filter dropped is left alone (the map is
 * neither read nor written), so `--preset http 'port 8080'` tracks HTTP on port 8080 only.
 */
import {
  Add, Call, JEq, JGt, JNe, JSet, JSlt, Jmp, Label, LdImm64, LdInd, LdMapFd, Ldx, Lsh, Mov, Rsh, Sub,
  And, R0, R1, R2, R3, R4, R6, R7, R8, R10, St, Stx, type AsmItem,
} from '../asm';
import { BPF_MAP_TYPE_LRU_HASH } from '../opcodes';
import { networkHeader } from './network-header';
import type { MapSpec, Stage } from './stages';

/**
 * Key: address A (16 bytes: IPv4 in the first 4, the rest zero), address B (16), port A (u16),
 * port B (u16), IP version (u32). A packet looks up (source, destination); its connection is
 * stored under that key and the reversed one, so both directions find it with one lookup.
 */
export const HTTP_KEY_BYTES = 40;
/** Value: last packet's time (u64, bpf_ktime_get_ns), FIN seen in this key's direction (u64). */
export const HTTP_VALUE_BYTES = 16;
/** Connections tracked at once (two entries each); the LRU map evicts the least recently used. */
export const HTTP_MAX_CONNECTIONS = 65536;
/** An entry unused this long is forgotten (5 minutes, as a proxy's idle keep-alive). */
export const IDLE_TIMEOUT_NS = 300n * 1_000_000_000n;

export const HTTP_SESSIONS_MAP: MapSpec = {
  name: 'http_conns',
  type: BPF_MAP_TYPE_LRU_HASH,
  keySize: HTTP_KEY_BYTES,
  valueSize: HTTP_VALUE_BYTES,
  maxEntries: HTTP_MAX_CONNECTIONS * 2,
};

/** The payload beginnings that start a tracked connection (each at most 8 bytes). */
export const HTTP_START_PREFIXES = ['GET ', 'POST ', 'PUT ', 'DELETE ', 'HEAD ', 'OPTIONS ', 'PATCH ', 'CONNECT ', 'TRACE ', 'HTTP/1.'] as const;

const TCP_FIN = 0x01;
const TCP_RST = 0x04;

/** The first `prefix.length` bytes as a little-endian u64 (the stack word the payload is read into), and its mask. */
function prefixWord(prefix: string): { value: bigint; mask: bigint } {
  let value = 0n;
  let mask = 0n;
  for (let i = 0; i < prefix.length; i++) {
    value |= BigInt(prefix.charCodeAt(i)) << BigInt(8 * i);
    mask |= 0xffn << BigInt(8 * i);
  }
  return { value, mask };
}

export interface HttpSessionStageOptions {
  /** The socket is a cooked one (`any`): packets start at their network header. */
  cooked?: boolean;
}

export function httpSessionStage(options: HttpSessionStageOptions = {}): Stage {
  return {
    name: 'http',
    maps: [HTTP_SESSIONS_MAP],
    emit: ({ stack, next, result }) => {
      const fwd = stack.allocate('http: connection key', HTTP_KEY_BYTES);
      const rev = stack.allocate('http: reversed key', HTTP_KEY_BYTES);
      const value = stack.allocate('http: map value', HTTP_VALUE_BYTES);
      const vars = stack.allocate('http: L4 length, flags, payload offset and length, first bytes', 5 * 8);
      const L4LEN = vars;
      const FLAGS = vars + 8;
      const PAYOFF = vars + 16;
      const PAYLEN = vars + 24;
      const FIRST = vars + 32;
      const drop = 'http_drop';
      const out: AsmItem[] = [JEq.Imm(result, 0, next)];
      // Both keys zeroed: the verifier wants map keys initialised, and IPv4 leaves 12 bytes per address.
      for (let i = 0; i < HTTP_KEY_BYTES; i += 8) out.push(St.DW(R10, fwd + i, 0), St.DW(R10, rev + i, 0));
      /** Stores r0's low `size` bytes at `offA` in the forward key and `offB` in the reversed one. */
      const both = (size: 'H' | 'W', offA: number, offB: number): AsmItem[] => [Stx[size](R10, fwd + offA, R0), Stx[size](R10, rev + offB, R0)];

      out.push(...networkHeader('http', options.cooked === true, 'http_ipv4', 'http_ipv6', drop));
      out.push(
        // ---- IPv4: r8 = header length
        Label('http_ipv4'),
        LdInd.B(R7, 9),
        JNe.Imm(R0, 6, drop),
        LdInd.H(R7, 6),
        JSet.Imm(R0, 0x1fff, drop), // a later fragment: no TCP header here
        LdInd.B(R7, 0),
        And.Imm(R0, 0x0f),
        Lsh.Imm(R0, 2),
        Mov.Reg(R8, R0),
        LdInd.H(R7, 2),
        Sub.Reg(R0, R8),
        Stx.DW(R10, L4LEN, R0),
        LdInd.W(R7, 12),
        ...both('W', 0, 16),
        LdInd.W(R7, 16),
        ...both('W', 16, 0),
        St.W(R10, fwd + 36, 4),
        St.W(R10, rev + 36, 4),
        Add.Reg(R7, R8),
        Jmp('http_tcp'),

        // ---- IPv6 (TCP right after the fixed header)
        Label('http_ipv6'),
        LdInd.B(R7, 6),
        JNe.Imm(R0, 6, drop),
        LdInd.H(R7, 4),
        Stx.DW(R10, L4LEN, R0),
      );
      for (let w = 0; w < 4; w++) out.push(LdInd.W(R7, 8 + 4 * w), ...both('W', 4 * w, 16 + 4 * w));
      for (let w = 0; w < 4; w++) out.push(LdInd.W(R7, 24 + 4 * w), ...both('W', 16 + 4 * w, 4 * w));
      out.push(
        St.W(R10, fwd + 36, 6),
        St.W(R10, rev + 36, 6),
        Add.Imm(R7, 40),

        // ---- TCP: ports, flags, payload offset and length
        Label('http_tcp'),
        LdInd.H(R7, 0),
        ...both('H', 32, 34),
        LdInd.H(R7, 2),
        ...both('H', 34, 32),
        LdInd.B(R7, 13),
        Stx.DW(R10, FLAGS, R0),
        LdInd.B(R7, 12),
        Rsh.Imm(R0, 4),
        Lsh.Imm(R0, 2),
        Add.Reg(R7, R0),
        Stx.DW(R10, PAYOFF, R7),
        Ldx.DW(R8, R10, L4LEN),
        Sub.Reg(R8, R0),
        Stx.DW(R10, PAYLEN, R8),

        // ---- a tracked connection?
        LdMapFd(R1, HTTP_SESSIONS_MAP.name),
        Mov.Reg(R2, R10),
        Add.Imm(R2, fwd),
        Call('map_lookup_elem'),
        JEq.Imm(R0, 0, 'http_untracked'),
        Mov.Reg(R7, R0), // the entry (r7 survives calls)
        Call('ktime_get_ns'),
        Ldx.DW(R1, R7, 0),
        Mov.Reg(R2, R0),
        Sub.Reg(R2, R1),
        LdImm64(R3, IDLE_TIMEOUT_NS),
        JGt.Reg(R2, R3, 'http_stale'),
        Stx.DW(R7, 0, R0),
        Ldx.DW(R1, R10, FLAGS),
        JSet.Imm(R1, TCP_RST, 'http_forget'),
        JSet.Imm(R1, TCP_FIN, 'http_fin'),
        Jmp(next),

        // A FIN: mark this direction; forget the connection once the other direction has sent one.
        Label('http_fin'),
        St.DW(R7, 8, 1),
        LdMapFd(R1, HTTP_SESSIONS_MAP.name),
        Mov.Reg(R2, R10),
        Add.Imm(R2, rev),
        Call('map_lookup_elem'),
        JEq.Imm(R0, 0, 'http_forget'),
        Ldx.DW(R1, R0, 8),
        JEq.Imm(R1, 0, next),
        Label('http_forget'),
        ...deleteKey(fwd),
        ...deleteKey(rev),
        Jmp(next),

        // Idle too long: forget it, then judge this packet as a new one.
        Label('http_stale'),
        ...deleteKey(fwd),
        ...deleteKey(rev),

        // ---- not tracked: does the payload begin HTTP?
        Label('http_untracked'),
        Ldx.DW(R8, R10, PAYLEN),
        JSlt.Imm(R8, 8, drop),
        St.DW(R10, FIRST, 0),
        Mov.Reg(R1, R6),
        Ldx.DW(R2, R10, PAYOFF),
        Mov.Reg(R3, R10),
        Add.Imm(R3, FIRST),
        Mov.Imm(R4, 8),
        Call('skb_load_bytes'),
        JNe.Imm(R0, 0, drop),
        Ldx.DW(R1, R10, FIRST),
      );
      for (const prefix of HTTP_START_PREFIXES) {
        const { value: word, mask } = prefixWord(prefix);
        out.push(Mov.Reg(R2, R1));
        if (prefix.length < 8) out.push(LdImm64(R3, mask), And.Reg(R2, R3));
        out.push(LdImm64(R3, word), JEq.Reg(R2, R3, 'http_begins'));
      }
      out.push(
        Jmp(drop),

        // ---- it does: accept, and track the connection unless this packet also ends it
        Label('http_begins'),
        Ldx.DW(R1, R10, FLAGS),
        JSet.Imm(R1, TCP_RST | TCP_FIN, next),
        Call('ktime_get_ns'),
        Stx.DW(R10, value, R0),
        St.DW(R10, value + 8, 0),
        ...updateKey(fwd, value),
        ...updateKey(rev, value),
        Jmp(next),

        Label(drop),
        Mov.Imm(result, 0),
      );
      return out;
    },
  };
}

function deleteKey(key: number): AsmItem[] {
  return [LdMapFd(R1, HTTP_SESSIONS_MAP.name), Mov.Reg(R2, R10), Add.Imm(R2, key), Call('map_delete_elem')];
}

function updateKey(key: number, value: number): AsmItem[] {
  return [
    LdMapFd(R1, HTTP_SESSIONS_MAP.name),
    Mov.Reg(R2, R10),
    Add.Imm(R2, key),
    Mov.Reg(R3, R10),
    Add.Imm(R3, value),
    Mov.Imm(R4, 0), // BPF_ANY
    Call('map_update_elem'),
  ];
}
