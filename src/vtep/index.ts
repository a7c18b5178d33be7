/**
 * `bgp-evpn/vtep`: the VTEP table manager. EVPN routes become forwarding state here: per-VNI
 * MAC -> VTEP, IP -> MAC (ARP/ND) and flood-list tables, MAC mobility (RFC 7432 15), and the
 * `VtepManager` that ties a BGP speaker to a dataplane.
 */
export { VtepManager, type VtepManagerOptions, type VtepManagerEvents, type VniConfig, type MacInfo, type MacLocation } from './manager.js';
export { VtepTables, VtepTable, Interner } from './tables.js';
export { VniTable, quietObserver, noLocation, localLocation, type VniObserver, type LearnResult, type MacEntry } from './vni.js';
export { RouteImporter, rtKey } from './import.js';
export { RouteExporter, type RouteSink, type ExportListener } from './export.js';
export { beats, nextSequence, recordMove, resolveMobility, defaultMobility, maxSequence, type MobilityOptions, type ResolvedMobility } from './mobility.js';
export { NumIndex } from './num-index.js';
export {
  macToNumber,
  macToString,
  macFromBytes,
  macToBytes,
  ipToKey,
  ipKeyToString,
  ipv4ToNumber,
  ipv4ToString,
  ipv6ToKey,
  ipv6KeyToString,
  ipOrderKey,
  type IpKey,
} from './keys.js';
