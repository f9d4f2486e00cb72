// The k8s_external directive as a Corefile gives it: its options, its defaults, and every bad value refused with
// the Corefile's file and line.
import t from 'tap';
import { parseCorefile } from '../lib/corefile/parse.js';
import { corefileToConfig } from '../lib/corefile/to-config.js';

const map = (text: string) => corefileToConfig(parseCorefile(text, { env: {} }), { file: 'Corefile' });
const block = (k8sExternal: string) => `.:53 {\n  kubernetes cluster.local\n${k8sExternal}\n}\n`;
const spec = (text: string) => map(text).config.servers![0]!.plugins.find((p) => p.name === 'k8s_external');

t.test('defaults: the block\'s zones, apex dns, ttl 5, no headless, no fallthrough', async (t) => {
  const zoned = map('example.org:53 {\n  kubernetes cluster.local\n  k8s_external\n}\n');
  t.strictSame(zoned.config.servers![0]!.plugins.find((p) => p.name === 'k8s_external')!.options,
    { zones: ['example.org'], apex: 'dns', ttl: 5, headless: false, fallthrough: null });
  t.notMatch(zoned.warnings.join('\n'), /k8s_external/, 'no warning names it');
});

t.test('in a root block without zones it serves the root zone, as CoreDNS, and says so', async (t) => {
  const m = map(block('  k8s_external'));
  t.strictSame((m.config.servers![0]!.plugins.find((p) => p.name === 'k8s_external')!.options as any).zones, ['']);
  t.match(m.warnings.join('\n'), /Corefile line 3: k8s_external serves the root zone "\.": every name is answered by it/);
});

t.test('every option, in execution order before kubernetes', async (t) => {
  const m = map(block('  k8s_external Example.ORG. 10.0.0.0/8 {\n    apex ns-x\n    ttl 3600\n    headless\n    fallthrough example.org 10.in-addr.arpa\n  }'));
  const plugins = m.config.servers![0]!.plugins;
  t.strictSame(plugins.map((p) => p.name), ['k8s_external', 'kubernetes'], 'plugin.cfg order, whatever the Corefile order');
  t.strictSame(plugins[0]!.options, {
    zones: ['example.org', '10.in-addr.arpa'], apex: 'ns-x', ttl: 3600, headless: true, fallthrough: ['example.org', '10.in-addr.arpa'],
  });
  t.strictSame(spec(block('  k8s_external example.org {\n    fallthrough\n  }'))!.options, { zones: ['example.org'], apex: 'dns', ttl: 5, headless: false, fallthrough: [] });
  t.equal((spec(block('  k8s_external example.org {\n    ttl 0\n  }'))!.options as any).ttl, 0);
});

t.test('bad input is refused naming the line', async (t) => {
  const cases: [string, RegExp][] = [
    ['  k8s_external example.org {\n    ttl 3601\n  }', /Corefile line 4: k8s_external: ttl must be in range \[0, 3600\]: 3601/],
    ['  k8s_external example.org {\n    ttl -1\n  }', /line 4: .*ttl must be in range/],
    ['  k8s_external example.org {\n    ttl 99999999999999999999\n  }', /line 4: .*ttl must be in range/],
    ['  k8s_external example.org {\n    ttl\n  }', /line 4: k8s_external: expected ttl TTL/],
    ['  k8s_external example.org {\n    apex\n  }', /line 4: k8s_external: expected apex APEX/],
    ['  k8s_external example.org {\n    apex a..b\n  }', /line 4: k8s_external: apex "a..b" is not a DNS label/],
    [`  k8s_external example.org {\n    apex ${'x'.repeat(64)}\n  }`, /line 4: k8s_external: apex .* is not a DNS label/],
    ['  k8s_external example.org {\n    apex a.b.c.d.e\n  }', /line 4: .*is not a DNS label/],
    ['  k8s_external example.org {\n    headless yes\n  }', /line 4: k8s_external: headless takes no arguments/],
    ['  k8s_external example.org {\n    headless\n    headless\n  }', /line 5: k8s_external: headless given twice/],
    ['  k8s_external example.org {\n    resyncperiod 5s\n  }', /line 4: k8s_external: unknown property 'resyncperiod'/],
    ['  k8s_external example.org {\n    fallthrough 10.0.0.0/7\n  }', /line 4: k8s_external fallthrough: zone "10.0.0.0\/7"/],
    ['  k8s_external 2001:db8::/32', /line 3: k8s_external: zone "2001:db8::\/32": only IPv4 CIDRs/],
    ['  k8s_external a..b', /line 3: k8s_external: "a..b" is not a domain name/],
    [`  k8s_external ${'a'.repeat(70)}.org`, /line 3: k8s_external: .* is not a domain name/],
    [`  k8s_external ${Array.from({ length: 65 }, (_, i) => `z${i}.org`).join(' ')}`, /line 3: k8s_external: at most 64 zones/],
    [`  k8s_external ${'a.'.repeat(200)}org`, /line 3: k8s_external: zone .* is longer than 253 characters/],
    [`  k8s_external ${Array.from({ length: 4 }, () => 'z'.repeat(60)).join('.')} {\n    apex ${Array.from({ length: 4 }, () => 'a'.repeat(60)).join('.')}\n  }`, /line 3: k8s_external: hostmaster\..* is longer than a DNS name may be/],
    ['  k8s_external example.org\n  k8s_external example.net', /line 4: k8s_external appears twice in the server block/],
  ];
  for (const [text, want] of cases) t.throws(() => map(block(text)), want, text.trim().split('\n').join(' / ').slice(0, 80));
});
