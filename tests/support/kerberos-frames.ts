/**
 * Kerberos 5 messages of an MIT client and KDC (captured between network namespaces) and a UDP
 * frame builder, shared by app/dissect/kerberos.test.ts and tests/dissect-kerberos-tshark.test.ts.
 */
/** AS-REQ from bob with PA-FX-COOKIE, PA-ENC-TIMESTAMP, freshness and enc-pa-rep requests. */
export const AS_REQ = [
  '6a8201123082010ea103020105a20302010aa3773075300da10402020085a20504034d4954304ca103020102a24504433041',
  'a003020112a23a043864555c2ff7185ca2138bcad68d533be96a5e3a9c229c020007dd8e86ce58ddba0009dbacfe8eecbaa6',
  '011dc7a4c9aa16a90b32c92c403673300aa10402020096a2020400300aa10402020095a2020400a48188308185a007030500',
  '00000010a110300ea003020101a10730051b03626f62a20e1b0c4558414d504c452e54455354a321301fa003020102a11830',
  '161b066b72627467741b0c4558414d504c452e54455354a511180f32303236313230353036343334315aa70602047dfc0232',
  'a81a301802011202011102011402011302011002011702011902011a',
].join('');
/** KRB-ERROR KDC_ERR_PREAUTH_REQUIRED with e-text and METHOD-DATA e-data (FAST, ETYPE-INFO2, ENC-TIMESTAMP, cookie). */
export const KRB_ERROR = [
  '7e81e63081e3a003020105a10302011ea411180f32303236313230343036343334315aa505020306090ba603020119a70e1b',
  '0c4558414d504c452e54455354a810300ea003020101a10730051b03626f62a90e1b0c4558414d504c452e54455354aa2130',
  '1fa003020102a11830161b066b72627467741b0c4558414d504c452e54455354ab101b0e4e45454445445f50524541555448',
  'ac51044f304d300aa10402020088a20204003025a103020113a21e041c301a3018a003020112a1111b0f4558414d504c452e',
  '54455354626f623009a103020102a2020400300da10402020085a20504034d4954',
].join('');
function ipv4Checksum(h: Buffer): number {
  let sum = 0;
  for (let k = 0; k < h.length; k += 2) sum += h.readUInt16BE(k);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Ethernet + IPv4 + UDP (checksum 0) carrying `payload`. */
export function udpFrame(srcPort: number, dstPort: number, payload: Buffer, fromServer = false): Buffer {
  const f = Buffer.alloc(42 + payload.length);
  Buffer.from('020000000002020000000001', 'hex').copy(f, 0);
  f.writeUInt16BE(0x0800, 12);
  f[14] = 0x45;
  f.writeUInt16BE(28 + payload.length, 16);
  f.writeUInt16BE(1, 18);
  f[22] = 64;
  f[23] = 17;
  Buffer.from(fromServer ? [10, 0, 0, 2] : [10, 0, 0, 1]).copy(f, 26);
  Buffer.from(fromServer ? [10, 0, 0, 1] : [10, 0, 0, 2]).copy(f, 30);
  f.writeUInt16BE(ipv4Checksum(f.subarray(14, 34)), 24);
  f.writeUInt16BE(srcPort, 34);
  f.writeUInt16BE(dstPort, 36);
  f.writeUInt16BE(8 + payload.length, 38);
  payload.copy(f, 42);
  return f;
}
