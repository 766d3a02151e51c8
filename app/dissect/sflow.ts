/**
 * sFlow version 5 datagrams (UDP 6343), as tshark 4.0 shows their header: version, agent address,
 * sub-agent, sequence number, uptime and sample count (fields sflow_245.*), with its Info line.
 * The samples themselves are not decoded yet (Wireshark also decodes the sampled packet headers,
 * which adds their protocols to frame.protocols, and marks samples that run short as malformed).
 */
import { dissectSafely, LayerBuilder } from './builder';
import { ipv4Text, ipv6Text } from './app-format';
import { dataLayer } from './hsrp';
import type { AppDissector, AppResult } from './model';

export const SFLOW_PORT = 6343;
const ADDRESS_TYPES: Record<number, string> = { 1: 'IPv4', 2: 'IPv6' };

export const sflowDissector: AppDissector = {
  protocol: 'sflow',
  fieldPrefixes: ['sflow_245'],
  udpPorts: [SFLOW_PORT],
  claims: (data, offset, end) => sflowVersionKnown(data, offset, end),
  dissect: (data, offset, end, ctx) => dissectSflow(data, offset, end, ctx.fields),
};

/** Versions 2, 4 and 5 are sFlow to Wireshark; anything else stays data. */
function sflowVersionKnown(data: Buffer, offset: number, end: number): boolean {
  const claimed = Math.min(end, data.length) - offset >= 4 ? data.readUInt32BE(offset) : -1;
  return claimed === 2 || claimed === 4 || claimed === 5;
}

/** Whole seconds as Wireshark's signed_time_secs_to_str writes them: "1 minute, 53 seconds". */
export function uptimeText(seconds: number): string {
  const parts: string[] = [];
  const unit = (n: number, name: string) => { if (n) parts.push(`${n} ${name}${n === 1 ? '' : 's'}`); };
  unit(Math.floor(seconds / 86400), 'day');
  unit(Math.floor(seconds / 3600) % 24, 'hour');
  unit(Math.floor(seconds / 60) % 60, 'minute');
  unit(seconds % 60, 'second');
  return parts.length ? parts.join(', ') : '0 seconds';
}

export function dissectSflow(data: Buffer, offset: number, end: number, selection?: ReadonlySet<string>): AppResult {
  const stop = Math.min(end, data.length);
  // Versions other than 2, 4 and 5 are not sFlow to Wireshark: the payload stays data.
  if (!sflowVersionKnown(data, offset, end)) {
    return { layers: stop > offset ? [dataLayer(data, offset, stop, selection)] : [], protocolColumn: '', info: '' };
  }
  const b = new LayerBuilder(data, 'sflow', 'InMon sFlow', offset, end, selection);
  let info = '';
  dissectSafely(b, () => {
    const uint = (abbrev: string, label: string, at: number, names?: Record<number, string>) => {
      const v = b.u32(at, label);
      b.add(abbrev, () => (names ? `${label}: ${names[v] ?? 'Unknown'} (${v})` : `${label}: ${v}`), v, at, 4);
      return v;
    };
    const version = uint('sflow_245.version', 'Datagram version', offset);
    info = `V${version}`;
    const addressType = uint('sflow_245.agenttype', 'Agent address type', offset + 4, ADDRESS_TYPES);
    let at = offset + 8;
    let agent = '';
    if (addressType === 1) {
      b.need(at, 4, 'agent address');
      agent = ipv4Text(data, at);
      b.add('sflow_245.agent', () => `Agent address: ${agent}`, agent, at, 4);
      at += 4;
    } else if (addressType === 2) {
      b.need(at, 16, 'agent address');
      agent = ipv6Text(data, at);
      b.add('sflow_245.agent.v6', () => `Agent address: ${agent}`, agent, at, 16);
      at += 16;
    }
    info += `, agent ${agent}`;
    if (version !== 5) return;
    const subAgent = uint('sflow_245.sub_agent_id', 'Sub-agent ID', at);
    const sequence = uint('sflow_245.sequence_number', 'Sequence number', at + 4);
    const uptime = b.u32(at + 8, 'SysUptime');
    b.add('sflow_245.sysuptime', () => `SysUptime: ${uptimeText(Math.floor(uptime / 1000))} (${uptime}ms)`, uptime, at + 8, 4);
    const samples = uint('sflow_245.numsamples', 'NumSamples', at + 12);
    info += `, sub-agent ID ${subAgent}, seq ${sequence}, ${samples} samples`;
  });
  if (b.layer.status === 'malformed') info += '[Malformed Packet]';
  return { layers: [b.layer], protocolColumn: 'sFlow', info };
}
