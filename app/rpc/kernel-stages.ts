/**
 * Kernel stages (helper-protocol.ts KernelStagesSpec) in words, for a UI: what runs in the eBPF
 * program after the capture filter. A leaf module with no Node imports, so the renderer shows the
 * same sentences the CLI's --explain prints (bpf/programs/capture.ts describeStages, which the
 * renderer may not import; kernel-stages.test.ts keeps the two in step).
 */
import type { KernelStagesSpec } from './helper-protocol';

export interface KernelStageDescription {
  /** The stage's key in KernelStagesSpec. */
  stage: string;
  /** Its name, as a heading: "HTTP session tracking". */
  title: string;
  /** What it lets through or counts, in one sentence. */
  detail: string;
  /** It lets only some packets through (false: it only counts them). */
  choosesPackets: boolean;
}

/** One entry per stage the spec turns on, in the order the CLI's --explain lists them; [] for none. */
export function describeKernelStages(stages: KernelStagesSpec | null | undefined): KernelStageDescription[] {
  if (!stages) return [];
  const out: KernelStageDescription[] = [];
  const known = new Set(['httpSessions', 'trafficMix', 'payloadSnap', 'watchlist']);
  if (stages.httpSessions) {
    out.push({
      stage: 'httpSessions',
      title: 'HTTP session tracking',
      detail: 'TCP connections whose payload begins an HTTP/1.x request or response, on any port, from that packet until FIN from both sides or RST (IPv4 and IPv6)',
      choosesPackets: true,
    });
  }
  if (stages.trafficMix) {
    out.push({
      stage: 'trafficMix',
      title: 'Traffic mix',
      detail: 'packets and bytes per ethertype and per IP protocol of every packet seen, before the filter',
      choosesPackets: false,
    });
  }
  if (stages.payloadSnap) {
    out.push({
      stage: 'payloadSnap',
      title: 'Per-packet snap length',
      detail: `link, IP and TCP/UDP headers (and an HTTP/1.x header block) kept whole, then at most ${stages.payloadSnap.bytes} bytes`,
      choosesPackets: false,
    });
  }
  if (stages.watchlist) {
    const rules = stages.watchlist.rules;
    out.push({
      stage: 'watchlist',
      title: 'CIDR watchlist',
      detail: `packets from or to ${rules.map((r) => `${r.name} (${r.prefixes.join(', ') || 'no prefixes yet'})`).join('; ')}, counted per rule`,
      choosesPackets: true,
    });
  }
  // A stage this renderer does not know yet (a newer engine's) is still named, never hidden.
  for (const [key, value] of Object.entries(stages as Record<string, unknown>)) {
    if (!known.has(key) && value !== undefined && value !== false) {
      out.push({ stage: key, title: key, detail: 'a kernel stage this version does not describe', choosesPackets: true });
    }
  }
  return out;
}

/** Whether two stage specs ask for the same stages (absent, {} and all-false are the same: none). */
export function sameKernelStages(a: KernelStagesSpec | null | undefined, b: KernelStagesSpec | null | undefined): boolean {
  return canonical(a) === canonical(b);
}

function canonical(stages: KernelStagesSpec | null | undefined): string {
  const on = Object.entries((stages ?? {}) as Record<string, unknown>)
    .filter(([, value]) => value !== undefined && value !== false)
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return JSON.stringify(on);
}

/** True when the spec turns at least one stage on. */
export function hasKernelStages(stages: KernelStagesSpec | null | undefined): stages is KernelStagesSpec {
  return describeKernelStages(stages).length > 0;
}
