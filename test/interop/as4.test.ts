/**
 * RFC 6793 against a real OLD (2-octet) speaker: ExaBGP with `capability { asn4 disable; }` in a
 * network namespace, our BgpSpeaker (AS 4200000010) in the test process attached to the lab
 * switch as 198.18.0.1. Routes go both ways; tcpdump captures the session inside the namespace
 * and tshark decodes the wire: AS_TRANS in AS_PATH / AGGREGATOR, the real numbers in AS4_PATH /
 * AS4_AGGREGATOR, no malformed packet and no expert warning. Before RFC 6793 sending was
 * implemented the speaker process died on its first UPDATE to this peer (TypeError thrown in the
 * flush of a setImmediate). `KEEP_PCAP=1` keeps the capture (its path is in the test's tmpdir).
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BgpSpeaker } from '../../src/bgp/speaker.js';
import type { RibRoute } from '../../src/bgp/rib/view.js';
import { missingReal, waitFor } from '../helpers/netns.js';
import { Capture, tsharkBgp } from './harness/capture.js';
import { ExabgpAs4 } from './harness/exabgp-as4.js';
import { Topology } from './harness/topology.js';

const skip = missingReal(['exabgp', 'tcpdump', 'tshark']);
const OUR_AS = 4200000010;
const EXA_AS = 65040;
const FAR_AS = 4200000099;
const AS_TRANS = 23456;
const OURS = '198.51.100.0/25';
const THEIRS = '198.51.100.128/25';

type Tree = { readonly [k: string]: unknown };
const list = (v: unknown): Tree[] => (v === undefined ? [] : Array.isArray(v) ? (v as Tree[]) : [v as Tree]);
const strings = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? (v as string[]) : [String(v)]);

/**
 * tshark's decode of one UPDATE reduced to what RFC 6793 is about: per attribute type code, the
 * AS numbers tshark read in it (`as2:N` / `as4:N` for path segments, plain for aggregators).
 */
function asNumbers(tree: Tree): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const attrs = list((tree['bgp.update.path_attributes'] as Tree | undefined)?.['bgp.update.path_attribute']);
  for (const a of attrs) {
    const code = String(a['bgp.update.path_attribute.type_code']);
    const v: string[] = [];
    for (const seg of list(a['bgp.update.path_attribute.as_path_segment'])) {
      for (const w of ['as2', 'as4']) v.push(...strings(seg[`bgp.update.path_attribute.as_path_segment.${w}`]).map((x) => `${w}:${x}`));
    }
    v.push(...strings(a['bgp.update.path_attribute.aggregator_as']));
    out[code] = v;
  }
  return out;
}

const pathOf = (r: RibRoute | undefined): number[] | undefined =>
  (r?.attributes.find((a) => a.type === 'as-path') as { segments: { asns: number[] }[] } | undefined)?.segments.flatMap((s) => s.asns);

describe.skipIf(skip !== undefined)('4-octet AS towards a real 2-octet speaker (ExaBGP, asn4 disabled)', () => {
  let topo: Topology;
  let exa: ExabgpAs4;
  let us: BgpSpeaker;
  let me: string;
  let peer: string;
  const pcap = join(tmpdir(), `bgp-evpn-as4-${process.pid}.pcap`);
  const errors: unknown[] = [];

  beforeAll(async () => {
    topo = await Topology.create({ nodes: 1, root: true, firstOctet: 117, prefix: 'a4' });
    if (process.env.KEEP_PCAP === undefined) topo.lab.onDestroy(() => rmSync(pcap, { force: true }));
    const n = topo.node(0);
    me = topo.rootIp!;
    peer = n.ip;
    const cap = await Capture.start(topo.lab, n.ns, pcap, { seconds: 90 });
    exa = await ExabgpAs4.start(topo.lab, {
      ns: n.ns, localAddress: n.ip, routerId: n.vtep, asn: EXA_AS,
      // an OLD speaker knows a 4-octet AS peer by the OPEN's My AS field: AS_TRANS
      peer: { address: me, asn: AS_TRANS },
      capabilities: ['asn4 disable'],
      routes: [`route ${THEIRS} next-hop ${n.ip} as-path [ ${EXA_AS} ${FAR_AS} ] aggregator ( ${FAR_AS}:${n.vtep} )`],
    });
    us = new BgpSpeaker({ asn: OUR_AS, routerId: me, listen: false });
    us.on('updateError', (_p, e) => errors.push(e));
    us.addPeer({ address: peer, asn: EXA_AS, families: ['ipv4-unicast'], localAddress: me, holdTime: 30, connectRetryTime: 1, idleHoldTime: 1 });
    await us.start();
    await exa.waitFor('session with ExaBGP', 30_000, () => us.peerState(peer) === 'Established');
    us.announce({ family: { afi: 1, safi: 1 }, nlri: { prefix: OURS }, nextHops: [me], attributes: [
      { type: 'origin', value: 'igp' },
      { type: 'aggregator', asn: OUR_AS, address: me },
    ] });
    await exa.waitFor('our route at ExaBGP', 20_000, () => JSON.stringify(exa.received()).includes(OURS));
    await waitFor('ExaBGP route in our Loc-RIB', 20_000, () => [...us.routes('ipv4-unicast')].some((r) => (r.nlri as { prefix?: string }).prefix === THEIRS));
    // the process is alive and the session up a while after the exchange
    await new Promise((r) => setTimeout(r, 1000));
    expect(us.peerState(peer)).toBe('Established');
    expect(await cap.stop()).toBe(true);
  }, 120_000);

  afterAll(async () => {
    await us?.stop();
    await topo?.destroy();
  });

  it('the session is 2-octet: ExaBGP sent no capability, we know it by its 2-byte AS', () => {
    const n = us.peer(peer)!.session.negotiated!;
    expect(n).toMatchObject({ fourOctetAs: false, peerAsn: EXA_AS });
    expect(n.peerOpen.capabilities.some((c) => c.type === 'four-octet-as')).toBe(false);
    expect(n.localOpen.myAs).toBe(AS_TRANS);
  });

  it('ExaBGP receives our route and reads our real AS from AS4_PATH / AS4_AGGREGATOR', () => {
    const u = exa.received().find((m) => m.type === 'update' && JSON.stringify(m).includes(OURS));
    const attrs = (u as { neighbor: { message: { update: { attribute: Record<string, unknown> } } } }).neighbor.message.update.attribute;
    // ExaBGP merges AS4_PATH into AS_PATH (RFC 6793 4.2.3) before printing
    expect(attrs['as-path']).toEqual([OUR_AS]);
    // ExaBGP 4.2.21 prints AS4_AGGREGATOR over AGGREGATOR, but reads only its first 2 octets as
    // the AS when asn4 is off (Aggregator4 inherits the 2-octet unpack): 4200000010 >>> 16 = 64086.
    // The wire itself is checked with tshark below.
    expect([`${OUR_AS}:${me}`, `${OUR_AS >>> 16}:${me}`]).toContain(attrs.aggregator);
  });

  it('our Loc-RIB holds the merged path of ExaBGP\'s route (RFC 6793 4.2.3)', () => {
    const r = [...us.routes('ipv4-unicast')].find((x) => (x.nlri as { prefix?: string }).prefix === THEIRS);
    expect(pathOf(r)).toEqual([EXA_AS, FAR_AS]);
    expect(r!.attributes).toContainEqual({ type: 'aggregator', asn: FAR_AS, address: topo.node(0).vtep });
    expect(r!.attributes.some((a) => a.type === 'as4-path' || a.type === 'as4-aggregator')).toBe(false);
    expect(errors).toEqual([]);
  });

  it('tshark on the wire: AS_TRANS in AS_PATH and AGGREGATOR, the 4-octet AS in AS4_PATH and AS4_AGGREGATOR, both ways', () => {
    const updates = tsharkBgp(pcap).filter((p) => p.tree['bgp.type'] === '2');
    const carrying = (src: string, prefix: string) => updates.find((p) => p.src === src && JSON.stringify(p.tree).includes(`"${prefix}"`));
    const fromUs = carrying(me, OURS.split('/')[0]!);
    const fromPeer = carrying(peer, THEIRS.split('/')[0]!);
    // type codes: 2 AS_PATH, 7 AGGREGATOR, 17 AS4_PATH, 18 AS4_AGGREGATOR
    expect(asNumbers(fromUs!.tree)).toMatchObject({ 2: [`as2:${AS_TRANS}`], 7: [String(AS_TRANS)], 17: [`as4:${OUR_AS}`], 18: [String(OUR_AS)] });
    expect(asNumbers(fromPeer!.tree)).toMatchObject({ 2: [`as2:${EXA_AS}`, `as2:${AS_TRANS}`], 7: [String(AS_TRANS)], 17: [`as4:${EXA_AS}`, `as4:${FAR_AS}`], 18: [String(FAR_AS)] });
    // RFC 4271 5: ascending type codes (AS4_PATH / AS4_AGGREGATOR slot in after AGGREGATOR)
    const codes = Object.keys(asNumbers(fromUs!.tree)).map(Number);
    expect(codes.indexOf(17)).toBeGreaterThan(codes.indexOf(7));
  });

  it('tshark finds nothing malformed and raises no expert warning on any BGP message', () => {
    const out = execFileSync('tshark', ['-r', pcap, '-d', 'tcp.port==179,bgp', '-Y', 'bgp && (_ws.malformed || _ws.expert.severity >= warning)', '-T', 'fields', '-e', 'frame.number', '-e', '_ws.expert.message'], { encoding: 'utf8', timeout: 60_000 });
    expect(out.trim()).toBe('');
    const n = execFileSync('tshark', ['-r', pcap, '-d', 'tcp.port==179,bgp', '-Y', 'bgp.type == 2', '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', timeout: 60_000 });
    expect(n.trim().split('\n').length).toBeGreaterThanOrEqual(2);
  });
});
