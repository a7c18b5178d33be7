/**
 * Local MAC limits (per port and per VNI; Linux `fdb_max_learned`, FRR's MAC limit): a port
 * sending frames from many source MACs through the real engine leaves exactly `limit` learned
 * MACs and Type-2 routes; `macLimitReached` fires once per limit, the refusal counter counts
 * every refused learn, and frames to a refused MAC are flooded as unknown unicast.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Fabric, evpn } from '../bgp/fabric-helpers.js';
import type { BgpSpeaker } from '../../src/bgp/speaker.js';
import { VxlanEngine } from '../../src/dataplane/index.js';
import type { LocalPort, PortIngress } from '../../src/dataplane/types.js';
import { VtepManager, type VtepManagerEvents } from '../../src/vtep/index.js';

const US = '10.0.0.2';
const PEER = '10.0.0.1';
const AS = 65000;

let fabric: Fabric;
afterEach(async () => {
  await fabric?.stopAll();
});

/** A port that sends raw frames and counts what it receives. */
class RawPort implements LocalPort {
  ingress: PortIngress | undefined;
  received = 0;
  constructor(readonly name: string) {}
  deliver(): void {
    this.received++;
  }
  connect(ingress: PortIngress | undefined): void {
    this.ingress = ingress;
  }
  /** One broadcast frame from source MAC 02:<tag>:00:<i> (or unicast to `dst`). */
  send(tag: number, i: number, dst?: Buffer): void {
    const f = Buffer.alloc(60);
    (dst ?? Buffer.from('ffffffffffff', 'hex')).copy(f, 0);
    f.writeUInt16BE(0x0200 | tag, 6);
    f.writeUInt32BE(i, 8);
    f.writeUInt16BE(0x0800, 12);
    this.ingress!.send(f);
  }
}

function srcMac(tag: number, i: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUInt16BE(0x0200 | tag, 0);
  b.writeUInt32BE(i, 2);
  return b;
}

function ourType2(peer: BgpSpeaker): number {
  return [...peer.routes(evpn)].filter((r) => (r.nlri as { routeType: number }).routeType === 2 && r.nextHops[0] === US).length;
}

async function build(macLimit: { perVni?: number; perPort?: number }) {
  fabric = new Fabric();
  const [us, peer] = await fabric.pair(US, PEER, AS);
  const engine = new VxlanEngine();
  const m = new VtepManager({ speaker: us, dataplane: engine, vtepAddress: US, vnis: [{ vni: 100 }], macLimit });
  const hits: VtepManagerEvents['macLimitReached'][0][] = [];
  m.on('macLimitReached', (e) => hits.push(e));
  let learned = 0;
  m.on('macLearned', () => learned++);
  const p1 = new RawPort('p1');
  const p2 = new RawPort('p2');
  engine.attachPort(100, p1);
  engine.attachPort(100, p2);
  return { peer, engine, m, hits, p1, p2, learned: () => learned };
}

describe('hostile: local MAC limits', () => {
  it('per port and per VNI: exactly the limits learned and advertised, one event per limit, refusals counted, refused MACs flooded', async () => {
    const { peer, engine, m, hits, p1, p2, learned } = await build({ perPort: 50, perVni: 80 });
    for (let i = 0; i < 1000; i++) p1.send(1, i);
    expect(m.macs(100)).toHaveLength(50);
    expect(hits).toEqual([{ vni: 100, port: 'p1', scope: 'port', limit: 50 }]);
    for (let i = 0; i < 1000; i++) p2.send(2, i);
    expect(m.macs(100)).toHaveLength(80);
    expect(learned()).toBe(80);
    expect(hits).toEqual([
      { vni: 100, port: 'p1', scope: 'port', limit: 50 },
      { vni: 100, port: 'p2', scope: 'vni', limit: 80 },
    ]);
    const t = m.vni(100)!;
    expect(t.macLimits.refused).toBe(950 + 970);
    expect([m.localMacCount(100, 'p1'), m.localMacCount(100, 'p2'), m.localMacCount(100)]).toEqual([50, 30, 80]);
    // the engine forgot the refused MACs: its table is bounded too
    expect(engine.snapshot(100)!.localMacs).toHaveLength(80);
    // a frame to a refused MAC is unknown unicast: flooded (p1 gets it); one to a learned MAC is switched
    const before = p1.received;
    const unknownBefore = engine.vniCounters(100)!.unknownUnicast;
    p2.send(2, 0, srcMac(1, 999));
    expect(p1.received).toBe(before + 1);
    expect(engine.vniCounters(100)!.unknownUnicast).toBe(unknownBefore + 1);
    const switched = engine.vniCounters(100)!.localSwitched;
    p2.send(2, 0, srcMac(1, 0));
    expect(engine.vniCounters(100)!.localSwitched).toBe(switched + 1);
    await fabric.settle('Type-2 routes at the peer', () => ourType2(peer) === 80);
    await fabric.idle(10);
    expect(ourType2(peer)).toBe(80);
    // a removed MAC makes room: one more is learned, and the VNI limit is reported again when hit
    m.removeLocalMac(100, '02:02:00:00:00:00');
    p2.send(2, 6000);
    expect(m.macs(100)).toHaveLength(80);
    p2.send(2, 6001);
    expect(hits).toHaveLength(3);
    expect(hits[2]).toEqual({ vni: 100, port: 'p2', scope: 'vni', limit: 80 });
  });

  it('the API path obeys the limits too; static MACs count but are never refused', async () => {
    const { m, hits } = await build({ perVni: 3 });
    expect(['01', '02', '03', '04'].map((x) => m.addLocalMac(100, `02:00:00:00:00:${x}`))).toEqual(['new', 'new', 'new', 'limit']);
    expect(m.addLocalMac(100, '02:00:00:00:00:05', { static: true })).toBe('new');
    expect(m.macs(100)).toHaveLength(4);
    expect(hits).toEqual([{ vni: 100, port: 'api', scope: 'vni', limit: 3 }]);
    expect(m.vni(100)!.macLimits.refused).toBe(1);
    expect(() => m.addVni({ vni: 200, macLimit: { perPort: -1 } })).toThrow(RangeError);
    expect(m.vni(200)).toBeUndefined();
  });
});
