/**
 * examples/automation.ts on loopback (no root) against a BgpSpeaker in the test, in text mode:
 * `+` for an added route, `~` for a replaced one (here a MAC move: new sequence), `-` for a
 * withdrawal, and the table at the end. (The run against real GoBGP is
 * test/interop/examples-automation.test.ts.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BgpSpeaker, macIpRoute } from '../../src/index.js';
import { ExampleProcess } from './child.js';

const PEER = '127.0.0.50';
const APP = '127.0.0.51';

let peer: BgpSpeaker | undefined;
let app: ExampleProcess | undefined;
afterEach(async () => {
  await app?.stop();
  await peer?.stop();
  app = peer = undefined;
});

async function until(what: string, f: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}\n${app?.stdout ?? ''}${app?.stderr ?? ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('examples/automation.ts (text output)', () => {
  it('prints + / ~ / - lines as routes come, change and go, then the table on SIGTERM', async () => {
    peer = new BgpSpeaker({ asn: 65000, routerId: PEER, listen: { address: PEER, port: 0 } });
    peer.addPeer({ address: APP, asn: 65000, families: ['l2vpn-evpn'], passive: true });
    await peer.start();
    app = new ExampleProcess('examples/automation.ts', ['--peer', PEER, '--port', String(peer.listenAddress!.port), '--asn', '65000', '--router-id', APP, '--local-address', APP]);
    await until('established', () => app!.stdout.includes(`established with ${PEER} (AS 65000, router id ${PEER}`));

    const route = (seq?: number) => macIpRoute({ rd: `${PEER}:100`, mac: '02:00:00:aa:bb:01', ip: '192.0.2.77', vni: 100, nextHop: PEER, routeTargets: ['65000:100'], ...(seq === undefined ? {} : { mobility: seq }) });
    peer.announce(route());
    await until('+ line', () => /ms\] \+ Type-2 02:00:00:aa:bb:01 192\.0\.2\.77 rd 127\.0\.0\.50:100 nh 127\.0\.0\.50 seq 0 vni 100$/m.test(app!.stdout));
    peer.announce(route(3));
    await until('~ line', () => /ms\] ~ Type-2 02:00:00:aa:bb:01 192\.0\.2\.77 .* seq 3 vni 100$/m.test(app!.stdout));
    peer.withdraw(route(3));
    await until('- line', () => /ms\] - Type-2 02:00:00:aa:bb:01 192\.0\.2\.77 /m.test(app!.stdout));

    expect(await app.stop()).toBe(0);
    expect(app.stdout).toMatch(/0 EVPN routes at stop:/);
    expect(app.stdout).toMatch(/stopped \(SIGTERM\)/);
    expect(app.stdout).not.toContain('\x1b['); // NO_COLOR
  });
});
