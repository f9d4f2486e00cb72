// The data a wrong-data fault answers with, checked when the fault is added: every address is one the encoder can
// write and a CNAME target is a name it can write, so the fault never fails at query time.
import { isIPv4 } from 'node:net';
import { canonicalIPv6, ipv6Words } from '../dns/names.js';
import { QTYPE } from '../dns/records.js';
import { EncodeError, encodeResponse } from '../wire/encoder.js';
import type { WrongData } from '../wire/fault-answer.js';

/** addresses an "answer" fault may hold: a real answer has a few; 32 A records already need TCP */
export const MAX_FAULT_ADDRESSES = 32;

export class FaultDataError extends Error {}

export interface AnswerSpec {
  /** IPv4 addresses answer A queries, IPv6 addresses AAAA queries */
  addresses?: string[];
  /** answer with a CNAME to this name first (the addresses then belong to it) */
  cname?: string;
}

/** The action of an "answer" fault and the fields to echo (IPv6 in canonical form, the target without its dot). */
export function compileAnswer(spec: AnswerSpec): { action: WrongData; echo: AnswerSpec } {
  const { addresses, cname } = spec;
  const example = '{"name": "api.default.svc.cluster.local", "fault": "answer", "addresses": ["10.1.2.3", "fd00::3"]}';
  if (addresses === undefined && cname === undefined) throw new FaultDataError(`an "answer" fault needs "addresses" (and/or "cname"): ${example}`);
  const v4: string[] = [];
  const v6: string[] = [];
  const shown: string[] = [];
  if (addresses !== undefined) {
    if (!Array.isArray(addresses) || addresses.length === 0 || addresses.length > MAX_FAULT_ADDRESSES) {
      throw new FaultDataError(`"addresses" must be a list of 1 to ${MAX_FAULT_ADDRESSES} IP addresses: ${example}`);
    }
    addresses.forEach((ip, i) => {
      if (typeof ip === 'string' && isIPv4(ip)) shown.push(v4[v4.length] = ip);
      else if (typeof ip === 'string' && !ip.includes('%') && ipv6Words(ip)) shown.push(v6[v6.length] = canonicalIPv6(ip));
      else throw new FaultDataError(`"addresses"[${i}] ${JSON.stringify(ip)?.slice(0, 60)} is not an IPv4 or IPv6 address (e.g. "10.1.2.3", "fd00::3")`);
    });
  }
  let target: string | undefined;
  if (cname !== undefined) {
    target = typeof cname === 'string' ? cname.replace(/\.$/, '') : '';
    const bad = `"cname" ${JSON.stringify(cname)?.slice(0, 60)} is not a DNS name: give one such as "other.default.svc.cluster.local" (labels of 1 to 63 characters, 253 in all)`;
    if (target === '' || target.length > 253) throw new FaultDataError(bad);
    try {
      encodeResponse({ header: { id: 0, opcode: 0, aa: false, rd: false, cd: false, rcode: 0 }, answer: [{ name: 'a', type: QTYPE.CNAME, ttl: 0, data: target }], authority: [], additional: [] });
    } catch (err) {
      if (err instanceof EncodeError) throw new FaultDataError(bad);
      throw err;
    }
  }
  return {
    action: { action: 'answer', v4, v6, ...(target !== undefined ? { cname: target } : {}) },
    echo: { ...(addresses !== undefined ? { addresses: shown } : {}), ...(target !== undefined ? { cname: target } : {}) },
  };
}
