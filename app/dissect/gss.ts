/**
 * The security blob of SMB/SMB2 session setups as tshark 4.0 shows its outline (packet-gssapi.c,
 * packet-spnego.c, packet-ntlmssp.c): a gss-api layer (gss-api.OID when the blob is an
 * InitialContextToken, [APPLICATION 0]), the spnego layer (negTokenInit's mechTypes and mechToken,
 * negTokenTarg's negResult, supportedMech and responseToken) and, when a token starts with
 * "NTLMSSP\0", an ntlmssp layer: identifier, message type, the challenge and the user, domain and
 * host names of an AUTH message. Info gains ", NTLMSSP_NEGOTIATE" and so on, and
 * ", User: DOMAIN\user" for an AUTH message, as Wireshark appends them.
 *
 * Left out: NTLMSSP negotiate flags' bits, the target info and NTLMv2 response structures, the
 * version, MIC and session key details; Kerberos inside SPNEGO (the token stays a spnego field).
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import { berOid, readBer, type BerTlv } from './ber';
import type { Field, Layer } from './model';

const MECHS: Record<string, string> = {
  '1.3.6.1.4.1.311.2.2.10': 'NTLMSSP - Microsoft NTLM Security Support Provider',
  '1.2.840.48018.1.2.2': 'MS KRB5 - Microsoft Kerberos 5',
  '1.2.840.113554.1.2.2': 'KRB5 - Kerberos 5',
  '1.2.840.113554.1.2.2.3': 'KRB5 - Kerberos 5 - User to User',
  '1.3.6.1.4.1.311.2.2.30': 'NEGOEX - SPNEGO Extended Negotiation Security Mechanism',
};
const NEG_RESULTS: Record<number, string> = { 0: 'accept-completed', 1: 'accept-incomplete', 2: 'reject', 3: 'request-mic' };
const NTLM_TYPES: Record<number, string> = { 1: 'NTLMSSP_NEGOTIATE', 2: 'NTLMSSP_CHALLENGE', 3: 'NTLMSSP_AUTH' };

export interface SecurityBlobResult {
  layers: Layer[];
  info: string;
  user?: string;
  domain?: string;
  host?: string;
  /**
   * The names SPNEGO's handles add to frame.protocols that have no layer here: 'spnego-krb5' for a
   * Kerberos token.
   */
  handles?: string[];
  /** The tree of a Kerberos mechListMIC, shown beside it in negTokenTarg (where a caller nests SPNEGO's tree). */
  micFields?: Field[];
}

/** The gss-api, spnego and ntlmssp layers of a security blob at data[from, to). */
export function dissectSecurityBlob(data: Buffer, from: number, to: number, selection?: ReadonlySet<string>): SecurityBlobResult {
  const out: SecurityBlobResult = { layers: [], info: '' };
  if (to <= from) return out;
  const first = data[from]!;
  if (data.toString('latin1', from, Math.min(to, from + 8)) === 'NTLMSSP\0') {
    ntlmssp(data, from, to, selection, out);
    return out;
  }
  if (first !== 0x60 && first !== 0xa0 && first !== 0xa1) return out;
  const g = new LayerBuilder(data, 'gss-api', 'GSS-API Generic Security Service Application Program Interface', from, to, selection);
  out.layers.push(g.layer);
  let inner = from;
  dissectSafely(g, () => {
    if (first === 0x60) {
      const app = readBer(data, from, to);
      if (!app.ok) return;
      const oid = readBer(data, app.tlv.valueStart, app.tlv.valueEnd);
      if (!oid.ok || oid.tlv.tag !== 6) return;
      const o = berOid(data, oid.tlv.valueStart, oid.tlv.length);
      g.add('gss-api.OID', () => `OID: ${o}${o === '1.3.6.1.5.5.2' ? ' (SPNEGO - Simple Protected Negotiation)' : ''}`, o, oid.tlv.start, oid.tlv.end - oid.tlv.start);
      if (o !== '1.3.6.1.5.5.2') return;
      inner = oid.tlv.end;
    }
  });
  if (inner >= to) return out;
  const s = new LayerBuilder(data, 'spnego', 'Simple Protected Negotiation', inner, to, selection);
  out.layers.push(s.layer);
  let token: { start: number; end: number } | undefined;
  let mic: { start: number; end: number } | undefined;
  dissectSafely(s, () => {
    const choice = readBer(data, inner, to);
    if (!choice.ok) return;
    const seq = readBer(data, choice.tlv.valueStart, choice.tlv.valueEnd);
    if (!seq.ok) return;
    const init = choice.tlv.tag === 0;
    s.group(init ? 'spnego.negTokenInit_element' : 'spnego.negTokenTarg_element', init ? 'negTokenInit' : 'negTokenTarg', null, seq.tlv.valueStart, seq.tlv.end - seq.tlv.valueStart, () => {
      for (let at = seq.tlv.valueStart; at < seq.tlv.valueEnd;) {
        const field = readBer(data, at, seq.tlv.valueEnd);
        if (!field.ok) return;
        const value = readBer(data, field.tlv.valueStart, field.tlv.valueEnd);
        at = field.tlv.end;
        if (!value.ok) continue;
        const v: BerTlv = value.tlv;
        if (init && field.tlv.tag === 0) {
          const mechs: string[] = [];
          for (let m = v.valueStart; m < v.valueEnd;) {
            const mech = readBer(data, m, v.valueEnd);
            if (!mech.ok) break;
            mechs.push(`${mech.tlv.start}:${mech.tlv.end}:${berOid(data, mech.tlv.valueStart, mech.tlv.length)}`);
            m = mech.tlv.end;
          }
          s.group('spnego.mechTypes', () => `mechTypes: ${mechs.length} item${mechs.length === 1 ? '' : 's'}`, mechs.length, v.valueStart, v.length, () => {
            for (const m of mechs) {
              const [a, e, o] = m.split(':') as [string, string, string];
              s.add('spnego.MechType', () => `MechType: ${o}${MECHS[o] ? ` (${MECHS[o]})` : ''}`, o, Number(a) + 2, Number(e) - Number(a) - 2);
            }
          });
        } else if ((init && field.tlv.tag === 2) || (!init && field.tlv.tag === 2)) {
          const t = data.subarray(v.valueStart, v.valueEnd);
          s.add(init ? 'spnego.mechToken' : 'spnego.responseToken', () => `${init ? 'mechToken' : 'responseToken'}: ${t.toString('hex', 0, 36)}${t.length > 36 ? '…' : ''}`, t, v.valueStart, v.length, () => t.toString('hex'));
          token = { start: v.valueStart, end: v.valueEnd };
        } else if (!init && field.tlv.tag === 0) {
          const r = data[v.valueStart] ?? 0;
          s.add('spnego.negResult', () => `negResult: ${NEG_RESULTS[r] ?? 'Unknown'} (${r})`, r, v.valueStart, v.length);
        } else if (!init && field.tlv.tag === 1) {
          const o = berOid(data, v.valueStart, v.length);
          s.add('spnego.supportedMech', () => `supportedMech: ${o}${MECHS[o] ? ` (${MECHS[o]})` : ''}`, o, v.valueStart, v.length);
        } else if (field.tlv.tag === 3) {
          if (v.length > 0) mic = { start: v.valueStart, end: v.valueEnd };
          const t = data.subarray(v.valueStart, v.valueEnd);
          s.add('spnego.mechListMIC', () => `mechListMIC: ${t.toString('hex')}`, t, v.valueStart, v.length, () => t.toString('hex'));
        }
      }
    }, '1');
  });
  const t = token as { start: number; end: number } | undefined;
  const isNtlmssp = t !== undefined && data.toString('latin1', t.start, Math.min(t.end, t.start + 8)) === 'NTLMSSP\0';
  if (isNtlmssp) ntlmssp(data, t.start, t.end, selection, out);
  else if (t !== undefined && t.end > t.start) out.handles = ['spnego-krb5'];
  // The mechListMIC goes to the mechanism's dissector: NTLMSSP's verifier (after an NTLMSSP token,
  // or alone when it looks like one), else Kerberos 5's.
  const m = mic as { start: number; end: number } | undefined;
  const ntlmMic = m !== undefined && (isNtlmssp || (t === undefined && m.end - m.start === 16 && m.start + 4 <= data.length && data.readUInt32LE(m.start) === 1));
  if (m !== undefined && !ntlmMic) {
    out.handles = [...(out.handles ?? []), 'spnego-krb5'];
    const getMic = krb5CfxGetMic(data, m.start, m.end, selection);
    if (getMic !== undefined) out.micFields = getMic;
  }
  if (ntlmMic && mic !== undefined) {
    const verifier = ntlmsspVerifier(data, mic.start, mic.end, selection);
    if (verifier !== undefined) out.layers.push(verifier);
  }
  return out;
}

/**
 * dissect_ntlmssp_verf: a signature of 16 bytes (or more) as NTLMSSP's own layer, its version and
 * body; nothing when the body is shorter than 12 bytes (packet-ntlmssp.c gives up then).
 */
export function ntlmsspVerifier(data: Buffer, from: number, to: number, selection?: ReadonlySet<string>): Layer | undefined {
  if (to - from - 4 < 12) return undefined;
  const b = new LayerBuilder(data, 'ntlmssp', 'NTLM Secure Service Provider', from, to, selection);
  dissectSafely(b, () => {
    b.group('ntlmssp.verf', 'NTLMSSP Verifier', null, from, to - from, () => {
      b.need(from, 4, 'verifier version');
      const version = data.readUInt32LE(from);
      b.add('ntlmssp.verf.vers', () => `Version Number: ${version}`, version, from, 4);
      const body = b.bytes(from + 4, to - from - 4, 'verifier body');
      b.add('ntlmssp.verf.body', () => `Verifier Body: ${body.toString('hex', 0, 36)}${body.length > 36 ? '…' : ''}`, body, from + 4, body.length, () => body.toString('hex'));
    });
  });
  return b.layer;
}

/** dissect_ntlmssp on data[from, to): an NTLMSSP message as its own layer, its name in `out.info`. */
export function ntlmssp(data: Buffer, from: number, to: number, selection: ReadonlySet<string> | undefined, out: SecurityBlobResult): void {
  const b = new LayerBuilder(data, 'ntlmssp', 'NTLM Secure Service Provider', from, to, selection);
  out.layers.push(b.layer);
  dissectSafely(b, () => {
    b.add('ntlmssp.identifier', 'NTLMSSP identifier: NTLMSSP', 'NTLMSSP', from, 8);
    b.need(from + 8, 4, 'message type');
    const type = data.readUInt32LE(from + 8);
    b.add('ntlmssp.messagetype', () => `NTLM Message Type: ${NTLM_TYPES[type] ?? 'Unknown'} (${hex(type, 8)})`, type, from + 8, 4, () => hex(type, 8));
    out.info += `, ${NTLM_TYPES[type] ?? `Unknown message type`}`;
    const str = (at: number, unicode: boolean): { text: string; len: number; off: number } => {
      b.need(at, 8, 'string header');
      const len = data.readUInt16LE(at);
      const off = data.readUInt32LE(at + 4);
      if (len === 0) return { text: 'NULL', len, off };
      b.need(from + off, len, 'string');
      return { text: unicode ? data.toString('utf16le', from + off, from + off + (len & ~1)) : data.toString('latin1', from + off, from + off + len), len, off };
    };
    if (type === 2) {
      b.need(from + 20, 4, 'flags');
      const flags = data.readUInt32LE(from + 20);
      const name = str(from + 12, (flags & 1) !== 0);
      b.add('ntlmssp.challenge.target_name', () => `Target Name: ${name.text}`, name.text, name.len ? from + name.off : from + 12, name.len ? name.len : 8);
      b.add('ntlmssp.negotiateflags', () => `Negotiate Flags: ${hex(flags, 8)}`, flags, from + 20, 4, () => hex(flags, 8));
      const challenge = b.bytes(from + 24, 8, 'server challenge');
      b.add('ntlmssp.ntlmserverchallenge', () => `NTLM Server Challenge: ${challenge.toString('hex')}`, challenge, from + 24, 8, () => challenge.toString('hex'));
    } else if (type === 3) {
      b.need(from + 60, 4, 'flags');
      const flags = data.readUInt32LE(from + 60);
      const unicode = (flags & 1) !== 0;
      const domain = str(from + 28, unicode);
      const user = str(from + 36, unicode);
      const host = str(from + 44, unicode);
      const place = (s: { len: number; off: number }, header: number): [number, number] => (s.len ? [from + s.off, s.len] : [header, 8]);
      b.add('ntlmssp.auth.domain', () => `Domain name: ${domain.text}`, domain.text, ...place(domain, from + 28));
      b.add('ntlmssp.auth.username', () => `User name: ${user.text}`, user.text, ...place(user, from + 36));
      b.add('ntlmssp.auth.hostname', () => `Host name: ${host.text}`, host.text, ...place(host, from + 44));
      b.add('ntlmssp.negotiateflags', () => `Negotiate Flags: ${hex(flags, 8)}`, flags, from + 60, 4, () => hex(flags, 8));
      const d = domain.len ? domain.text : '';
      const u = user.len ? user.text : '';
      const h = host.len ? host.text : '';
      out.info += `, User: ${d}\\${u}`;
      out.user = u;
      out.domain = d;
      out.host = h;
    } else if (type === 1) {
      b.need(from + 12, 4, 'flags');
      const flags = data.readUInt32LE(from + 12);
      b.add('ntlmssp.negotiateflags', () => `Negotiate Flags: ${hex(flags, 8)}`, flags, from + 12, 4, () => hex(flags, 8));
    }
  });
}

/**
 * dissect_spnego_krb5_wrap on an RFC 4121 GetMIC token (04 04): krb5_blob with its token ID,
 * flags, filler, sequence number and checksum. Left out: the other tokens (CFX Wrap, RFC 1964's).
 */
export function krb5CfxGetMic(data: Buffer, from: number, to: number, selection?: ReadonlySet<string>): Field[] | undefined {
  if (to - from < 16 || data[from] !== 0x04 || data[from + 1] !== 0x04) return undefined;
  const b = new LayerBuilder(data, 'spnego-krb5', 'SPNEGO-KRB5', from, to, selection);
  dissectSafely(b, () => {
    const blob = data.subarray(from, to);
    b.group('spnego.krb5.blob', () => `krb5_blob: ${blob.toString('hex', 0, 36)}${blob.length > 36 ? '…' : ''}`, blob, from, to - from, () => {
      b.add('spnego.krb5.tok_id', 'krb5_tok_id: KRB_TOKEN_CFX_GetMic (0x0404)', 0x0404, from, 2, '0x0404');
      const flags = data[from + 2]!;
      const bits: Array<[number, string, string]> = [[4, 'AcceptorSubkey', 'acceptor_subkey'], [2, 'Sealed', 'sealed'], [1, 'SendByAcceptor', 'send_by_acceptor']];
      const flagsHex = `0x${flags.toString(16).padStart(2, '0')}`;
      const set = bits.filter(([mask]) => flags & mask).map(([, name]) => `, ${name}`).join('');
      b.group('spnego.krb5.cfx_flags', () => `krb5_cfx_flags: ${flagsHex}${set}`, flags, from + 2, 1, () => {
        for (const [mask, name, abbrev] of bits) {
          const on = (flags & mask) !== 0;
          const picture = `.... .${mask === 4 ? (on ? 1 : 0) : '.'}${mask === 2 ? (on ? 1 : 0) : '.'}${mask === 1 ? (on ? 1 : 0) : '.'}`;
          b.add(`spnego.krb5.${abbrev}`, () => `${picture} = ${name}: ${on ? 'Set' : 'Not set'}`, on, from + 2, 1);
        }
      }, flagsHex);
      const filler = data.subarray(from + 3, from + 8);
      b.add('spnego.krb5.filler', () => `krb5_filler: ${filler.toString('hex')}`, filler, from + 3, 5, () => filler.toString('hex'));
      const seq = data.readBigUInt64BE(from + 8);
      b.add('spnego.krb5.cfx_seq', () => `krb5_cfx_seq: ${seq}`, seq, from + 8, 8, String(seq));
      const checksum = data.subarray(from + 16, to);
      b.add('spnego.krb5.sgn_cksum', () => `krb5_sgn_cksum: ${checksum.toString('hex', 0, 36)}${checksum.length > 36 ? '…' : ''}`, checksum, from + 16, checksum.length, () => checksum.toString('hex'));
    });
  });
  return b.layer.fields;
}
