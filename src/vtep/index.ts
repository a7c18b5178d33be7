/** `bgp-evpn/vtep` */
export {};
