import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { status } from '@grpc/grpc-js';
import { arbEvpnCommunity, arbExtendedCommunity, arbKnownEvpnRoute, arbPathAttribute } from '../../src/testing/index.js';
import { parseRouteTarget, type EvpnRoute, type PathAttribute, type RibRoute } from '../../src/index.js';
import {
  ApiError,
  apiType,
  attributeFromAny,
  attributeToAny,
  evpnDestination,
  evpnFromAny,
  evpnToAny,
  extCommunityFromAny,
  extCommunityToAny,
  packAny,
  pathFromApi,
  pathToApi,
} from '../../src/api/index.js';

const knownRd = (rd: string) => !/^rd\d+:/.test(rd);
const arbRoute = arbKnownEvpnRoute().filter((r) => knownRd(r.rd));

/** Through protobuf bytes, as a client would see it. */
function wire(name: string, m: Record<string, unknown>): Record<string, any> {
  const t = apiType(name);
  return t.decode(t.encode(m).finish()) as unknown as Record<string, any>;
}

/** Attribute flags (Partial, Extended Length) are per message, not carried by GoBGP's API. */
function noFlags(a: PathAttribute): PathAttribute {
  if (a.type === 'unknown' || a.flags === undefined) return a;
  const { flags: _f, ...rest } = a;
  return rest as PathAttribute;
}

describe('GoBGP API conversions', () => {
  it('EVPN routes of types 1-5 survive route -> Any -> protobuf bytes -> route', () => {
    fc.assert(
      fc.property(arbRoute, (r) => {
        const any = wire('google.protobuf.Any', evpnToAny(r));
        expect(evpnFromAny(any)).toEqual(r);
      }),
      { numRuns: 500 },
    );
  });

  it('every EVPN extended community and route targets / encapsulation survive the round trip', () => {
    fc.assert(
      fc.property(fc.oneof(arbEvpnCommunity(), arbExtendedCommunity()), (c) => {
        expect(extCommunityFromAny(wire('google.protobuf.Any', extCommunityToAny(c)), 'c')).toEqual(c);
      }),
      { numRuns: 500 },
    );
  });

  it('path attributes survive the round trip (flags aside)', () => {
    fc.assert(
      fc.property(arbPathAttribute(), (a) => {
        const back = attributeFromAny(wire('google.protobuf.Any', attributeToAny(a)), 'a');
        expect(back.kind).toBe('attribute');
        expect(back.kind === 'attribute' ? back.attribute : undefined).toEqual(noFlags(a));
      }),
      { numRuns: 500 },
    );
  });

  it('a RIB route -> api.Path -> AddPath input gives the same NLRI, attributes and next hop', () => {
    fc.assert(
      fc.property(arbRoute, fc.array(fc.oneof(arbEvpnCommunity(), arbExtendedCommunity()), { minLength: 1, maxLength: 4 }), (nlri, values) => {
        const attributes: PathAttribute[] = [{ type: 'origin', value: 'igp' }, { type: 'extended-communities', values }];
        const route: RibRoute = { family: { afi: 25, safi: 70 }, nlri, attributes, nextHops: ['192.0.2.1'], peer: 'local', best: true, stale: false };
        const { path, destination } = pathToApi(25 * 256 + 70, route, { asn: 65000, id: '10.0.0.1', neighborIp: '', since: 0 });
        expect(destination).toBe(evpnDestination(nlri));
        const back = pathFromApi(wire('Path', path));
        expect(back.nlri).toEqual(nlri);
        // RFC 7432 7.6: a Type-4 route gets its ES-Import RT (from the ESI) when it has none
        const esImport = { kind: 'es-import-rt', value: nlri.routeType === 4 ? nlri.esi.split(':').slice(1, 7).join(':') : '' };
        const wanted = nlri.routeType === 4 && !values.some((c) => c.kind === 'es-import-rt')
          ? [attributes[0], { type: 'extended-communities', values: [...values, esImport] }]
          : attributes;
        expect(back.input.attributes).toEqual(wanted);
        expect(back.input.nextHops).toEqual(['192.0.2.1']);
      }),
      { numRuns: 300 },
    );
  });

  it('binary attributes come in type-code order with MP_REACH in place; a shared attribute set is encoded once', () => {
    const attributes: PathAttribute[] = [
      { type: 'extended-communities', values: [parseRouteTarget('65000:1')] },
      { type: 'origin', value: 'igp' },
      { type: 'local-pref', value: 100 },
    ];
    const esi = '00:00:00:00:00:00:00:00:00:00';
    const nlris: EvpnRoute[] = [1, 2].map((label1) => ({ routeType: 2 as const, rd: '65000:1', esi, ethernetTag: 0, mac: `aa:bb:cc:dd:ee:0${label1}`, label1 }));
    const forms = { structured: false, nlriBinary: true, attributesBinary: true };
    const [a, b] = nlris.map((nlri) =>
      pathToApi(25 * 256 + 70, { family: { afi: 25, safi: 70 }, nlri, attributes, nextHops: ['192.0.2.1'], peer: 'local', best: true, stale: false }, { asn: 65000, id: '10.0.0.1', neighborIp: '', since: 0 }, forms).path,
    );
    for (const p of [a!, b!]) {
      expect(p.pattrsBinary.map((x: Buffer) => x[1])).toEqual([1, 5, 14, 16]);
      expect(p.pattrsBinary[2].includes(p.nlriBinary)).toBe(true);
    }
    expect(b!.pattrsBinary[0]).toBe(a!.pattrsBinary[0]);
    expect(b!.pattrsBinary[3]).toBe(a!.pattrsBinary[3]);
    expect(b!.pattrsBinary[2]).not.toEqual(a!.pattrsBinary[2]);
  });

  it('GoBGP destination names: single-homed ESI, 4-octet-AS RD, no IP', () => {
    expect(evpnDestination({ routeType: 2, rd: '4200000000:7', esi: '00:00:00:00:00:00:00:00:00:00', ethernetTag: 0, mac: 'aa:bb:cc:dd:ee:ff', label1: 1 })).toBe(
      '[type:macadv][rd:64086.59904:7][etag:0][mac:aa:bb:cc:dd:ee:ff][ip:<nil>]',
    );
    expect(evpnDestination({ routeType: 1, rd: '65000:1', esi: '01:aa:bb:cc:dd:ee:ff:00:01:00', ethernetTag: 5, label: 0 })).toBe(
      '[type:A-D][rd:65000:1][esi:ESI_LACP | system mac aa:bb:cc:dd:ee:ff, port key 1][etag:5]',
    );
  });

  it('a single-homed ESI sent as empty bytes is the zero ESI', () => {
    const rd = packAny('RouteDistinguisherTwoOctetASN', { admin: 65000, assigned: 1 });
    const any = packAny('EVPNMACIPAdvertisementRoute', { rd, esi: { type: 0, value: new Uint8Array() }, macAddress: 'aa:bb:cc:dd:ee:ff', ipAddress: '', labels: [10] });
    expect(evpnFromAny(wire('google.protobuf.Any', any))).toEqual({ routeType: 2, rd: '65000:1', esi: '00:00:00:00:00:00:00:00:00:00', ethernetTag: 0, mac: 'aa:bb:cc:dd:ee:ff', label1: 10 });
  });

  it('bad values are INVALID_ARGUMENT naming the field', () => {
    const rd = packAny('RouteDistinguisherTwoOctetASN', { admin: 65000, assigned: 1 });
    const cases: [Record<string, unknown>, string][] = [
      [packAny('EVPNMACIPAdvertisementRoute', { rd, macAddress: 'aa:bb:cc:dd:ee:ff', labels: [0x1000000] }), 'path.nlri.labels[0]'],
      [packAny('EVPNMACIPAdvertisementRoute', { rd, macAddress: 'not-a-mac', labels: [1] }), 'path.nlri'],
      [packAny('EVPNMACIPAdvertisementRoute', { rd, esi: { type: 0, value: new Uint8Array(3) }, macAddress: 'aa:bb:cc:dd:ee:ff', labels: [1] }), 'path.nlri.esi.value'],
      [packAny('EVPNInclusiveMulticastEthernetTagRoute', { rd: packAny('OriginAttribute', {}), ipAddress: '10.0.0.1' }), 'path.nlri.rd'],
      [{ type_url: 'type.googleapis.com/apipb.NoSuchThing', value: new Uint8Array() }, 'path.nlri'],
    ];
    for (const [any, field] of cases) {
      let err: unknown;
      try {
        evpnFromAny(any);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe(status.INVALID_ARGUMENT);
      expect((err as ApiError).field).toBe(field);
    }
  });
});
