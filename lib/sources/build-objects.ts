// Manifests → cluster objects. Explicit DNS objects are converted; workload synthesis plugs in here.
import type { ClusterObject } from '../cluster/model.js';
import { CONVERTED_KINDS, ManifestError, toClusterObjects } from '../cluster/objects.js';
import { FixtureError, type SourcedManifest } from './manifest-files.js';

export interface BuildResult {
  objects: ClusterObject[];
  skipped: { kind: string; name: string; file?: string }[];
  warnings: string[];
}

export function buildObjects(manifests: readonly SourcedManifest[], namespace: string): BuildResult {
  const objects: ClusterObject[] = [];
  const skipped: BuildResult['skipped'] = [];
  for (const m of manifests) {
    const raw = m.raw as Record<string, any>;
    const kind = typeof raw?.kind === 'string' ? raw.kind : '';
    if (!kind) throw new FixtureError(m.file ?? '<input>', m.line, 'object has no kind');
    if (!CONVERTED_KINDS.has(kind)) {
      skipped.push({ kind, name: String(raw?.metadata?.name ?? ''), ...(m.file ? { file: m.file } : {}) });
      continue;
    }
    try {
      objects.push(...toClusterObjects(raw, namespace));
    } catch (err) {
      if (err instanceof ManifestError) throw new FixtureError(m.file ?? '<input>', m.line, err.message);
      throw err;
    }
  }
  return { objects, skipped, warnings: [] };
}
