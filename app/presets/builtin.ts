/**
 * The presets Sievecap ships: named capture filters with a one-line description. No Node imports,
 * so the renderer can show the same list. Every filter is libpcap's language (compiled by libpcap,
 * tested in builtin.test.ts); the user's own presets live in a JSON file (user-presets.ts).
 */
import type { Preset } from '../rpc/engine-protocol';

/** What a built-in's filter may depend on: the SSH connection the user is on (`$SSH_CONNECTION`). */
export interface PresetContext {
  /** `$SSH_CONNECTION`: "CLIENT_IP CLIENT_PORT SERVER_IP SERVER_PORT", when the engine runs under SSH. */
  sshConnection?: string;
}

/** The filter that leaves out the user's own SSH session, or every SSH packet when it is not known. */
export function notMySshFilter(sshConnection: string | undefined): string {
  const parts = (sshConnection ?? '').trim().split(/\s+/);
  if (parts.length === 4) {
    const [clientIp, clientPort, serverIp, serverPort] = parts as [string, string, string, string];
    if (isAddress(clientIp) && isAddress(serverIp) && isPort(clientPort) && isPort(serverPort)) {
      return `not (host ${clientIp} and host ${serverIp} and tcp port ${clientPort} and tcp port ${serverPort})`;
    }
  }
  return 'not tcp port 22';
}

function isPort(s: string): boolean {
  return /^\d{1,5}$/.test(s) && Number(s) > 0 && Number(s) < 65536;
}

/** An IPv4 or IPv6 address as OpenSSH writes it (no zone: libpcap's `host` takes none). */
function isAddress(s: string): boolean {
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s)) return s.split('.').every((o) => Number(o) <= 255);
  return /^[0-9A-Fa-f:.]+$/.test(s) && s.includes(':') && s.length <= 45;
}

/**
 * The `metadata` preset's watchlist: the link-local and well-known addresses where cloud instances
 * fetch credentials and configuration, a rule per service.
 */
export const METADATA_RULES: ReadonlyArray<{ name: string; prefixes: readonly string[] }> = [
  // AWS EC2 (and GCP, Azure, OpenStack, Oracle, DigitalOcean use the same IPv4 address); EC2's IPv6 endpoint.
  { name: 'imds', prefixes: ['169.254.169.254/32', 'fd00:ec2::254/128'] },
  // AWS ECS task metadata and credentials (v2+), and EKS Pod Identity.
  { name: 'ecs-task-metadata', prefixes: ['169.254.170.2/32', '169.254.170.23/32', 'fd00:ec2::23/128'] },
  // Azure WireServer (VM agent, extensions).
  { name: 'azure-wireserver', prefixes: ['168.63.129.16/32'] },
  // Alibaba Cloud ECS metadata.
  { name: 'alibaba-metadata', prefixes: ['100.100.100.200/32'] },
];

/** The built-in presets, in the order a UI lists them. */
export function builtinPresets(context: PresetContext = {}): Preset[] {
  const ssh = context.sshConnection?.trim() ? context.sshConnection : undefined;
  const p = (name: string, filter: string, description: string, stages?: Preset['stages']): Preset => ({ name, description, filter, builtin: true, ...(stages ? { stages } : {}) });
  return [
    p('all', '', 'Every packet'),
    p('http', '', 'Plain HTTP/1.x on any port, tracked in the kernel: each TCP connection from its first request or response until it closes', { httpSessions: true }),
    p(
      'metadata',
      '',
      'Cloud instance-metadata services (AWS, GCP, Azure and OpenStack IMDS, ECS task metadata, Azure WireServer, Alibaba): their packets, counted per service in the kernel',
      { watchlist: { rules: METADATA_RULES.map((r) => ({ name: r.name, prefixes: [...r.prefixes] })) } },
    ),
    p('dns', 'udp port 53 or tcp port 53', 'DNS queries and answers (port 53, UDP and TCP)'),
    p('tls', 'tcp port 443 or tcp port 8443 or udp port 443', 'HTTPS: TLS on TCP ports 443 and 8443, and QUIC on UDP 443'),
    p(
      'tcp-setup',
      'tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0 or (ip6[6] == 6 and ip6[53] & 7 != 0)',
      'TCP connections opening and closing: SYN, FIN and RST segments only (IPv6 without extension headers)',
    ),
    p('icmp', 'icmp or icmp6', 'ICMP and ICMPv6 (ping, unreachable, neighbour discovery)'),
    p('arp-nd', 'arp or (icmp6[icmp6type] >= 133 and icmp6[icmp6type] <= 137)', 'ARP, and IPv6 neighbour discovery (router and neighbour solicitations and advertisements, redirects)'),
    p(
      'not-my-ssh',
      notMySshFilter(ssh),
      ssh ? 'Everything except this SSH session (from $SSH_CONNECTION)' : 'Everything except SSH (port 22): no SSH session was found in $SSH_CONNECTION',
    ),
  ];
}

/** Names are compared as a user reads them: 'HTTP' is the built-in 'http'. */
export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export function isBuiltinName(name: string): boolean {
  return builtinPresets().some((p) => sameName(p.name, name));
}
