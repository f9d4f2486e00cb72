// Static records given as data (the admin API's JSON body, startClusterDns's `records`, addRecords()) or as
// master-file text: one shape, checked by the same rules as a --records file (rdata.ts).
import type { RR } from '../dns/records.js';
import { parseRecordsText, MasterFileError } from './master-file.js';
import { buildRecord, checkName, checkTtl, RecordError, staticType, STATIC_TYPES, type StaticType } from './rdata.js';

/** One record as data. `value` is the rdata as a zone file writes it; TXT takes a string (one) or an array (several). */
export interface StaticRecordSpec {
  name: string;
  type: StaticType | Lowercase<StaticType>;
  value: string | string[];
  /** seconds [the server's --ttl] */
  ttl?: number;
}

/** records one request (or call) may add */
export const MAX_RECORDS_PER_REQUEST = 10_000;

/**
 * Specs (an array, or `{ records: [...] }`) or master-file text → records. Errors name the item and field
 * (`records[2].value: ...`), or the line and column of the text.
 */
export function recordsFrom(input: unknown, defaultTtl: number, source: string, maxRecords = MAX_RECORDS_PER_REQUEST): RR[] {
  if (typeof input === 'string') {
    try {
      return parseRecordsText(source, input, { defaultTtl, maxRecords });
    } catch (err) {
      if (err instanceof MasterFileError) throw new RecordError(`line ${err.line}, column ${err.column}: ${err.detail}`);
      throw err;
    }
  }
  const list = Array.isArray(input) ? input : input && typeof input === 'object' && Array.isArray((input as { records?: unknown }).records) ? (input as { records: unknown[] }).records : undefined;
  if (!list) throw new RecordError('expected an array of records, { "records": [...] }, or zone-file text; a record is { "name": "api.example.test", "type": "A", "value": "127.0.0.1", "ttl": 60 }');
  if (list.length > maxRecords) throw new RecordError(`${list.length} records in one request: send at most ${maxRecords} at a time`);
  return list.map((item, i) => specRecord(item, defaultTtl, source, `records[${i}]`));
}

function specRecord(item: unknown, defaultTtl: number, source: string, at: string): RR {
  if (!item || typeof item !== 'object' || Array.isArray(item)) throw new RecordError(`${at}: expected an object { name, type, value, ttl? }`);
  const o = item as Record<string, unknown>;
  const extra = Object.keys(o).find((k) => !['name', 'type', 'value', 'ttl'].includes(k));
  if (extra !== undefined) throw new RecordError(`${at}.${extra.slice(0, 40)}: no such field (a record has name, type, value, ttl)`);
  const field = <T>(k: string, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof RecordError) throw new RecordError(`${at}.${k}: ${err.message}`);
      throw err;
    }
  };
  if (typeof o.name !== 'string') throw new RecordError(`${at}.name: expected a domain name string`);
  const name = field('name', () => checkName(o.name as string, 'name', true));
  const type = typeof o.type === 'string' ? staticType(o.type) : undefined;
  if (!type) throw new RecordError(`${at}.type: expected one of ${STATIC_TYPES.join(', ')}`);
  let ttl = defaultTtl;
  if (o.ttl !== undefined) ttl = field('ttl', () => checkTtl(typeof o.ttl === 'number' ? o.ttl : NaN, String(o.ttl)));
  const v = o.value;
  let rdata: string[];
  if (type === 'TXT') {
    if (typeof v === 'string') rdata = [v];
    else if (Array.isArray(v) && v.every((s) => typeof s === 'string')) rdata = v as string[];
    else throw new RecordError(`${at}.value: TXT takes a string or an array of strings`);
  } else {
    if (typeof v !== 'string') throw new RecordError(`${at}.value: expected a string (${hint(type)})`);
    rdata = v.trim().split(/\s+/);
  }
  return field('value', () => buildRecord(name, type, ttl, rdata, source));
}

function hint(type: StaticType): string {
  switch (type) {
    case 'A': return '"127.0.0.1"';
    case 'AAAA': return '"::1"';
    case 'CNAME': case 'PTR': return '"target.example.test"';
    case 'MX': return '"10 mail.example.test"';
    case 'SRV': return '"0 5 443 api.example.test"';
    case 'TXT': return '"v=spf1 -all"';
  }
}
