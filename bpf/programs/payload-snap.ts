/**
 * Per-packet snap length: a stage of the capture program (stages.ts) that keeps every header whole
 * and cuts what follows to a configured number of bytes, so long captures stay small without
 * losing the headers a snap length of tcpdump's would cut.
 *
 * Headers kept: link, network (IPv4 options and the fixed IPv6 header), transport (TCP with its
 * options, UDP; for other IP protocols the payload starts after the network header), and for a TCP
 * payload that begins an HTTP/1.x request or response, its header block up to the blank line
 * (searched for in its first HEADER_SCAN_BYTES). The verdict becomes at most that much plus
 * `bytes`; a packet that is not IP keeps the verdict it had. It reads the packet like the HTTP
 * stage (Ethernet with at most one VLAN tag in the frame, or a cooked socket's packet).
 */
import {
  Add, And, Call, JEq, JGe, JGt, JLe, JNe, Jmp, Label, LdImm64, LdInd, Ldx, Lsh, Mov, Or, R0, R1, R2, R3, R4, R6, R7, R8, R10, Rsh, St, Stx, Sub,
  type AsmItem,
} from '../asm';
import { HTTP_START_PREFIXES } from './http-sessions';
import { networkHeader } from './network-header';
import type { Stage } from './stages';

/** How far into a TCP payload the end of an HTTP header block is looked for. */
export const HEADER_SCAN_BYTES = 2048;
/** Bytes read per step of the search; consecutive windows overlap by 3 so no "\r\n\r\n" is missed. */
const WINDOW = 32;
const STRIDE = WINDOW - 3;
const STEPS = Math.ceil(HEADER_SCAN_BYTES / STRIDE);
/** "\r\n\r\n" as the last four bytes read, the newest lowest. */
const BLANK_LINE = 0x0d0a0d0a;

export function payloadSnapStage(bytes: number, options: { cooked?: boolean } = {}): Stage {
  if (!Number.isInteger(bytes) || bytes < 0 || bytes > 262144) throw new RangeError(`payload bytes must be 0 to 262144, got ${bytes}`);
  return {
    name: 'snap',
    maps: [],
    emit: ({ stack, next, result }) => {
      const vars = stack.allocate('snap: payload offset, length, scan position', 3 * 8);
      const first = stack.allocate('snap: first bytes of the payload', 8);
      const window = stack.allocate('snap: search window', WINDOW);
      const PAYOFF = vars;
      const PAYLEN = vars + 8;
      const POS = vars + 16;
      const keep = 'snap_keep'; // r7 = payload offset: verdict = min(verdict, r7 + bytes)
      const out: AsmItem[] = [
        JEq.Imm(result, 0, next),
        ...networkHeader('snap', options.cooked === true, 'snap_ipv4', 'snap_ipv6', next),

        // ---- IPv4: r8 = header length; a later fragment has no transport header
        Label('snap_ipv4'),
        LdInd.B(R7, 0),
        And.Imm(R0, 0x0f),
        Lsh.Imm(R0, 2),
        Mov.Reg(R8, R0),
        LdInd.H(R7, 2),
        Sub.Reg(R0, R8),
        Stx.DW(R10, PAYLEN, R0), // the IP payload's length, for now
        LdInd.H(R7, 6),
        And.Imm(R0, 0x1fff),
        JEq.Imm(R0, 0, 'snap_ipv4_first'),
        Add.Reg(R7, R8),
        Jmp(keep),
        Label('snap_ipv4_first'),
        LdInd.B(R7, 9),
        Add.Reg(R7, R8),
        Jmp('snap_transport'),
      ];
      out.push(
        // ---- IPv6: the fixed header; r0 = next header
        Label('snap_ipv6'),
        LdInd.H(R7, 4),
        Stx.DW(R10, PAYLEN, R0),
        LdInd.B(R7, 6),
        Add.Imm(R7, 40),

        // ---- transport: r7 = its offset, r0 = protocol
        Label('snap_transport'),
        JEq.Imm(R0, 17, 'snap_udp'),
        JNe.Imm(R0, 6, keep),
        // TCP: its header with options, then maybe an HTTP header block
        LdInd.B(R7, 12),
        Rsh.Imm(R0, 4),
        Lsh.Imm(R0, 2),
        Ldx.DW(R1, R10, PAYLEN),
        Sub.Reg(R1, R0),
        Stx.DW(R10, PAYLEN, R1),
        Add.Reg(R7, R0),
        Stx.DW(R10, PAYOFF, R7),
        Jmp('snap_http'),
        Label('snap_udp'),
        Add.Imm(R7, 8),
        Jmp(keep),

        // ---- does the TCP payload begin HTTP/1.x?
        Label('snap_http'),
        Ldx.DW(R8, R10, PAYLEN),
        Mov.Imm(R0, 8),
        JGt.Reg(R0, R8, keep), // shorter than 8 bytes (or negative): not judged
        St.DW(R10, first, 0),
        Mov.Reg(R1, R6),
        Mov.Reg(R2, R7),
        Mov.Reg(R3, R10),
        Add.Imm(R3, first),
        Mov.Imm(R4, 8),
        Call('skb_load_bytes'),
        JNe.Imm(R0, 0, keep),
        Ldx.DW(R1, R10, first),
      );
      for (const prefix of HTTP_START_PREFIXES) {
        let value = 0n;
        let mask = 0n;
        for (let i = 0; i < prefix.length; i++) {
          value |= BigInt(prefix.charCodeAt(i)) << BigInt(8 * i);
          mask |= 0xffn << BigInt(8 * i);
        }
        out.push(Mov.Reg(R2, R1), LdImm64(R3, mask), And.Reg(R2, R3), LdImm64(R3, value), JEq.Reg(R2, R3, 'snap_scan'));
      }
      out.push(
        Jmp(keep),

        // ---- search the blank line in windows of WINDOW bytes, STRIDE apart (a bounded loop)
        Label('snap_scan'),
        St.DW(R10, POS, 0),
        Label('snap_scan_step'),
        Ldx.DW(R8, R10, POS),
        JGe.Imm(R8, STEPS * STRIDE, 'snap_scan_done'),
        Ldx.DW(R4, R10, PAYLEN),
        Sub.Reg(R4, R8), // bytes left from here
        JLe.Imm(R4, 3, 'snap_scan_done'), // (signed or not: a negative length fails this too)
        JLe.Imm(R4, WINDOW, 'snap_scan_len'),
        Mov.Imm(R4, WINDOW),
        Label('snap_scan_len'),
      );
      for (let i = 0; i < WINDOW; i += 8) out.push(St.DW(R10, window + i, 0));
      out.push(
        Mov.Reg(R1, R6),
        Ldx.DW(R2, R10, PAYOFF),
        Add.Reg(R2, R8),
        Mov.Reg(R3, R10),
        Add.Imm(R3, window),
        Call('skb_load_bytes'),
        JNe.Imm(R0, 0, 'snap_scan_done'),
      );
      // The last four bytes read, newest lowest (32-bit shifts: the upper half stays zero); the stack is
      // read a byte at a time (the verifier wants aligned stack loads).
      out.push(Mov.Imm(R1, 0));
      for (let j = 0; j < WINDOW; j++) {
        out.push(Ldx.B(R2, R10, window + j), Lsh.Imm32(R1, 8), Or.Reg32(R1, R2));
        if (j >= 3) out.push(JEq.Imm(R1, BLANK_LINE, `snap_found_${j}`));
      }
      out.push(Add.Imm(R8, STRIDE), Stx.DW(R10, POS, R8), Jmp('snap_scan_step'));
      for (let j = 3; j < WINDOW; j++) out.push(Label(`snap_found_${j}`), Mov.Imm(R1, j + 1), Jmp('snap_found'));
      out.push(
        // The header block ends at payload offset + position + i + 4.
        Label('snap_found'),
        Ldx.DW(R8, R10, POS),
        Add.Reg(R8, R1),
        Ldx.DW(R7, R10, PAYOFF),
        Add.Reg(R7, R8),
        Jmp(keep),
        // Not found in the first HEADER_SCAN_BYTES: what was searched is kept whole.
        Label('snap_scan_done'),
        Ldx.DW(R7, R10, PAYOFF),
        Add.Reg(R7, R8),

        Label(keep),
        Add.Imm(R7, bytes),
        JGe.Reg(R7, result, next),
        Mov.Reg(result, R7),
      );
      return out;
    },
  };
}
