/** `bgp-evpn/testing` */
export {};
export * from './bgp.js';
export * from './bgp-mutations.js';
export * from './evpn.js';
