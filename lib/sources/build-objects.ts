// Manifests → cluster objects: explicit DNS objects converted, workloads played through the controllers
// (lib/synth). Errors come back as FixtureError with the file and line of the manifest.
import type { SynthesisConfig } from '../config.js';
import type { ClusterObject } from '../cluster/model.js';
import { ManifestError } from '../cluster/objects.js';
import { SourcedManifestError, synthesizeCluster } from '../synth/index.js';
import { FixtureError, type SourcedManifest } from './manifest-files.js';

export interface BuildResult {
  objects: ClusterObject[];
  skipped: { kind: string; name: string; file?: string }[];
  warnings: string[];
}

export function buildObjects(manifests: readonly SourcedManifest[], namespace: string, synthesis: SynthesisConfig): BuildResult {
  for (const m of manifests) {
    const raw = m.raw as Record<string, unknown> | null;
    if (typeof raw?.kind !== 'string' || raw.kind === '') throw new FixtureError(m.file ?? '<input>', m.line, 'object has no kind');
  }
  try {
    return synthesizeCluster(manifests, { ...synthesis, namespace });
  } catch (err) {
    if (err instanceof SourcedManifestError) throw new FixtureError(err.file ?? '<input>', err.line, err.message);
    if (err instanceof ManifestError) throw new FixtureError('<input>', undefined, err.message);
    throw err;
  }
}
