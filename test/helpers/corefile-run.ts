// A temp folder with a Corefile and a one-Service fixture, for tests that start the CLI with --corefile.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** the Service every Corefile test serves; expected answers are derived from it */
export const WEB = { name: 'web', namespace: 'default', ip: '10.96.0.10', fqdn: 'web.default.svc.cluster.local.' };

export interface CorefileDir {
  dir: string;
  corefile: string;
  fixtures: string;
  write(text: string): void;
}

export function corefileDir(t: { teardown(fn: () => void): void }): CorefileDir {
  const dir = mkdtempSync(join(tmpdir(), 'corefile-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const fixtures = join(dir, 'fixtures');
  mkdirSync(fixtures);
  writeFileSync(join(fixtures, 'web.yaml'), `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${WEB.name}\n  namespace: ${WEB.namespace}\nspec:\n  clusterIP: ${WEB.ip}\n  ports:\n    - name: http\n      port: 80\n`);
  const corefile = join(dir, 'Corefile');
  return { dir, corefile, fixtures, write: (text) => writeFileSync(corefile, text) };
}
