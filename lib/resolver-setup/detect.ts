// `--backend auto`: which resolver this host uses, from what exists under the root. NetworkManager's dnsmasq comes
// before systemd-resolved: with dns=dnsmasq, NetworkManager's dnsmasq is what /etc/resolv.conf names, even when
// resolved is installed and running beside it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { BackendName } from './backends.js';

export interface Detected {
  backend: BackendName;
  why: string;
}

/** A NetworkManager conf with `dns=dnsmasq` in it (the main file or conf.d/*.conf), shown as its host path. */
function networkManagerDnsmasq(root: string): string | undefined {
  const files = ['/etc/NetworkManager/NetworkManager.conf'];
  try {
    for (const n of readdirSync(path.join(root, '/etc/NetworkManager/conf.d')).sort()) {
      if (n.endsWith('.conf')) files.push(`/etc/NetworkManager/conf.d/${n}`);
    }
  } catch { /* no conf.d */ }
  let found: string | undefined;
  for (const f of files.slice(0, 200)) {
    let text: string;
    try { text = readFileSync(path.join(root, f), 'utf8').slice(0, 1 << 20); } catch { continue; }
    // A later file's dns= wins, as NetworkManager merges them in order.
    const m = [...text.matchAll(/^\s*dns\s*=\s*(\S+)/gm)].at(-1);
    if (m) found = m[1] === 'dnsmasq' ? f : undefined;
  }
  return found;
}

export function detectBackend(root: string, platform: string): Detected | { error: string } {
  if (platform === 'win32') return { backend: 'windows', why: 'Windows (NRPT)' };
  if (platform === 'darwin') return { backend: 'macos', why: 'macOS (/etc/resolver)' };
  const nm = networkManagerDnsmasq(root);
  if (nm) return { backend: 'networkmanager-dnsmasq', why: `${nm} has dns=dnsmasq` };
  if (existsSync(path.join(root, '/run/systemd/resolve'))) return { backend: 'systemd-resolved', why: '/run/systemd/resolve exists (systemd-resolved is running)' };
  if (existsSync(path.join(root, '/etc/dnsmasq.d'))) return { backend: 'dnsmasq', why: '/etc/dnsmasq.d exists' };
  return {
    error: 'cannot tell which resolver this host uses (no NetworkManager dns=dnsmasq, no /run/systemd/resolve, no /etc/dnsmasq.d): '
      + 'give --backend macos|systemd-resolved|networkmanager-dnsmasq|dnsmasq|windows',
  };
}
