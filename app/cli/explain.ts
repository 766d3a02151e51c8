/**
 * `sievecap --explain EXPR`: what would run in the kernel for a filter, and whether the kernel
 * accepts it. Nothing is captured.
 */
import { loadSocketFilter } from '../capture/load';
import { compileFilter } from '../capture/filter';
import { buildCaptureProgram, describeStages } from '../../bpf/programs/capture';
import { disassemble } from '../../bpf/disasm';
import { disassembleClassic } from '../../bpf/classic';
import { DLT_EN10MB, DLT_LINUX_SLL2, linkTypeName } from '../pcap/linktype';
import type { CliOptions } from './args';
import type { CliIo } from './io';

/** Log level 1: the verifier's log ends with its summary ("processed N insns ..."). */
const VERIFIER_LOG_LEVEL = 1;

export function runExplain(opts: CliOptions, io: CliIo): number {
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
    ...(opts.stages ? { stages: opts.stages } : {}),
  });
  const lines: string[] = [];
  lines.push(`Filter: ${filter === '' ? '(none: every packet)' : filter}`);
  lines.push(
    `Link type: ${linkTypeName(linkType)}, snapshot length ${opts.snapLen} bytes` +
      (iface ? `, interface ${iface}${compiledLive ? '' : ' (compiled offline: not privileged)'}` : ''),
  );
  const stages = describeStages(opts.stages);
  if (opts.preset !== undefined) lines.push(`Preset: ${opts.preset}`);
  if (stages.length > 0) lines.push('Kernel stages after the filter:', ...stages.map((s) => `  ${s}`));
  lines.push('', `Classic BPF from libpcap (${classic.length} instructions):`);
  lines.push(disassembleClassic(classic).trimEnd());

  // Assemble with placeholder map fds first so the listing exists even when loading is impossible.
  let insns = program.assemble(Object.fromEntries(program.maps.map((m) => [m.name, 0])));
  let verdict: string;
  let rejected = false;
  try {
    const loaded = loadSocketFilter(program, VERIFIER_LOG_LEVEL);
    insns = loaded.insns;
    loaded.close();
    const summary = loaded.verifierLog
      .split('\n')
      .filter((l) => /^processed \d+ insns|^verification time/.test(l))
      .join('; ');
    verdict = `accepted${summary ? ` (${summary})` : ''}`;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { verifierLog?: string };
    if (e.code === 'EPERM' || e.code === 'EACCES') {
      verdict = `not run (${e.message})`;
    } else {
      verdict = `REJECTED: ${e.message}${e.verifierLog ? `\n${e.verifierLog.trimEnd()}` : ''}`;
      rejected = true;
    }
  }
  lines.push('', `eBPF socket filter (${insns.length / 8} instructions):`);
  lines.push(disassemble(insns).join('\n'));
  lines.push('', `Verifier: ${verdict}`);
  io.out(lines.join('\n') + '\n');
  return rejected ? 1 : 0;
}
