// The README's runnable example runs as written.
import t from 'tap';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ROOT } from './helpers/cli.js';

t.test('examples/in-process.mjs', async (t) => {
  const { stdout } = await promisify(execFile)(process.execPath, ['examples/in-process.mjs'], { cwd: ROOT, timeout: 20_000 });
  t.match(stdout, "[ '10.244.0.11', '10.244.0.12', '10.244.0.13' ]");
  t.match(stdout, /name: 'payments\.shop\.svc\.cluster\.local',\s+port: 9090/);
  t.match(stdout, 'first try: ESERVFAIL');
  t.match(stdout, "retry: [ '10.96.120.15' ]");
  t.match(stdout, "[ 'SERVFAIL', 'NOERROR' ]");
});
