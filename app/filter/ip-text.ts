/** IPv4 and IPv6 addresses from their text (dotted quad; RFC 4291 text with :: and a dotted tail). */

/** Four numbers from 0 to 255, or undefined. */
export function parseIpv4(text: string): Buffer | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return Buffer.from(parts.map(Number));
}

/** Eight groups, :: for a run of zero groups, an IPv4 tail; or undefined. */
export function parseIpv6(text: string): Buffer | undefined {
  let head = text;
  let tailV4: Buffer | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tailV4 = parseIpv4(text.slice(lastColon + 1));
    if (!tailV4) return undefined;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  const out = Buffer.alloc(16);
  all.forEach((g, k) => out.writeUInt16BE(parseInt(g, 16), k * 2));
  if (tailV4) tailV4.copy(out, 12);
  return out;
}

/** Reads ADDRESS or ADDRESS/LENGTH (IPv4 or IPv6); bits past the length must be zero, as in a route. */
export function parseCidr(text: string): { version: 4 | 6; bytes: Buffer; prefixLength: number } {
  const m = /^([^/\s]+)(?:\/(\d{1,3}))?$/.exec(text.trim());
  if (!m) throw new RangeError(`'${text}' is not an address or a CIDR prefix (e.g. 169.254.169.254/32, fd00:ec2::/64)`);
  const address = m[1]!;
  let bytes: Buffer | undefined;
  let version: 4 | 6;
  if (/^[\d.]+$/.test(address)) {
    bytes = parseIpv4(address);
    if (!bytes) throw new RangeError(`'${text}': an IPv4 address has four numbers from 0 to 255`);
    version = 4;
  } else {
    bytes = parseIpv6(address);
    if (!bytes) throw new RangeError(`'${text}' is not an IPv4 or IPv6 address or prefix`);
    version = 6;
  }
  const max = bytes.length * 8;
  const prefixLength = m[2] === undefined ? max : Number(m[2]);
  if (prefixLength > max) throw new RangeError(`'${text}': an IPv${version} prefix is at most /${max}`);
  for (let bit = prefixLength; bit < max; bit++) {
    if (bytes[bit >> 3]! & (0x80 >> (bit & 7))) {
      throw new RangeError(`'${text}' has bits set past /${prefixLength}: write the network address (as a route would)`);
    }
  }
  return { version, bytes, prefixLength };
}
