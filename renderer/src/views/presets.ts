/**
 * The preset picker's list: the built-in presets (as the engine lists them; the renderer's copy is
 * only the fallback when the engine cannot be asked), then the user's, sorted by name.
 */
import * as v from 'valibot';
import { PresetSettings, describeIssues, type Preset } from '../../../app/rpc/engine-protocol';

/**
 * The engine's built-in presets (app/presets/builtin.ts), in its order: a fallback only, for when
 * listPresets cannot be asked; the renderer imports nothing but app/rpc, so this is a copy.
 */
export const BUILTIN_PRESETS: readonly Preset[] = [
  { name: 'all', description: 'Every packet', filter: '', builtin: true },
  { name: 'http', description: 'Plain HTTP on ports 80, 8080 and 8000', filter: 'tcp port 80 or tcp port 8080 or tcp port 8000', builtin: true },
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
  { name: 'not-my-ssh', description: 'Everything except SSH (port 22)', filter: 'not tcp port 22', builtin: true },
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
}

export function applyPreset(preset: Preset): PresetChoice {
  const choice: PresetChoice = { filter: preset.filter };
  if (preset.snapLen !== undefined) choice.snapLen = preset.snapLen;
  if (preset.interfaces !== undefined && preset.interfaces.length > 0) choice.interfaces = [...preset.interfaces];
  return choice;
}

/** The preset the current settings still match (the filter as the preset has it), else null. */
export function matchingPreset(presets: PresetList, chosen: string | null, filter: string): Preset | null {
  if (chosen === null) return null;
  const preset = [...presets.builtin, ...presets.user].find((p) => p.name === chosen);
  return preset && preset.filter.trim() === filter.trim() ? preset : null;
}

/** Checks a preset to save as the engine will (built-in names compare case-insensitively, as there); a sentence naming what is wrong, or null when fine. */
export function presetProblem(settings: PresetSettings, builtin: readonly Preset[]): string | null {
  const parsed = v.safeParse(PresetSettings, settings);
  if (!parsed.success) return describeIssues(parsed.issues);
  if (builtin.some((p) => p.name.toLowerCase() === settings.name.toLowerCase())) return `“${settings.name}” is a built-in preset: choose another name`;
  return null;
}
