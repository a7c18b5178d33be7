/**
 * BGP code points, each beside the RFC that assigns it.
 * Every number the codec puts on the wire comes from here.
 */

/** RFC 4271 4.1: message header. */
export const Header = {
  markerLength: 16,
  length: 19,
  /** RFC 4271 4.1 */
  maxLength: 4096,
  /** RFC 8654 */
  maxExtendedLength: 65535,
} as const;

/** RFC 4271 4.1, RFC 2918 (ROUTE-REFRESH). */
export const MessageType = {
  open: 1,
  update: 2,
  notification: 3,
  keepalive: 4,
  routeRefresh: 5,
} as const;

/** RFC 5492 / IANA "Capability Codes". */
export const CapabilityCode = {
  /** RFC 4760 */
  multiprotocol: 1,
  /** RFC 2918 */
  routeRefresh: 2,
  /** RFC 8654 */
  extendedMessage: 6,
  /** RFC 4724 */
  gracefulRestart: 64,
  /** RFC 6793 */
  fourOctetAs: 65,
  /** RFC 7911 */
  addPath: 69,
  /** RFC 7313 */
  enhancedRouteRefresh: 70,
  /** draft-walton-bgp-hostname-capability */
  fqdn: 73,
  /** pre-standard Cisco route refresh, still sent by some peers */
  routeRefreshCisco: 128,
} as const;

/** RFC 5492 4: OPEN optional parameter type carrying capabilities. */
export const OptionalParameter = { capabilities: 2, extendedLength: 255 } as const;

/** IANA "Address Family Numbers". */
export const Afi = { ipv4: 1, ipv6: 2, l2vpn: 25 } as const;

/** IANA "SAFI Values". */
export const Safi = { unicast: 1, multicast: 2, mplsLabel: 4, mplsVpn: 128, evpn: 70 } as const;

/** RFC 4271 4.3, RFC 4456, RFC 4760, RFC 4360, RFC 6793, RFC 6514, RFC 8092: path attribute type codes. */
export const AttrType = {
  origin: 1,
  asPath: 2,
  nextHop: 3,
  med: 4,
  localPref: 5,
  atomicAggregate: 6,
  aggregator: 7,
  /** RFC 1997 */
  communities: 8,
  /** RFC 4456 */
  originatorId: 9,
  /** RFC 4456 */
  clusterList: 10,
  /** RFC 4760 */
  mpReach: 14,
  /** RFC 4760 */
  mpUnreach: 15,
  /** RFC 4360 */
  extendedCommunities: 16,
  /** RFC 6793 */
  as4Path: 17,
  /** RFC 6793 */
  as4Aggregator: 18,
  /** RFC 6514 */
  pmsiTunnel: 22,
  /** RFC 8092 */
  largeCommunities: 32,
} as const;

/** RFC 4271 4.3: attribute flag bits. */
export const AttrFlag = {
  optional: 0x80,
  transitive: 0x40,
  partial: 0x20,
  extendedLength: 0x10,
} as const;

/** RFC 4271 4.3: ORIGIN values. */
export const Origin = { igp: 0, egp: 1, incomplete: 2 } as const;

/** RFC 4271 4.3, RFC 5065: AS_PATH segment types. */
export const AsPathSegmentType = {
  set: 1,
  sequence: 2,
  /** RFC 5065 */
  confedSequence: 3,
  /** RFC 5065 */
  confedSet: 4,
} as const;

/** RFC 6793 4.2.2: AS_TRANS stands in for a 4-octet AS in 2-octet fields. */
export const AS_TRANS = 23456;

/** RFC 4271 4.5 and 6, RFC 4486, RFC 6608, RFC 7313: NOTIFICATION error codes. */
export const ErrorCode = {
  messageHeader: 1,
  openMessage: 2,
  updateMessage: 3,
  holdTimerExpired: 4,
  /** RFC 6608 */
  fsm: 5,
  cease: 6,
  /** RFC 7313 */
  routeRefresh: 7,
} as const;

/** RFC 4271 6.1 */
export const HeaderSubcode = {
  unspecific: 0,
  connectionNotSynchronized: 1,
  badMessageLength: 2,
  badMessageType: 3,
} as const;

/** RFC 4271 6.2, RFC 5492, RFC 9234 */
export const OpenSubcode = {
  unspecific: 0,
  unsupportedVersion: 1,
  badPeerAs: 2,
  badBgpIdentifier: 3,
  unsupportedOptionalParameter: 4,
  /** 5 is deprecated (authentication failure) */
  unacceptableHoldTime: 6,
  /** RFC 5492 */
  unsupportedCapability: 7,
  /** RFC 9234 */
  roleMismatch: 11,
} as const;

/** RFC 4271 6.3 */
export const UpdateSubcode = {
  unspecific: 0,
  malformedAttributeList: 1,
  unrecognizedWellKnownAttribute: 2,
  missingWellKnownAttribute: 3,
  attributeFlagsError: 4,
  attributeLengthError: 5,
  invalidOriginAttribute: 6,
  /** 7 is deprecated (AS routing loop) */
  invalidNextHopAttribute: 8,
  optionalAttributeError: 9,
  invalidNetworkField: 10,
  malformedAsPath: 11,
} as const;

/** RFC 6608 */
export const FsmSubcode = {
  unspecific: 0,
  unexpectedInOpenSent: 1,
  unexpectedInOpenConfirm: 2,
  unexpectedInEstablished: 3,
} as const;

/** RFC 4486, RFC 8203 */
export const CeaseSubcode = {
  maxPrefixes: 1,
  administrativeShutdown: 2,
  peerDeconfigured: 3,
  administrativeReset: 4,
  connectionRejected: 5,
  otherConfigurationChange: 6,
  connectionCollisionResolution: 7,
  outOfResources: 8,
  /** RFC 8538 */
  hardReset: 9,
  /** RFC 9384 */
  bfdDown: 10,
} as const;

/** RFC 7313 5 */
export const RouteRefreshSubcode = { invalidMessageLength: 1 } as const;

/** RFC 7313 3: ROUTE-REFRESH message subtypes (the former reserved byte). */
export const RouteRefreshSubtype = { normal: 0, borr: 1, eorr: 2 } as const;

/** Highest defined subcode per error code, for validating a NOTIFICATION we build. */
export const maxSubcode: Readonly<Record<number, number>> = {
  [ErrorCode.messageHeader]: 3,
  [ErrorCode.openMessage]: 11,
  [ErrorCode.updateMessage]: 11,
  [ErrorCode.holdTimerExpired]: 0,
  [ErrorCode.fsm]: 3,
  [ErrorCode.cease]: 10,
  [ErrorCode.routeRefresh]: 1,
};

/** RFC 4360, RFC 5512/9012, RFC 7153: extended community type (high) octets used by the codec. */
export const ExtCommunityType = {
  twoOctetAs: 0x00,
  ipv4: 0x01,
  fourOctetAs: 0x02,
  opaque: 0x03,
  /** RFC 7432 */
  evpn: 0x06,
  nonTransitiveBit: 0x40,
} as const;

/** RFC 4360 / RFC 7153 sub-types used by the codec. */
export const ExtCommunitySubtype = {
  routeTarget: 0x02,
  routeOrigin: 0x03,
  /** RFC 9012 (opaque type 0x03) */
  encapsulation: 0x0c,
  /** RFC 7432 (opaque type 0x03) */
  defaultGateway: 0x0d,
} as const;

/** RFC 6514 5: PMSI tunnel types. */
export const PmsiTunnelType = {
  noTunnel: 0,
  rsvpTeP2mp: 1,
  mldpP2mp: 2,
  pimSsm: 3,
  pimSm: 4,
  bidirPim: 5,
  ingressReplication: 6,
  mldpMp2mp: 7,
} as const;

/** RFC 9012 / IANA "BGP Tunnel Encapsulation Attribute Tunnel Types". */
export const TunnelEncapsulation = {
  l2tpv3: 1,
  gre: 2,
  ipInIp: 7,
  /** RFC 8365 */
  vxlan: 8,
  nvgre: 9,
  mpls: 10,
  mplsInGre: 11,
  vxlanGpe: 12,
  mplsInUdp: 13,
  geneve: 19,
} as const;
