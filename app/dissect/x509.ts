/**
 * An X.509 certificate's tree as tshark 4.0 shows it inside a TLS Certificate message (Wireshark's
 * x509af, x509if, x509sat, x509ce and pkcs1 dissectors, generated from their ASN.1): the signed
 * certificate (version, serial number, signature algorithm, issuer and subject names, validity,
 * public key with RSA or EC parameters, extensions — key identifiers, basic constraints, subject
 * alternative names, key usage, extended key usage), then the signature. Field names, labels and
 * nesting are tshark's, and so are the names it adds to frame.protocols (x509sat for each
 * attribute value, pkcs-1 for EC parameters, x509ce for each extension), returned by
 * addCertificate. DER that does not read stops the walk where it is; it never throws.
 */
import { readBer, berOid, type BerTlv } from './ber';
import type { LayerBuilder } from './builder';
import { bitPicture, ipv6Text } from './format';

/** Object identifiers by Wireshark's names for them (the ones certificates carry most). */
const OID_NAMES: Record<string, string> = {
  '1.2.840.113549.1.1.1': 'rsaEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'id-RSASSA-PSS',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.10045.2.1': 'id-ecPublicKey',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.2.840.10045.3.1.7': 'secp256r1',
  '1.3.132.0.34': 'secp384r1',
  '1.3.132.0.35': 'secp521r1',
  '2.5.4.3': 'id-at-commonName',
  '2.5.4.4': 'id-at-surname',
  '2.5.4.5': 'id-at-serialNumber',
  '2.5.4.6': 'id-at-countryName',
  '2.5.4.7': 'id-at-localityName',
  '2.5.4.8': 'id-at-stateOrProvinceName',
  '2.5.4.9': 'id-at-streetAddress',
  '2.5.4.10': 'id-at-organizationName',
  '2.5.4.11': 'id-at-organizationalUnitName',
  '2.5.4.12': 'id-at-title',
  '2.5.4.42': 'id-at-givenName',
  '1.2.840.113549.1.9.1': 'pkcs-9-at-emailAddress',
  '2.5.29.14': 'id-ce-subjectKeyIdentifier',
  '2.5.29.15': 'id-ce-keyUsage',
  '2.5.29.17': 'id-ce-subjectAltName',
  '2.5.29.18': 'id-ce-issuerAltName',
  '2.5.29.19': 'id-ce-basicConstraints',
  '2.5.29.31': 'id-ce-cRLDistributionPoints',
  '2.5.29.32': 'id-ce-certificatePolicies',
  '2.5.29.35': 'id-ce-authorityKeyIdentifier',
  '2.5.29.37': 'id-ce-extKeyUsage',
  '1.3.6.1.5.5.7.1.1': 'id-pe-authorityInfoAccess',
  '1.3.6.1.5.5.7.3.1': 'id-kp-serverAuth',
  '1.3.6.1.5.5.7.3.2': 'id-kp-clientAuth',
  '1.3.6.1.5.5.7.3.3': 'id-kp-codeSigning',
  '1.3.6.1.5.5.7.3.4': 'id-kp-emailProtection',
  '1.3.6.1.5.5.7.3.8': 'id-kp-timeStamping',
  '1.3.6.1.5.5.7.3.9': 'id-kp-OCSPSigning',
};

/** "OID (name)", or the OID alone when Wireshark has no name for it. */
function oidText(oid: string): string {
  const name = OID_NAMES[oid];
  return name === undefined ? oid : `${oid} (${name})`;
}

/** DirectoryString's choices (x509sat), by universal tag: [index, name, field]. */
const DIRECTORY_STRINGS: Record<number, [number, string, string]> = {
  20: [0, 'teletexString', 'x509sat.teletexString'],
  19: [1, 'printableString', 'x509sat.printableString'],
  28: [2, 'universalString', 'x509sat.universalString'],
  30: [3, 'bmpString', 'x509sat.bmpString'],
  12: [4, 'uTF8String', 'x509sat.uTF8String'],
};

const KEY_USAGE = ['digitalSignature', 'contentCommitment', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'];

const items = (n: number): string => `${n} item${n === 1 ? '' : 's'}`;
/** Bytes as a label shows them: hex, cut after 36 bytes with "…". */
const shortHex = (bytes: Buffer): string => bytes.toString('hex', 0, Math.min(bytes.length, 36)) + (bytes.length > 36 ? '…' : '');
/** An item's text is at most 239 bytes of UTF-8 (Wireshark's ITEM_LABEL_LENGTH), cut between characters. */
function cut(text: string): string {
  if (text.length <= 79) return text;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.codePointAt(i)!;
    const n = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    if (bytes + n > 239) return text.slice(0, i);
    bytes += n;
    if (c >= 0x10000) i++;
  }
  return text;
}

/** The TLVs of a constructed element's contents; stops quietly at the first that does not read. */
function children(data: Buffer, tlv: BerTlv): BerTlv[] {
  const out: BerTlv[] = [];
  for (let at = tlv.valueStart; at < tlv.valueEnd; ) {
    const r = readBer(data, at, tlv.valueEnd);
    if (!r.ok) break;
    out.push(r.tlv);
    at = r.tlv.end;
  }
  return out;
}

function isUniversal(tlv: BerTlv | undefined, tag: number): tlv is BerTlv & { universal: true } {
  return tlv !== undefined && tlv.cls === 0 && tlv.tag === tag;
}

const value = (data: Buffer, tlv: BerTlv): Buffer => data.subarray(tlv.valueStart, tlv.valueEnd);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * UTCTime as Wireshark prints it, "2026-12-05 21:09:46 (UTC)"; GeneralizedTime as an absolute
 * time, "Apr 22, 2054 21:45:25.000000000 UTC".
 */
function timeText(raw: string, generalized: boolean): string {
  const m = generalized ? /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?(?:\.(\d+))?Z$/.exec(raw) : /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?Z$/.exec(raw);
  if (!m) return raw;
  if (generalized) {
    const month = MONTHS[Number(m[2]) - 1] ?? m[2];
    return `${month} ${String(Number(m[3])).padStart(2, ' ')}, ${m[1]} ${m[4]}:${m[5]}:${m[6] ?? '00'}.${(m[7] ?? '').padEnd(9, '0').slice(0, 9)} UTC`;
  }
  const year = `${Number(m[1]) < 50 ? '20' : '19'}${m[1]}`;
  return `${year}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6] ?? '00'} (UTC)`;
}

/** An attribute value's text for the name summaries ("id-at-commonName=www.example.test"). */
function attributeValueText(data: Buffer, tlv: BerTlv | undefined): string {
  if (tlv === undefined) return '';
  const v = value(data, tlv);
  if (tlv.tag === 30) return v.length % 2 === 0 ? Buffer.from(v).swap16().toString('utf16le') : v.toString('latin1');
  return tlv.tag === 12 ? v.toString('utf8') : v.toString('latin1');
}

/** The RDNs of a Name: each a list of [type OID, value TLV]. */
function readName(data: Buffer, name: BerTlv): Array<Array<{ oid: string; oidTlv: BerTlv; ava: BerTlv; value?: BerTlv }>> {
  return children(data, name).map((rdn) =>
    children(data, rdn).map((ava) => {
      const [type, val] = children(data, ava);
      const oid = isUniversal(type, 6) ? berOid(data, type.valueStart, type.length) : '';
      return { oid, oidTlv: type ?? ava, ava, value: val };
    }),
  );
}

/** "id-at-commonName=x,…" in reverse order of the RDNs, as Wireshark's name summaries read. */
function nameSummary(data: Buffer, rdns: ReturnType<typeof readName>): string {
  return rdns
    .slice()
    .reverse()
    .map((rdn) => rdn.map((a) => `${OID_NAMES[a.oid] ?? a.oid}=${attributeValueText(data, a.value)}`).join('+'))
    .join(',');
}

/** What addCertificate adds to frame.protocols, in order. */
export type X509Chain = string[];

/**
 * Adds "Certificate: …" (tls.handshake.certificate) with its tree for the DER at data[start, end)
 * and returns the protocol names the dissection adds to frame.protocols.
 */
export function addCertificate(b: LayerBuilder, start: number, end: number): X509Chain {
  const data = b.data;
  const chain: X509Chain = [];
  const cert = readBer(data, start, end);
  const bytes = data.subarray(start, end);
  if (!cert.ok || !cert.tlv.constructed) {
    b.add('tls.handshake.certificate', () => `Certificate: ${shortHex(bytes)}`, bytes, start, end - start);
    return chain;
  }
  const [tbs, sigAlg, signature] = children(data, cert.tlv);
  const tbsParts = tbs ? children(data, tbs) : [];
  let k = 0;
  const version = tbsParts[k]?.cls === 2 && tbsParts[k]?.tag === 0 ? tbsParts[k++] : undefined;
  const serial = tbsParts[k++];
  const signatureAlg = tbsParts[k++];
  const issuer = tbsParts[k++];
  const validity = tbsParts[k++];
  const subject = tbsParts[k++];
  const spki = tbsParts[k++];
  const extensions = tbsParts.slice(k).find((t) => t.cls === 2 && t.tag === 3);
  const subjectRdns = subject && subject.constructed ? readName(data, subject) : [];
  const summary = subjectRdns.length > 0 ? ` (${nameSummary(data, subjectRdns)})` : '';
  b.group('tls.handshake.certificate', () => cut(`Certificate: ${shortHex(bytes)}${summary}`), bytes, start, end - start, () => {
    if (tbs) {
      b.group('x509af.signedCertificate_element', 'signedCertificate', null, tbs.start, tbs.end - tbs.start, () => {
        if (version) {
          const inner = children(data, version)[0];
          if (isUniversal(inner, 2)) {
            const v = data[inner.valueStart] ?? 0;
            b.add('x509af.version', () => `version: ${['v1', 'v2', 'v3'][v] ?? 'Unknown'} (${v})`, v, inner.start, inner.end - inner.start);
          }
        }
        if (isUniversal(serial, 2)) {
          const s = value(data, serial);
          b.add('x509af.serialNumber', () => `serialNumber: 0x${s.toString('hex')}`, s, serial.start, serial.end - serial.start);
        }
        if (signatureAlg) algorithm(b, signatureAlg, 'x509af.signature_element', 'signature', chain);
        if (issuer && issuer.constructed) name(b, issuer, 'x509af.issuer', 'issuer', 'x509if.rdnSequence', chain);
        if (validity && validity.constructed) {
          b.group('x509af.validity_element', 'validity', null, validity.start, validity.end - validity.start, () => {
            const [notBefore, notAfter] = children(data, validity);
            for (const [tlv, field, label] of [[notBefore, 'x509af.notBefore', 'notBefore'], [notAfter, 'x509af.notAfter', 'notAfter']] as const) {
              if (tlv === undefined || tlv.cls !== 0 || (tlv.tag !== 23 && tlv.tag !== 24)) continue;
              const generalized = tlv.tag === 24;
              const choice = generalized ? 1 : 0;
              const kind = generalized ? 'generalizedTime' : 'utcTime';
              const text = timeText(value(data, tlv).toString('latin1'), generalized);
              b.group(field, () => `${label}: ${kind} (${choice})`, choice, tlv.start, tlv.end - tlv.start, () => {
                b.add(`x509af.${kind}`, () => `${kind}: ${text}`, text, tlv.valueStart, tlv.length);
              });
            }
          });
        }
        if (subject && subject.constructed) name(b, subject, 'x509af.subject', 'subject', 'x509af.rdnSequence', chain);
        if (spki && spki.constructed) publicKeyInfo(b, spki, chain);
        if (extensions) extensionList(b, extensions, chain);
      });
    }
    if (sigAlg) algorithm(b, sigAlg, 'x509af.algorithmIdentifier_element', 'algorithmIdentifier', chain);
    if (isUniversal(signature, 3) && signature.length > 0) {
      const padding = data[signature.valueStart]!;
      const bits = data.subarray(signature.valueStart + 1, signature.valueEnd);
      b.add('ber.bitstring.padding', () => `Padding: ${padding}`, padding, signature.valueStart, 1);
      b.add('x509af.encrypted', () => `encrypted: ${shortHex(bits)}`, bits, signature.valueStart + 1, bits.length);
    }
  });
  return chain;
}

/** An AlgorithmIdentifier: "label (name)" with its Algorithm Id (and EC parameters: a named curve). */
function algorithm(b: LayerBuilder, tlv: BerTlv, field: string, label: string, chain: X509Chain): void {
  const data = b.data;
  if (!tlv.constructed) return;
  const [id, params] = children(data, tlv);
  const oid = isUniversal(id, 6) ? berOid(data, id.valueStart, id.length) : '';
  const name = OID_NAMES[oid];
  b.group(field, () => (name === undefined ? label : `${label} (${name})`), null, tlv.start, tlv.end - tlv.start, () => {
    if (!isUniversal(id, 6)) return;
    b.add('x509af.algorithm.id', () => `Algorithm Id: ${oidText(oid)}`, oid, id.start, id.end - id.start);
    if (oid === '1.2.840.10045.2.1' && isUniversal(params, 6)) {
      chain.push('pkcs-1');
      const curve = berOid(data, params.valueStart, params.length);
      b.group('pkcs1.ECParameters', 'ECParameters: namedCurve (1)', 1, params.start, params.end - params.start, () => {
        b.add('pkcs1.namedCurve', () => `namedCurve: ${oidText(curve)}`, curve, params.start, params.end - params.start);
      });
    }
  });
}

/** A Name: "issuer: rdnSequence (0)" and its RDNs (the first level's field differs: x509if for the issuer, x509af for the subject, as in Wireshark). */
function name(b: LayerBuilder, tlv: BerTlv, field: string, label: string, sequenceField: string, chain: X509Chain): void {
  const data = b.data;
  const rdns = readName(data, tlv);
  const summary = nameSummary(data, rdns);
  b.group(field, () => `${label}: rdnSequence (0)`, 0, tlv.start, tlv.end - tlv.start, () => {
    b.group(sequenceField, () => cut(`rdnSequence: ${items(rdns.length)} (${summary})`), rdns.length, tlv.start, tlv.end - tlv.start, () => {
      for (const rdn of rdns) {
        const rdnText = rdn.map((a) => `${OID_NAMES[a.oid] ?? a.oid}=${attributeValueText(data, a.value)}`).join('+');
        const first = rdn[0]?.ava;
        b.group('x509if.RDNSequence_item', () => cut(`RDNSequence item: ${items(rdn.length)} (${rdnText})`), rdn.length, first?.start ?? tlv.start, 0, () => {
          for (const a of rdn) attribute(b, a, chain);
        });
      }
    });
  });
}

function attribute(b: LayerBuilder, a: ReturnType<typeof readName>[number][number], chain: X509Chain): void {
  const data = b.data;
  const text = attributeValueText(data, a.value);
  b.group('x509if.RelativeDistinguishedName_item_element', () => cut(`RelativeDistinguishedName item (${OID_NAMES[a.oid] ?? a.oid}=${text})`), null, a.ava.start, a.ava.end - a.ava.start, () => {
    b.add('x509if.oid', () => `Object Id: ${oidText(a.oid)}`, a.oid, a.oidTlv.start, a.oidTlv.end - a.oidTlv.start);
    const v = a.value;
    if (v === undefined) return;
    chain.push('x509sat');
    if (a.oid === '2.5.4.6') b.add('x509sat.CountryName', () => `CountryName: ${text}`, text, v.start, v.end - v.start);
    else if (a.oid === '1.2.840.113549.1.9.1') b.add('x509sat.IA5String', () => `IA5String: ${text}`, text, v.start, v.end - v.start);
    else {
      const choice = DIRECTORY_STRINGS[v.tag];
      if (choice === undefined || v.cls !== 0) return;
      b.group('x509sat.DirectoryString', () => `DirectoryString: ${choice[1]} (${choice[0]})`, choice[0], v.start, v.end - v.start, () => {
        b.add(choice[2], () => `${choice[1]}: ${text}`, text, v.valueStart, v.length);
      });
    }
  });
}

function publicKeyInfo(b: LayerBuilder, tlv: BerTlv, chain: X509Chain): void {
  const data = b.data;
  const [alg, key] = children(data, tlv);
  b.group('x509af.subjectPublicKeyInfo_element', 'subjectPublicKeyInfo', null, tlv.start, tlv.end - tlv.start, () => {
    let oid = '';
    if (alg && alg.constructed) {
      const id = children(data, alg)[0];
      oid = isUniversal(id, 6) ? berOid(data, id.valueStart, id.length) : '';
      algorithm(b, alg, 'x509af.algorithm_element', 'algorithm', chain);
    }
    if (!isUniversal(key, 3) || key.length === 0) return;
    const padding = data[key.valueStart]!;
    const bits = data.subarray(key.valueStart + 1, key.valueEnd);
    const rsa = oid === '1.2.840.113549.1.1.1' ? readBer(data, key.valueStart + 1, key.valueEnd) : null;
    if (rsa !== null && rsa.ok && rsa.tlv.constructed) {
      // An RSA key's bit string holds RSAPublicKey (pkcs-1): its modulus and exponent below it.
      const [modulus, exponent] = children(data, rsa.tlv);
      b.group('x509af.subjectPublicKey', () => `subjectPublicKey: ${shortHex(bits)}`, bits, key.valueStart + 1, bits.length, () => {
        if (isUniversal(modulus, 2)) {
          const m = value(data, modulus);
          b.add('pkcs1.modulus', () => `modulus: 0x${shortHex(m)}`, m, modulus.start, modulus.end - modulus.start);
        }
        if (isUniversal(exponent, 2)) {
          let e = 0;
          for (const byte of value(data, exponent)) e = e * 256 + byte;
          b.add('pkcs1.publicExponent', () => `publicExponent: ${e}`, e, exponent.start, exponent.end - exponent.start);
        }
      });
      return;
    }
    b.add('ber.bitstring.padding', () => `Padding: ${padding}`, padding, key.valueStart, 1);
    b.add('x509af.subjectPublicKey', () => `subjectPublicKey: ${shortHex(bits)}`, bits, key.valueStart + 1, bits.length);
  });
}

function extensionList(b: LayerBuilder, tlv: BerTlv, chain: X509Chain): void {
  const data = b.data;
  const list = children(data, tlv)[0];
  if (!isUniversal(list, 16)) return;
  const all = children(data, list);
  b.group('x509af.extensions', () => `extensions: ${items(all.length)}`, all.length, list.start, list.end - list.start, () => {
    for (const ext of all) {
      const parts = children(data, ext);
      const id = parts[0];
      const oid = isUniversal(id, 6) ? berOid(data, id.valueStart, id.length) : '';
      const name = OID_NAMES[oid];
      b.group('x509af.Extension_element', () => (name === undefined ? 'Extension' : `Extension (${name})`), null, ext.start, ext.end - ext.start, () => {
        if (!isUniversal(id, 6)) return;
        b.add('x509af.extension.id', () => `Extension Id: ${oidText(oid)}`, oid, id.start, id.end - id.start);
        let at = 1;
        const critical = parts[at];
        if (isUniversal(critical, 1)) {
          const on = data[critical.valueStart] !== 0;
          b.add('x509af.critical', () => `critical: ${on ? 'True' : 'False'}`, on, critical.start, critical.end - critical.start, on ? '1' : '0');
          at++;
        }
        const octets = parts[at];
        if (!isUniversal(octets, 4)) return;
        chain.push('x509ce');
        extensionValue(b, oid, octets);
      });
    }
  });
}

function extensionValue(b: LayerBuilder, oid: string, octets: BerTlv): void {
  const data = b.data;
  const inner = readBer(data, octets.valueStart, octets.valueEnd);
  if (!inner.ok) return;
  const t = inner.tlv;
  switch (oid) {
    case '2.5.29.14':
      if (isUniversal(t, 4)) b.add('x509ce.SubjectKeyIdentifier', () => `SubjectKeyIdentifier: ${value(data, t).toString('hex')}`, value(data, t), t.start, t.end - t.start);
      return;
    case '2.5.29.35':
      if (!isUniversal(t, 16)) return;
      b.group('x509ce.AuthorityKeyIdentifier_element', 'AuthorityKeyIdentifier', null, t.start, t.end - t.start, () => {
        for (const part of children(data, t)) {
          if (part.cls === 2 && part.tag === 0) b.add('x509ce.keyIdentifier', () => `keyIdentifier: ${value(data, part).toString('hex')}`, value(data, part), part.start, part.end - part.start);
        }
      });
      return;
    case '2.5.29.19':
      if (!isUniversal(t, 16)) return;
      b.group('x509ce.BasicConstraintsSyntax_element', 'BasicConstraintsSyntax', null, t.start, t.end - t.start, () => {
        for (const part of children(data, t)) {
          if (isUniversal(part, 1)) {
            const on = data[part.valueStart] !== 0;
            b.add('x509ce.cA', () => `cA: ${on ? 'True' : 'False'}`, on, part.start, part.end - part.start, on ? '1' : '0');
          } else if (isUniversal(part, 2)) {
            let n = 0;
            for (const byte of value(data, part)) n = n * 256 + byte;
            b.add('x509ce.pathLenConstraint', () => `pathLenConstraint: ${n}`, n, part.start, part.end - part.start);
          }
        }
      });
      return;
    case '2.5.29.17':
    case '2.5.29.18':
      if (isUniversal(t, 16)) generalNames(b, t);
      return;
    case '2.5.29.15': {
      if (!isUniversal(t, 3) || t.length === 0) return;
      const padding = data[t.valueStart]!;
      const bits = data.subarray(t.valueStart + 1, t.valueEnd);
      b.add('ber.bitstring.padding', () => `Padding: ${padding}`, padding, t.valueStart, 1);
      b.group('x509ce.KeyUsage', () => `KeyUsage: ${bits.toString('hex')}`, bits, t.valueStart + 1, bits.length, () => {
        KEY_USAGE.forEach((usage, i) => {
          const byte = bits[i >> 3] ?? 0;
          const mask = 0x80 >> (i & 7);
          const on = (byte & mask) !== 0;
          b.add(`x509ce.KeyUsage.${usage}`, () => `${bitPicture(byte, mask, 8)} = ${usage}: ${on ? 'True' : 'False'}`, on, t.valueStart + 1 + (i >> 3), 1, on ? '1' : '0');
        });
      });
      return;
    }
    case '2.5.29.37': {
      if (!isUniversal(t, 16)) return;
      const ids = children(data, t).filter((x) => isUniversal(x, 6));
      b.group('x509ce.KeyPurposeIDs', () => `KeyPurposeIDs: ${items(ids.length)}`, ids.length, t.start, t.end - t.start, () => {
        for (const id of ids) {
          const purpose = berOid(data, id.valueStart, id.length);
          b.add('x509ce.KeyPurposeId', () => `KeyPurposeId: ${oidText(purpose)}`, purpose, id.start, id.end - id.start);
        }
      });
      return;
    }
    default:
      return;
  }
}

/** GeneralNames: "GeneralName: dNSName (2)" and its value, for the names certificates carry. */
function generalNames(b: LayerBuilder, t: BerTlv): void {
  const data = b.data;
  const names = children(data, t);
  b.group('x509ce.GeneralNames', () => `GeneralNames: ${items(names.length)}`, names.length, t.start, t.end - t.start, () => {
    for (const n of names) {
      if (n.cls !== 2) continue;
      const v = value(data, n);
      const kind = n.tag === 1 ? 'rfc822Name' : n.tag === 2 ? 'dNSName' : n.tag === 6 ? 'uniformResourceIdentifier' : n.tag === 7 ? 'iPAddress' : '';
      if (kind === '') continue;
      b.group('x509ce.GeneralName', () => `GeneralName: ${kind} (${n.tag})`, n.tag, n.start, n.end - n.start, () => {
        if (n.tag === 7) {
          const ip = v.length === 4 ? [...v].join('.') : v.length === 16 ? ipv6Text(v, 0) : '';
          if (ip === '') return;
          b.add(v.length === 4 ? 'x509ce.IPAddress.ipv4' : 'x509ce.IPAddress.ipv6', () => `iPAddress: ${ip}`, ip, n.valueStart, n.length);
          return;
        }
        const text = v.toString('latin1');
        b.add(`x509ce.${kind}`, () => `${kind}: ${text}`, text, n.valueStart, n.length);
      });
    }
  });
}
