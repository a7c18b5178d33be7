/**
 * Wire types: readonly, discriminated, method-free, and printable with JSON.stringify
 * (addresses as text; opaque bytes as Buffer views).
 */
import type { BgpError } from './errors.js';

/** An address family: AFI/SAFI pair (RFC 4760). */
export interface Family {
  readonly afi: number;
  readonly safi: number;
}

/** What a session negotiated; decoding and encoding follow it. */
export interface CodecOptions {
  /** RFC 6793: AS numbers in AS_PATH/AGGREGATOR are 4 octets. Default true. */
  readonly fourOctetAs?: boolean;
  /** RFC 8654: messages up to 65535 bytes. Default false (4096). */
  readonly extendedMessage?: boolean;
  /**
   * RFC 7911: families whose NLRI carry a 4-byte path identifier in this direction,
   * as `familyKey(afi, safi)` numbers (see families.ts).
   */
  readonly addPath?: ReadonlySet<number>;
  /**
   * Receive side: the byte budget of `parseUpdateRaw`'s cache of decoded attribute sets for
   * these options (one session's), estimated as in `bgp/messages/attr-cache.ts`. Default 16 MiB.
   */
  readonly attributeCacheBytes?: number;
}

// ---------------------------------------------------------------- capabilities (RFC 5492)

export type AddPathMode = 'receive' | 'send' | 'both';

export type Capability =
  | { readonly type: 'multiprotocol'; readonly afi: number; readonly safi: number }
  | { readonly type: 'route-refresh' }
  /** Code 128, the pre-standard route refresh some peers still send. */
  | { readonly type: 'route-refresh-cisco' }
  | { readonly type: 'enhanced-route-refresh' }
  | { readonly type: 'extended-message' }
  | { readonly type: 'four-octet-as'; readonly asn: number }
  | {
      readonly type: 'graceful-restart';
      /** R bit */
      readonly restarting: boolean;
      /** N bit (RFC 8538) */
      readonly notification: boolean;
      /** seconds, 12 bits */
      readonly restartTime: number;
      readonly families: readonly { readonly afi: number; readonly safi: number; readonly forwardingPreserved: boolean }[];
    }
  | {
      readonly type: 'add-path';
      readonly families: readonly { readonly afi: number; readonly safi: number; readonly mode: AddPathMode }[];
    }
  | { readonly type: 'fqdn'; readonly hostname: string; readonly domain: string }
  /** Anything else, kept raw (RFC 5492: unknown capabilities are ignored, not refused). */
  | { readonly type: 'unknown'; readonly code: number; readonly value: Buffer };

// ---------------------------------------------------------------- messages

export interface OpenMessage {
  readonly type: 'open';
  /** Always 4. */
  readonly version: number;
  /** The 2-byte My Autonomous System field (AS_TRANS 23456 when the real AS needs 4 bytes). */
  readonly myAs: number;
  readonly holdTime: number;
  /** BGP Identifier, dotted quad. */
  readonly routerId: string;
  readonly capabilities: readonly Capability[];
  /**
   * How the capabilities were laid out in optional parameters, when not in one parameter:
   * `'per-capability'` = one Capabilities parameter per capability (FRR does this; RFC 5492 allows
   * both). The encoder follows it, so a decoded OPEN re-encodes byte for byte.
   */
  readonly parameterLayout?: 'per-capability';
  /** Optional parameters other than capabilities (type, value), kept raw. */
  readonly otherParameters?: readonly { readonly type: number; readonly value: Buffer }[];
}

export interface KeepaliveMessage {
  readonly type: 'keepalive';
}

export interface NotificationMessage {
  readonly type: 'notification';
  readonly code: number;
  readonly subcode: number;
  readonly data: Buffer;
  /** RFC 8203/9003 shutdown communication of Cease 2 / 4, when present and valid UTF-8. */
  readonly shutdownMessage?: string;
}

export interface RouteRefreshMessage {
  readonly type: 'route-refresh';
  readonly afi: number;
  readonly safi: number;
  /** RFC 7313: normal (0), begin-of-route-refresh (1), end-of-route-refresh (2). */
  readonly subtype: 'normal' | 'borr' | 'eorr' | number;
}

/** An IPv4 (or IPv6) prefix, as in withdrawn routes / NLRI and the unicast families. */
export interface Prefix {
  /** RFC 7911 path identifier, present only when ADD-PATH applies. */
  readonly pathId?: number;
  /** `10.0.0.0/8` */
  readonly prefix: string;
}

/**
 * Every NLRI value a family codec returns extends this. Families add their own fields
 * (EVPN adds `routeType` and more); bgp itself knows only `Prefix`.
 */
export interface NlriBase {
  readonly pathId?: number;
}

/** An NLRI of a family with no registered codec: kept raw (one blob per MP attribute). */
export interface RawNlri extends NlriBase {
  readonly raw: Buffer;
}

export interface UpdateMessage {
  readonly type: 'update';
  /** IPv4 unicast withdrawn routes (RFC 4271 4.3). */
  readonly withdrawn: readonly Prefix[];
  readonly attributes: readonly PathAttribute[];
  /** IPv4 unicast NLRI (RFC 4271 4.3). */
  readonly nlri: readonly Prefix[];
  /**
   * Set when decoding met a malformation that RFC 7606 lets the session survive
   * (attribute-discard, treat-as-withdraw or afi-safi-disable): the strongest such error.
   * Session-reset errors are thrown instead.
   */
  readonly error?: BgpError;
}

export type BgpMessage = OpenMessage | UpdateMessage | NotificationMessage | KeepaliveMessage | RouteRefreshMessage;

// ---------------------------------------------------------------- path attributes

interface AttrBase {
  /**
   * Flags as received, present only when they carry information: the Partial bit (RFC 4271 5:
   * kept once set) or an Extended Length bit the length did not need. On encode, the canonical
   * flags of the attribute are used plus these two bits when set here.
   */
  readonly flags?: number;
}

export type AsPathSegmentKind = 'set' | 'sequence' | 'confed-sequence' | 'confed-set';

export interface AsPathSegment {
  readonly type: AsPathSegmentKind;
  readonly asns: readonly number[];
}

export interface OriginAttribute extends AttrBase {
  readonly type: 'origin';
  readonly value: 'igp' | 'egp' | 'incomplete';
}
export interface AsPathAttribute extends AttrBase {
  readonly type: 'as-path';
  readonly segments: readonly AsPathSegment[];
}
export interface NextHopAttribute extends AttrBase {
  readonly type: 'next-hop';
  readonly value: string;
}
export interface MedAttribute extends AttrBase {
  readonly type: 'med';
  readonly value: number;
}
export interface LocalPrefAttribute extends AttrBase {
  readonly type: 'local-pref';
  readonly value: number;
}
export interface AtomicAggregateAttribute extends AttrBase {
  readonly type: 'atomic-aggregate';
}
export interface AggregatorAttribute extends AttrBase {
  readonly type: 'aggregator';
  readonly asn: number;
  readonly address: string;
}
export interface CommunitiesAttribute extends AttrBase {
  readonly type: 'communities';
  /** 32-bit values; `(asn << 16) | value`. */
  readonly values: readonly number[];
}
export interface OriginatorIdAttribute extends AttrBase {
  readonly type: 'originator-id';
  readonly value: string;
}
export interface ClusterListAttribute extends AttrBase {
  readonly type: 'cluster-list';
  readonly values: readonly string[];
}
export interface MpReachAttribute extends AttrBase {
  readonly type: 'mp-reach';
  readonly afi: number;
  readonly safi: number;
  /** One address, or two for IPv6 global + link-local (RFC 2545). Text form. */
  readonly nextHops: readonly string[];
  /**
   * The next hop bytes when their length has no text form (neither 0, 4, 16 nor 32, plus the
   * zero RD of VPN families); `nextHops` is then empty. Encode prefers it when set.
   */
  readonly nextHopBytes?: Buffer;
  readonly nlri: readonly NlriBase[];
}
export interface MpUnreachAttribute extends AttrBase {
  readonly type: 'mp-unreach';
  readonly afi: number;
  readonly safi: number;
  readonly withdrawn: readonly NlriBase[];
}
export interface ExtendedCommunitiesAttribute extends AttrBase {
  readonly type: 'extended-communities';
  readonly values: readonly ExtendedCommunity[];
}
export interface As4PathAttribute extends AttrBase {
  readonly type: 'as4-path';
  readonly segments: readonly AsPathSegment[];
}
export interface As4AggregatorAttribute extends AttrBase {
  readonly type: 'as4-aggregator';
  readonly asn: number;
  readonly address: string;
}
export interface PmsiTunnelAttribute extends AttrBase {
  readonly type: 'pmsi-tunnel';
  /** Bit 0x01 = Leaf Information Required. */
  readonly tunnelFlags: number;
  /** RFC 6514 5 (6 = ingress replication). */
  readonly tunnelType: number;
  /** The raw 3-byte label field (a VNI under VXLAN, RFC 8365 5.1.3; else label<<4|bos). */
  readonly label: number;
  /** Tunnel identifier: an address as text for ingress replication with 4/16 bytes, else raw. */
  readonly tunnelId: string | Buffer;
}
export interface LargeCommunity {
  readonly global: number;
  readonly local1: number;
  readonly local2: number;
}
export interface LargeCommunitiesAttribute extends AttrBase {
  readonly type: 'large-communities';
  readonly values: readonly LargeCommunity[];
}
/** An attribute without a codec, kept raw and passed on (with Partial set if optional transitive). */
export interface UnknownAttribute extends AttrBase {
  readonly type: 'unknown';
  readonly typeCode: number;
  readonly flags: number;
  readonly value: Buffer;
}

export type PathAttribute =
  | OriginAttribute
  | AsPathAttribute
  | NextHopAttribute
  | MedAttribute
  | LocalPrefAttribute
  | AtomicAggregateAttribute
  | AggregatorAttribute
  | CommunitiesAttribute
  | OriginatorIdAttribute
  | ClusterListAttribute
  | MpReachAttribute
  | MpUnreachAttribute
  | ExtendedCommunitiesAttribute
  | As4PathAttribute
  | As4AggregatorAttribute
  | PmsiTunnelAttribute
  | LargeCommunitiesAttribute
  | UnknownAttribute;

// ---------------------------------------------------------------- extended communities (RFC 4360)

/**
 * A decoded extended community. `kind` names the codec that produced it; codecs register in
 * `extended-communities.ts` by (type, subtype). Unknown ones are `{ kind: 'raw' }`.
 */
export interface ExtendedCommunityBase {
  readonly kind: string;
}

export interface RawExtendedCommunity extends ExtendedCommunityBase {
  readonly kind: 'raw';
  /** High-order type octet. */
  readonly typeHigh: number;
  /** Sub-type octet (meaningful for extended types). */
  readonly subtype: number;
  /** The 6 value bytes as hex. */
  readonly value: string;
}

export type ExtendedCommunity = ExtendedCommunityBase;
