/**
 * The machine's network interfaces as a UI lists them, from /sys/class/net (no privilege needed):
 * index, up/running/loopback from the interface flags, the link type its frames will have, its
 * addresses (os.networkInterfaces) and its traffic counters (for sparklines).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { NetworkInterface } from '../../rpc/engine-protocol';
import { EngineError } from './plain';

const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;
const IFF_RUNNING = 0x40;

const ARPHRD_ETHER = 1;
const ARPHRD_LOOPBACK = 772;

/**
 * LINKTYPE_* of an ARPHRD_* hardware type, as libpcap maps them for a capture on that interface
 * (pcap-linux.c): loopback is reported as Ethernet, tunnels without a link header as raw IP.
 */
const LINKTYPE_OF_ARPHRD: ReadonlyMap<number, number> = new Map([
  [ARPHRD_ETHER, 1],
  [ARPHRD_LOOPBACK, 1],
  [6, 6], // IEEE 802 → IEEE802_5
  [512, 9], // PPP
  [768, 101], // IP-in-IP tunnel → RAW
  [776, 101], // SIT → RAW
  [778, 101], // IP GRE → RAW
  [823, 101], // IPv6 GRE → RAW
  [801, 105], // IEEE 802.11 → IEEE802_11
  [803, 127], // IEEE 802.11 + radiotap
  [65534, 101], // ARPHRD_NONE (tun, wireguard) → RAW
]);

/** The link type the helper's frames will have for an interface of this ARPHRD type (Ethernet when unknown). */
export function linkTypeOfHardware(hardwareType: number): number {
  return LINKTYPE_OF_ARPHRD.get(hardwareType) ?? 1;
}

export interface InterfaceSource {
  /** Default /sys/class/net. */
  sysClassNet?: string;
  /** Default os.networkInterfaces(). */
  addresses?: () => NodeJS.Dict<os.NetworkInterfaceInfo[]>;
}

function readNumber(file: string): number | null {
  try {
    const text = fs.readFileSync(file, 'utf8').trim();
    const n = text.startsWith('0x') ? parseInt(text, 16) : Number(text);
    return Number.isFinite(n) && n >= 0 ? n : null;
  } catch {
    return null;
  }
}

/** One interface, or null when it is not one (a file such as bonding_masters) or vanished while read. */
function readInterface(dir: string, name: string, addresses: NodeJS.Dict<os.NetworkInterfaceInfo[]>): NetworkInterface | null {
  const base = path.join(dir, name);
  const index = readNumber(path.join(base, 'ifindex'));
  const flags = readNumber(path.join(base, 'flags'));
  if (index === null || flags === null) return null;
  const type = readNumber(path.join(base, 'type')) ?? ARPHRD_ETHER;
  const counter = (which: string): number => readNumber(path.join(base, 'statistics', which)) ?? 0;
  return {
    name,
    index,
    up: (flags & IFF_UP) !== 0,
    // /sys's flags are the device's own, without the kernel's computed IFF_RUNNING: a link with carrier runs.
    running: (flags & IFF_RUNNING) !== 0 || ((flags & IFF_UP) !== 0 && readNumber(path.join(base, 'carrier')) === 1),
    loopback: (flags & IFF_LOOPBACK) !== 0 || type === ARPHRD_LOOPBACK,
    linkType: linkTypeOfHardware(type),
    addresses: (addresses[name] ?? []).map((a) => a.cidr ?? a.address),
    rxPackets: counter('rx_packets'),
    txPackets: counter('tx_packets'),
    rxBytes: counter('rx_bytes'),
    txBytes: counter('tx_bytes'),
  };
}

/** Every interface of this network namespace, by index. */
export function listNetworkInterfaces(source: InterfaceSource = {}): NetworkInterface[] {
  const dir = source.sysClassNet ?? '/sys/class/net';
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    throw new EngineError('EENGINE', `cannot list the network interfaces in ${dir}: ${(err as Error).message}`);
  }
  const addresses = (source.addresses ?? os.networkInterfaces)();
  return names
    .map((name) => readInterface(dir, name, addresses))
    .filter((i): i is NetworkInterface => i !== null)
    .sort((a, b) => a.index - b.index);
}

/**
 * The link type of a named interface (for compiling its capture filter): Linux cooked v2 for `any`
 * (as the helper captures it), ENODEV when there is no such interface.
 */
export function interfaceLinkType(name: string, source: InterfaceSource = {}): number {
  if (name === 'any') return 276;
  const dir = source.sysClassNet ?? '/sys/class/net';
  if (readNumber(path.join(dir, name, 'ifindex')) === null) throw noSuchInterface(name, dir);
  return linkTypeOfHardware(readNumber(path.join(dir, name, 'type')) ?? ARPHRD_ETHER);
}

export function noSuchInterface(name: string, dir = '/sys/class/net'): EngineError {
  let known: string[] = [];
  try {
    known = fs.readdirSync(dir).filter((n) => readNumber(path.join(dir, n, 'ifindex')) !== null);
  } catch {
    // no list to offer
  }
  return new EngineError('ENODEV', `there is no network interface '${name}'${known.length ? ` (this machine has ${known.join(', ')}, and any)` : ''}`);
}
