/** `bgp-evpn/bgp` */
export {};
