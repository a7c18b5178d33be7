/**
 * `bgp-evpn/vtep`: the VTEP table manager. EVPN routes become forwarding state here: per-VNI
 * MAC -> VTEP, IP -> MAC (ARP/ND) and flood-list tables, MAC mobility (RFC 7432 15), and the
 * `VtepManager` that ties a BGP speaker to a dataplane.
 */
export { VtepManager, type VtepManagerOptions, type VtepManagerEvents, type VniConfig, type MacInfo, type MacLocation } from './manager.js';
export { VtepTables } from './tables.js';
export { VtepTable, Interner } from './vtep-table.js';
export { VniTable, quietObserver, noLocation, localLocation, type VniObserver, type LearnResult, type MacEntry } from './vni.js';
export { RouteImporter, rtKey } from './import.js';
export { RouteExporter, type RouteSink, type ExportListener } from './export.js';
export { LocalMacLimits, resolveMacLimits, type MacLimits, type MacLimitScope } from './mac-limit.js';
export { beats, nextSequence, recordMove, resolveMobility, defaultMobility, maxSequence, type MobilityOptions, type ResolvedMobility } from './mobility.js';
/** MAC and IP keys of the tables (a MAC is a 48-bit number; IPv4 a number, IPv6 a 16-byte string). */
export { macToNumber, macToString, ipToKey, ipKeyToString, type IpKey } from './keys.js';
