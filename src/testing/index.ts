/** `bgp-evpn/testing` */
export {};
