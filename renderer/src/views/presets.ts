/**
 * The preset picker's list: the built-in presets (as the engine lists them; the renderer's copy is
 * only the fallback when the engine cannot be asked), then the user's, sorted by name.
 */
import * as v from 'valibot';
import { PresetSettings, describeIssues, type Preset } from '../../../app/rpc/engine-protocol';
import type { KernelStagesSpec } from '../../../app/rpc/helper-protocol';
import { hasKernelStages, sameKernelStages } from '../../../app/rpc/kernel-stages';

/**
 * The engine's built-in presets (app/presets/builtin.ts, as it lists them without an SSH session),
 * in its order: a fallback only, for when listPresets cannot be asked; the renderer imports nothing
 * but app/rpc, so this is a copy (presets.test.ts compares the two).
 */
export const BUILTIN_PRESETS: readonly Preset[] = [
  { name: 'all', description: 'Every packet', filter: '', builtin: true },
  {
    name: 'http',
    description: 'Plain HTTP/1.x on any port, tracked in the kernel: each TCP connection from its first request or response until it closes',
    filter: '',
    builtin: true,
    stages: { httpSessions: true },
  },
  {
    name: 'metadata',
    description: 'Cloud instance-metadata services (AWS, GCP, Azure and OpenStack IMDS, ECS task metadata, Azure WireServer, Alibaba): their packets, counted per service in the kernel',
    filter: '',
    builtin: true,
    stages: {
      watchlist: {
        rules: [
          { name: 'imds', prefixes: ['169.254.169.254/32', 'fd00:ec2::254/128'] },
          { name: 'ecs-task-metadata', prefixes: ['169.254.170.2/32', '169.254.170.23/32', 'fd00:ec2::23/128'] },
          { name: 'azure-wireserver', prefixes: ['168.63.129.16/32'] },
          { name: 'alibaba-metadata', prefixes: ['100.100.100.200/32'] },
        ],
      },
    },
  },
  { name: 'dns', description: 'DNS queries and answers (port 53, UDP and TCP)', filter: 'udp port 53 or tcp port 53', builtin: true },
  { name: 'tls', description: 'HTTPS: TLS on TCP ports 443 and 8443, and QUIC on UDP 443', filter: 'tcp port 443 or tcp port 8443 or udp port 443', builtin: true },
  {
    name: 'tcp-setup',
    description: 'TCP connections opening and closing: SYN, FIN and RST segments only (IPv6 without extension headers)',
    filter: 'tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0 or (ip6[6] == 6 and ip6[53] & 7 != 0)',
    builtin: true,
  },
  { name: 'icmp', description: 'ICMP and ICMPv6 (ping, unreachable, neighbour discovery)', filter: 'icmp or icmp6', builtin: true },
  {
    name: 'arp-nd',
    description: 'ARP, and IPv6 neighbour discovery (router and neighbour solicitations and advertisements, redirects)',
    filter: 'arp or (icmp6[icmp6type] >= 133 and icmp6[icmp6type] <= 137)',
    builtin: true,
  },
  {
    name: 'not-my-ssh',
    description: 'Everything except SSH (port 22): no SSH session was found in $SSH_CONNECTION',
    filter: 'not tcp port 22',
    builtin: true,
  },
];

export interface PresetList {
  builtin: Preset[];
  user: Preset[];
}

/**
 * Splits listPresets' answer into the two groups the picker shows. A built-in the engine did not
 * list is taken from BUILTIN_PRESETS only when the engine listed no built-ins at all (an engine
 * that lists some knows best which exist).
 */
export function mergePresets(fromEngine: readonly Preset[] | null): PresetList {
  const listed = fromEngine ?? [];
  const builtin = listed.filter((p) => p.builtin);
  const names = new Set(builtin.map((p) => p.name.toLowerCase()));
  const user = listed
    .filter((p) => !p.builtin && !names.has(p.name.toLowerCase()))
    .sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' }));
  return { builtin: builtin.length > 0 ? builtin : BUILTIN_PRESETS.map((p) => ({ ...p })), user };
}

/** What choosing a preset changes in the start page's settings. */
export interface PresetChoice {
  filter: string;
  snapLen?: number;
  interfaces?: string[];
  /** The kernel stages it runs after the filter; absent when it has none (the stages chosen before are dropped). */
  stages?: KernelStagesSpec;
}

export function applyPreset(preset: Preset): PresetChoice {
  const choice: PresetChoice = { filter: preset.filter };
  if (preset.snapLen !== undefined) choice.snapLen = preset.snapLen;
  if (preset.interfaces !== undefined && preset.interfaces.length > 0) choice.interfaces = [...preset.interfaces];
  if (hasKernelStages(preset.stages)) choice.stages = structuredClone(preset.stages);
  return choice;
}

/**
 * The preset the current settings still match (the filter as the preset has it, and its kernel
 * stages), else null.
 */
export function matchingPreset(presets: PresetList, chosen: string | null, filter: string, stages: KernelStagesSpec | null = null): Preset | null {
  if (chosen === null) return null;
  const preset = [...presets.builtin, ...presets.user].find((p) => p.name === chosen);
  return preset && preset.filter.trim() === filter.trim() && sameKernelStages(preset.stages, stages) ? preset : null;
}

/** Checks a preset to save as the engine will (built-in names compare case-insensitively, as there); a sentence naming what is wrong, or null when fine. */
export function presetProblem(settings: PresetSettings, builtin: readonly Preset[]): string | null {
  const parsed = v.safeParse(PresetSettings, settings);
  if (!parsed.success) return describeIssues(parsed.issues);
  if (builtin.some((p) => p.name.toLowerCase() === settings.name.toLowerCase())) return `“${settings.name}” is a built-in preset: choose another name`;
  return null;
}
