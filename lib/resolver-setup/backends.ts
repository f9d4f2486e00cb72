// The resolvers `clusterdns resolver` knows: where each keeps split-DNS settings, what our file says, how to read
// it back, and the command that makes the resolver read it. Every file we write begins with MARKER, so uninstall
// removes only files we wrote and leaves a hand-written /etc/resolver/<zone> alone.
import path from 'node:path';

export const BACKENDS = ['macos', 'systemd-resolved', 'networkmanager-dnsmasq', 'dnsmasq', 'windows'] as const;
export type BackendName = (typeof BACKENDS)[number];

export const MARKER = '# clusterdns: written by `clusterdns resolver install`; `clusterdns resolver uninstall` removes it';

export interface Setup {
  zones: string[];
  address: string;
  port: number;
}

export interface FileBackend {
  name: Exclude<BackendName, 'windows'>;
  /** the folder our files live in (a host path, before --root) */
  dir: string;
  /** our files for this setup: host path → content; no zones → no files */
  render(s: Setup): Map<string, string>;
  /** does this file name (in `dir`) belong to this backend's layout at all */
  candidate(name: string): boolean;
  /** what a file of ours says (the directives, read back) */
  parse(hostPath: string, content: string): Setup | undefined;
  /** makes the resolver read the change; undefined when it reads the files on every lookup */
  reload?: string[];
  notes(s: Setup): string[];
}

const hostPortColon = (a: string, p: number) => (a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);

const macos: FileBackend = {
  name: 'macos',
  dir: '/etc/resolver',
  render: (s) => new Map(s.zones.map((z) => [`/etc/resolver/${z}`, `${MARKER}\nnameserver ${s.address}\nport ${s.port}\n`])),
  candidate: () => true,
  parse(hostPath, content) {
    const ns = /^nameserver\s+(\S+)$/m.exec(content);
    const port = /^port\s+(\d+)$/m.exec(content);
    if (!ns) return undefined;
    return { zones: [path.posix.basename(hostPath)], address: ns[1]!, port: port ? Number(port[1]) : 53 };
  },
  notes: (s) => [
    'macOS reads /etc/resolver/* on every lookup (no reload needed); `scutil --dns` lists them as "resolver #N" with a domain',
    ...(s.zones.some((z) => z === 'local' || z.endsWith('.local'))
      ? [`warning: macOS sends names under .local to multicast DNS (Bonjour) first, so ${s.zones.filter((z) => z === 'local' || z.endsWith('.local')).join(', ')} lookups can be slow or miss clusterdns; serve another cluster domain, e.g. \`clusterdns --zone cluster.test\` and \`clusterdns resolver install --zone cluster.test\``]
      : []),
  ],
};

const resolved: FileBackend = {
  name: 'systemd-resolved',
  dir: '/etc/systemd/resolved.conf.d',
  render: (s) => new Map(s.zones.length === 0 ? [] : [[
    '/etc/systemd/resolved.conf.d/clusterdns.conf',
    `${MARKER}\n[Resolve]\nDNS=${hostPortColon(s.address, s.port)}\nDomains=${s.zones.map((z) => `~${z}`).join(' ')}\n`,
  ]]),
  candidate: (n) => n === 'clusterdns.conf',
  parse(_p, content) {
    const dns = /^DNS=(?:\[([^\]]+)\]|([^:\s]+)):(\d+)$/m.exec(content);
    const domains = /^Domains=(.*)$/m.exec(content);
    if (!dns || !domains) return undefined;
    return { zones: domains[1]!.split(/\s+/).filter(Boolean).map((d) => d.replace(/^~/, '')), address: (dns[1] ?? dns[2])!, port: Number(dns[3]) };
  },
  reload: ['systemctl', 'reload-or-restart', 'systemd-resolved'],
  notes: (s) => [
    'a resolved.conf.d drop-in, not `resolvectl dns/domain` on a link: the drop-in survives reboots and network changes, a link setting is lost when the link goes down',
    'the drop-in\'s DNS= is resolved\'s global server, which also sees names outside the ~zones when no link claims them; clusterdns answers those REFUSED (or forwards them with --upstream), so resolved takes the link servers\' answers',
    `check with: resolvectl query ${s.zones[0] ?? 'cluster.local'}  (resolved needs systemd 246+ for the :port in DNS=)`,
  ],
};

function dnsmasqLike(name: 'networkmanager-dnsmasq' | 'dnsmasq', dir: string, reload: string[]): FileBackend {
  const file = `${dir}/clusterdns.conf`;
  return {
    name,
    dir,
    render: (s) => new Map(s.zones.length === 0 ? [] : [[file, `${MARKER}\n${s.zones.map((z) => `server=/${z}/${s.address}#${s.port}\n`).join('')}`]]),
    candidate: (n) => n === 'clusterdns.conf',
    parse(_p, content) {
      const zones: string[] = [];
      let address = '';
      let port = 53;
      for (const m of content.matchAll(/^server=\/([^/\n]+)\/([^#\s]+)(?:#(\d+))?$/gm)) {
        zones.push(m[1]!);
        address = m[2]!;
        port = m[3] ? Number(m[3]) : 53;
      }
      return zones.length > 0 ? { zones, address, port } : undefined;
    },
    reload,
    notes: () => name === 'dnsmasq'
      ? ['dnsmasq reads /etc/dnsmasq.d only with conf-dir=/etc/dnsmasq.d (Debian and Ubuntu set it; elsewhere add it to /etc/dnsmasq.conf)']
      : ['NetworkManager runs this dnsmasq when its conf has [main] dns=dnsmasq; reloading NetworkManager restarts it'],
  };
}

export const FILE_BACKENDS: Record<FileBackend['name'], FileBackend> = {
  macos,
  'systemd-resolved': resolved,
  'networkmanager-dnsmasq': dnsmasqLike('networkmanager-dnsmasq', '/etc/NetworkManager/dnsmasq.d', ['systemctl', 'reload', 'NetworkManager']),
  dnsmasq: dnsmasqLike('dnsmasq', '/etc/dnsmasq.d', ['systemctl', 'restart', 'dnsmasq']),
};

/** PowerShell's single-quoted string: only ' needs doubling (zones are already plain DNS names). */
const ps = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** Windows keeps split DNS in the Name Resolution Policy Table; it is changed with PowerShell, which we print. */
export function windowsScript(action: 'install' | 'uninstall' | 'status', s: Setup): { script: string; notes: string[] } {
  const ours = "Get-DnsClientNrptRule | Where-Object Comment -eq 'clusterdns'";
  const notes = ['run this in an elevated PowerShell (Run as administrator); clusterdns does not change Windows settings itself'];
  if (action === 'status') return { script: `${ours}\n`, notes };
  if (action === 'uninstall') {
    const which = s.zones.length > 0 ? `${ours} | Where-Object { @(${s.zones.map((z) => ps(`.${z}`)).join(', ')}) -contains $_.Namespace }` : ours;
    return { script: `${which} | Remove-DnsClientNrptRule -Force\n`, notes };
  }
  if (s.port !== 53) {
    notes.push(`warning: NRPT rules have no port: Windows asks ${s.address} on port 53, so clusterdns must listen there (clusterdns --listen ${hostPortColon(s.address, 53)}), not on ${s.port}`);
  }
  // Ours first out, so installing twice leaves one rule per zone, as the files do.
  const script = `${ours} | Remove-DnsClientNrptRule -Force\n` + s.zones.map((z) => `Add-DnsClientNrptRule -Namespace ${ps(`.${z}`)} -NameServers ${ps(s.address)} -Comment 'clusterdns'\n`).join('');
  return { script, notes };
}
