/** `bgp-evpn/evpn` */
export {};
