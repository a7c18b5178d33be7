/**
 * `bgp-evpn/evpn`: EVPN routes (RFC 7432, RFC 8365, RFC 9136), their route keys, extended
 * communities and builders.
 *
 * Loading this module registers the EVPN family (AFI 25 / SAFI 70) and the EVPN extended
 * communities with the BGP codec (nlri.ts and communities.ts do it when they load). Bundlers
 * that honour `"sideEffects": false` may drop a bare `import 'bgp-evpn/evpn'`; call
 * `registerEvpn()` there.
 */
export * from './types.js';
export * from './iana.js';
export * from './errors.js';
export { rdText, writeRd, tryWriteRd, isRd, normalizeRd, rdBytes } from './rd.js';
export { esiText, writeEsi, isEsi, esiType, esiFields, esiFromFields, zeroEsi, type EsiFields } from './esi.js';
export { macText, writeMac, isMac, normalizeMac, isMulticastMac } from './mac.js';
export * from './label.js';
export { routeCodecs, routeCodec } from './registry.js';
export { evpnNlri, registerEvpn, encodeEvpnRoute, decodeEvpnRoutes, evpnRouteKey } from './nlri.js';
export { macMobilityPreference } from './preference.js';
export * from './communities.js';
export * from './builders.js';
export { ethernetAd as ethernetAdCodec } from './routes/ethernet-ad.js';
export { macIp as macIpCodec } from './routes/mac-ip.js';
export { inclusiveMulticast as inclusiveMulticastCodec } from './routes/inclusive-multicast.js';
export { ethernetSegment as ethernetSegmentCodec } from './routes/ethernet-segment.js';
export { ipPrefix as ipPrefixCodec } from './routes/ip-prefix.js';
export { raw as rawRouteCodec } from './routes/raw.js';
