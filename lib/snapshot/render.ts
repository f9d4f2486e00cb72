// A snapshot as text: multi-document YAML in a fixed order (kind, namespace, name) with map keys sorted, so two
// snapshots of the same cluster are byte-identical and a textual diff of two shows only what changed.
import { stringify } from 'yaml';

type Raw = Record<string, any>;

const KIND_ORDER = ['Namespace', 'Service', 'EndpointSlice', 'Pod', 'Ingress', 'ServiceImport'];

function key(o: Raw): [number, string, string] {
  return [KIND_ORDER.indexOf(o.kind), o.metadata?.namespace ?? '', o.metadata?.name ?? ''];
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function renderSnapshot(objects: Raw[], header: string): string {
  const sorted = [...objects].sort((a, b) => {
    const [ka, na, ma] = key(a);
    const [kb, nb, mb] = key(b);
    return ka - kb || cmp(na, nb) || cmp(ma, mb);
  });
  const docs = sorted.map((o) => stringify(o, { sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false }));
  return `# ${header}\n${docs.map((d) => `---\n${d}`).join('')}`;
}
