/** Shared pieces of the in-process fabric tests (MemoryNetwork + VirtualClock). */
import { registerEvpn, macIpRoute, inclusiveMulticastRoute } from '../../src/evpn/index.js';
import { BgpSpeaker, type PeerConfig, type SpeakerOptions } from '../../src/bgp/speaker.js';
import { MemoryNetwork } from '../../src/bgp/session/memory-network.js';
import { VirtualClock } from '../../src/bgp/session/clock.js';

registerEvpn();

export const evpn = 'l2vpn-evpn' as const;

export class Fabric {
  readonly net: MemoryNetwork;
  readonly clock = new VirtualClock();
  readonly speakers: BgpSpeaker[] = [];

  constructor(highWaterMark?: number) {
    this.net = new MemoryNetwork(highWaterMark === undefined ? {} : { highWaterMark });
  }

  speaker(address: string, asn: number, peers: readonly (Omit<PeerConfig, 'families'> & { families?: PeerConfig['families'] })[], o: Partial<SpeakerOptions> = {}): BgpSpeaker {
    const s = new BgpSpeaker({ asn, routerId: address, network: this.net.host(address), clock: this.clock, listen: { port: 179, address }, ...o });
    for (const p of peers) s.addPeer({ families: [evpn], connectRetryTime: 2, idleHoldTime: 1, holdTime: 30, ...p });
    this.speakers.push(s);
    return s;
  }

  /** Let messages flow and time pass (50 ms a step) until `cond` holds; bounded. */
  async settle(what: string, cond: () => boolean, maxSteps = 400): Promise<void> {
    for (let i = 0; i < maxSteps; i++) {
      if (cond()) return;
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      this.clock.advance(50);
    }
    if (!cond()) throw new Error(`fabric did not settle: ${what}`);
  }

  /** Run the event loop without a condition (for "nothing happens" checks). */
  async idle(steps = 20): Promise<void> {
    for (let i = 0; i < steps; i++) {
      await new Promise((r) => setImmediate(r));
      this.clock.advance(50);
    }
  }

  /** Two iBGP speakers, `a` connecting and `b` passive, with their session Established. */
  async pair(a: string, b: string, asn: number): Promise<[BgpSpeaker, BgpSpeaker]> {
    const x = this.speaker(a, asn, [{ address: b, asn }]);
    const y = this.speaker(b, asn, [{ address: a, asn, passive: true }]);
    await x.start();
    await y.start();
    await this.settle('session up', () => x.peerState(b) === 'Established' && y.peerState(a) === 'Established');
    return [x, y];
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.speakers.map((s) => s.stop()));
    await this.idle(5);
  }
}

export function mac(i: number, vtep: string, extra: { mobility?: number } = {}) {
  const h = (i & 0xffff).toString(16).padStart(4, '0');
  return macIpRoute({
    rd: `${vtep}:100`,
    mac: `02:00:00:00:${h.slice(0, 2)}:${h.slice(2)}`,
    ip: `198.51.100.${(i % 250) + 1}`,
    vni: 100,
    nextHop: vtep,
    routeTargets: ['65000:100'],
    ...extra,
  });
}

export function imet(vtep: string) {
  return inclusiveMulticastRoute({ rd: `${vtep}:100`, originator: vtep, vni: 100, nextHop: vtep, routeTargets: ['65000:100'] });
}

/** MACs (text) in a speaker's EVPN Loc-RIB. */
export function macsOf(s: BgpSpeaker): string[] {
  const out: string[] = [];
  for (const r of s.routes(evpn)) {
    const n = r.nlri as { routeType?: number; mac?: string };
    if (n.routeType === 2 && n.mac !== undefined) out.push(n.mac);
  }
  return out.sort();
}
