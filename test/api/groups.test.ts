/**
 * ListPeerGroup and ListDynamicNeighbor over gRPC: the speaker's peer groups (name, AS,
 * families, route reflector, timers, transport) and listen ranges, filtered by name; an
 * unknown group name is NOT_FOUND.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentials, makeGenericClientConstructor, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { BgpSpeaker } from '../../src/index.js';
import { GobgpApiServer, gobgpServiceDefinition } from '../../src/api/index.js';

type Msg = Record<string, any>;
type Api = Client & Record<string, (...a: any[]) => any>;

function collect(api: Api, method: string, req: Msg): Promise<Msg[]> {
  return new Promise((resolve, reject) => {
    const out: Msg[] = [];
    const s = api[method]!(req);
    s.on('data', (m: Msg) => out.push(m));
    s.on('error', reject);
    s.on('end', () => resolve(out));
  });
}

describe('GobgpApiServer: peer groups and dynamic neighbors', () => {
  let speaker: BgpSpeaker;
  let server: GobgpApiServer;
  let api: Api;

  beforeAll(async () => {
    speaker = new BgpSpeaker({ asn: 65000, routerId: '10.0.0.1', listen: false });
    speaker.addPeerGroup('vteps', { asn: 65000, families: ['l2vpn-evpn'], routeReflectorClient: true, holdTime: 30, passive: true });
    speaker.addPeerGroup('spines', { asn: 65001, families: ['ipv4-unicast'] });
    speaker.addDynamicNeighbors({ prefix: '10.0.1.0/24', peerGroup: 'vteps', limit: 10 });
    speaker.addDynamicNeighbors({ prefix: '10.0.2.0/24', peerGroup: 'spines' });
    await speaker.start();
    server = new GobgpApiServer(speaker, { listen: '127.0.0.1:0' });
    await server.start();
    const Ctor = makeGenericClientConstructor(gobgpServiceDefinition(), 'GobgpApi');
    api = new Ctor(`127.0.0.1:${server.port}`, credentials.createInsecure()) as unknown as Api;
  });

  afterAll(async () => {
    api.close();
    await server.stop();
    await speaker.stop();
  });

  it('ListPeerGroup: every group, or one by name; an unknown name is NOT_FOUND', async () => {
    const all = await collect(api, 'ListPeerGroup', {});
    expect(all.map((m) => m.peerGroup.conf.peerGroupName).sort()).toEqual(['spines', 'vteps']);
    const [v] = await collect(api, 'ListPeerGroup', { peerGroupName: 'vteps' });
    expect(v!.peerGroup).toMatchObject({
      conf: { peerGroupName: 'vteps', peerAsn: 65000 },
      routeReflector: { routeReflectorClient: true },
      transport: { passiveMode: true },
      afiSafis: [{ config: { family: { afi: 25, safi: 70 }, enabled: true } }],
    });
    expect(Number(v!.peerGroup.timers.config.holdTime)).toBe(30); // uint64: a Long on the wire
    const e = await collect(api, 'ListPeerGroup', { peerGroupName: 'nope' }).then(() => undefined, (x: ServiceError) => x);
    expect(e?.code).toBe(status.NOT_FOUND);
    expect(e?.details).toMatch(/peer_group_name/);
  });

  it('ListDynamicNeighbor: every range, or those of one group', async () => {
    const all = await collect(api, 'ListDynamicNeighbor', {});
    expect(all.map((m) => m.dynamicNeighbor)).toEqual([{ prefix: '10.0.1.0/24', peerGroup: 'vteps' }, { prefix: '10.0.2.0/24', peerGroup: 'spines' }]);
    const one = await collect(api, 'ListDynamicNeighbor', { peerGroup: 'spines' });
    expect(one.map((m) => m.dynamicNeighbor.prefix)).toEqual(['10.0.2.0/24']);
  });
});
