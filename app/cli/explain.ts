/**
 * `sievecap --explain EXPR`: what would run in the kernel for a filter, and whether the kernel
 * accepts it. Nothing is captured.
 */
import { native } from '../capture/native';
import { compileFilter } from '../capture/filter';
import { buildCaptureProgram } from '../../bpf/programs/capture';
import { disassemble } from '../../bpf/disasm';
import { formatClassicProgram } from '../../bpf/classic';
import { linkTypeDescription } from '../pcap/linktype';
import type { CliOptions } from './args';
import type { CliIo } from './io';

const DLT_EN10MB = 1;
const DLT_LINUX_SLL2 = 276;
const BPF_PROG_TYPE_SOCKET_FILTER = 1;
/** BPF_LOG_STATS: the verifier's one-line summary even when it accepts the program. */
const BPF_LOG_STATS = 4;

export function runExplain(opts: CliOptions, io: CliIo): number {
  const n = native();
  const filter = opts.explain!.trim();
  const iface = opts.interface;
  const linkType = iface === 'any' ? DLT_LINUX_SLL2 : DLT_EN10MB;
  let classic;
  let compiledLive = false;
  try {
    classic = compileFilter({ filter, linkType, snapLen: opts.snapLen, ...(iface ? { liveDevice: iface } : {}) });
    compiledLive = iface !== undefined;
  } catch (err) {
    // Without privileges a live handle cannot be opened; the dead-handle program differs only in
    // how VLAN tags are tested, so explain that one and say so.
    if (!iface || (err as Error).name === 'FilterSyntaxError') throw err;
    classic = compileFilter({ filter, linkType, snapLen: opts.snapLen });
  }
  const program = buildCaptureProgram({
    classic,
    snapLen: opts.snapLen,
    ...(iface === 'any' ? { cooked: 'sll2' as const } : {}),
  });
  const lines: string[] = [];
  lines.push(`Filter: ${filter === '' ? '(none: every packet)' : filter}`);
  lines.push(
    `Link type: ${linkTypeDescription(linkType)}, snapshot length ${opts.snapLen} bytes` +
      (iface ? `, interface ${iface}${compiledLive ? '' : ' (compiled offline: not privileged)'}` : ''),
  );
  lines.push('', `Classic BPF from libpcap (${classic.length} instructions):`);
  lines.push(formatClassicProgram(classic));

  // Assemble with a placeholder map fd first so the listing exists even when loading is impossible.
  let mapFd = -1;
  let verdict: string;
  let rejected = false;
  let insns = program.assemble(Object.fromEntries(Object.keys(program.maps).map((name) => [name, 0])));
  try {
    mapFd = n.bpfMapCreate(program.maps.counters);
    insns = program.assemble({ counters: mapFd });
    try {
      const loaded = n.bpfProgLoad({
        insns,
        progType: BPF_PROG_TYPE_SOCKET_FILTER,
        license: 'GPL',
        name: 'sievecap',
        logLevel: BPF_LOG_STATS,
      });
      n.closeFd(loaded.fd);
      const summary = loaded.log.split('\n').filter((l) => l.trim() !== '').join('; ');
      verdict = `accepted${summary ? ` (${summary})` : ''}`;
    } catch (err) {
      const e = err as Error & { verifierLog?: string };
      verdict = `REJECTED: ${e.message}${e.verifierLog ? `\n${e.verifierLog.trimEnd()}` : ''}`;
      rejected = true;
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    verdict = `not run (${e.message})`;
  } finally {
    if (mapFd >= 0) n.closeFd(mapFd);
  }
  lines.push('', `eBPF socket filter (${insns.length / 8} instructions):`);
  lines.push(disassemble(insns).join('\n'));
  lines.push('', `Verifier: ${verdict}`);
  io.out(lines.join('\n') + '\n');
  return rejected ? 1 : 0;
}
