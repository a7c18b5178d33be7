/**
 * Properties of the EVPN codec: round trips (also at a non-zero offset and with ADD-PATH),
 * route keys equal exactly when the RFC 7432 7 key fields are equal, and malformed bytes only
 * ever raise a BgpError with the RFC 7606 action the framing calls for.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BgpError } from '../../src/bgp/errors.js';
import { decodeExtCommunity, encodeExtCommunity } from '../../src/bgp/ext-community-registry.js';
import { evpnNlri, evpnRouteKey, isRawEvpnRoute, type EvpnRoute } from '../../src/evpn/index.js';
import {
  arbEsi,
  arbEvpnCommunity,
  arbEvpnIp,
  arbEvpnRoute,
  arbKnownEvpnRoute,
  arbLabel,
  arbMac,
  arbNearValidEvpnNlri,
  arbRd,
  arbEthernetTag,
} from '../../src/testing/evpn.js';

const runs = { numRuns: 300 };

function encodeAll(routes: readonly EvpnRoute[], offset: number, addPath: boolean): Buffer {
  let n = 0;
  for (const r of routes) n += evpnNlri.encodingLength(r, addPath);
  const buf = Buffer.alloc(offset + n);
  let p = offset;
  for (const r of routes) p = evpnNlri.encode(r, buf, p, addPath);
  expect(p).toBe(offset + n);
  return buf;
}

describe('round trip', () => {
  it('every route, several per attribute, at a non-zero offset', () => {
    fc.assert(
      fc.property(fc.array(arbEvpnRoute(), { minLength: 1, maxLength: 5 }), fc.nat(9), (routes, offset) => {
        const buf = encodeAll(routes, offset, false);
        expect(evpnNlri.decode(buf, offset, buf.length, false)).toEqual(routes);
      }),
      runs,
    );
  });

  it('with ADD-PATH path identifiers (RFC 7911)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(arbEvpnRoute(), fc.integer({ min: 0, max: 0xffffffff })), { minLength: 1, maxLength: 4 }), (pairs) => {
        const routes = pairs.map(([r, pathId]) => ({ ...r, pathId }) as EvpnRoute);
        const buf = encodeAll(routes, 3, true);
        expect(evpnNlri.decode(buf, 3, buf.length, true)).toEqual(routes);
      }),
      runs,
    );
  });

  it('decoded routes survive JSON', () => {
    fc.assert(
      fc.property(arbKnownEvpnRoute(), (r) => {
        expect(JSON.parse(JSON.stringify(r))).toEqual(r);
        const b = encodeAll([r], 0, false);
        expect(JSON.parse(JSON.stringify(evpnNlri.decode(b, 0, b.length, false)))).toEqual([r]);
      }),
      runs,
    );
  });

  it('every EVPN extended community, at a non-zero offset', () => {
    fc.assert(
      fc.property(arbEvpnCommunity(), fc.nat(16), (c, offset) => {
        const buf = Buffer.alloc(offset + 8);
        encodeExtCommunity(c, buf, offset);
        expect(decodeExtCommunity(buf, offset)).toEqual(c);
      }),
      runs,
    );
  });

  it('nextBoundary finds the end that encodingLength predicts', () => {
    fc.assert(
      fc.property(arbEvpnRoute(), fc.boolean(), (r, addPath) => {
        const buf = encodeAll([r, r], 0, addPath);
        const first = evpnNlri.encodingLength(r, addPath);
        expect(evpnNlri.nextBoundary(buf, 0, buf.length, addPath)).toBe(first);
        expect(evpnNlri.nextBoundary(buf, first, buf.length, addPath)).toBe(buf.length);
      }),
      runs,
    );
  });
});

// ------------------------------------------------------------------ route keys

/** The RFC 7432 7 / RFC 9136 3.1 key fields of a route, as a comparable string. */
function keyFields(r: EvpnRoute): string {
  if (isRawEvpnRoute(r)) return JSON.stringify([r.routeType, r.raw.toString('hex')]);
  switch (r.routeType) {
    case 1:
      return JSON.stringify([1, r.rd, r.esi, r.ethernetTag]);
    case 2:
      return JSON.stringify([2, r.rd, r.ethernetTag, r.mac, r.ip ?? null]);
    case 3:
      return JSON.stringify([3, r.rd, r.ethernetTag, r.originator]);
    case 4:
      return JSON.stringify([4, r.rd, r.esi, r.originator]);
    case 5:
      return JSON.stringify([5, r.rd, r.ethernetTag, r.prefix]);
  }
}

/** Change only fields outside the key: ESI, labels, gateway. */
const arbNonKeyChange = (r: EvpnRoute): fc.Arbitrary<EvpnRoute> => {
  if (isRawEvpnRoute(r)) return fc.constant(r);
  switch (r.routeType) {
    case 1:
      return fc.record({ esi: fc.constant(r.esi), label: arbLabel() }).map((c) => ({ ...r, ...c }));
    case 2:
      return fc
        .record({ esi: arbEsi(), label1: arbLabel(), label2: fc.option(arbLabel(), { nil: undefined }) })
        .map(({ label2, ...c }) => {
          const { label2: _drop, ...rest } = r;
          return (label2 === undefined ? { ...rest, ...c } : { ...rest, ...c, label2 }) as EvpnRoute;
        });
    case 3:
      return fc.constant(r);
    case 4:
      return fc.constant(r);
    case 5: {
      const v6 = r.prefix.includes(':');
      return fc
        .record({ esi: arbEsi(), label: arbLabel(), gateway: arbEvpnIp().filter((g) => g.includes(':') === v6) })
        .map((c) => ({ ...r, ...c }));
    }
  }
};

/** Change one key field. */
const arbKeyChange = (r: EvpnRoute): fc.Arbitrary<EvpnRoute> => {
  if (isRawEvpnRoute(r)) return fc.uint8Array({ maxLength: 32 }).map((a) => ({ ...r, raw: Buffer.from(a) }));
  const common = [arbRd().map((rd) => ({ ...r, rd }) as EvpnRoute)];
  switch (r.routeType) {
    case 1:
      return fc.oneof(...common, arbEsi().map((esi) => ({ ...r, esi })), arbEthernetTag().map((ethernetTag) => ({ ...r, ethernetTag })));
    case 2:
      return fc.oneof(
        ...common,
        arbEthernetTag().map((ethernetTag) => ({ ...r, ethernetTag })),
        arbMac().map((mac) => ({ ...r, mac })),
        fc.option(arbEvpnIp(), { nil: undefined }).map((ip) => {
          const { ip: _drop, ...rest } = r;
          return (ip === undefined ? rest : { ...rest, ip }) as EvpnRoute;
        }),
      );
    case 3:
      return fc.oneof(...common, arbEthernetTag().map((ethernetTag) => ({ ...r, ethernetTag })), arbEvpnIp().map((originator) => ({ ...r, originator })));
    case 4:
      return fc.oneof(...common, arbEsi().map((esi) => ({ ...r, esi })), arbEvpnIp().map((originator) => ({ ...r, originator })));
    case 5:
      return fc.oneof(
        ...common,
        arbEthernetTag().map((ethernetTag) => ({ ...r, ethernetTag })),
        fc.integer({ min: 0, max: r.prefix.includes(':') ? 128 : 32 }).map((l) => ({ ...r, prefix: r.prefix.replace(/\/\d+$/, `/${l}`) })),
      );
  }
};

describe('route keys (RFC 7432 7)', () => {
  it('equal keys exactly when the key fields are equal (pairs differing only in ESI/labels/gateway)', () => {
    fc.assert(
      fc.property(
        arbEvpnRoute().chain((a) => fc.tuple(fc.constant(a), arbNonKeyChange(a))),
        ([a, b]) => {
          expect(keyFields(a)).toBe(keyFields(b));
          expect(evpnRouteKey(a)).toBe(evpnRouteKey(b));
        },
      ),
      runs,
    );
  });

  it('different keys when a key field differs, equal when the change was a no-op', () => {
    fc.assert(
      fc.property(
        arbEvpnRoute().chain((a) => fc.tuple(fc.constant(a), arbKeyChange(a))),
        ([a, b]) => {
          expect(evpnRouteKey(a) === evpnRouteKey(b)).toBe(keyFields(a) === keyFields(b));
        },
      ),
      runs,
    );
  });

  it('equal keys exactly when key fields are equal, for independent routes', () => {
    fc.assert(
      fc.property(arbEvpnRoute(), arbEvpnRoute(), (a, b) => {
        expect(evpnRouteKey(a) === evpnRouteKey(b)).toBe(keyFields(a) === keyFields(b));
      }),
      runs,
    );
  });

  it('a Type-2 key keeps MAC+IP routes apart that share RD and MAC (GoBGP #2804)', () => {
    const base = { routeType: 2 as const, rd: '65000:1', esi: '00:00:00:00:00:00:00:00:00:00', ethernetTag: 0, mac: 'aa:bb:cc:00:00:01', label1: 10 };
    const keys = new Set([evpnRouteKey(base), evpnRouteKey({ ...base, ip: '10.0.0.1' }), evpnRouteKey({ ...base, ip: '10.0.0.2' }), evpnRouteKey({ ...base, ip: '2001:db8::1' })]);
    expect(keys.size).toBe(4);
  });

  it('with ADD-PATH the path id is part of the key', () => {
    const r = { routeType: 3 as const, rd: '65000:1', ethernetTag: 0, originator: '10.0.0.1' };
    const k = (pathId: number): string => {
      const b = encodeAll([{ ...r, pathId }], 0, true);
      return evpnNlri.routeKey(b, 0, b.length, true);
    };
    expect(k(1)).not.toBe(k(2));
    expect(k(7)).toBe(k(7));
  });
});

// ------------------------------------------------------------------ malformed input

/** What RFC 7606 asks for these NLRI bytes: the framing decides session-reset vs treat-as-withdraw. */
function framingOk(buf: Buffer, addPath: boolean): boolean {
  let p = 0;
  while (p < buf.length) {
    const q = addPath ? p + 4 : p;
    if (q + 2 > buf.length) return false;
    p = q + 2 + buf[q + 1]!;
    if (p > buf.length) return false;
  }
  return true;
}

function outcome(buf: Buffer, addPath: boolean): 'ok' | BgpError {
  try {
    evpnNlri.decode(buf, 0, buf.length, addPath);
    return 'ok';
  } catch (e) {
    if (!(e instanceof BgpError)) throw new Error(`non-BgpError escaped: ${String(e)}`);
    return e;
  }
}

describe('malformed NLRI (RFC 7606 5.3)', () => {
  it('near-valid NLRI: treat-as-withdraw when framed, session-reset when not, never anything else', () => {
    fc.assert(
      fc.property(fc.array(arbNearValidEvpnNlri(), { minLength: 1, maxLength: 3 }), (parts) => {
        const buf = Buffer.concat(parts);
        const r = outcome(buf, false);
        if (!framingOk(buf, false)) {
          expect(r).toBeInstanceOf(BgpError);
          expect((r as BgpError).action).toBe('session-reset');
        } else if (r !== 'ok') {
          expect(r.action).toBe('treat-as-withdraw');
          expect([r.code, r.subcode]).toEqual([3, 10]);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('random bytes, with and without ADD-PATH: only BgpError, with the action the framing calls for', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.boolean(), (a, addPath) => {
        const buf = Buffer.from(a);
        const r = outcome(buf, addPath);
        if (!framingOk(buf, addPath)) expect(r === 'ok' ? 'ok' : r.action).toBe('session-reset');
        else if (r !== 'ok') expect(r.action).toBe('treat-as-withdraw');
        // routeKey and nextBoundary never throw anything but BgpError either
        try {
          const end = evpnNlri.nextBoundary(buf, 0, buf.length, addPath);
          evpnNlri.routeKey(buf, 0, end, addPath);
        } catch (e) {
          expect(e).toBeInstanceOf(BgpError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('unknown route types are never an error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constant(0), fc.integer({ min: 6, max: 255 })), fc.uint8Array({ maxLength: 255 }), (type, body) => {
        const buf = Buffer.concat([Buffer.from([type, body.length]), body]);
        const [r] = evpnNlri.decode(buf, 0, buf.length, false);
        expect(r).toEqual({ routeType: type, raw: Buffer.from(body) });
        expect(encodeAll([r!], 0, false).equals(buf)).toBe(true);
      }),
      runs,
    );
  });
});
