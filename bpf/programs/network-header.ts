/**
 * The start of every stage that reads IP headers: where the network header begins and which
 * protocol it is. Ethernet (one 802.1Q or 802.1ad tag in the frame is stepped over) or, on a cooked
 * socket (`any`: the packet starts at its network header), skb->protocol.
 */
import { Endian, JEq, JNe, Jmp, Label, LdAbs, Ldx, Mov, R0, R6, R7, type AsmItem } from '../asm';
import { SK_BUFF } from '../translate';

/**
 * Leaves r7 = the network header's offset and jumps to `ipv4` or `ipv6`, or to `other` for any other
 * protocol. Ethernet header loads are LD_ABS: a frame too short for them ends the program (drop).
 * Clobbers r0–r5. Labels start with `prefix`.
 */
export function networkHeader(prefix: string, cooked: boolean, ipv4: string, ipv6: string, other: string): AsmItem[] {
  const l3 = `${prefix}_l3`;
  const out: AsmItem[] = [];
  if (cooked) {
    // skb->protocol is the __be16 ethertype in a u32: swap it to host order.
    out.push(Mov.Imm(R7, 0), Ldx.W(R0, R6, SK_BUFF.protocol), Endian.ToBE(R0, 16));
  } else {
    out.push(
      Mov.Imm(R7, 14),
      LdAbs.H(12),
      JEq.Imm(R0, 0x8100, `${prefix}_vlan`),
      JNe.Imm(R0, 0x88a8, l3),
      Label(`${prefix}_vlan`),
      Mov.Imm(R7, 18),
      LdAbs.H(16),
    );
  }
  out.push(Label(l3), JEq.Imm(R0, 0x0800, ipv4), JEq.Imm(R0, 0x86dd, ipv6), Jmp(other));
  return out;
}
