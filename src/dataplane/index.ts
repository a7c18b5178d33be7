/** `bgp-evpn/dataplane` */
export {};
