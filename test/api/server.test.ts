import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentials, makeGenericClientConstructor, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { BgpSpeaker, inclusiveMulticastRoute, macIpRoute } from '../../src/index.js';
import { GobgpApiServer, gobgpServiceDefinition, packAny } from '../../src/api/index.js';

type Msg = Record<string, any>;
type Api = Client & Record<string, (...a: any[]) => any>;

const evpn = { afi: 25, safi: 70 };
const rd = packAny('RouteDistinguisherTwoOctetASN', { admin: 65000, assigned: 1 });

function call(api: Api, method: string, req: Msg): Promise<Msg> {
  return new Promise((resolve, reject) => api[method]!(req, (e: ServiceError | null, r: Msg) => (e ? reject(e) : resolve(r))));
}

function collect(api: Api, method: string, req: Msg): Promise<Msg[]> {
  return new Promise((resolve, reject) => {
    const out: Msg[] = [];
    const s = api[method]!(req);
    s.on('data', (m: Msg) => out.push(m));
    s.on('error', reject);
    s.on('end', () => resolve(out));
  });
}

async function refused(p: Promise<unknown>): Promise<ServiceError> {
  try {
    await p;
  } catch (e) {
    return e as ServiceError;
  }
  throw new Error('expected an error status');
}

function macadvPath(mac: string, label: number): Msg {
  return {
    family: evpn,
    nlri: packAny('EVPNMACIPAdvertisementRoute', { rd, esi: { type: 0, value: new Uint8Array() }, macAddress: mac, ipAddress: '10.0.0.5', labels: [label] }),
    pattrs: [packAny('OriginAttribute', { origin: 0 }), packAny('MpReachNLRIAttribute', { family: evpn, nextHops: ['192.0.2.1'] })],
  };
}

describe('GobgpApiServer in-process', () => {
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

  it('GetBgp, AddPeer, ListPeer with every field the CLI dereferences', async () => {
    expect((await call(api, 'GetBgp', {})).global).toMatchObject({ asn: 65000, routerId: '10.0.0.1' });
    await call(api, 'AddPeer', { peer: { conf: { neighborAddress: '127.0.0.9', peerAsn: 65001 }, afiSafis: [{ config: { family: evpn } }], transport: { passiveMode: true } } });
    const peers = await collect(api, 'ListPeer', {});
    expect(peers).toHaveLength(1);
    const p = peers[0]!.peer;
    expect(p.conf.neighborAddress).toBe('127.0.0.9');
    expect(p.state.sessionState).toBe(3); // ACTIVE (passive, waiting)
    expect(p.state.messages.received).toBeDefined();
    expect(p.timers.state).toBeDefined();
    expect(p.afiSafis[0].state.family).toMatchObject(evpn);
  });

  it('bad requests get the right status, name the field, change nothing, and the server keeps serving', async () => {
    const before = speaker.routeCount('l2vpn-evpn');
    const bad: [string, Msg, status, string][] = [
      ['AddPath', { path: { ...macadvPath('aa:bb:cc:dd:ee:01', 0x1000000) } }, status.INVALID_ARGUMENT, 'path.nlri.labels[0]'],
      ['AddPath', { path: { ...macadvPath('aa:bb:cc:dd:ee:01', 1), pattrs: [{ type_url: 'type.googleapis.com/apipb.Bogus', value: new Uint8Array() }] } }, status.INVALID_ARGUMENT, 'path.pattrs[0]'],
      ['AddPath', { path: { ...macadvPath('aa:bb:cc:dd:ee:01', 1), family: { afi: 1, safi: 128 } } }, status.INVALID_ARGUMENT, 'path.family'],
      ['AddPath', { path: { ...macadvPath('aa:bb:cc:dd:ee:01', 1), pattrs: [packAny('MpReachNLRIAttribute', { family: evpn, nextHops: ['not-an-ip'] })] } }, status.INVALID_ARGUMENT, 'path'],
      ['DeletePeer', { address: '127.0.0.77' }, status.NOT_FOUND, 'address'],
      ['AddPeer', { peer: { conf: { neighborAddress: '127.0.0.9', peerAsn: 65001 } } }, status.ALREADY_EXISTS, 'peer.conf.neighbor_address'],
      ['AddPeer', { peer: { conf: { neighborAddress: 'nowhere', peerAsn: 65001 } } }, status.INVALID_ARGUMENT, 'peer.conf.neighbor_address'],
      ['DeletePath', { uuid: new Uint8Array(16) }, status.NOT_FOUND, 'uuid'],
      ['ResetPeer', { address: '127.0.0.77' }, status.NOT_FOUND, 'address'],
    ];
    for (const [method, req, code, field] of bad) {
      const e = await refused(call(api, method, req));
      expect(e.code, `${method} ${field}`).toBe(code);
      expect(e.details.startsWith(`${field}:`), e.details).toBe(true);
    }
    const adjIn = await refused(collect(api, 'ListPath', { tableType: 2, name: '127.0.0.77', family: evpn }));
    expect(adjIn.code).toBe(status.NOT_FOUND);
    expect((await refused(call(api, 'AddVrf', {}))).code).toBe(status.UNIMPLEMENTED);
    expect(speaker.routeCount('l2vpn-evpn')).toBe(before);
    expect((await call(api, 'GetBgp', {})).global.asn).toBe(65000);
  });

  it('AddPath / ListPath / GetTable / DeletePath (by path and by UUID)', async () => {
    const a = await call(api, 'AddPath', { path: macadvPath('aa:bb:cc:dd:ee:01', 100) });
    expect(a.uuid).toHaveLength(16);
    await call(api, 'AddPath', { path: macadvPath('aa:bb:cc:dd:ee:02', 100) });
    const rib = await collect(api, 'ListPath', { tableType: 0, family: evpn });
    const names = rib.map((d) => d.destination.prefix).sort();
    expect(names).toEqual([
      '[type:macadv][rd:65000:1][etag:0][mac:aa:bb:cc:dd:ee:01][ip:10.0.0.5]',
      '[type:macadv][rd:65000:1][etag:0][mac:aa:bb:cc:dd:ee:02][ip:10.0.0.5]',
    ]);
    const path = rib[0]!.destination.paths[0];
    expect(path.best).toBe(true);
    expect(path.nlri.type_url).toBe('type.googleapis.com/apipb.EVPNMACIPAdvertisementRoute');
    expect(path.pattrs.map((x: Msg) => x.type_url)).toContain('type.googleapis.com/apipb.MpReachNLRIAttribute');
    const t = await call(api, 'GetTable', { tableType: 0, family: evpn });
    expect([Number(t.numDestination), Number(t.numPath)]).toEqual([2, 2]);
    // the same route again (another label: same RFC 7432 route key) replaces it and its UUID
    const again = await call(api, 'AddPath', { path: macadvPath('aa:bb:cc:dd:ee:01', 200) });
    expect(speaker.routeCount('l2vpn-evpn')).toBe(2);
    expect((await refused(call(api, 'DeletePath', { uuid: a.uuid }))).code).toBe(status.NOT_FOUND);
    await call(api, 'DeletePath', { uuid: again.uuid });
    await call(api, 'DeletePath', { path: macadvPath('aa:bb:cc:dd:ee:02', 100), family: evpn });
    expect(speaker.routeCount('l2vpn-evpn')).toBe(0);
  });

  it('WatchEvent with init streams the table, then an add and a withdraw', async () => {
    speaker.announce(inclusiveMulticastRoute({ rd: '65000:3', originator: '192.0.2.3', vni: 10, nextHop: '192.0.2.3', routeTargets: ['65000:10'] }));
    const s = api.WatchEvent!({ table: { filters: [{ type: 0, init: true }] } });
    const got: Msg[] = [];
    const route = macIpRoute({ rd: '65000:3', mac: '02:00:00:00:00:01', vni: 10, nextHop: '192.0.2.3', routeTargets: ['65000:10'] });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timeout, got ${got.length}`)), 5000);
      s.on('data', (m: Msg) => {
        got.push(m);
        if (got.length === 1) speaker.announce(route);
        if (got.length === 2) speaker.withdraw(route);
        if (got.length === 3) {
          clearTimeout(timer);
          resolve();
        }
      });
      s.on('error', () => undefined);
    });
    s.cancel();
    // the stream's listeners go with it
    for (let i = 0; i < 50 && speaker.listenerCount('routeAdded') > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(speaker.listenerCount('routeAdded') + speaker.listenerCount('routeWithdrawn')).toBe(0);
    expect(got[0]!.table.paths[0].nlri.type_url).toBe('type.googleapis.com/apipb.EVPNInclusiveMulticastEthernetTagRoute');
    expect(got[1]!.table.paths[0].isWithdraw).toBe(false);
    expect(got[2]!.table.paths[0].isWithdraw).toBe(true);
    speaker.withdraw(inclusiveMulticastRoute({ rd: '65000:3', originator: '192.0.2.3', vni: 10, nextHop: '192.0.2.3', routeTargets: ['65000:10'] }));
  });

  it('ListPath streams: a paused client holds the walk after a bounded number of routes', async () => {
    const n = 5_000;
    for (let i = 0; i < n; i++) {
      speaker.announce(macIpRoute({ rd: '65000:9', mac: `02:00:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`, vni: 9, nextHop: '192.0.2.9', routeTargets: ['65000:9'] }));
    }
    let walked = 0;
    const destinations = speaker.destinations.bind(speaker);
    speaker.destinations = function* (f) {
      for (const d of destinations(f)) {
        walked++;
        yield d;
      }
    };
    try {
      const s = api.ListPath!({ tableType: 0, family: evpn });
      let received = 0;
      await new Promise<void>((resolve) => s.once('data', () => {
        received++;
        s.pause();
        resolve();
      }));
      await new Promise((r) => setTimeout(r, 300));
      const whilePaused = walked;
      // measured: about 100 routes (what fits the HTTP/2 window and grpc-js buffers)
      expect(whilePaused).toBeLessThan(1_000);
      s.on('data', () => received++);
      s.resume();
      await new Promise<void>((resolve, reject) => {
        s.on('end', resolve);
        s.on('error', reject);
      });
      expect(received).toBe(n);
      expect(walked).toBe(n);
    } finally {
      speaker.destinations = destinations;
    }
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
