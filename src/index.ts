/**
 * bgp-evpn: a BGP EVPN speaker and VXLAN overlay for Node.js.
 * The root re-exports every layer; subpaths (`bgp-evpn/bgp`, `/evpn`, `/vtep`, `/dataplane`,
 * `/testing`) give one layer each.
 */
export * from './bgp/index.js';
export * from './evpn/index.js';
export * from './vtep/index.js';
export * from './dataplane/index.js';
