/**
 * MAC mobility at the top of the 32-bit sequence space (RFC 7432 15.1, 7.7): a remote route
 * with sequence 2^32-1 cannot be out-sequenced (the field does not wrap), so a local learn of
 * that MAC is refused with `sequence` and reported as such; it never comes back as `moved` with
 * a `macLearned` while the MAC stays remote (what the old code did).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Fabric, evpn } from '../bgp/fabric-helpers.js';
import { autoRouteTarget, macIpRoute } from '../../src/evpn/index.js';
import type { BgpSpeaker } from '../../src/bgp/speaker.js';
import { VtepManager, maxSequence } from '../../src/vtep/index.js';
import { FakeDataplane } from '../vtep/fakes.js';

const US = '10.0.0.2';
const PEER = '10.0.0.1';
const AS = 65000;
const MAC = '02:00:00:00:00:aa';

let fabric: Fabric;
afterEach(async () => {
  await fabric?.stopAll();
});

async function build() {
  fabric = new Fabric();
  const [us, peer] = await fabric.pair(US, PEER, AS);
  const dp = new FakeDataplane();
  const m = new VtepManager({ speaker: us, dataplane: dp, vtepAddress: US, vnis: [{ vni: 100 }] });
  const learned: unknown[] = [];
  const refused: unknown[] = [];
  m.on('macLearned', (e) => learned.push(e));
  m.on('learnRefused', (e) => refused.push(e));
  return { peer, dp, m, learned, refused };
}

function remoteSpec(seq: number) {
  return { rd: `${PEER}:100`, mac: MAC, vni: 100, nextHop: PEER, routeTargets: [autoRouteTarget(AS, 100)], mobility: { sequence: seq, sticky: false } };
}

function remote(seq: number) {
  return macIpRoute(remoteSpec(seq));
}

function ourType2(peer: BgpSpeaker) {
  return [...peer.routes(evpn)].filter((r) => (r.nlri as { routeType: number }).routeType === 2 && r.nextHops[0] === US);
}

describe('hostile: MAC mobility sequence 2^32-1', () => {
  it('a local learn against a remote sequence of 2^32-1 is refused, not reported as moved', async () => {
    const { peer, dp, m, learned, refused } = await build();
    peer.announce(remote(maxSequence));
    await fabric.settle('remote installed', () => dp.remoteMacs.get(`100/${MAC}`) === PEER);
    expect(m.addLocalMac(100, MAC, { port: 'api' })).toBe('sequence');
    expect(learned).toEqual([]);
    expect(refused).toEqual([{ vni: 100, mac: MAC, port: 'api', reason: 'sequence' }]);
    expect(m.lookupMac(100, MAC)).toMatchObject({ location: PEER, seq: maxSequence });
    // the same MAC seen by the dataplane on a port: refused, the remote entry is put back
    dp.calls.length = 0;
    dp.local(100, MAC, 'port1');
    expect(refused.at(-1)).toEqual({ vni: 100, mac: MAC, port: 'port1', reason: 'sequence' });
    expect(dp.calls).toEqual([`setRemoteMac 100 ${MAC} ${PEER}`]);
    await fabric.idle(10);
    expect(ourType2(peer)).toEqual([]);
    expect(m.vni(100)!.localCount).toBe(0);
    // a static MAC still wins over the top sequence: sticky beats any sequence (RFC 7432 15.2)
    expect(m.addLocalMac(100, MAC, { static: true })).toBe('moved');
    expect(m.lookupMac(100, MAC)).toMatchObject({ location: 'local', static: true, seq: maxSequence });
    expect(learned).toHaveLength(1);
    // one below the top still moves, to 2^32-1
    const other = '02:00:00:00:00:bb';
    peer.announce(macIpRoute({ ...remoteSpec(maxSequence - 1), mac: other }));
    await fabric.settle('second remote', () => dp.remoteMacs.get(`100/${other}`) === PEER);
    expect(m.addLocalMac(100, other)).toBe('moved');
    expect(m.lookupMac(100, other)).toMatchObject({ location: 'local', seq: maxSequence });
  });
});
