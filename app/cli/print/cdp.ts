/**
 * CDP (Cisco's discovery protocol, SNAP OUI 00000c PID 0x2000) as tcpdump 4.99's cdp_print prints
 * it without -v: `CDPv2, ttl: 180s, Device-ID 'name'`, every other TLV as a hex dump of its value
 * on lines of its own, and `, length N` at the end. (-v names and decodes each TLV: not printed
 * here; the caller shows the frame as an unknown LLC frame then.)
 */
import { PrintContext } from './context';
import { hexPrint, printableChar } from './hexdump';

/** TLV types tcpdump knows and their value lengths (min, max; -1: any); `printer`: whether tcpdump has one for -v. */
const TLVS: ReadonlyArray<readonly [number, number, number] | undefined> = (() => {
  const t: Array<readonly [number, number, number] | undefined> = [];
  const known = (type: number, min = -1, max = -1): void => void (t[type] = [type, min, max]);
  for (const type of [0x01, 0x02, 0x03, 0x05, 0x06, 0x07, 0x08, 0x09, 0x14, 0x15]) known(type);
  known(0x04, 4, 4);
  known(0x0a, 2, 2);
  known(0x0b, 1, 1);
  known(0x0e, 3, 3);
  known(0x0f, 2, 3);
  known(0x10, 1, 3);
  known(0x11, 4, 4);
  known(0x12, 1, 1);
  known(0x13, 1, 1);
  known(0x16, 4, -1);
  known(0x17, 1, -1);
  return t;
})();

/** cdp_print without -v. */
export function cdpPrint(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'cdp';
  // cdp.c checks with ND_LONGJMP_FROM_TCHECK: a check that fails ends the packet as a cut read does
  // (` [|cdp]`, and no -x dump after it).
  const invalid = (at: number, left: number): void => {
    ctx.print(' (invalid)');
    ctx.check(at, left);
  };
  if (length < 4) {
    ctx.print(` (packet length ${length} < 4)`);
    return invalid(p, length);
  }
  ctx.print(`CDPv${ctx.u8(p)}, ttl: ${ctx.u8(p + 1)}s`);
  ctx.u16(p + 2);
  let t = p + 4;
  let left = length - 4;
  while (left) {
    if (left < 4) {
      ctx.print(` (remaining packet length ${left} < 4)`);
      return invalid(t, left);
    }
    const type = ctx.u16(t);
    let len = ctx.u16(t + 2);
    const info = type <= 0x17 ? TLVS[type] : undefined;
    if (len < 4) {
      ctx.print(`, ${info ? TLV_NAMES[type] : 'unknown field type'} TLV length ${len} too short`);
      return invalid(t, left);
    }
    if (len > left) {
      ctx.print(` (TLV length ${len} > ${left})`);
      return invalid(t, left);
    }
    t += 4;
    left -= 4;
    len -= 4;
    if (type === 0x01) ctx.print(', Device-ID ');
    let covered = false;
    if (info) {
      const [, min, max] = info;
      if ((min > 0 && len < min) || (max > 0 && len > max)) ctx.print(' (malformed TLV)');
      else if (type === 0x01) {
        ctx.print("'");
        for (let k = 0; k < len; k++) ctx.print(printableChar(ctx.u8(t + k)));
        ctx.print("'");
        covered = true;
      }
    }
    if (!covered) {
      ctx.check(t, len);
      hexPrint(ctx, '\n\t  ', t, len);
    }
    t += len;
    left -= len;
  }
  ctx.print(`, length ${length}`);
}

const TLV_NAMES: Readonly<Record<number, string>> = {
  0x01: 'Device-ID', 0x02: 'Address', 0x03: 'Port-ID', 0x04: 'Capability', 0x05: 'Version String', 0x06: 'Platform', 0x07: 'Prefixes',
  0x08: 'Protocol-Hello option', 0x09: 'VTP Management Domain', 0x0a: 'Native VLAN ID', 0x0b: 'Duplex', 0x0e: 'ATA-186 VoIP VLAN assignment',
  0x0f: 'ATA-186 VoIP VLAN request', 0x10: 'power consumption', 0x11: 'MTU', 0x12: 'AVVID trust bitmap', 0x13: 'AVVID untrusted ports CoS',
  0x14: 'System Name', 0x15: 'System Object ID (not decoded)', 0x16: 'Management Addresses', 0x17: 'Physical Location',
};
