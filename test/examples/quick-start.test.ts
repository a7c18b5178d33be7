/**
 * The README's quick start is examples/quick-start.ts (same text, import path aside), and it
 * works: run as a child against a route reflector in the test (127.0.0.30), with a second VTEP
 * in the test (127.0.0.32, host 10.1.0.2), its session comes up, the flood list fills, and its
 * host's pings cross VXLAN and come back.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { BgpSpeaker, UdpUnderlay, VirtualHost, VtepManager, VxlanEngine } from '../../src/index.js';
import { ExampleProcess } from './child.js';

const RR = '127.0.0.30';
const QS = '127.0.0.31';
const V2 = '127.0.0.32';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

describe('README quick start', () => {
  it('is examples/quick-start.ts verbatim (import path aside)', () => {
    const readme = readFileSync('README.md', 'utf8');
    const block = /<!-- quick-start -->\s*```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block, 'README.md has a quick-start block').toBeDefined();
    const file = readFileSync('examples/quick-start.ts', 'utf8').replace("from '../src/index.js'", "from 'bgp-evpn'");
    expect(block).toBe(file);
    expect(file.split('\n').length).toBeLessThanOrEqual(25);
  });

  it('runs: session up, flood list from the other VTEP, pings through VXLAN', async () => {
    const rr = new BgpSpeaker({ asn: 65000, routerId: RR, listen: { address: RR, port: 0 } });
    for (const c of [QS, V2]) rr.addPeer({ address: c, asn: 65000, families: ['l2vpn-evpn'], routeReflectorClient: true, passive: true });
    await rr.start();
    cleanups.push(() => rr.stop());
    const port = rr.listenAddress!.port;

    // the other VTEP, with host 10.1.0.2
    const s2 = new BgpSpeaker({ asn: 65000, routerId: V2, listen: false });
    s2.addPeer({ address: RR, port, asn: 65000, families: ['l2vpn-evpn'], localAddress: V2, connectRetryTime: 1 });
    const e2 = new VxlanEngine({ underlay: await UdpUnderlay.open({ address4: V2 }) });
    const m2 = new VtepManager({ speaker: s2, dataplane: e2, vtepAddress: V2, vnis: [{ vni: 100 }] });
    e2.attachPort(100, new VirtualHost({ name: 'h2', mac: '02:00:00:00:00:02', ipv4: '10.1.0.2' }));
    cleanups.push(async () => {
      m2.close();
      await e2.close();
      await s2.stop();
    });
    await s2.start();

    const qs = new ExampleProcess('examples/quick-start.ts', [RR, String(port), QS]);
    cleanups.push(async () => void (await qs.stop()));
    const deadline = Date.now() + 20_000;
    while (!/ping \{/.test(qs.stdout) && Date.now() < deadline && qs.child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    expect(qs.stdout).toContain(`session up with ${RR}`);
    expect(qs.stdout).toContain(`flood list of VNI 100 [ '${V2}' ]`);
    expect(qs.stdout).toContain('local MAC 02:00:00:00:00:01 on h1');
    expect(qs.stdout).toMatch(/ping \{\s*transmitted: 3,\s*received: 3/);
    // and the other side learned the quick start's host from its Type-2 route
    expect(m2.lookupMac(100, '02:00:00:00:00:01')?.location).toBe(QS);
  });
});
