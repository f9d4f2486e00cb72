// The search domains of a resolv.conf: the host's own (what CoreDNS's kubernetes plugin appends to every pod's
// search list) or the file `autopath FILE` names. Each domain is one more lookup through the chain (and often one
// more upstream round trip) for every name autopath walks, so the list is bounded as the kubelet bounds a pod's.
import { closeSync, openSync, readSync } from 'node:fs';

/** the kubelet's limits on a pod's search list (MaxDNSSearchPaths, MaxDNSSearchListChars) */
export const MAX_SEARCH_DOMAINS = 32;
export const MAX_SEARCH_CHARS = 2048;
/** a resolv.conf is a few hundred bytes; a bigger file is read this far */
export const MAX_RESOLV_CONF_BYTES = 64 * 1024;

const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;

export interface SearchList {
  /** lower case, no trailing dot */
  domains: string[];
  /** what was left out, for the operator */
  problems: string[];
}

/** Reads at most MAX_RESOLV_CONF_BYTES of `path`; throws what the file system throws. */
export function readBounded(path: string): { text: string; cut: boolean } {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(MAX_RESOLV_CONF_BYTES + 1);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, null);
      if (n === 0) break;
      got += n;
    }
    const cut = got > MAX_RESOLV_CONF_BYTES;
    return { text: buf.toString('latin1', 0, Math.min(got, MAX_RESOLV_CONF_BYTES)), cut };
  } finally {
    closeSync(fd);
  }
}

/**
 * The search list of resolv.conf text: the last `search` or `domain` line wins, as in miekg/dns's
 * ClientConfigFromFile (CoreDNS) and glibc. Names are lower-cased without the trailing dot (plugin.Zones.Normalize).
 */
export function searchDomains(text: string, what: string): SearchList {
  let raw: string[] = [];
  for (const line of text.split('\n')) {
    const f = line.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (f[0] === 'search') raw = f.slice(1);
    else if (f[0] === 'domain') raw = f.slice(1, 2);
  }
  const domains: string[] = [];
  const problems: string[] = [];
  let chars = 0;
  for (const d of raw) {
    const name = d.toLowerCase().replace(/\.$/, '');
    if (name === '' || name.length > 253 || !name.split('.').every((l) => LABEL.test(l))) {
      problems.push(`${what}: search domain ${JSON.stringify(d.slice(0, 80))} is not a domain name: left out`);
      continue;
    }
    if (domains.length === MAX_SEARCH_DOMAINS || chars + name.length > MAX_SEARCH_CHARS) {
      problems.push(`${what}: search list cut after ${domains.length} domains (at most ${MAX_SEARCH_DOMAINS} and ${MAX_SEARCH_CHARS} characters, as the kubelet allows)`);
      break;
    }
    domains.push(name);
    chars += name.length + 1;
  }
  return { domains, problems };
}

/** The search list of a resolv.conf file; an unreadable file gives none and says why (CoreDNS ignores it). */
export function searchDomainsOf(path: string): SearchList {
  let read: { text: string; cut: boolean };
  try {
    read = readBounded(path);
  } catch (err) {
    return { domains: [], problems: [`cannot read ${path}: ${(err as Error).message}: no host search domains`] };
  }
  const list = searchDomains(read.text, path);
  if (read.cut) list.problems.unshift(`${path}: only the first ${MAX_RESOLV_CONF_BYTES} bytes read`);
  return list;
}
