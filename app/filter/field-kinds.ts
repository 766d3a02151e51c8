/**
 * What a display-filter literal means depends on the field it is compared with (Wireshark reads
 * `10.0.0.0/8` as an IPv4 network for ip.src and `1.5` as seconds for frame.time_relative). The
 * kinds group Wireshark's FT_* types by how their values compare.
 */
export type FieldKind =
  | 'protocol' // a protocol: presence, or its bytes for contains/matches/==
  | 'none' // FT_NONE: presence only
  | 'int'
  | 'bool'
  | 'float'
  | 'ipv4'
  | 'ipv6'
  | 'ether'
  | 'bytes'
  | 'string'
  | 'reltime' // seconds (the dissectors hold nanoseconds as bigint)
  | 'abstime'
  | 'other'; // compared by tshark's text

export function kindOfWiresharkType(ftype: string): FieldKind {
  if (/^FT_U?INT\d+$/.test(ftype) || ftype === 'FT_FRAMENUM' || ftype === 'FT_CHAR') return 'int';
  switch (ftype) {
    case 'FT_NONE':
      return 'none';
    case 'FT_PROTOCOL':
      return 'protocol';
    case 'FT_BOOLEAN':
      return 'bool';
    case 'FT_DOUBLE':
    case 'FT_FLOAT':
      return 'float';
    case 'FT_IPv4':
      return 'ipv4';
    case 'FT_IPv6':
      return 'ipv6';
    case 'FT_ETHER':
      return 'ether';
    case 'FT_BYTES':
    case 'FT_UINT_BYTES':
    case 'FT_EUI64':
    case 'FT_OID':
    case 'FT_REL_OID':
    case 'FT_SYSTEM_ID':
    case 'FT_FCWWN':
    case 'FT_GUID':
      return 'bytes';
    case 'FT_STRING':
    case 'FT_STRINGZ':
    case 'FT_STRINGZPAD':
    case 'FT_STRINGZTRUNC':
    case 'FT_UINT_STRING':
      return 'string';
    case 'FT_RELATIVE_TIME':
      return 'reltime';
    case 'FT_ABSOLUTE_TIME':
      return 'abstime';
    default:
      return 'other';
  }
}
