// Validates every Kubernetes object in the given YAML files against the JSON schemas the kubernetes-models package
// (npm) generates from a current Kubernetes release's OpenAPI (5.1.0 has resource.k8s.io/v1: Kubernetes 1.34+).
// Kustomizations and documents without apiVersion/kind (strategic merge patches) are skipped.
//   npm install --prefix DIR kubernetes-models@5.1.0 yaml
//   NODE_PATH=DIR/node_modules node deploy/podman/validate-manifests.mjs deploy/*.yaml deploy/sidecar/*.yaml
// Exit 1 when any object is invalid or has no schema, with one line per object.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
const require = createRequire(process.env.NODE_PATH ? `${process.env.NODE_PATH.split(':')[0]}/` : import.meta.url);
const { parseAllDocuments } = require('yaml');
const modelsDir = path.dirname(require.resolve('kubernetes-models/package.json'));
let bad = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const o = doc.toJS();
    if (!o || !o.kind || !o.apiVersion || o.kind === 'Kustomization') continue;
    const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : [null, o.apiVersion];
    // The package exports its models to ESM only: import the file itself from where `yaml` was found.
    const mod = pathToFileURL(path.join(modelsDir, group ?? '', version, `${o.kind}.js`)).href;
    let Model;
    try { Model = (await import(mod))[o.kind]; } catch (e) { console.log(`${file}: ${o.kind} ${o.apiVersion}: no schema (${e.code})`); bad++; continue; }
    try { new Model(o).validate(); console.log(`${file}: ${o.kind}/${o.metadata?.name}: valid`); }
    catch (e) { bad++; console.log(`${file}: ${o.kind}/${o.metadata?.name}: INVALID ${e.message}`); }
  }
}
process.exit(bad ? 1 : 0);
