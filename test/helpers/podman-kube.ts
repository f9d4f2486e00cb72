// `podman kube play` of the sidecar container deploy/sidecar/coredns-patch.yaml adds to CoreDNS, as a pod of its
// own with the ConfigMap it mounts. What podman makes on the side (its pause image, its kube network) is removed
// afterwards when it was not there before.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { ROOT } from './cli.js';
import { podman, ULIMITS } from './podman.js';

export const MOCK_FIXTURES = path.join(ROOT, 'deploy', 'sidecar', 'mock-fixtures.yaml');

/** The first ClusterIP Service in the mock fixtures ConfigMap: its name in the mock zone and its address. */
export function mockService(): { name: string; ip: string } {
  const cm = parse(readFileSync(MOCK_FIXTURES, 'utf8'));
  for (const d of parseAllDocuments(cm.data['mock.yaml'])) {
    const o = d.toJS();
    if (o?.kind === 'Service' && o.spec?.clusterIP && o.spec.clusterIP !== 'None') return { name: `${o.metadata.name}.${o.metadata.namespace}.svc.mock.test`, ip: o.spec.clusterIP };
  }
  throw new Error('no ClusterIP Service in the mock fixtures');
}

export class KubePlay {
  readonly pod: string;
  readonly container: string;
  private hadPause = false;
  private hadNetwork = false;

  constructor(readonly dir: string, id: string, readonly image: string) {
    this.pod = `cdns-${id}-kube`;
    this.container = `${this.pod}-clusterdns`;
  }

  async play(): Promise<{ code: number; out: string }> {
    this.hadPause = (await podman(['image', 'exists', 'localhost/podman-pause:4.3.1-0'])).code === 0;
    this.hadNetwork = (await podman(['network', 'exists', 'podman-default-kube-network'])).code === 0;
    const spec = parse(readFileSync(path.join(ROOT, 'deploy', 'sidecar', 'coredns-patch.yaml'), 'utf8')).spec.template.spec;
    spec.containers[0].image = this.image;
    // podman publishes every containerPort on all host interfaces (the kubelet does not): keep 8090 in the pod.
    delete spec.containers[0].ports;
    const file = path.join(this.dir, 'pod.yaml');
    writeFileSync(file, stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: this.pod }, spec }));
    // kube play takes rlimits from containers.conf only, and the pod's infra container needs soft = hard.
    const hard = ULIMITS[1]!.split(':')[1];
    const conf = path.join(this.dir, 'containers.conf');
    writeFileSync(conf, `[containers]\ndefault_ulimits = ["nofile=${hard}:${hard}", "nproc=1024:1024"]\n`);
    const r = await podman(['kube', 'play', '--configmap', MOCK_FIXTURES, file], 120_000, { ...process.env, CONTAINERS_CONF: conf });
    return { code: r.code, out: r.stdout + r.stderr };
  }

  async cleanup(): Promise<void> {
    await podman(['pod', 'rm', '-f', '-t', '0', '--ignore', this.pod], 60_000);
    if (!this.hadNetwork) await podman(['network', 'rm', '-f', 'podman-default-kube-network']);
    if (!this.hadPause) await podman(['rmi', '-f', '--ignore', 'localhost/podman-pause:4.3.1-0']);
  }
}
