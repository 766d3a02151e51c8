/**
 * Kerberos 5 (RFC 4120) as tshark 4.0 shows it without keys (epan/dissectors/asn1/kerberos):
 * AS-REQ/REP, TGS-REQ/REP, AP-REQ/REP, KRB-PRIV, KRB-CRED, KRB-ERROR and bare Tickets, each field
 * under Wireshark's name (kerberos.pvno, msg_type, padata_type, kdc_options and its bits, cname /
 * CNameString, sname / SNameString, realm, till, nonce, ENCTYPE, etype / kvno / cipher, error_code,
 * stime / susec, e_text, e_data ...). PA-DATA values are opened as Wireshark opens them when it has
 * no keys: PA-TGS-REQ's AP-REQ, PA-ENC-TIMESTAMP's EncryptedData, ETYPE-INFO(2), PA-PAC-REQUEST and
 * the FAST armored request and reply; a KRB-ERROR's e-data is METHOD-DATA for the pre-authentication
 * errors. Encrypted parts stay bytes.
 *
 * Registration as in Wireshark: UDP 88 and TCP 88 are Kerberos; UDP 750 is Kerberos 4 (krb4.ts). On
 * UDP 88 a payload whose first byte is at most 0x10 goes to Kerberos 4 (a Kerberos 5 message begins
 * with an application tag, 0x60 or more): frame.protocols "kerberos:krb4". Over TCP each message has a
 * 4-byte record mark (reserved bit, length) and messages are put together across segments
 * (tcp_dissect_pdus). A KDC-REQ-BODY sent to UDP 88 opens a conversation from the client's address
 * and port to the KDC's address with any port (as TFTP's does): later UDP traffic of that client port
 * to the KDC is Kerberos whatever its ports (afs.pcap's krb524 tickets to port 4444).
 *
 * Columns: Protocol "KRB5"; Info the message type of the outer message ("AS-REQ", "TGS-REP"),
 * "KRB Error: <MIT name>" for an error with a non-zero code, empty for a bare Ticket.
 */
import { dissectSafely, LayerBuilder, StopDissection } from './builder';
import { absoluteTimeText } from './app-format';
import { BerClass, readBer, type BerTlv } from './ber';
import { dataLayer } from './hsrp';
import { dissectKrb4, isKrb4 } from './krb4';
import type { AppContext, AppDissector, AppResult, Layer } from './model';
import { lengthPrefixedPdus } from './tcp-pdus';

export const KERBEROS_PORT = 88;
export const KRB4_PORT = 750;

// ---- value names (tshark -G values) ----

const u2s = (v: number): number => (v > 0x7fffffff ? v - 0x100000000 : v);
const table = (text: string): Map<number, string> => {
  const m = new Map<number, string>();
  for (const entry of text.trim().split(/\s*;\s*/)) {
    const [k, name] = entry.split('=');
    if (name !== undefined && !m.has(u2s(Number(k)))) m.set(u2s(Number(k)), name);
  }
  return m;
};

const MSG_TYPES = table('10=krb-as-req;11=krb-as-rep;12=krb-tgs-req;13=krb-tgs-rep;14=krb-ap-req;15=krb-ap-rep;16=krb-tgt-req;17=krb-tgt-rep;20=krb-safe;21=krb-priv;22=krb-cred;30=krb-error');
const NAME_TYPES = table(`0=kRB5-NT-UNKNOWN;1=kRB5-NT-PRINCIPAL;2=kRB5-NT-SRV-INST;3=kRB5-NT-SRV-HST;4=kRB5-NT-SRV-XHST;5=kRB5-NT-UID;
  6=kRB5-NT-X500-PRINCIPAL;7=kRB5-NT-SMTP-NAME;10=kRB5-NT-ENTERPRISE-PRINCIPAL;11=kRB5-NT-WELLKNOWN;12=kRB5-NT-SRV-HST-DOMAIN;
  4294967166=kRB5-NT-ENT-PRINCIPAL-AND-ID;4294967168=kRB5-NT-MS-PRINCIPAL;4294967167=kRB5-NT-MS-PRINCIPAL-AND-ID;4294966096=kRB5-NT-NTLM;
  4294966095=kRB5-NT-X509-GENERAL-NAME;4294966094=kRB5-NT-GSS-HOSTBASED-SERVICE;4294966093=kRB5-NT-CACHE-UUID;4099072534=kRB5-NT-SRV-HST-NEEDS-CANON`);
const ADDR_TYPES = table('2=iPv4;5=cHAOS;6=xEROX;7=iSO;12=dECNET;16=aPPLETALK;20=nETBIOS;24=iPv6');
const CKSUM_TYPES = table(`0=cKSUMTYPE-NONE;1=cKSUMTYPE-CRC32;2=cKSUMTYPE-RSA-MD4;3=cKSUMTYPE-RSA-MD4-DES;4=cKSUMTYPE-DES-MAC;5=cKSUMTYPE-DES-MAC-K;
  6=cKSUMTYPE-RSA-MD4-DES-K;7=cKSUMTYPE-RSA-MD5;8=cKSUMTYPE-RSA-MD5-DES;9=cKSUMTYPE-RSA-MD5-DES3;10=cKSUMTYPE-SHA1-OTHER;
  12=cKSUMTYPE-HMAC-SHA1-DES3-KD;13=cKSUMTYPE-HMAC-SHA1-DES3;14=cKSUMTYPE-SHA1;15=cKSUMTYPE-HMAC-SHA1-96-AES-128;
  16=cKSUMTYPE-HMAC-SHA1-96-AES-256;17=cKSUMTYPE-CMAC-CAMELLIA128;18=cKSUMTYPE-CMAC-CAMELLIA256;19=cKSUMTYPE-HMAC-SHA256-128-AES128;
  20=cKSUMTYPE-HMAC-SHA384-192-AES256;32771=cKSUMTYPE-GSSAPI;4294967158=cKSUMTYPE-HMAC-MD5;4294966158=cKSUMTYPE-HMAC-MD5-ENC`);
const ETYPES = table(`0=eTYPE-NULL;1=eTYPE-DES-CBC-CRC;2=eTYPE-DES-CBC-MD4;3=eTYPE-DES-CBC-MD5;5=eTYPE-DES3-CBC-MD5;7=eTYPE-OLD-DES3-CBC-SHA1;
  8=eTYPE-SIGN-DSA-GENERATE;9=eTYPE-DSA-SHA1;10=eTYPE-RSA-MD5;11=eTYPE-RSA-SHA1;12=eTYPE-RC2-CBC;13=eTYPE-RSA;14=eTYPE-RSAES-OAEP;
  15=eTYPE-DES-EDE3-CBC;16=eTYPE-DES3-CBC-SHA1;17=eTYPE-AES128-CTS-HMAC-SHA1-96;18=eTYPE-AES256-CTS-HMAC-SHA1-96;
  19=eTYPE-AES128-CTS-HMAC-SHA256-128;20=eTYPE-AES256-CTS-HMAC-SHA384-192;23=eTYPE-ARCFOUR-HMAC-MD5;24=eTYPE-ARCFOUR-HMAC-MD5-56;
  25=eTYPE-CAMELLIA128-CTS-CMAC;26=eTYPE-CAMELLIA256-CTS-CMAC;48=eTYPE-ENCTYPE-PK-CROSS;4294967168=eTYPE-ARCFOUR-MD4;
  4294967163=eTYPE-ARCFOUR-HMAC-OLD;4294967161=eTYPE-ARCFOUR-HMAC-OLD-EXP;4294963200=eTYPE-DES-CBC-NONE;4294963199=eTYPE-DES3-CBC-NONE;
  4294963198=eTYPE-DES-CFB64-NONE;4294963197=eTYPE-DES-PCBC-NONE;4294963196=eTYPE-DIGEST-MD5-NONE;4294963195=eTYPE-CRAM-MD5-NONE`);
const PADATA_TYPES = table(`0=pA-NONE;1=pA-TGS-REQ;2=pA-ENC-TIMESTAMP;3=pA-PW-SALT;5=pA-ENC-UNIX-TIME;6=pA-SANDIA-SECUREID;7=pA-SESAME;
  8=pA-OSF-DCE;9=pA-CYBERSAFE-SECUREID;10=pA-AFS3-SALT;11=pA-ETYPE-INFO;12=pA-SAM-CHALLENGE;13=pA-SAM-RESPONSE;14=pA-PK-AS-REQ-19;
  15=pA-PK-AS-REP-19;16=pA-PK-AS-REQ;17=pA-PK-AS-REP;18=pA-PK-OCSP-RESPONSE;19=pA-ETYPE-INFO2;20=pA-USE-SPECIFIED-KVNO;
  21=pA-SAM-REDIRECT;22=pA-GET-FROM-TYPED-DATA;23=pA-SAM-ETYPE-INFO;24=pA-ALT-PRINC;25=pA-SERVER-REFERRAL;30=pA-SAM-CHALLENGE2;
  31=pA-SAM-RESPONSE2;41=pA-EXTRA-TGT;101=tD-PKINIT-CMS-CERTIFICATES;102=tD-KRB-PRINCIPAL;103=tD-KRB-REALM;104=tD-TRUSTED-CERTIFIERS;
  105=tD-CERTIFICATE-INDEX;106=tD-APP-DEFINED-ERROR;107=tD-REQ-NONCE;108=tD-REQ-SEQ;109=tD-DH-PARAMETERS;111=tD-CMS-DIGEST-ALGORITHMS;
  112=tD-CERT-DIGEST-ALGORITHMS;128=pA-PAC-REQUEST;129=pA-FOR-USER;130=pA-FOR-X509-USER;131=pA-FOR-CHECK-DUPS;132=pA-PK-AS-09-BINDING;
  133=pA-FX-COOKIE;134=pA-AUTHENTICATION-SET;135=pA-AUTH-SET-SELECTED;136=pA-FX-FAST;137=pA-FX-ERROR;138=pA-ENCRYPTED-CHALLENGE;
  141=pA-OTP-CHALLENGE;142=pA-OTP-REQUEST;143=pA-OTP-CONFIRM;144=pA-OTP-PIN-CHANGE;145=pA-EPAK-AS-REQ;146=pA-EPAK-AS-REP;
  147=pA-PKINIT-KX;148=pA-PKU2U-NAME;149=pA-REQ-ENC-PA-REP;150=pA-AS-FRESHNESS;151=pA-SPAKE;152=pA-REDHAT-IDP-OAUTH2;
  153=pA-REDHAT-PASSKEY;161=pA-KERB-KEY-LIST-REQ;162=pA-KERB-KEY-LIST-REP;165=pA-SUPPORTED-ETYPES;166=pA-EXTENDED-ERROR;
  167=pA-PAC-OPTIONS;4294967295=pA-PROV-SRV-LOCATION`);
const ARMOR_TYPES = table('0=fX-FAST-reserved;1=fX-FAST-ARMOR-AP-REQUEST');
const ERROR_NAMES = [
  'NONE', 'NAME-EXP', 'SERVICE-EXP', 'BAD-PVNO', 'C-OLD-MAST-KVNO', 'S-OLD-MAST-KVNO', 'C-PRINCIPAL-UNKNOWN', 'S-PRINCIPAL-UNKNOWN',
  'PRINCIPAL-NOT-UNIQUE', 'NULL-KEY', 'CANNOT-POSTDATE', 'NEVER-VALID', 'POLICY', 'BADOPTION', 'ETYPE-NOSUPP', 'SUMTYPE-NOSUPP',
  'PADATA-TYPE-NOSUPP', 'TRTYPE-NOSUPP', 'CLIENT-REVOKED', 'SERVICE-REVOKED', 'TGT-REVOKED', 'CLIENT-NOTYET', 'SERVICE-NOTYET', 'KEY-EXP',
  'PREAUTH-FAILED', 'PREAUTH-REQUIRED', 'SERVER-NOMATCH', 'MUST-USE-USER2USER', 'PATH-NOT-ACCEPTED', 'SVC-UNAVAILABLE', '',
  'BAD-INTEGRITY', 'TKT-EXPIRED', 'TKT-NYV', 'REPEAT', 'NOT-US', 'BADMATCH', 'SKEW', 'BADADDR', 'BADVERSION', 'MSG-TYPE', 'MODIFIED',
  'BADORDER', 'ILL-CR-TKT', 'BADKEYVER', 'NOKEY', 'MUT-FAIL', 'BADDIRECTION', 'METHOD', 'BADSEQ', 'INAPP-CKSUM',
];
/** The error-code field's names (eRR-...). */
const ERROR_CODES = new Map<number, string>([
  ...ERROR_NAMES.map((n, i) => [i, `eRR-${n}`] as [number, string]).filter(([, n]) => n !== 'eRR-'),
  [51, 'pATH-NOT-ACCEPTED'], [52, 'eRR-RESPONSE-TOO-BIG'], [60, 'eRR-GENERIC'], [61, 'eRR-FIELD-TOOLONG'], [62, 'eRROR-CLIENT-NOT-TRUSTED'],
  [63, 'eRROR-KDC-NOT-TRUSTED'], [64, 'eRROR-INVALID-SIG'], [65, 'eRR-KEY-TOO-WEAK'], [66, 'eRR-CERTIFICATE-MISMATCH'], [67, 'eRR-NO-TGT'],
  [68, 'eRR-WRONG-REALM'], [69, 'eRR-USER-TO-USER-REQUIRED'], [70, 'eRR-CANT-VERIFY-CERTIFICATE'], [71, 'eRR-INVALID-CERTIFICATE'],
  [72, 'eRR-REVOKED-CERTIFICATE'], [73, 'eRR-REVOCATION-STATUS-UNKNOWN'], [74, 'eRR-REVOCATION-STATUS-UNAVAILABLE'],
  [75, 'eRR-CLIENT-NAME-MISMATCH'], [76, 'eRR-KDC-NAME-MISMATCH'],
]);
/** The Info column's names of error codes (Wireshark's krb5_error_codes, MIT's names). */
function errorInfoName(code: number): string {
  if (code >= 0 && code <= 29) return `KRB5KDC_ERR_${ERROR_NAMES[code]!.replaceAll('-', '_')}`.replace('KEY_EXP', 'KEY_EXP');
  if (code >= 31 && code <= 50) return `KRB5KRB_AP_ERR_${ERROR_NAMES[code]!.replaceAll('-', '_')}`;
  const more: Record<number, string> = {
    51: 'KRB5KDC_AP_PATH_NOT_ACCEPTED', 52: 'KRB5KRB_ERR_RESPONSE_TOO_BIG', 60: 'KRB5KRB_ERR_GENERIC', 61: 'KRB5KRB_ERR_FIELD_TOOLONG',
    62: 'KDC_ERROR_CLIENT_NOT_TRUSTED', 63: 'KDC_ERROR_KDC_NOT_TRUSTED', 64: 'KDC_ERROR_INVALID_SIG', 65: 'KDC_ERR_KEY_TOO_WEAK',
    66: 'KDC_ERR_CERTIFICATE_MISMATCH', 67: 'KRB_AP_ERR_NO_TGT', 68: 'KDC_ERR_WRONG_REALM', 69: 'KRB_AP_ERR_USER_TO_USER_REQUIRED',
    70: 'KDC_ERR_CANT_VERIFY_CERTIFICATE', 71: 'KDC_ERR_INVALID_CERTIFICATE', 72: 'KDC_ERR_REVOKED_CERTIFICATE',
    73: 'KDC_ERR_REVOCATION_STATUS_UNKNOWN', 74: 'KDC_ERR_REVOCATION_STATUS_UNAVAILABLE', 75: 'KDC_ERR_CLIENT_NAME_MISMATCH',
    76: 'KDC_ERR_KDC_NAME_MISMATCH',
  };
  return more[code] ?? `Unknown error code 0x${(code >>> 0).toString(16)}`;
}
/** The Info column's names of message types (krb5_msg_types). */
const MSG_INFO: Record<number, string> = {
  10: 'AS-REQ', 11: 'AS-REP', 12: 'TGS-REQ', 13: 'TGS-REP', 14: 'AP-REQ', 15: 'AP-REP', 16: 'TGT-REQ', 17: 'TGT-REP', 20: 'KRB-SAFE',
  21: 'KRB-PRIV', 22: 'KRB-CRED', 30: 'KRB-ERROR',
};

const KDC_OPTIONS = [
  'reserved', 'forwardable', 'forwarded', 'proxiable', 'proxy', 'allow-postdate', 'postdated', 'unused7', 'renewable', 'unused9',
  'unused10', 'opt-hardware-auth', 'unused12', 'unused13', 'constrained-delegation', 'canonicalize', 'request-anonymous', 'unused17',
  'unused18', 'unused19', 'unused20', 'unused21', 'unused22', 'unused23', 'unused24', 'unused25', 'disable-transited-check',
  'renewable-ok', 'enc-tkt-in-skey', 'unused29', 'renew', 'validate',
];
const AP_OPTIONS = ['reserved', 'use-session-key', 'mutual-required'];

// ---- the walker ----

const CLASS_NAMES = ['UNIVERSAL', 'APPLICATION', 'CONTEXT', 'PRIVATE'];
const hexOf = (data: Buffer, start: number, end: number): string => data.toString('hex', start, end);
const items = (n: number): string => `${n} item${n === 1 ? '' : 's'}`;

/** What one dissection learns: the columns' inputs. */
interface State {
  /** msg-type of the outer message, -1 until seen (only the first sets Info). */
  info: string | null;
  errorCode: number;
  /** Inside a KDC-REQ (FAST data is a request), else a reply. */
  request: boolean;
  /** Set when a KDC-REQ-BODY was seen (the UDP conversation). */
  reqBody: boolean;
}

class Walker {
  /**
   * The reported end of the bytes being read (Wireshark's current tvb): a component's sub-tvb ends
   * with its explicit tag's element, an OCTET STRING's opened content with the string.
   */
  limit: number;

  constructor(readonly b: LayerBuilder, readonly s: State) {
    this.limit = b.end;
  }

  /** Wireshark's tvb reads: past the reported end is malformed, past the captured bytes truncated. */
  need(offset: number, length: number, what: string): void {
    if (offset + length > this.limit) throw new StopDissection('malformed', `${what} runs past the end of its element`);
    this.b.need(offset, length, what);
  }

  u8(offset: number, what: string): number {
    this.need(offset, 1, what);
    return this.b.data[offset]!;
  }

  /** Runs `body` with the reported end at `end` (a sub-tvb). */
  within(end: number, body: () => void): void {
    const outer = this.limit;
    this.limit = end;
    try {
      body();
    } finally {
      this.limit = outer;
    }
  }

  /**
   * The TLV at `at`. Like Wireshark's BER, only its identifier and length octets are read here: a
   * length past the PDU is no error by itself, but reading past the PDU's end throws (malformed)
   * and past the captured bytes (truncated), where a read reaches them.
   */
  tlv(at: number, what: string): BerTlv {
    const { b } = this;
    const data = b.data;
    const first = this.u8(at, what);
    let p = at + 1;
    let tag = first & 0x1f;
    if (tag === 0x1f) {
      tag = 0;
      for (let n = 0; ; n++) {
        const octet = this.u8(p++, what);
        if (n >= 4) throw new StopDissection('malformed', `${what}: tag number too large`);
        tag = tag * 128 + (octet & 0x7f);
        if ((octet & 0x80) === 0) break;
      }
    }
    let length = this.u8(p++, what);
    const constructed = (first & 0x20) !== 0;
    if (length === 0x80) {
      // Indefinite (not DER, rare in Kerberos): the reader finds the end-of-contents octets.
      const r = readBer(data, at, b.end, Math.min(data.length, b.end));
      if (!r.ok) throw new StopDissection(r.problem === 'truncated' ? 'truncated' : 'malformed', `${what}: ${r.what}`);
      return r.tlv;
    }
    if (length & 0x80) {
      const count = length & 0x7f;
      if (count > 4) throw new StopDissection('malformed', `${what}: length of length ${count} is too large`);
      this.need(p, count, what);
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + data[p++]!;
    }
    return { cls: (first >> 6) as BerClass, constructed, tag, start: at, valueStart: p, length, valueEnd: p + length, end: p + length, indefinite: false };
  }

  /**
   * A primitive TLV's value as Wireshark's BER reads it: a length past the end of the current tvb
   * is cut to it (the value shown partly, no error of its own: the next read past the end throws);
   * the bytes must have been captured (truncated otherwise).
   */
  value(t: BerTlv, what: string): BerTlv {
    const cut = t.valueEnd > this.limit ? { ...t, valueEnd: Math.max(t.valueStart, this.limit), length: Math.max(0, this.limit - t.valueStart) } : t;
    this.b.need(cut.valueStart, cut.valueEnd - cut.valueStart, what);
    return cut;
  }

  /** A BER error as Wireshark shows it: a tree line with a Warning/Malformed expert item (no Info mark). */
  berError(text: string, t: BerTlv): void {
    const message = `BER Error: ${text}`;
    this.b.group('', message, null, t.start, t.end - t.start, () => {
      this.b.group('_ws.expert', `[Expert Info (Warning/Malformed): ${message}]`, null, t.start, t.end - t.start, () => {
        this.b.add('_ws.expert.message', `[${message}]`, message, t.start, 0);
        this.b.add('_ws.expert.severity', '[Severity level: Warning]', 'Warning', t.start, 0);
        this.b.add('_ws.expert.group', '[Group: Malformed]', 'Malformed', t.start, 0);
      });
    });
  }

  /** Whether `t` is the SEQUENCE a type expects; a BER error when not. */
  isSequence(t: BerTlv): boolean {
    if (t.cls === BerClass.Universal && t.tag === 16 && t.constructed) return true;
    this.berError(`Sequence expected but class:${CLASS_NAMES[t.cls]}(${t.cls}) ${t.constructed ? 'Constructed' : 'Primitive'} tag:${t.tag} was unexpected`, t);
    return false;
  }

  /**
   * A SEQUENCE of explicitly tagged components [n], in order, as Wireshark's dissect_ber_sequence
   * walks them: an OPTIONAL component that is not there is skipped; a required one that is not
   * there is a "Wrong field" error and the element at hand is skipped in its place.
   */
  sequence(t: BerTlv, what: string, components: Record<number, (inner: BerTlv) => void>, optional: readonly number[] = []): void {
    if (!this.isSequence(t)) return;
    const tags = Object.keys(components).map(Number);
    let i = 0;
    let at = t.valueStart;
    while (at < t.valueEnd) {
      const wrap = this.tlv(at, what);
      at = wrap.end;
      while (i < tags.length && !(wrap.cls === BerClass.Context && wrap.tag === tags[i]) && optional.includes(tags[i]!)) i++;
      if (i >= tags.length) {
        this.berError('This field lies beyond the end of the known sequence definition.', wrap);
        continue;
      }
      const tag = tags[i++]!;
      if (!(wrap.cls === BerClass.Context && wrap.tag === tag)) {
        this.berError(`Wrong field in SEQUENCE: expected class:CONTEXT(2) tag:${tag} but found class:${CLASS_NAMES[wrap.cls]}(${wrap.cls}) tag:${wrap.tag}`, wrap);
        continue;
      }
      // The component is read in a sub-tvb ending with its element (or with the tvb it is cut from).
      if (wrap.valueStart < wrap.valueEnd) this.within(Math.min(wrap.end, this.limit), () => components[tag]!(this.tlv(wrap.valueStart, what)));
    }
  }

  /** The elements of a SEQUENCE OF. */
  each(t: BerTlv, what: string, read: (item: BerTlv) => void): void {
    let at = t.valueStart;
    while (at < t.valueEnd) {
      const item = this.tlv(at, what);
      read(item);
      at = item.end;
    }
  }

  /**
   * A SEQUENCE OF with its count item ("etype: 8 items"). Wireshark counts the elements first by
   * walking their headers, and only when the whole of the current tvb was captured: a header past
   * its end throws before any element is shown; in a tvb cut by the snap length the count is 0.
   */
  seqOf(abbrev: string, name: string, t: BerTlv, read: (item: BerTlv) => void, suffix?: () => string): void {
    let n = 0;
    if (this.b.data.length >= this.limit) {
      for (let at = t.valueStart; at < t.valueEnd; n++) at = this.tlv(at, name).end;
    }
    const field = this.b.group(abbrev, () => `${name}: ${items(n)}`, n, t.start, t.end - t.start, () => this.each(t, name, read));
    if (field.abbrev !== '' && this.b.tree && suffix) field.label += suffix();
  }

  /** A SEQUENCE (FT_NONE item, shown as 1 by -T fields). */
  element(abbrev: string, label: string | (() => string), t: BerTlv, body: () => void): void {
    this.b.group(abbrev, label, null, t.start, t.end - t.start, body, '1');
  }

  int(abbrev: string, name: string, t: BerTlv, names?: Map<number, string>, unsigned = false): number {
    t = this.value(t, name);
    let v = 0;
    for (let i = t.valueStart; i < t.valueEnd; i++) v = v * 256 + this.b.data[i]!;
    const len = t.valueEnd - t.valueStart;
    if (!unsigned && len > 0 && len <= 4 && this.b.data[t.valueStart]! & 0x80) v -= 2 ** (8 * len);
    if (len > 4) v = unsigned ? v % 2 ** 32 : u2s(v % 2 ** 32);
    const value = v;
    this.b.add(abbrev, () => (names ? `${name}: ${names.get(value) ?? 'Unknown'} (${value})` : `${name}: ${value}`), value, t.start, t.end - t.start);
    return value;
  }

  /** Whether `t` has the universal tag a string, time or bit string must have; a BER error when not. */
  expect(t: BerTlv, tag: number, what: string): boolean {
    if (t.cls === BerClass.Universal && t.tag === tag) return true;
    this.berError(`${what} expected but class:${CLASS_NAMES[t.cls]}(${t.cls}) ${t.constructed ? 'Constructed' : 'Primitive'} tag:${t.tag} was unexpected`, t);
    return false;
  }

  str(abbrev: string, name: string, t: BerTlv): string {
    if (!this.expect(t, 27, 'String with tag=27')) return '';
    t = this.value(t, name);
    const text = Array.from(this.b.data.subarray(t.valueStart, t.valueEnd), (c) => (c < 0x80 ? String.fromCharCode(c) : '\ufffd')).join('');
    this.b.add(abbrev, () => `${name}: ${text}`, text, t.start, t.end - t.start);
    return text;
  }

  bytes(abbrev: string, name: string, t: BerTlv, body?: () => void): void {
    t = this.value(t, name);
    const { data } = this.b;
    const n = t.valueEnd - t.valueStart;
    const text = (): string => (n === 0 ? '<MISSING>' : hexOf(data, t.valueStart, t.valueEnd));
    const label = (): string => `${name}: ${n === 0 ? '<MISSING>' : hexOf(data, t.valueStart, t.valueStart + Math.min(n, 36)) + (n > 36 ? '…' : '')}`;
    const value = data.subarray(t.valueStart, t.valueEnd);
    if (body) this.b.group(abbrev, label, value, t.start, t.end - t.start, () => this.within(Math.min(t.valueEnd, this.limit), body), text);
    else this.b.addLazy(abbrev, label, value, t.start, t.end - t.start, text);
  }

  time(abbrev: string, name: string, t: BerTlv): void {
    if (!this.expect(t, 24, 'GeneralizedTime')) return;
    t = this.value(t, name);
    const text = generalizedTime(this.b.data.toString('latin1', t.valueStart, t.valueEnd));
    // Wireshark adds no item for a GeneralizedTime it cannot read (a BER error instead).
    if (text !== null) this.b.add(abbrev, () => `${name}: ${text}`, text, t.start, t.end - t.start);
  }

  /** A BIT STRING of named flags: BER's padding, the bytes, one boolean per bit. */
  bits(abbrev: string, name: string, t: BerTlv, prefix: string, names: readonly string[]): void {
    const { data } = this.b;
    if (!this.expect(t, 3, 'BitString')) return;
    t = this.value(t, name);
    if (t.valueEnd <= t.valueStart) return;
    const pad = data[t.valueStart]!;
    this.b.add('ber.bitstring.padding', () => `Padding: ${pad}`, pad, t.valueStart, 1);
    const from = t.valueStart + 1;
    const n = t.valueEnd - from;
    this.b.group(abbrev, () => `${name}: ${hexOf(data, from, t.valueEnd)}`, data.subarray(from, t.valueEnd), from, n, () => {
      names.forEach((flag, i) => {
        const byte = i >> 3;
        if (byte >= n) return;
        const set = (data[from + byte]! >> (7 - (i & 7))) & 1;
        const picture = Array.from({ length: 8 }, (_, k) => (k === (i & 7) ? String(set) : '.')).join('');
        this.b.add(`${prefix}.${flag.replaceAll('-', '.')}`, () => `${picture.slice(0, 4)} ${picture.slice(4)} = ${flag}: ${set ? 'True' : 'False'}`, set === 1, from + byte, 1);
      });
    }, () => hexOf(data, from, t.valueEnd));
  }

  // ---- Kerberos types ----

  principal(element: string, label: string, strings: string, item: string, t: BerTlv): void {
    this.element(element, label, t, () =>
      this.sequence(t, label, {
        0: (v) => this.int('kerberos.name_type', 'name-type', v, NAME_TYPES),
        1: (v) => this.seqOf(strings, strings.endsWith('cname_string') ? 'cname-string' : strings.endsWith('sname_string') ? 'sname-string' : 'name-string', v, (s) => {
          this.str(item, item.slice('kerberos.'.length), s);
        }),
      }));
  }

  encrypted(element: string | null, label: string, t: BerTlv): void {
    const body = (): void =>
      this.sequence(t, label, {
        0: (v) => this.int('kerberos.etype', 'etype', v, ETYPES),
        1: (v) => this.int('kerberos.kvno', 'kvno', v, undefined, true),
        2: (v) => this.bytes('kerberos.cipher', 'cipher', v),
      }, [1]);
    if (element === null) body();
    else this.element(element, label, t, body);
  }

  checksum(element: string, label: string, t: BerTlv): void {
    this.element(element, label, t, () =>
      this.sequence(t, label, {
        0: (v) => this.int('kerberos.cksumtype', 'cksumtype', v, CKSUM_TYPES),
        1: (v) => this.bytes('kerberos.checksum', 'checksum', v),
      }));
  }

  /** Ticket ::= [APPLICATION 1] SEQUENCE. */
  ticket(element: string, label: string, app: BerTlv): void {
    this.element(element, label, app, () => {
      if (!(app.cls === BerClass.Application && app.tag === 1) || app.valueStart >= app.valueEnd) return;
      const t = this.tlv(app.valueStart, 'Ticket');
      this.sequence(t, 'Ticket', {
        0: (v) => this.int('kerberos.tkt_vno', 'tkt-vno', v, undefined, true),
        1: (v) => this.str('kerberos.realm', 'realm', v),
        2: (v) => this.principal('kerberos.sname_element', 'sname', 'kerberos.sname_string', 'kerberos.SNameString', v),
        3: (v) => this.encrypted('kerberos.enc_part_element', 'enc-part', v),
      });
    });
  }

  hostAddress(t: BerTlv, element = 'kerberos.HostAddress_element', name = 'HostAddress'): string {
    let type = -1;
    let shown = '';
    const { data } = this.b;
    const field = this.b.group(element, name, null, t.start, t.end - t.start, () =>
      this.sequence(t, 'HostAddress', {
        0: (v) => (type = this.int('kerberos.addr_type', 'addr-type', v, ADDR_TYPES)),
        1: (v) => {
          v = this.value(v, 'address');
          const n = v.valueEnd - v.valueStart;
          if (type === 2 && n === 4) {
            shown = Array.from(data.subarray(v.valueStart, v.valueEnd)).join('.');
            this.b.add('kerberos.addr_ip', () => `IP Address: ${shown}`, shown, v.valueStart, 4);
          } else if (type === 24 && n === 16) {
            const groups = Array.from({ length: 8 }, (_, i) => data.readUInt16BE(v.valueStart + 2 * i).toString(16));
            shown = compressV6(groups);
            this.b.add('kerberos.addr_ipv6', () => `IPv6 Address: ${shown}`, shown, v.valueStart, 16);
          } else this.bytes('kerberos.address', 'address', v);
        },
      }), '1');
    // The label names the address, read after the item was made.
    if (this.b.tree) field.label = `${name} ${shown}`;
    return shown;
  }

  addresses(t: BerTlv, abbrev: string, name: string): void {
    const shown: string[] = [];
    this.seqOf(abbrev, name, t, (a) => shown.push(this.hostAddress(a)), () => shown.map((s) => ` ${s}`).join(''));
  }

  /** PA-DATA ::= SEQUENCE { padata-type [1], padata-value [2] }. */
  paData(t: BerTlv): void {
    let type = -1;
    const field = this.b.group('kerberos.PA_DATA_element', 'PA-DATA', null, t.start, t.end - t.start, () =>
      this.sequence(t, 'PA-DATA', {
        1: (v) => (type = this.int('kerberos.padata_type', 'padata-type', v, PADATA_TYPES)),
        2: (v) => {
          const value = (): void => this.paValue(type, v);
          this.bytes('kerberos.padata_value', 'padata-value', v, v.valueEnd > v.valueStart ? value : undefined);
        },
      }), '1');
    if (this.b.tree) {
      field.label = `PA-DATA ${PADATA_TYPES.get(type) ?? 'Unknown'}`;
      // Wireshark shows padata-value under padata-type.
      const children = field.children ?? [];
      const typeField = children.find((c) => c.abbrev === 'kerberos.padata_type');
      const valueField = children.find((c) => c.abbrev === 'kerberos.padata_value');
      if (typeField && valueField) {
        field.children = children.filter((c) => c !== valueField);
        typeField.children = [valueField];
      }
    }
  }

  paDataList(t: BerTlv, abbrev: string | null): void {
    if (abbrev === null) {
      this.each(t, 'METHOD-DATA', (p) => this.paData(p));
      return;
    }
    this.seqOf(abbrev, 'padata', t, (p) => this.paData(p));
  }

  /** The content of a padata-value, as Wireshark opens it without keys. */
  paValue(type: number, v: BerTlv): void {
    const inner = (): BerTlv => this.tlv(v.valueStart, 'padata-value');
    switch (type) {
      case 1: // PA-TGS-REQ: an AP-REQ
        this.application(inner());
        return;
      case 2: // PA-ENC-TIMESTAMP
      case 138: // PA-ENCRYPTED-CHALLENGE
        this.encrypted(null, 'EncryptedData', inner());
        return;
      case 11: // ETYPE-INFO
        this.each(inner(), 'ETYPE-INFO', (e) =>
          this.element('kerberos.ETYPE_INFO_ENTRY_element', 'ETYPE-INFO-ENTRY', e, () =>
            this.sequence(e, 'ETYPE-INFO-ENTRY', {
              0: (x) => this.int('kerberos.etype', 'etype', x, ETYPES),
              1: (x) => this.bytes('kerberos.info_salt', 'salt', x),
            }, [1])));
        return;
      case 19: // ETYPE-INFO2
        this.each(inner(), 'ETYPE-INFO2', (e) =>
          this.element('kerberos.ETYPE_INFO2_ENTRY_element', 'ETYPE-INFO2-ENTRY', e, () =>
            this.sequence(e, 'ETYPE-INFO2-ENTRY', {
              0: (x) => this.int('kerberos.etype', 'etype', x, ETYPES),
              1: (x) => this.str('kerberos.info2_salt', 'salt', x),
              2: (x) => this.bytes('kerberos.s2kparams', 's2kparams', x),
            }, [1, 2])));
        return;
      case 128: // PA-PAC-REQUEST
        this.sequence(inner(), 'PA-PAC-REQUEST', {
          0: (x) => {
            x = this.value(x, 'include-pac');
            const on = x.valueEnd > x.valueStart && this.b.data[x.valueStart] !== 0;
            this.b.add('kerberos.include_pac', () => `include-pac: ${on ? 'True' : 'False'}`, on, x.start, x.end - x.start);
          },
        });
        return;
      case 136: // PA-FX-FAST: armored-data [0] of a request or a reply
        this.fast(inner());
        return;
      default:
    }
  }

  fast(choice: BerTlv): void {
    if (!(choice.cls === BerClass.Context && choice.tag === 0) || choice.valueStart >= choice.valueEnd) return;
    const t = this.tlv(choice.valueStart, 'armored-data');
    this.element('kerberos.armored_data_element', 'armored-data', t, () => {
      if (this.s.request) {
        this.sequence(t, 'KrbFastArmoredReq', {
          0: (v) => this.element('kerberos.armor_element', 'armor', v, () =>
            this.sequence(v, 'armor', {
              0: (x) => this.int('kerberos.armor_type', 'armor-type', x, ARMOR_TYPES),
              1: (x) => this.bytes('kerberos.armor_value', 'armor-value', x),
            })),
          1: (v) => this.checksum('kerberos.req_checksum_element', 'req-checksum', v),
          2: (v) => this.encrypted('kerberos.enc_fast_req_element', 'enc-fast-req', v),
        }, [0]);
      } else {
        this.sequence(t, 'KrbFastArmoredRep', {
          0: (v) => this.encrypted('kerberos.enc_fast_rep_element', 'enc-fast-rep', v),
        });
      }
    });
  }

  pvnoAndType(v: BerTlv, isType: boolean): void {
    if (!isType) {
      this.int('kerberos.pvno', 'pvno', v, undefined, true);
      return;
    }
    const type = this.int('kerberos.msg_type', 'msg-type', v, MSG_TYPES);
    // val_to_str's "Unknown msg type %#x" (C's %#x prints 0 without its prefix).
    if (this.s.info === null) this.s.info = MSG_INFO[type] ?? (type === 0 ? 'Unknown msg type 0' : `Unknown msg type 0x${(type >>> 0).toString(16)}`);
  }

  kdcReq(t: BerTlv): void {
    const wasRequest = this.s.request;
    this.s.request = true;
    this.sequence(t, 'KDC-REQ', {
      1: (v) => this.pvnoAndType(v, false),
      2: (v) => this.pvnoAndType(v, true),
      3: (v) => this.paDataList(v, 'kerberos.padata'),
      4: (v) => this.element('kerberos.req_body_element', 'req-body', v, () => {
        this.s.reqBody = true;
        this.sequence(v, 'KDC-REQ-BODY', {
          0: (x) => this.bits('kerberos.kdc_options', 'kdc-options', x, 'kerberos.KDCOptions', KDC_OPTIONS),
          1: (x) => this.principal('kerberos.cname_element', 'cname', 'kerberos.cname_string', 'kerberos.CNameString', x),
          2: (x) => this.str('kerberos.realm', 'realm', x),
          3: (x) => this.principal('kerberos.sname_element', 'sname', 'kerberos.sname_string', 'kerberos.SNameString', x),
          4: (x) => this.time('kerberos.from', 'from', x),
          5: (x) => this.time('kerberos.till', 'till', x),
          6: (x) => this.time('kerberos.rtime', 'rtime', x),
          7: (x) => this.int('kerberos.nonce', 'nonce', x, undefined, true),
          8: (x) => this.seqOf('kerberos.kdc-req-body.etype', 'etype', x, (e) => this.int('kerberos.ENCTYPE', 'ENCTYPE', e, ETYPES)),
          9: (x) => this.addresses(x, 'kerberos.addresses', 'addresses'),
          10: (x) => this.encrypted('kerberos.enc_authorization_data_element', 'enc-authorization-data', x),
          11: (x) => this.seqOf('kerberos.additional_tickets', 'additional-tickets', x, (k) => this.ticket('kerberos.Ticket_element', 'Ticket', k)),
        }, [1, 3, 4, 6, 9, 10, 11]);
      }),
    }, [3]);
    this.s.request = wasRequest;
  }

  kdcRep(t: BerTlv): void {
    this.sequence(t, 'KDC-REP', {
      0: (v) => this.pvnoAndType(v, false),
      1: (v) => this.pvnoAndType(v, true),
      2: (v) => this.paDataList(v, 'kerberos.padata'),
      3: (v) => this.str('kerberos.crealm', 'crealm', v),
      4: (v) => this.principal('kerberos.cname_element', 'cname', 'kerberos.cname_string', 'kerberos.CNameString', v),
      5: (v) => this.ticket('kerberos.ticket_element', 'ticket', v),
      6: (v) => this.encrypted('kerberos.enc_part_element', 'enc-part', v),
    }, [2]);
  }

  apReq(t: BerTlv): void {
    this.sequence(t, 'AP-REQ', {
      0: (v) => this.pvnoAndType(v, false),
      1: (v) => this.pvnoAndType(v, true),
      2: (v) => this.bits('kerberos.ap_options', 'ap-options', v, 'kerberos.APOptions', AP_OPTIONS),
      3: (v) => this.ticket('kerberos.ticket_element', 'ticket', v),
      4: (v) => this.encrypted('kerberos.authenticator_element', 'authenticator', v),
    });
  }

  krbError(t: BerTlv): void {
    this.sequence(t, 'KRB-ERROR', {
      0: (v) => this.pvnoAndType(v, false),
      1: (v) => this.pvnoAndType(v, true),
      2: (v) => this.time('kerberos.ctime', 'ctime', v),
      3: (v) => this.int('kerberos.cusec', 'cusec', v, undefined, true),
      4: (v) => this.time('kerberos.stime', 'stime', v),
      5: (v) => this.int('kerberos.susec', 'susec', v, undefined, true),
      6: (v) => {
        const code = this.int('kerberos.error_code', 'error-code', v, ERROR_CODES);
        this.s.errorCode = code;
        if (code !== 0) this.s.info = `KRB Error: ${errorInfoName(code)}`;
      },
      7: (v) => this.str('kerberos.crealm', 'crealm', v),
      8: (v) => this.principal('kerberos.cname_element', 'cname', 'kerberos.cname_string', 'kerberos.CNameString', v),
      9: (v) => this.str('kerberos.realm', 'realm', v),
      10: (v) => this.principal('kerberos.sname_element', 'sname', 'kerberos.sname_string', 'kerberos.SNameString', v),
      11: (v) => this.str('kerberos.e_text', 'e-text', v),
      12: (v) => {
        const code = this.s.errorCode;
        // Wireshark opens e-data as METHOD-DATA for the pre-authentication errors and as one PA-DATA
        // for those Windows KDCs send an NT status with; other e-data stays bytes.
        const methodData = code === 24 || code === 25 || code === 14;
        const single = code === 12 || code === 13 || code === 18 || code === 23;
        const open = v.valueEnd > v.valueStart && (methodData || single)
          ? () => {
              const inner = this.tlv(v.valueStart, 'e-data');
              if (methodData) this.paDataList(inner, null);
              else this.paData(inner);
            }
          : undefined;
        this.bytes('kerberos.e_data', 'e-data', v, open);
      },
      13: (v) => this.checksum('kerberos.e_checksum_element', 'e-checksum', v),
    }, [2, 3, 7, 8, 11, 12, 13]);
  }

  /** Kerberos's Applications CHOICE: the application tag says the message. */
  application(app: BerTlv): void {
    if (app.cls !== BerClass.Application) throw new StopDissection('malformed', 'not a Kerberos application tag');
    const el = (abbrev: string, label: string, body: (t: BerTlv) => void): void => {
      // The message's own header is read before its item is added.
      const inner = this.tlv(app.valueStart, 'message');
      this.element(abbrev, label, app, () => body(inner));
    };
    switch (app.tag) {
      case 1: this.ticket('kerberos.ticket_element', 'ticket', app); return;
      case 10: el('kerberos.as_req_element', 'as-req', (t) => this.kdcReq(t)); return;
      case 11: el('kerberos.as_rep_element', 'as-rep', (t) => this.kdcRep(t)); return;
      case 12: el('kerberos.tgs_req_element', 'tgs-req', (t) => this.kdcReq(t)); return;
      case 13: el('kerberos.tgs_rep_element', 'tgs-rep', (t) => this.kdcRep(t)); return;
      case 14: el('kerberos.ap_req_element', 'ap-req', (t) => this.apReq(t)); return;
      case 15: el('kerberos.ap_rep_element', 'ap-rep', (t) => this.sequence(t, 'AP-REP', {
        0: (v) => this.pvnoAndType(v, false),
        1: (v) => this.pvnoAndType(v, true),
        2: (v) => this.encrypted('kerberos.enc_part_element', 'enc-part', v),
      })); return;
      case 21: el('kerberos.krb_priv_element', 'krb-priv', (t) => this.sequence(t, 'KRB-PRIV', {
        0: (v) => this.pvnoAndType(v, false),
        1: (v) => this.pvnoAndType(v, true),
        3: (v) => this.encrypted('kerberos.enc_part_element', 'enc-part', v),
      })); return;
      case 22: el('kerberos.krb_cred_element', 'krb-cred', (t) => this.sequence(t, 'KRB-CRED', {
        0: (v) => this.pvnoAndType(v, false),
        1: (v) => this.pvnoAndType(v, true),
        2: (v) => this.seqOf('kerberos.tickets', 'tickets', v, (k) => this.ticket('kerberos.Ticket_element', 'Ticket', k)),
        3: (v) => this.encrypted('kerberos.enc_part_element', 'enc-part', v),
      })); return;
      case 30: el('kerberos.krb_error_element', 'krb-error', (t) => this.krbError(t)); return;
      case 20: el('kerberos.krb_safe_element', 'krb-safe', (t) => this.sequence(t, 'KRB-SAFE', {
        0: (v) => this.pvnoAndType(v, false),
        1: (v) => this.pvnoAndType(v, true),
        2: (v) => this.element('kerberos.safe_body_element', 'safe-body', v, () => this.sequence(v, 'KRB-SAFE-BODY', {
          0: (x) => this.bytes('kerberos.user_data', 'user-data', x),
          1: (x) => this.time('kerberos.timestamp', 'timestamp', x),
          2: (x) => this.int('kerberos.usec', 'usec', x, undefined, true),
          3: (x) => this.int('kerberos.seq_number', 'seq-number', x, undefined, true),
          4: (x) => this.hostAddress(x, 'kerberos.s_address_element', 's-address'),
          5: (x) => this.hostAddress(x, 'kerberos.r_address_element', 'r-address'),
        }, [1, 2, 3, 5])),
        3: (v) => this.checksum('kerberos.cksum_element', 'cksum', v),
      })); return;
      // The encrypted parts' plaintext types: never in the clear on the wire; only their SEQUENCE is checked.
      case 2: el('kerberos.authenticator_element', 'authenticator', (t) => this.isSequence(t)); return;
      case 3: el('kerberos.encTicketPart_element', 'encTicketPart', (t) => this.isSequence(t)); return;
      case 25: el('kerberos.encASRepPart_element', 'encASRepPart', (t) => this.isSequence(t)); return;
      case 26: el('kerberos.encTGSRepPart_element', 'encTGSRepPart', (t) => this.isSequence(t)); return;
      case 27: el('kerberos.encAPRepPart_element', 'encAPRepPart', (t) => this.isSequence(t)); return;
      case 28: el('kerberos.encKrbPrivPart_element', 'encKrbPrivPart', (t) => this.isSequence(t)); return;
      case 29: el('kerberos.encKrbCredPart_element', 'encKrbCredPart', (t) => this.isSequence(t)); return;
      default:
        throw new StopDissection('malformed', `unknown Kerberos application tag ${app.tag}`);
    }
  }
}

/**
 * KerberosTime (GeneralizedTime) as Wireshark's BER reads it into an absolute time: 14 to 23
 * characters, the six fields read as sscanf's "%4d%2d%2d%2d%2d%2d" reads them (a field may stop
 * early at a character that is not a digit), fractions after '.' or ','. Null when unreadable.
 */
export function generalizedTime(raw: string): string | null {
  if (raw.length < 14 || raw.length > 23) return null;
  let at = 0;
  const field = (width: number): number | null => {
    while (at < raw.length && /\s/.test(raw[at]!)) at++;
    const start = at;
    let sign = 1;
    if (raw[at] === '+' || raw[at] === '-') {
      if (raw[at] === '-') sign = -1;
      at++;
    }
    const digitsFrom = at;
    while (at < raw.length && at - start < width && raw[at]! >= '0' && raw[at]! <= '9') at++;
    return at === digitsFrom ? null : sign * Number(raw.slice(digitsFrom, at));
  };
  const parts: number[] = [];
  for (const width of [4, 2, 2, 2, 2, 2]) {
    const v = field(width);
    if (v === null) return null;
    parts.push(v);
  }
  const [year, month, day, hour, minute, second] = parts as [number, number, number, number, number, number];
  let nanos = 0;
  const fraction = /^[.,](\d{1,9})/.exec(raw.slice(14));
  if (fraction) nanos = Number(fraction[1]!.padEnd(9, '0'));
  const secs = Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
  if (!Number.isFinite(secs)) return null;
  return absoluteTimeText(BigInt(Math.floor(secs)), nanos);
}

function compressV6(groups: string[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/**
 * One Kerberos 5 message at data[offset, end) (over TCP after its record mark at `offset - 4`,
 * which `recordMark` says). The layer and its columns.
 */
export function dissectKerberos5(data: Buffer, offset: number, end: number, selection?: ReadonlySet<string>, tcp = false): { result: AppResult; reqBody: boolean } {
  const b = new LayerBuilder(data, 'kerberos', 'Kerberos', offset, end, selection);
  const s: State = { info: null, errorCode: 0, request: false, reqBody: false };
  dissectSafely(b, () => {
    let at = offset;
    if (tcp) {
      const mark = b.u32(offset, 'record mark');
      const length = mark & 0x7fffffff;
      const reserved = (mark & 0x80000000) !== 0;
      b.group('', () => `Record Mark: ${length} bytes`, null, offset, 4, () => {
        b.add('kerberos.rm.reserved', () => `${reserved ? 1 : 0}... .... .... .... .... .... .... .... = Reserved: ${reserved ? 'Set' : 'Not set'}`, reserved, offset, 4);
        const bits = length.toString(2).padStart(31, '0');
        const picture = `.${bits}`.replace(/(.{4})(?=.)/g, '$1 ');
        b.add('kerberos.rm.length', () => `${picture} = Record Length: ${length}`, length, offset, 4);
      });
      at = offset + 4;
    }
    const w = new Walker(b, s);
    const app = w.tlv(at, 'Kerberos');
    w.application(app);
  });
  let info = s.info ?? '';
  // tshark appends the exception's mark to the Info column as it is (no space).
  if (b.layer.status === 'truncated') info += '[Packet size limited during capture]';
  else if (b.layer.status === 'malformed') info += '[Malformed Packet]';
  const layers: Layer[] = [b.layer];
  return { result: { layers, protocolColumn: 'KRB5', info }, reqBody: s.reqBody };
}

/**
 * The application tags Wireshark's Kerberos dissector accepts without a record mark (UDP): a
 * payload beginning with any other identifier is not Kerberos (it returns 0; KRB-CRED is not among them).
 */
const UDP_TAGS = new Set([1, 2, 3, 10, 11, 12, 13, 14, 15, 20, 21, 25, 26, 27, 28, 29, 30]);

/** Whether Wireshark's UDP Kerberos dissector takes this payload (Kerberos 5, or Kerberos 4 that krb4 accepts). */
function claimsUdp(data: Buffer, offset: number, end: number): boolean {
  const stop = Math.min(end, data.length);
  if (stop <= offset) return false;
  const first = data[offset]!;
  if (first <= 0x10) return isKrb4(data, offset, end);
  if (first >> 6 !== BerClass.Application) return false;
  let tag = first & 0x1f;
  if (tag === 0x1f) {
    tag = 0;
    for (let at = offset + 1; at < stop; at++) {
      tag = tag * 128 + (data[at]! & 0x7f);
      if ((data[at]! & 0x80) === 0) break;
      if (at - offset > 4) return false;
    }
  }
  return UDP_TAGS.has(tag);
}

export function createKerberosDissector(): AppDissector {
  /** UDP conversations a KDC-REQ-BODY to port 88 opened: "client|clientPort|kdc" (the KDC's port is any). */
  const conversations = new Map<string, number>();
  const key = (a: string, port: number, b: string): string => `${a}|${port}|${b}`;
  const inConversation = (ctx: AppContext): boolean => {
    const from = conversations.get(key(ctx.src, ctx.srcPort, ctx.dst)) ?? conversations.get(key(ctx.dst, ctx.dstPort, ctx.src));
    return from !== undefined && from < ctx.frameNumber;
  };
  return {
    protocol: 'kerberos',
    fieldPrefixes: ['krb4', 'ber'],
    udpPorts: [KERBEROS_PORT, KRB4_PORT],
    tcpPorts: [KERBEROS_PORT],
    stateful: true,
    claims: (data, offset, end, ctx) => {
      if (ctx.transport === 'tcp') return true;
      const low = Math.min(ctx.srcPort, ctx.dstPort);
      if (low === KRB4_PORT || (low !== KERBEROS_PORT && Math.max(ctx.srcPort, ctx.dstPort) === KRB4_PORT)) return isKrb4(data, offset, end);
      return claimsUdp(data, offset, end);
    },
    // Wireshark's conversation: tried before any port's dissector.
    conversation: (data, offset, end, ctx) => ctx.transport === 'udp' && conversations.size > 0 && inConversation(ctx) && claimsUdp(data, offset, end),
    // dissect_kerberos_tcp clears the Info column before tcp_dissect_pdus, and each message's
    // msg-type replaces it: a segment that only begins a message shows just TCP's mark.
    desegment: (data, offset, end) => ({ ...lengthPrefixedPdus(data, offset, end, 4, (at) => 4 + (data.readUInt32BE(at) & 0x7fffffff)), info: '', replaceInfo: true }),
    dissect: (data, offset, end, ctx) => {
      const stop = Math.min(end, data.length);
      if (ctx.transport === 'tcp') return dissectKerberos5(data, offset, end, ctx.fields, true).result;
      // UDP tries the lower port first: 750 is Kerberos 4's own port.
      const low = Math.min(ctx.srcPort, ctx.dstPort);
      const high = Math.max(ctx.srcPort, ctx.dstPort);
      const viaKrb4Port = low === KRB4_PORT || (low !== KERBEROS_PORT && high === KRB4_PORT && !inConversation(ctx));
      if (viaKrb4Port || !claimsUdp(data, offset, end) || data[offset]! <= 0x10) {
        if (!isKrb4(data, offset, end)) return { layers: stop > offset ? [dataLayer(data, offset, stop, ctx.fields)] : [], protocolColumn: '', info: '' };
        return dissectKrb4(data, offset, end, ctx.fields, !viaKrb4Port);
      }
      // Quoted in an ICMP error: the datagram's own length bounds it, not the bytes quoted.
      const { result, reqBody } = dissectKerberos5(data, offset, ctx.quoted === true ? Number.MAX_SAFE_INTEGER : end, ctx.fields);
      // A request to the KDC: its client's later datagrams to the KDC are Kerberos (NO_PORT2 conversation).
      if (reqBody && ctx.dstPort === KERBEROS_PORT) {
        const k = key(ctx.src, ctx.srcPort, ctx.dst);
        if (!conversations.has(k)) conversations.set(k, ctx.frameNumber);
      }
      return result;
    },
  };
}
