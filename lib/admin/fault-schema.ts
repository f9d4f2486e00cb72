// OpenAPI schemas of the faults routes: every field a fault spec takes and a fault reports, so /docs shows them and
// "Try it out" sends a body that works. The body is checked by Faults.add (its messages say what to fix, and the
// in-process API shares them), not by the schema: the route turns schema validation off for it.
import { FAULT_KINDS, MAX_FAULTS, MAX_SCANNING_FAULTS } from './faults.js';
import { MAX_FAULT_ADDRESSES } from './fault-data.js';
import { MAX_EVERY } from './fault-selectors.js';

const SPEC_PROPERTIES = {
  name: { type: 'string', minLength: 1, maxLength: 256, description: 'a name, or a pattern where * matches any run of characters, dots included; case-insensitive', example: 'api.default.svc.cluster.local' },
  fault: { type: 'string', enum: [...FAULT_KINDS], description: 'answer = the chosen addresses (A for IPv4, AAAA for IPv6; NODATA when none of the family); empty = NOERROR with no answer (the zone\'s SOA in authority, as a real NODATA)' },
  type: { type: 'string', maxLength: 10, description: 'only queries of this type (A, AAAA, SRV, TYPE65...); all types when absent' },
  delayMs: { type: 'integer', minimum: 0, maximum: 60000, description: 'fault "delay": milliseconds before the real answer' },
  times: { type: 'integer', minimum: 1, description: 'act this many times, then remove itself' },
  addresses: { type: 'array', minItems: 1, maxItems: MAX_FAULT_ADDRESSES, items: { type: 'string' }, description: 'fault "answer": IPv4 and/or IPv6 addresses', example: ['10.1.2.3'] },
  cname: { type: 'string', maxLength: 254, description: 'fault "answer": a CNAME to this name first; the addresses then belong to it' },
  every: { type: 'integer', minimum: 1, maximum: MAX_EVERY, description: 'act on the Nth, 2Nth... query that matches name, type, client and transport' },
  probability: { type: 'number', minimum: 0, maximum: 1, description: 'act on this fraction (0 < p <= 1) of the matching queries (a PRNG seeded per fault)' },
  seed: { type: 'integer', minimum: 0, maximum: 4294967295, description: 'the PRNG seed for probability: the same seed and queries give the same faults; random (and reported) when absent' },
  client: { type: 'string', maxLength: 50, description: 'only queries from this source address or network: "127.0.0.2", "10.0.0.0/8", "::1"' },
  transport: { type: 'string', enum: ['udp', 'tcp'], description: 'only queries over this transport' },
} as const;

export const FAULT_SPEC_SCHEMA = {
  type: 'object',
  properties: SPEC_PROPERTIES,
  required: ['name', 'fault'],
  additionalProperties: false,
  example: { name: 'api.default.svc.cluster.local', fault: 'answer', addresses: ['10.1.2.3'], every: 2 },
} as const;

export const FAULT_SCHEMA = {
  type: 'object',
  properties: {
    ...SPEC_PROPERTIES,
    id: { type: 'integer', description: 'DELETE /api/v1/faults/{id} removes it' },
    hits: { type: 'integer', description: 'queries the fault acted on' },
    seen: { type: 'integer', description: 'queries its name and type matched that reached it, acted on or not (an earlier fault that acted hides the query from later ones)' },
  },
  required: ['id', 'name', 'fault', 'hits', 'seen'],
} as const;

export const POST_FAULT_DESCRIPTION = `Inject a fault for names matching a pattern (* matches anything): ${FAULT_KINDS.join(', ')}. `
  + 'every, probability (+seed), client and transport narrow it to some of the queries the name and type match. '
  + `400 says which field to fix; 409 when the table is full (${MAX_FAULTS} faults, or ${MAX_SCANNING_FAULTS} with two or more "*" or no domain at the end).`;
