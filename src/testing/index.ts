/** `bgp-evpn/testing` */
export {};
export * from './bgp.js';
export * from './evpn.js';
