/**
 * fast-check arbitraries for the BGP-4 codec: valid values that round-trip (every message,
 * capability and path attribute). Near-valid bytes made from them: bgp-mutations.ts.
 *
 * Valid values are generated in the form the decoder returns (canonical address text,
 * host bits of prefixes cleared, shutdown communications with their data), so
 * `decode(encode(v))` deep-equals `v`.
 */
import fc from 'fast-check';
import { readIpv6 } from '../net/ip.js';
import { encodeMessage } from '../bgp/codec.js';
import { AttrType } from '../bgp/iana.js';
import type {
  AsPathSegment,
  BgpMessage,
  Capability,
  CodecOptions,
  ExtendedCommunity,
  KeepaliveMessage,
  NlriBase,
  NotificationMessage,
  OpenMessage,
  PathAttribute,
  Prefix,
  RawNlri,
  RouteRefreshMessage,
  UpdateMessage,
} from '../bgp/types.js';

// ---------------------------------------------------------------- addresses and prefixes

/** Any IPv4 address as a dotted quad. */
export function arbIpv4(): fc.Arbitrary<string> {
  return fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join('.'));
}

/** A unicast IPv4 address usable as a next hop or router id (first octet 1..223). */
export function arbUnicastIpv4(): fc.Arbitrary<string> {
  return fc.tuple(fc.integer({ min: 1, max: 223 }), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join('.'));
}

/** Any IPv6 address in RFC 5952 canonical text. */
export function arbIpv6(): fc.Arbitrary<string> {
  return fc
    .array(fc.oneof(fc.constant(0), fc.nat(0xffff)), { minLength: 8, maxLength: 8 })
    .map((g) => {
      const b = Buffer.alloc(16);
      g.forEach((v, i) => b.writeUInt16BE(v, 2 * i));
      return readIpv6(b, 0);
    });
}

/** An IPv4 prefix `a.b.c.d/len` with the host bits cleared. */
export function arbIpv4Prefix(): fc.Arbitrary<string> {
  return fc.tuple(fc.nat(0xffffffff), fc.integer({ min: 0, max: 32 })).map(([a, len]) => {
    const masked = len === 0 ? 0 : (a & (0xffffffff << (32 - len))) >>> 0;
    return `${masked >>> 24}.${(masked >>> 16) & 255}.${(masked >>> 8) & 255}.${masked & 255}/${len}`;
  });
}

/** A Prefix NLRI, with a path identifier when `addPath`. */
export function arbPrefix(options: { readonly addPath?: boolean } = {}): fc.Arbitrary<Prefix> {
  const addPath = options.addPath ?? false;
  return addPath
    ? fc.record({ pathId: fc.nat(0xffffffff), prefix: arbIpv4Prefix() })
    : arbIpv4Prefix().map((prefix) => ({ prefix }));
}

// ---------------------------------------------------------------- capabilities

const arbFamily = fc.record({ afi: fc.nat(0xffff), safi: fc.nat(255) });

/** Every capability the codec knows, plus unknown ones kept raw. */
export function arbCapability(): fc.Arbitrary<Capability> {
  return fc.oneof(
    arbFamily.map((f): Capability => ({ type: 'multiprotocol', ...f })),
    fc.constantFrom<Capability>({ type: 'route-refresh' }, { type: 'route-refresh-cisco' }, { type: 'enhanced-route-refresh' }, { type: 'extended-message' }),
    fc.nat(0xffffffff).map((asn): Capability => ({ type: 'four-octet-as', asn })),
    fc.record({
      type: fc.constant('graceful-restart' as const),
      restarting: fc.boolean(),
      notification: fc.boolean(),
      restartTime: fc.nat(0xfff),
      families: fc.array(fc.record({ afi: fc.nat(0xffff), safi: fc.nat(255), forwardingPreserved: fc.boolean() }), { maxLength: 4 }),
    }),
    fc.record({
      type: fc.constant('add-path' as const),
      families: fc.array(fc.record({ afi: fc.nat(0xffff), safi: fc.nat(255), mode: fc.constantFrom('receive' as const, 'send' as const, 'both' as const) }), {
        minLength: 1,
        maxLength: 4,
      }),
    }),
    fc.record({ type: fc.constant('fqdn' as const), hostname: fc.string({ maxLength: 30 }), domain: fc.string({ maxLength: 30 }) }),
    fc.record({
      type: fc.constant('unknown' as const),
      code: fc.constantFrom(3, 5, 66, 71, 72, 74, 129, 200, 255),
      value: fc.uint8Array({ maxLength: 16 }).map((u) => Buffer.from(u)),
    }),
  );
}

/** A valid OPEN (version 4, acceptable hold time, non-zero router id). */
export function arbOpen(): fc.Arbitrary<OpenMessage> {
  return fc
    .record({
      myAs: fc.nat(0xffff),
      holdTime: fc.oneof(fc.constant(0), fc.integer({ min: 3, max: 0xffff })),
      routerId: arbUnicastIpv4(),
      capabilities: fc.array(arbCapability(), { maxLength: 12 }),
      otherParameters: fc.option(
        fc.array(fc.record({ type: fc.integer({ min: 3, max: 254 }), value: fc.uint8Array({ maxLength: 12 }).map((u) => Buffer.from(u)) }), {
          minLength: 1,
          maxLength: 2,
        }),
        { nil: undefined },
      ),
    })
    .map(({ otherParameters, ...r }): OpenMessage => {
      const m: OpenMessage = { type: 'open', version: 4, ...r };
      return otherParameters === undefined ? m : { ...m, otherParameters };
    });
}

// ---------------------------------------------------------------- attributes

/** AS_PATH segments (1..8 AS numbers each; `wide` (default true) = 4-octet AS numbers; `confed` (default true) = confederation segments too). */
export function arbAsPathSegments(options: { readonly wide?: boolean; readonly confed?: boolean } = {}): fc.Arbitrary<AsPathSegment[]> {
  const { wide = true, confed = true } = options;
  const kinds = confed ? (['set', 'sequence', 'confed-sequence', 'confed-set'] as const) : (['set', 'sequence'] as const);
  return fc.array(
    fc.record({ type: fc.constantFrom(...kinds), asns: fc.array(fc.nat(wide ? 0xffffffff : 0xffff), { minLength: 1, maxLength: 8 }) }),
    { maxLength: 4 },
  );
}

function ec<T extends ExtendedCommunity>(v: T): ExtendedCommunity {
  return v;
}

/** An extended community: route target / origin (all three formats), encapsulation, or raw. */
export function arbExtendedCommunity(): fc.Arbitrary<ExtendedCommunity> {
  const kind = fc.constantFrom('route-target' as const, 'route-origin' as const);
  return fc.oneof(
    fc.tuple(kind, fc.nat(0xffff), fc.nat(0xffffffff)).map(([k, a, l]) => ec({ kind: k, global: String(a), local: l, format: 'as2' })),
    fc.tuple(kind, arbIpv4(), fc.nat(0xffff)).map(([k, a, l]) => ec({ kind: k, global: a, local: l, format: 'ipv4' })),
    fc.tuple(kind, fc.nat(0xffffffff), fc.nat(0xffff)).map(([k, a, l]) => ec({ kind: k, global: String(a), local: l, format: 'as4' })),
    fc.nat(0xffff).map((t) => ec({ kind: 'encapsulation', tunnelType: t })),
    fc
      .tuple(fc.nat(255), fc.uint8Array({ minLength: 6, maxLength: 6 }))
      .map(([s, v]) => ec({ kind: 'raw', typeHigh: 0x8f, subtype: s, value: Buffer.from(v).toString('hex') })),
  );
}

const arbBytes = (max: number) => fc.uint8Array({ maxLength: max }).map((u) => Buffer.from(u));

/** Type codes no codec knows (and not MP_REACH/MP_UNREACH). */
const unknownCodes = [11, 12, 13, 19, 20, 21, 23, 25, 26, 28, 29, 35, 40, 99, 128, 200, 255];

/**
 * Every path attribute except MP_REACH/MP_UNREACH (see `arbMpReach`), each with valid values.
 * `wide` = 4-octet AS numbers negotiated.
 */
export function arbPathAttribute(options: { readonly wide?: boolean } = {}): fc.Arbitrary<PathAttribute> {
  const wide = options.wide ?? true;
  const u32 = fc.nat(0xffffffff);
  return fc.oneof(
    fc.constantFrom('igp' as const, 'egp' as const, 'incomplete' as const).map((value): PathAttribute => ({ type: 'origin', value })),
    arbAsPathSegments({ wide }).map((segments): PathAttribute => ({ type: 'as-path', segments })),
    arbUnicastIpv4().map((value): PathAttribute => ({ type: 'next-hop', value })),
    u32.map((value): PathAttribute => ({ type: 'med', value })),
    u32.map((value): PathAttribute => ({ type: 'local-pref', value })),
    fc.constant<PathAttribute>({ type: 'atomic-aggregate' }),
    fc.record({ asn: fc.nat(wide ? 0xffffffff : 0xffff), address: arbIpv4() }).map((r): PathAttribute => ({ type: 'aggregator', ...r })),
    fc.array(u32, { minLength: 1, maxLength: 8 }).map((values): PathAttribute => ({ type: 'communities', values })),
    arbIpv4().map((value): PathAttribute => ({ type: 'originator-id', value })),
    fc.array(arbIpv4(), { minLength: 1, maxLength: 4 }).map((values): PathAttribute => ({ type: 'cluster-list', values })),
    fc.array(arbExtendedCommunity(), { minLength: 1, maxLength: 6 }).map((values): PathAttribute => ({ type: 'extended-communities', values })),
    // RFC 6793 6: an AS4_PATH carries at least one AS
    arbAsPathSegments({ wide: true, confed: false }).filter((s) => s.length > 0).map((segments): PathAttribute => ({ type: 'as4-path', segments })),
    fc.record({ asn: u32, address: arbIpv4() }).map((r): PathAttribute => ({ type: 'as4-aggregator', ...r })),
    fc
      .record({
        tunnelFlags: fc.nat(255),
        label: fc.nat(0xffffff),
        id: fc.oneof(
          fc.record({ tunnelType: fc.constant(6), tunnelId: fc.oneof(arbIpv4(), arbIpv6()) as fc.Arbitrary<string | Buffer> }),
          fc.record({ tunnelType: fc.integer({ min: 0, max: 5 }), tunnelId: arbBytes(12) as fc.Arbitrary<string | Buffer> }),
        ),
      })
      .map(({ id, ...r }): PathAttribute => ({ type: 'pmsi-tunnel', ...r, ...id })),
    fc
      .array(fc.record({ global: u32, local1: u32, local2: u32 }), { minLength: 1, maxLength: 3 })
      .map((values): PathAttribute => ({ type: 'large-communities', values })),
    fc
      .record({ typeCode: fc.constantFrom(...unknownCodes), flags: fc.constantFrom(0x80, 0xe0), value: arbBytes(24) })
      .map((r): PathAttribute => ({ type: 'unknown', ...r })),
  );
}

function nlri<T extends NlriBase>(v: T): NlriBase {
  return v;
}

/** An MP_REACH_NLRI: IPv4 unicast prefixes, or a raw blob of a family with no codec (AFI 3). */
export function arbMpReach(options: { readonly addPath?: boolean } = {}): fc.Arbitrary<PathAttribute> {
  const addPath = options.addPath ?? false;
  return fc.oneof(
    fc.record({
      nextHops: fc.oneof(arbUnicastIpv4().map((a) => [a]), arbIpv6().map((a) => [a]), fc.tuple(arbIpv6(), arbIpv6()).map((t) => [...t])),
      nlri: fc.array(arbPrefix({ addPath }).map(nlri), { maxLength: 20 }),
    }).map((r): PathAttribute => ({ type: 'mp-reach', afi: 1, safi: 1, ...r })),
    fc.record({
      nextHops: fc.oneof(arbIpv4().map((a) => [a]), arbIpv6().map((a) => [a])),
      nlri: fc.option(arbBytes(40).filter((b) => b.length > 0), { nil: undefined }).map((b) => (b === undefined ? [] : [nlri<RawNlri>({ raw: b })])),
    }).map((r): PathAttribute => ({ type: 'mp-reach', afi: 3, safi: 1, ...r })),
  );
}

/** An MP_UNREACH_NLRI (IPv4 unicast prefixes, or raw for AFI 3). */
export function arbMpUnreach(options: { readonly addPath?: boolean } = {}): fc.Arbitrary<PathAttribute> {
  const addPath = options.addPath ?? false;
  return fc.oneof(
    fc.array(arbPrefix({ addPath }).map(nlri), { maxLength: 20 }).map((withdrawn): PathAttribute => ({ type: 'mp-unreach', afi: 1, safi: 1, withdrawn })),
    arbBytes(20).map((b): PathAttribute => ({ type: 'mp-unreach', afi: 3, safi: 1, withdrawn: b.length === 0 ? [] : [nlri<RawNlri>({ raw: b })] })),
  );
}

// ---------------------------------------------------------------- messages

function typeKey(a: PathAttribute): string {
  return a.type === 'unknown' ? `u${a.typeCode}` : a.type;
}

/**
 * A valid UPDATE under `options` (ADD-PATH for IPv4 unicast, 4-octet AS): withdrawn routes,
 * distinct attributes (ORIGIN, AS_PATH and NEXT_HOP always present, so no RFC 7606 error
 * arises), optional MP attributes, NLRI. Small enough for 4096 bytes.
 */
export function arbUpdate(options: CodecOptions = {}): fc.Arbitrary<UpdateMessage> {
  const addPath = options.addPath?.has(256 + 1) ?? false;
  const wide = options.fourOctetAs ?? true;
  return fc
    .record({
      withdrawn: fc.array(arbPrefix({ addPath }), { maxLength: 20 }),
      mandatory: fc.tuple(
        fc.constantFrom('igp' as const, 'egp' as const, 'incomplete' as const),
        arbAsPathSegments({ wide }),
        arbUnicastIpv4(),
      ),
      others: fc.uniqueArray(arbPathAttribute({ wide }), { selector: typeKey, maxLength: 8 }),
      reach: fc.option(arbMpReach({ addPath }), { nil: undefined }),
      unreach: fc.option(arbMpUnreach({ addPath }), { nil: undefined }),
      nlri: fc.array(arbPrefix({ addPath }), { maxLength: 30 }),
    })
    .map(({ withdrawn, mandatory: [o, segments, nh], others, reach, unreach, nlri }): UpdateMessage => {
      const attributes: PathAttribute[] = [];
      if (unreach) attributes.push(unreach);
      if (reach) attributes.push(reach);
      attributes.push({ type: 'origin', value: o }, { type: 'as-path', segments }, { type: 'next-hop', value: nh });
      for (const a of others) if (a.type !== 'origin' && a.type !== 'as-path' && a.type !== 'next-hop') attributes.push(a);
      return { type: 'update', withdrawn, attributes, nlri };
    });
}

/** A NOTIFICATION; Cease 2/4 carry an RFC 9003 shutdown communication (as decoded). */
export function arbNotification(): fc.Arbitrary<NotificationMessage> {
  return fc.oneof(
    fc
      .record({ code: fc.integer({ min: 1, max: 7 }), subcode: fc.nat(12), data: arbBytes(32) })
      .filter((r) => !(r.code === 6 && (r.subcode === 2 || r.subcode === 4)))
      .map((r): NotificationMessage => ({ type: 'notification', ...r })),
    fc.record({ subcode: fc.constantFrom(2, 4), text: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).filter((t) => Buffer.byteLength(t) <= 255) }).map(({ subcode, text }): NotificationMessage => {
      const utf8 = Buffer.from(text, 'utf8');
      return { type: 'notification', code: 6, subcode, data: Buffer.concat([Buffer.from([utf8.length]), utf8]), shutdownMessage: text };
    }),
  );
}

/** A KEEPALIVE. */
export function arbKeepalive(): fc.Arbitrary<KeepaliveMessage> {
  return fc.constant({ type: 'keepalive' });
}

/** A ROUTE-REFRESH of any subtype (names for 0..2, numbers above). */
export function arbRouteRefresh(): fc.Arbitrary<RouteRefreshMessage> {
  return fc.record({
    type: fc.constant('route-refresh' as const),
    afi: fc.nat(0xffff),
    safi: fc.nat(255),
    subtype: fc.oneof(fc.constantFrom('normal' as const, 'borr' as const, 'eorr' as const), fc.integer({ min: 3, max: 255 })),
  });
}

/** Any valid message under `options`. */
export function arbMessage(options: CodecOptions = {}): fc.Arbitrary<BgpMessage> {
  return fc.oneof(
    { arbitrary: arbUpdate(options) as fc.Arbitrary<BgpMessage>, weight: 4 },
    { arbitrary: arbOpen() as fc.Arbitrary<BgpMessage>, weight: 2 },
    { arbitrary: arbNotification() as fc.Arbitrary<BgpMessage>, weight: 1 },
    { arbitrary: arbKeepalive() as fc.Arbitrary<BgpMessage>, weight: 1 },
    { arbitrary: arbRouteRefresh() as fc.Arbitrary<BgpMessage>, weight: 1 },
  );
}

/** Attribute type codes, for tests that build attributes by hand. */
export const attributeTypeCodes = AttrType;
