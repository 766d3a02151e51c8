/**
 * IGMP as tcpdump 4.99's print-igmp.c prints it: queries (v1, v2, v3 with their maximum response
 * time, group and sources), v1/v2 reports and leaves, v3 reports with their group records (-v),
 * mtrace/mresp, PIMv1 (print-pim.c's pimv1_print) and the checksum check with -v. DVMRP carried
 * in IGMP prints its `igmp dvmrp` prefix only (tcpdump decodes it further).
 */
import { PrintContext } from './context';
import { internetChecksum } from './cksum';

const V3_RECORD_TYPES = new Map([
  [1, 'is_in'],
  [2, 'is_ex'],
  [3, 'to_in'],
  [4, 'to_ex'],
  [5, 'allow'],
  [6, 'block'],
]);

/** unsigned_relts_print: 90 → `1m30s`, 0 → `0s`. */
export function relativeSeconds(secs: number): string {
  if (secs === 0) return '0s';
  const units: Array<[number, string]> = [[31536000, 'y'], [604800, 'w'], [86400, 'd'], [3600, 'h'], [60, 'm'], [1, 's']];
  let text = '';
  for (const [size, unit] of units) {
    if (secs >= size) {
      text += `${Math.floor(secs / size)}${unit}`;
      secs %= size;
    }
  }
  return text;
}

function v3Report(ctx: PrintContext, p: number, len: number): void {
  if (len < 16 || len & 3) {
    ctx.print(` [invalid len ${len}]`);
    return;
  }
  const groups = ctx.u16(p + 6);
  ctx.print(`, ${groups} group record(s)`);
  if (ctx.flags.verbose === 0) return;
  let group = 8;
  for (let i = 0; i < groups; i++) {
    if (len < group + 8) {
      ctx.print(' [invalid number of groups]');
      return;
    }
    ctx.print(` [gaddr ${ctx.ipv4(p + group + 4)}`);
    const type = ctx.u8(p + group);
    ctx.print(` ${V3_RECORD_TYPES.get(type) ?? ` [v3-report-#${type}]`}`);
    const sources = ctx.u16(p + group + 2);
    if (len < group + 8 + sources * 4) {
      ctx.print(` [invalid number of sources ${sources}]`);
      return;
    }
    if (ctx.flags.verbose === 1) ctx.print(`, ${sources} source(s)`);
    else {
      ctx.print(' {');
      for (let j = 0; j < sources; j++) ctx.print(` ${ctx.ipv4(p + group + 8 + j * 4)}`);
      ctx.print(' }');
    }
    group += 8 + sources * 4;
    ctx.print(']');
  }
}

function v3Query(ctx: PrintContext, p: number, len: number): void {
  ctx.print(' v3');
  if (len < 12 || len & 3) {
    ctx.print(` [invalid len ${len}]`);
    return;
  }
  const mrc = ctx.u8(p + 1);
  const mrt = mrc < 128 ? mrc : ((mrc & 0x0f) | 0x10) << (((mrc & 0x70) >> 4) + 3);
  if (mrc !== 100) ctx.print(` [max resp time ${mrt < 600 ? `${(mrt * 0.1).toFixed(1)}s` : relativeSeconds(Math.floor(mrt / 10))}]`);
  if (ctx.u32(p + 4) === 0) return;
  ctx.print(` [gaddr ${ctx.ipv4(p + 4)}`);
  const sources = ctx.u16(p + 10);
  if (sources > 0) {
    if (len < 12 + sources * 4) ctx.print(' [invalid number of sources]');
    else if (ctx.flags.verbose > 1) {
      ctx.print(' {');
      for (let i = 0; i < sources; i++) ctx.print(` ${ctx.ipv4(p + 12 + i * 4)}`);
      ctx.print(' }');
    } else ctx.print(`, ${sources} source(s)`);
  }
  ctx.print(']');
}

function mtrace(ctx: PrintContext, name: string, p: number, len: number): void {
  // struct tr_query, after the 8-byte IGMP header: source, destination, response address, TTL, qid.
  if (len < 8 + 16) {
    ctx.print(` [invalid len ${len}]`);
    return;
  }
  const q = p + 8;
  const qid = (ctx.u8(q + 13) << 16) | ctx.u16(q + 14);
  ctx.print(`${name} ${qid}: ${ctx.ipv4(q)} to ${ctx.ipv4(q + 4)} reply-to ${ctx.ipv4(q + 8)}`);
  if (ctx.u32(q + 8) >>> 28 === 0xe) ctx.print(` with-ttl ${ctx.u8(q + 12)}`);
}

export function igmpPrint(ctx: PrintContext, p: number, len: number): void {
  ctx.protocol = 'igmp';
  if (ctx.flags.quick) {
    ctx.print('igmp');
    return;
  }
  const type = ctx.u8(p);
  switch (type) {
    case 0x11:
      ctx.print('igmp query');
      if (len >= 12) v3Query(ctx, p, len);
      else {
        const maxResp = ctx.u8(p + 1);
        if (maxResp) {
          ctx.print(' v2');
          if (maxResp !== 100) ctx.print(` [max resp time ${maxResp}]`);
        } else ctx.print(' v1');
        if (ctx.u32(p + 4)) ctx.print(` [gaddr ${ctx.ipv4(p + 4)}]`);
        if (len !== 8) ctx.print(` [len ${len}]`);
      }
      break;
    case 0x12:
      ctx.print(`igmp v1 report ${ctx.ipv4(p + 4)}`);
      if (len !== 8) ctx.print(` [len ${len}]`);
      break;
    case 0x16:
      ctx.print(`igmp v2 report ${ctx.ipv4(p + 4)}`);
      break;
    case 0x22:
      ctx.print('igmp v3 report');
      v3Report(ctx, p, len);
      break;
    case 0x17:
      ctx.print(`igmp leave ${ctx.ipv4(p + 4)}`);
      break;
    case 0x13:
      ctx.print('igmp dvmrp');
      if (len < 8) ctx.print(` [len ${len}]`);
      break;
    case 0x14:
      ctx.print('igmp pimv1');
      pimv1Print(ctx, p, len);
      break;
    case 0x1e:
      mtrace(ctx, 'mresp', p, len);
      break;
    case 0x1f:
      mtrace(ctx, 'mtrace', p, len);
      break;
    default:
      ctx.print(`igmp-${type}`);
  }
  if (ctx.flags.verbose > 0 && len >= 4 && ctx.has(p, len) && internetChecksum([ctx.bytes(p, len)]) !== 0) {
    ctx.print(` bad igmp cksum ${ctx.u16(p + 2).toString(16)}!`);
  }
}

const PIMV1_TYPES: readonly string[] = ['Query', 'Register', 'Register-Stop', 'Join/Prune', 'RP-reachable', 'Assert', 'Graft', 'Graft-ACK'];

/** pimv1_print (PIMv1 rides in IGMP type 0x14): ` Query Dense-mode`, ` Register for S > G`, … */
function pimv1Print(ctx: PrintContext, bp: number, len: number): void {
  ctx.protocol = 'pimv1';
  const type = ctx.u8(bp + 1);
  const v = ctx.flags.verbose;
  ctx.print(` ${PIMV1_TYPES[type] ?? `[type ${type}]`}`);
  switch (type) {
    case 0:
      if (ctx.has(bp + 8, 1)) {
        const mode = ctx.u8(bp + 8) >> 4;
        ctx.print([' Dense-mode', ' Sparse-mode', ' Sparse-Dense-mode'][mode] ?? ` mode-${mode}`);
      }
      if (v) ctx.print(` (Hold-time ${relativeSeconds(ctx.u16(bp + 10))})`);
      break;
    case 1:
      ctx.check(bp + 8, 20);
      ctx.print(` for ${ctx.ipv4(bp + 20)} > ${ctx.ipv4(bp + 24)}`);
      break;
    case 2:
      ctx.print(` for ${ctx.ipv4(bp + 8)} > ${ctx.ipv4(bp + 12)}`);
      break;
    case 4:
      if (v) {
        ctx.print(` group ${ctx.ipv4(bp + 8)}`);
        if (ctx.u32(bp + 12) !== 0xffffffff) ctx.print(`/${ctx.ipv4(bp + 12)}`);
        ctx.print(` RP ${ctx.ipv4(bp + 16)} hold ${relativeSeconds(ctx.u16(bp + 22))}`);
      }
      break;
    case 5:
      ctx.print(` for ${ctx.ipv4(bp + 16)} > ${ctx.ipv4(bp + 8)}`);
      if (ctx.u32(bp + 12) !== 0xffffffff) ctx.print(`/${ctx.ipv4(bp + 12)}`);
      ctx.print(` ${ctx.u8(bp + 20) & 0x80 ? 'RP-tree' : 'SPT'} pref ${ctx.u32(bp + 20) & 0x7fffffff} metric ${ctx.u32(bp + 24)}`);
      break;
    case 3:
    case 6:
    case 7:
      if (v) {
        if (len < 8) {
          ctx.printTrunc();
          return;
        }
        if (!pimv1JoinPrune(ctx, bp + 8, len - 8)) return;
      }
      break;
    default:
  }
  if (ctx.u8(bp + 4) >> 4 !== 1) ctx.print(` [v${ctx.u8(bp + 4) >> 4}]`);
}

/** pimv1_join_prune_print; false where it ended the line with ` [|pimv1]` (its `goto trunc`). */
function pimv1JoinPrune(ctx: PrintContext, bp: number, len: number): boolean {
  const trunc = (): false => (ctx.printTrunc(), false);
  if (ctx.has(bp, 30) && ctx.u8(bp + 11) === 1) {
    const njoin = ctx.u16(bp + 20);
    if (njoin + ctx.u16(bp + 22) === 1) {
      ctx.print(` RPF ${ctx.ipv4(bp)} `);
      const hold = ctx.u16(bp + 6);
      if (hold !== 180) ctx.print(`Hold ${relativeSeconds(hold)}`);
      ctx.print(`${njoin ? 'Join' : 'Prune'} (${ctx.ipv4(bp + 26)}/${ctx.u8(bp + 25) & 0x3f}, ${ctx.ipv4(bp + 12)}`);
      if (ctx.u32(bp + 16) !== 0xffffffff) ctx.print(`/${ctx.ipv4(bp + 16)}`);
      ctx.print(`) ${ctx.u8(bp + 24) & 0x01 ? 'Sparse' : 'Dense'}${ctx.u8(bp + 25) & 0x80 ? ' WC' : ''} ${ctx.u8(bp + 25) & 0x40 ? 'RP' : 'SPT'}`);
      return true;
    }
  }
  const vv = ctx.flags.verbose > 1;
  if (len < 4) return trunc();
  if (vv) ctx.print('\n');
  ctx.print(` Upstream Nbr: ${ctx.ipv4(bp)}`);
  bp += 4;
  len -= 4;
  if (len < 4) return trunc();
  if (vv) ctx.print('\n');
  ctx.print(` Hold time: ${relativeSeconds(ctx.u16(bp + 2))}`);
  if (!vv) return true;
  bp += 4;
  len -= 4;
  if (len < 4) return trunc();
  let ngroups = ctx.u8(bp + 3);
  bp += 4;
  len -= 4;
  while (ngroups !== 0) {
    if (len < 4) return trunc();
    ctx.print(`\n\tGroup: ${ctx.ipv4(bp)}`);
    bp += 4;
    len -= 4;
    if (len < 4) return trunc();
    if (ctx.u32(bp) !== 0xffffffff) ctx.print(`/${ctx.ipv4(bp)}`);
    bp += 4;
    len -= 4;
    if (len < 4) return trunc();
    const njoin = ctx.u16(bp);
    const nprune = ctx.u16(bp + 2);
    ctx.print(` joined: ${njoin} pruned: ${nprune}`);
    bp += 4;
    len -= 4;
    for (let njp = 0; njp < njoin + nprune; njp++) {
      if (len < 6) return trunc();
      const f0 = ctx.u8(bp);
      const f1 = ctx.u8(bp + 1);
      ctx.print(`\n\t${njp < njoin ? 'Join ' : 'Prune'} ${f0 & 0x01 ? 'Sparse ' : 'Dense '}${f1 & 0x80 ? 'WC ' : ''}${f1 & 0x40 ? 'RP ' : 'SPT '}${ctx.ipv4(bp + 2)}/${f1 & 0x3f}`);
      bp += 6;
      len -= 6;
    }
    ngroups--;
  }
  return true;
}
