/**
 * `bgp-evpn/api`: GoBGP's v3 gRPC API (`apipb.GobgpApi`) over a `BgpSpeaker`, with
 * `@grpc/grpc-js` and protobufjs. A subpath of its own: the root `bgp-evpn` does not load gRPC.
 */
export { GobgpApiServer, type GobgpApiServerOptions } from './server.js';
export { ApiError } from './errors.js';
export { apiRoot, apiType, gobgpServiceDefinition, protoDir, packAny, unpackAny, type Msg } from './proto.js';
export { pathToApi, pathFromApi, type PathSource, type PathForms, type ApiRoute } from './path.js';
export { evpnToAny, evpnFromAny, evpnDestination } from './nlri.js';
export { attributeToAny, attributeFromAny, extCommunityToAny, extCommunityFromAny } from './attributes.js';
