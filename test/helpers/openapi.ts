// Reading the admin API's OpenAPI document as a generated client would: operations, their parameters, request
// bodies and response schemas, and a JSON Schema validator (ajv, which fastify itself depends on) for replies.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { ROOT } from './cli.js';

export type Doc = { paths: Record<string, Record<string, any>> };

export const ajv = new Ajv({ strict: false, allErrors: true });

/** Every route the sources register ("app.get('/x'" in lib/admin and lib/static/routes.ts), as [METHOD, openapi path]. */
export function routesInSources(): [string, string][] {
  const files = [...readdirSync(path.join(ROOT, 'lib/admin')).filter((f) => f.endsWith('.ts')).map((f) => path.join(ROOT, 'lib/admin', f)), path.join(ROOT, 'lib/static/routes.ts')];
  const out: [string, string][] = [];
  for (const f of files) {
    const src = readFileSync(f, 'utf8');
    const consts = new Map([...src.matchAll(/const (\w+) = '([^']+)'/g)].map((m) => [m[1], m[2]]));
    for (const m of src.matchAll(/app\.(get|post|put|delete|patch)(?:<.*?>)?\(\s*(?:'([^']+)'|(\w+))/g)) {
      const p = m[2] ?? consts.get(m[3]!);
      if (p === undefined) throw new Error(`${f}: route path ${m[3]} not resolved`);
      out.push([m[1]!.toUpperCase(), p.replace(/:(\w+)/g, '{$1}')]);
    }
  }
  return out;
}

/** The schema of one response (its JSON content, or the first content), or undefined. */
export function responseSchema(op: any, status: number | string): any {
  const r = op.responses?.[String(status)];
  if (!r?.content) return undefined;
  return (r.content['application/json'] ?? Object.values(r.content)[0] as any)?.schema;
}

export function operation(doc: Doc, method: string, p: string): any {
  return doc.paths[p]?.[method.toLowerCase()];
}

/** An example value for a schema, as Swagger UI's "Try it out" fills one in: example, examples[0], default. */
export function exampleOf(schema: any): unknown {
  return schema?.example ?? schema?.examples?.[0] ?? schema?.default;
}

/** Validates `body` against the response schema the document gives for `status`; the errors or []. */
export function checkReply(op: any, status: number, body: unknown): string[] {
  const schema = responseSchema(op, status);
  if (!schema) return [`no schema for status ${status}`];
  const v = ajv.compile(schema);
  return v(body) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
