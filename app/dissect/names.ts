/**
 * Names of addresses and ports, as tshark 4.0 and Wireshark make them, from files only (never a
 * DNS query): MAC addresses from the ethers files, Wireshark's well-known addresses (wka) and its
 * manufacturer table (manuf), when they are installed; host names from Wireshark's hosts files
 * (and /etc/hosts, the external resolver's); port names from Wireshark's services file, else
 * /etc/services. A file that is missing gives no names. The CLI's -N and the desktop app's View ›
 * Name Resolution both use them.
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DissectorOptions } from './dissector';

/** Which names are shown: MAC vendors and well-known addresses, host names, service names. */
export interface NameResolution {
  mac: boolean;
  network: boolean;
  transport: boolean;
  /**
   * tshark's "external resolver" (-N N, nameres.use_external_name_resolver, on by default): host
   * names the system's resolver knows. Sievecap reads /etc/hosts for them and never asks DNS.
   */
  external: boolean;
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Wireshark's personal configuration folder (wsutil/filesystem.c): WIRESHARK_CONFIG_DIR when set;
 * else $XDG_CONFIG_HOME/wireshark (~/.config/wireshark) when it is a folder; else ~/.wireshark
 * when that is one; else the XDG folder.
 */
export function personalConfigDir(): string {
  const named = process.env.WIRESHARK_CONFIG_DIR;
  if (named) return named;
  const home = process.env.HOME || homedir();
  const xdg = join(process.env.XDG_CONFIG_HOME || join(home, '.config'), 'wireshark');
  if (isDirectory(xdg)) return xdg;
  const old = join(home, '.wireshark');
  return isDirectory(old) ? old : xdg;
}

/** Where Wireshark's data files are (its own WIRESHARK_DATA_DIR first, as Wireshark reads it). */
function dataDirs(): string[] {
  const named = process.env.WIRESHARK_DATA_DIR;
  return [...(named ? [named] : []), '/usr/share/wireshark'];
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'latin1');
  } catch {
    return undefined;
  }
}

/** The first of these files that exists. */
function firstText(files: readonly string[]): string | undefined {
  for (const f of files) {
    const text = readText(f);
    if (text !== undefined) return text;
  }
  return undefined;
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** A 48-bit address as a number (exact in a double). */
function macValue(bytes: readonly number[]): number {
  let v = 0;
  for (const b of bytes) v = v * 256 + b;
  return v;
}

/** `00:1B:C5`, `00-1B-C5-00-00-00/36`, `001bc5000000`: the bytes and the prefix length (48 when none). */
function parseMacPrefix(text: string): { bytes: number[]; bits: number } | undefined {
  const m = /^([0-9A-Fa-f]{2}(?:[:.-]?[0-9A-Fa-f]{2}){0,5})(?:\/(\d{1,2}))?$/.exec(text);
  if (!m) return undefined;
  const digits = m[1]!.replace(/[:.-]/g, '');
  const bytes: number[] = [];
  for (let k = 0; k < digits.length; k += 2) bytes.push(parseInt(digits.slice(k, k + 2), 16));
  const bits = m[2] !== undefined ? Number(m[2]) : bytes.length * 8;
  while (bytes.length < 6) bytes.push(0);
  return { bytes, bits };
}

/** The value of a hex digit's character code, or -1. */
function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** A 48-bit address value with only its first `bits` bits kept (as masked() on its bytes). */
function maskedValue(value: number, bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 48) return value;
  const drop = 2 ** (48 - bits);
  return Math.floor(value / drop) * drop;
}

function masked(bytes: readonly number[], bits: number): number {
  const out = bytes.map((b, k) => {
    const keep = Math.max(0, Math.min(8, bits - k * 8));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
  return macValue(out);
}

/**
 * Wireshark 4.0's MAC names (epan/addr_resolv.c, eth_addr_resolve): an exact name (ethers, wka);
 * else a well-known range of 24 bits or more; else the manufacturer of the first 3 bytes (with
 * the multicast bit cleared if need be); else a range of fewer bits; else the address itself.
 * Ranges are kept by their masked address alone, whatever their length, as Wireshark 4.0 keeps
 * them: a lookup at one length can find a range of another (33:33:00:01:00:02 is
 * "IPv6mcast_01:00:02").
 */
/** OUIs searched for in manuf one by one (~1 ms each) before reading all of it (~0.15 s). */
const MAX_LAZY_OUIS = 48;

export class MacNames {
  private readonly exact = new Map<number, string>();
  private readonly ranges = new Map<number, string>();
  private readonly manuf = new Map<number, string>();
  private readonly cache = new Map<string, string>();
  /**
   * With `lazyManuf`: the manuf text, whose lines are read per OUI when an address needs them
   * (ensureOui) instead of all 52,000 at start (~0.15 s of a run with its garbage). Wireshark's
   * manuf spells every line `AA:BB:CC…` in upper case, so a line's OUI is its first 8 characters.
   */
  private manufText: string | undefined;
  private readonly ouisRead = new Set<number>();

  constructor(files: { ethers: string[]; wka?: string; manuf?: string; lazyManuf?: boolean }) {
    if (files.manuf !== undefined) {
      if (files.lazyManuf) this.manufText = files.manuf;
      else this.load(files.manuf, true);
    }
    if (files.wka !== undefined) this.load(files.wka, false);
    // ethers last: its names win over the others, as in Wireshark.
    for (const text of files.ethers) this.load(text, false);
  }

  static fromSystem(): MacNames {
    const dirs = dataDirs();
    const ethers = [readText('/etc/ethers'), readText(join(personalConfigDir(), 'ethers'))].filter((t): t is string => t !== undefined);
    return new MacNames({ ethers, wka: firstText(dirs.map((d) => join(d, 'wka'))), manuf: systemManufText(), lazyManuf: true });
  }

  private load(text: string, isManuf: boolean): void {
    for (const raw of text.split('\n')) this.loadLine(raw, isManuf);
  }

  private loadLine(raw: string, isManuf: boolean): void {
    // Nearly every line of Wireshark's files is `AA:BB:CC[:DD:EE:FF][/NN]<tab>Name…`: read at
    // sight (parsing manuf's 52,000 lines with the general code below cost ~0.2 s per run).
    if (this.loadPlain(raw, isManuf)) return;
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const [address, name] = line.split(/\s+/, 2);
    if (address === undefined || name === undefined) return;
    const prefix = parseMacPrefix(address);
    if (!prefix) return;
    if (isManuf && prefix.bits === 24 && !address.includes('/')) this.manuf.set(macValue(prefix.bytes.slice(0, 3)), name);
    else if (prefix.bits >= 48) this.exact.set(macValue(prefix.bytes), name);
    else this.ranges.set(masked(prefix.bytes, prefix.bits), name);
  }

  /**
   * Reads the manuf lines of one OUI (a 24-bit value) once: its manufacturer, and the ranges and
   * addresses under it. Every entry a lookup can find through a value begins with that value's
   * OUI, so reading the OUIs of the values looked up finds what reading all of manuf would. Its
   * names go under ethers' and wka's, as in load order.
   */
  private ensureOui(oui: number): void {
    const text = this.manufText;
    if (text === undefined || this.ouisRead.has(oui)) return;
    if (this.ouisRead.size >= MAX_LAZY_OUIS) {
      this.readAllManuf(text);
      return;
    }
    this.ouisRead.add(oui);
    const key = [oui >>> 16, (oui >>> 8) & 0xff, oui & 0xff].map((b) => hex2(b).toUpperCase()).join(':');
    const earlier = { exact: new Map(this.exact), ranges: new Map(this.ranges) };
    for (let at = text.startsWith(key) ? 0 : text.indexOf(`\n${key}`); at >= 0; at = text.indexOf(`\n${key}`, at + 1)) {
      const start = text.charCodeAt(at) === 0x0a ? at + 1 : at;
      const after = text.charCodeAt(start + key.length);
      // The OUI itself, or the first 3 bytes of a longer address (not AA:BB:CCD… of another form).
      if (after !== 0x3a && after !== 0x2f && after !== 0x09 && after !== 0x20) continue;
      const end = text.indexOf('\n', start);
      this.loadLine(text.slice(start, end < 0 ? text.length : end), true);
    }
    // What wka and ethers name stays theirs.
    for (const [value, name] of earlier.exact) this.exact.set(value, name);
    for (const [value, name] of earlier.ranges) this.ranges.set(value, name);
  }

  /**
   * A lookup with fewer than 24 bits finds ranges whose masked value ends in 24 zero bits: of
   * manuf's (all /28 and /36), those whose fourth byte begins with a zero digit. Read once, by one
   * scan of the text, before the first such lookup.
   */
  /** Past MAX_LAZY_OUIS searches, one pass over all of manuf costs less than more searches. */
  private readAllManuf(text: string): void {
    const earlier = { exact: new Map(this.exact), ranges: new Map(this.ranges) };
    this.load(text, true);
    for (const [value, name] of earlier.exact) this.exact.set(value, name);
    for (const [value, name] of earlier.ranges) this.ranges.set(value, name);
    this.manufText = undefined;
  }

  private ensureShortRanges(): void {
    const text = this.manufText;
    if (text === undefined || this.ouisRead.has(-1)) return;
    this.ouisRead.add(-1);
    const earlier = new Map(this.ranges);
    for (const m of text.matchAll(/^[0-9A-F]{2}:[0-9A-F]{2}:[0-9A-F]{2}:0[0-9A-F]:[0-9A-F]{2}:[0-9A-F]{2}\/\d+[\t ].*$/gm)) this.loadLine(m[0], true);
    for (const [value, name] of earlier) this.ranges.set(value, name);
  }

  /**
   * A line of 3 or 6 colon-separated hex bytes, an optional /bits, a tab or space and a name
   * followed by white space, '#' or the end: stored as load() would store it. False for any other
   * line (comments, other spellings), which load() parses in full.
   */
  private loadPlain(line: string, isManuf: boolean): boolean {
    let k = 0;
    let value = 0;
    let count = 0;
    for (;;) {
      const hi = hexDigit(line.charCodeAt(k));
      const lo = hexDigit(line.charCodeAt(k + 1));
      if (hi < 0 || lo < 0) return false;
      value = value * 256 + hi * 16 + lo;
      count++;
      k += 2;
      if (line.charCodeAt(k) !== 0x3a || count === 6) break;
      k++;
    }
    if (count !== 3 && count !== 6) return false;
    let bits = count * 8;
    let slash = false;
    if (line.charCodeAt(k) === 0x2f) {
      slash = true;
      const d1 = line.charCodeAt(k + 1) - 0x30;
      const d2 = line.charCodeAt(k + 2) - 0x30;
      if (d1 < 0 || d1 > 9) return false;
      if (d2 >= 0 && d2 <= 9) {
        bits = d1 * 10 + d2;
        k += 3;
      } else {
        bits = d1;
        k += 2;
      }
    }
    const sep = line.charCodeAt(k);
    if (sep !== 0x09 && sep !== 0x20) return false;
    const start = k + 1;
    let end = start;
    for (; end < line.length; end++) {
      const c = line.charCodeAt(end);
      if (c === 0x09 || c === 0x20 || c === 0x23 || c === 0x0d) break;
    }
    if (end === start) return false;
    const name = line.slice(start, end);
    if (count === 3) value *= 2 ** 24;
    if (isManuf && bits === 24 && !slash) this.manuf.set(Math.floor(value / 2 ** 24), name);
    else if (bits >= 48) this.exact.set(value, name);
    else this.ranges.set(maskedValue(value, bits), name);
    return true;
  }

  /** The name tshark shows for a MAC address in aa:bb:cc:dd:ee:ff form, or the address itself. */
  name(address: string): string {
    let name = this.cache.get(address);
    if (name === undefined) {
      name = this.resolve(address);
      this.cache.set(address, name);
    }
    return name;
  }

  private resolve(address: string): string {
    const bytes = address.split(':').map((h) => parseInt(h, 16));
    const oui = macValue(bytes.slice(0, 3));
    this.ensureOui(oui);
    const exact = this.exact.get(macValue(bytes));
    if (exact !== undefined) return exact;
    const range = (bits: number): string | undefined => {
      const value = masked(bytes, bits);
      if (bits >= 24) this.ensureOui(Math.floor(value / 2 ** 24));
      else this.ensureShortRanges();
      const name = this.ranges.get(value);
      if (name === undefined) return undefined;
      // From the first byte the prefix does not cover whole, its covered bits cleared.
      const from = Math.floor(bits / 8);
      return `${name}_${[bytes[from]! & (0xff >> (bits - from * 8)), ...bytes.slice(from + 1)].map(hex2).join(':')}`;
    };
    for (let bits = 47; bits >= 24; bits--) {
      const found = range(bits);
      if (found !== undefined) return found;
    }
    if ((bytes[0]! & 1) !== 0) this.ensureOui(oui - 0x10000);
    const vendor = this.manuf.get(oui) ?? ((bytes[0]! & 1) !== 0 ? this.manuf.get(oui - 0x10000) : undefined);
    if (vendor !== undefined) return `${vendor}_${bytes.slice(3).map(hex2).join(':')}`;
    for (let bits = 23; bits >= 1; bits--) {
      const found = range(bits);
      if (found !== undefined) return found;
    }
    return address;
  }
}

let manufText: string | null | undefined;
const vendors = new Map<number, string | null>();

/** Wireshark's manuf file as text (latin1), read once per process; undefined when it is not installed. */
function systemManufText(): string | undefined {
  if (manufText === undefined) manufText = firstText(dataDirs().map((d) => join(d, 'manuf'))) ?? null;
  return manufText ?? undefined;
}

/**
 * The manufacturer's full name for a 24-bit OUI, as Wireshark's manuf file gives it (the third
 * column, else the short name): what eth.*.oui_resolved hold, whatever the name resolution
 * settings. The file is read on first use and searched per OUI (parsing all of it costs ~0.3 s).
 */
export function ouiVendor(oui: number): string | undefined {
  let vendor = vendors.get(oui);
  if (vendor === undefined) {
    const manufText = systemManufText();
    vendor = null;
    if (manufText !== undefined) {
      const key = `\n${[oui >> 16, (oui >> 8) & 0xff, oui & 0xff].map((b) => hex2(b).toUpperCase()).join(':')}\t`;
      const at = manufText.indexOf(key);
      if (at >= 0) {
        const end = manufText.indexOf('\n', at + 1);
        const columns = manufText.slice(at + key.length, end < 0 ? undefined : end).replace(/\s*#.*$/, '').split('\t');
        vendor = (columns[1] ?? columns[0] ?? '').trim() || null;
      }
    }
    vendors.set(oui, vendor);
  }
  return vendor ?? undefined;
}

let systemMacNames: MacNames | undefined;

/** The system's MAC names, read once per process (the summary and the tree labels share them). */
export function macNamesOfSystem(): MacNames {
  return (systemMacNames ??= MacNames.fromSystem());
}

const systemHostNames = new Map<boolean, HostNames>();

/** The system's host names (with or without /etc/hosts, the external resolver's), read once per process. */
export function hostNamesOfSystem(external: boolean): HostNames {
  let names = systemHostNames.get(external);
  if (names === undefined) systemHostNames.set(external, (names = HostNames.fromSystem(external)));
  return names;
}

/** Host names of addresses, from hosts files (/etc/hosts): the first name of the first line naming it. */
export class HostNames {
  private readonly names = new Map<string, string>();

  constructor(texts: ReadonlyArray<string | undefined>) {
    for (const text of texts) {
      for (const raw of (text ?? '').split('\n')) {
        const [address, name] = raw.replace(/#.*$/, '').trim().split(/\s+/);
        if (address && name && !this.names.has(address.toLowerCase())) this.names.set(address.toLowerCase(), name);
      }
    }
  }

  /**
   * Wireshark's own hosts files (personal, then global), then, with the external resolver, the
   * system's /etc/hosts (where tshark's resolver looks first; Sievecap looks nowhere else).
   */
  static fromSystem(external: boolean): HostNames {
    return new HostNames([
      readText(join(personalConfigDir(), 'hosts')),
      ...dataDirs().map((d) => readText(join(d, 'hosts'))),
      external ? readText('/etc/hosts') : undefined,
    ]);
  }

  name(address: string): string {
    return this.names.get(address.toLowerCase()) ?? address;
  }

  /** The name of an address, or undefined when no hosts file names it. */
  lookup(address: string): string | undefined {
    return this.names.get(address.toLowerCase());
  }
}

/** Port names per transport, from a services file (`http 80/tcp`, or Wireshark's `http 80/tcp/udp/sctp`). */
export class PortNames {
  private readonly names = { tcp: new Map<number, string>(), udp: new Map<number, string>() };

  constructor(text: string | undefined) {
    for (const raw of (text ?? '').split('\n')) {
      // /etc/services: `http 80/tcp`; Wireshark's: `http 80/tcp/udp/sctp`.
      const m = /^(\S+)\s+(\d+)\/([a-z/]+)/.exec(raw.replace(/#.*$/, '').trim());
      if (!m) continue;
      const port = Number(m[2]);
      for (const transport of m[3]!.split('/')) {
        const table = transport === 'tcp' || transport === 'udp' ? this.names[transport] : undefined;
        if (table && !table.has(port)) table.set(port, m[1]!);
      }
    }
  }

  static fromSystem(): PortNames {
    return new PortNames(firstText([...dataDirs().map((d) => join(d, 'services')), '/etc/services']));
  }

  /** The service name of a port, or undefined. */
  name(transport: 'tcp' | 'udp', port: number): string | undefined {
    return this.names[transport].get(port);
  }
}

const MAC_TEXT = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;
/** A MAC address with the role an 802.11 control frame gives it, as its columns show it. */
const ROLE_TEXT = /^([0-9a-f]{2}(?::[0-9a-f]{2}){5}) (\((?:RA|TA|BSSID)\))$/;
const IP_TEXT = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:.]*)$/i;

/**
 * The names a summary line shows, per NameResolution; the tables are read on first use only
 * (Wireshark's manuf is over 2 MB).
 */
export class SummaryNames {
  private mac: MacNames | undefined;
  private hosts: HostNames | undefined;
  /** MAC addresses named after the host of the IPv4 address an ARP packet binds them to. */
  private readonly bound = new Map<string, string>();

  constructor(readonly resolution: NameResolution) {}

  get any(): boolean {
    return this.resolution.mac || this.resolution.network || this.resolution.transport;
  }

  /** A Source or Destination column: a MAC or IP address by its name, anything else as it is. */
  address(text: string): string {
    if (text === '') return text;
    if (this.resolution.mac && MAC_TEXT.test(text)) return this.macName(text);
    // 802.11 control frames' columns name the station's role: "00:0d:93:82:36:3a (RA)".
    const role = this.resolution.mac ? ROLE_TEXT.exec(text) : null;
    if (role !== null) {
      const name = this.macName(role[1]!);
      // (A CF-End's BSSID keeps the address after a name that is the address itself, as tshark 4.0 shows it.)
      return name === role[1] && role[2] !== '(BSSID)' ? text : `${name} (${role[1]}) ${role[2]}`;
    }
    if (this.resolution.network && IP_TEXT.test(text)) return (this.hosts ??= hostNamesOfSystem(this.resolution.external)).name(text);
    return text;
  }

  /** A MAC address's name (aa:bb:cc:dd:ee:ff): one an ARP packet bound it to, else the tables'. */
  macName(address: string): string {
    return this.bound.get(address) ?? (this.mac ??= macNamesOfSystem()).name(address);
  }

  /**
   * An Ethernet frame's ARP request or reply over IPv4, as Wireshark's ARP dissector tells its
   * name resolution (arp.register_network_address_binding, on by default): with host names on, a
   * sender (and a reply's target) whose MAC address is unicast and not zero and whose IPv4 address
   * is not zero and has a host name gives the MAC address that name.
   */
  learnArp(frame: Uint8Array, linkType: number): void {
    if (!this.resolution.network || linkType !== 1 || frame.length < 42) return;
    let at = 12;
    while ((frame[at] === 0x81 && frame[at + 1] === 0x00) || (frame[at] === 0x88 && frame[at + 1] === 0xa8)) at += 4;
    if (frame[at] !== 0x08 || frame[at + 1] !== 0x06) return;
    const arp = at + 2;
    if (frame.length < arp + 28) return;
    const word = (k: number): number => (frame[arp + k]! << 8) | frame[arp + k + 1]!;
    const op = word(6);
    if (word(0) !== 1 || word(2) !== 0x0800 || frame[arp + 4] !== 6 || frame[arp + 5] !== 4 || (op !== 1 && op !== 2)) return;
    const bind = (macAt: number, ipAt: number): void => {
      const mac = frame.subarray(arp + macAt, arp + macAt + 6);
      const ip = frame.subarray(arp + ipAt, arp + ipAt + 4);
      if ((mac[0]! & 1) !== 0 || mac.every((b) => b === 0) || ip.every((b) => b === 0)) return;
      const host = (this.hosts ??= hostNamesOfSystem(this.resolution.external)).lookup(ip.join('.'));
      if (host !== undefined) this.bound.set([...mac].map((b) => b.toString(16).padStart(2, '0')).join(':'), host);
    };
    bind(8, 14);
    if (op === 2) bind(18, 24);
  }
}

let systemPortNames: PortNames | undefined;

/** The system's port names, read once per process. */
export function portNamesOfSystem(): PortNames {
  return (systemPortNames ??= PortNames.fromSystem());
}

/**
 * The Dissector's options for these names: tree labels (`Source: name (address)`), the *_host
 * fields and the Info column's ports (`http(80)`). The tables are read on first use.
 */
export function dissectorNameOptions(r: NameResolution, summary?: SummaryNames): Pick<DissectorOptions, 'macName' | 'hostName' | 'portName'> {
  return {
    ...(r.transport ? { portName: (transport: 'tcp' | 'udp', port: number) => portNamesOfSystem().name(transport, port) } : {}),
    // With a summary's names, MAC names include those ARP packets bound (SummaryNames.learnArp).
    ...(r.mac ? { macName: summary ? (address: string) => summary.macName(address) : (address: string) => macNamesOfSystem().name(address) } : {}),
    ...(r.network ? { hostName: (address: string) => hostNamesOfSystem(r.external).name(address) } : {}),
  };
}
