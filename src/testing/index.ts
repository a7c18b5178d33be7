/** `bgp-evpn/testing` */
export {};
export * from './evpn.js';
