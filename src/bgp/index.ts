/**
 * `bgp-evpn/bgp`: the BGP-4 wire codec (messages, path attributes, address families, framer,
 * errors) and the foundation it stands on.
 */
export * from './iana.js';
export * from './errors.js';
export { PeerConfigError } from './config-error.js';
export * from './types.js';
export * from './families.js';
export * from './ext-community-registry.js';
export { Reader } from './reader.js';
export { Writer } from './writer.js';

export {
  decodeMessage,
  encodeMessage,
  encodeMessageInto,
  encodedLength,
  toNotification,
  isFatal,
  holdTimerExpired,
  messageCodecs,
  parseUpdateRaw,
  encodeUpdateRaw,
  updateRoom,
  type UpdateShape,
  type RawUpdate,
  type RawNlriSet,
  type RawUpdateInput,
  type RawNlriMode,
} from './codec.js';
export { Framer, type FramerOptions } from './framer.js';
export { endOfRib, endOfRibMessage, mpReachOf } from './messages/update.js';
export { shutdownNotification } from './messages/notification.js';
export { keepalive } from './messages/keepalive.js';
export { bgpVersion, unsupportedParameterError } from './messages/open.js';
export { checkHeader } from './messages/header.js';
export { ipv4Unicast, parseIpv4Prefix } from './nlri/ipv4.js';
export {
  attributeCodecs,
  attributeCodec,
  attributeTypeCode,
  type AnyAttrCodec,
} from './attributes/path-attributes.js';
export type { AttrCodec, AttrContext } from './attributes/registry.js';
export {
  parseRouteTarget,
  parseRouteOrigin,
  encapsulation,
  formatExtCommunity,
  sameRouteTarget,
  type RouteTarget,
  type RouteOrigin,
  type EncapsulationCommunity,
  type AdministratorFormat,
} from './attributes/extended-communities.js';
export { parseCommunity, formatCommunity } from './attributes/communities.js';
export { isValidNextHop } from './attributes/next-hop.js';
export { mergeAs4Path, asPathCount } from './attributes/as-path.js';
export { toTwoOctetAttributes, reconcileAs4, type ReconciledAttributes } from './attributes/as4.js';
export {
  readIpv4,
  writeIpv4,
  parseIpv4,
  isIpv4,
  readIpv6,
  writeIpv6,
  isIpv6,
  addressBytes,
  addressLength,
  readAddress,
  writeAddress,
} from '../net/ip.js';
export { AddressError, ipToKey, ipKeyToText, addressOrderKey, type IpKey } from '../net/address-key.js';

// session layer and FSM (issue 4)
export * from './session/index.js';
export * from './fsm/index.js';

// the speaker (issue 6): many peers, RIBs, route reflection
export {
  BgpSpeaker,
  resolveFamily,
  type SpeakerOptions,
  type SpeakerEvents,
  type PeerInfo,
  type FamilyInput,
  type PeerConfig,
  type PeerCounters,
  type ExportSkipReason,
  type RibRoute,
  type RouteInput,
  type PeerGroupConfig,
  type GroupPeerConfig,
  type DynamicNeighborConfig,
  type DynamicNeighborState,
  type PeerStatus,
  type PeerFamilyRoutes,
  type PeerError,
  type PeerUpdate,
} from './speaker.js';
export { parsePrefix } from './peer-groups.js';
export type { RouteFilter, PeerLimits } from './rib/peer-config.js';
export { compareRoutes, bestPath, type DecisionOptions } from './rib/decision.js';
export type { PathPreference } from './families.js';
