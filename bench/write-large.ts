// Writes the bench's large cluster to a folder, for profiling a load by hand:
//   npx tsx bench/write-large.ts DIR && node --cpu-prof dist/server/main.js --fixtures DIR --admin off
import { LARGE, writeExplicitCluster } from './explicit-cluster.js';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: tsx bench/write-large.ts DIR\n');
  process.exit(2);
}
const info = await writeExplicitCluster(dir, LARGE);
process.stdout.write(`${info.services.length} services, ${info.pods} pods in ${info.files.length} files under ${dir}\n`);
