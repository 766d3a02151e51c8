/**
 * View › Name Resolution, Wireshark's three toggles: MAC addresses by vendor and well-known name,
 * IP addresses by host name (hosts files only: never a DNS query), TCP/UDP ports by service name.
 * Off by default; the engine shows the names in the rows and the details tree (the `rows` and
 * `packet` requests' `names`); the choice is kept in localStorage.
 */
import type { NameResolutionFlags } from '../../../app/rpc/engine-protocol';

export type NameKind = keyof NameResolutionFlags;

/** Wireshark's labels, in its menu order; the menu command of each is `name-resolution-KIND`. */
export const NAME_RESOLUTION_CHOICES: ReadonlyArray<{ kind: NameKind; label: string; command: string }> = [
  { kind: 'mac', label: 'Resolve Physical Addresses', command: 'name-resolution-mac' },
  { kind: 'network', label: 'Resolve Network Addresses', command: 'name-resolution-network' },
  { kind: 'transport', label: 'Resolve Transport Addresses', command: 'name-resolution-transport' },
];

export const NO_NAMES: NameResolutionFlags = { mac: false, network: false, transport: false };
const KEY = 'sievecap.nameResolution';

export function loadNameResolution(storage: Pick<Storage, 'getItem'> | null): NameResolutionFlags {
  try {
    const saved = JSON.parse(storage?.getItem(KEY) ?? 'null') as Partial<Record<NameKind, unknown>> | null;
    if (saved && typeof saved === 'object') return { mac: saved.mac === true, network: saved.network === true, transport: saved.transport === true };
  } catch {
    // the default
  }
  return { ...NO_NAMES };
}

export function saveNameResolution(storage: Pick<Storage, 'setItem'> | null, names: NameResolutionFlags): void {
  try {
    storage?.setItem(KEY, JSON.stringify(names));
  } catch {
    // not kept
  }
}

/** The names after a menu command (one of them toggled), or null when the command is not one of these. */
export function nameResolutionCommand(current: NameResolutionFlags, command: string): NameResolutionFlags | null {
  const choice = NAME_RESOLUTION_CHOICES.find((c) => c.command === command);
  return choice ? { ...current, [choice.kind]: !current[choice.kind] } : null;
}

/** Whether any name is shown (the requests carry `names` only then). */
export function anyNames(names: NameResolutionFlags): boolean {
  return names.mac || names.network || names.transport;
}
