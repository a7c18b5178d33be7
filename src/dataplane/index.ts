/**
 * `bgp-evpn/dataplane`: a zero-copy VXLAN dataplane. Frame views (Ethernet, ARP, IPv4, IPv6,
 * ICMP, ICMPv6, UDP), VXLAN encapsulation into headroom and validating decapsulation, a
 * forwarding engine with ingress replication and ARP/ND suppression, a UDP underlay, local
 * ports, a buffer pool and a pcap writer. It knows nothing of BGP or EVPN: the VTEP manager
 * programs it through the `Dataplane` interface.
 */
export * from './types.js';
export * from './mac.js';
export * from './addr.js';
export * from './checksum.js';
export * from './ethernet.js';
export * from './arp.js';
export * from './ipv4.js';
export * from './ipv6.js';
export * from './udp.js';
export * from './icmp.js';
export * from './icmpv6.js';
export * from './vxlan.js';
export * from './entropy.js';
export * from './pool.js';
export * from './counters.js';
export * from './engine.js';
export * from './underlay.js';
export * from './full-underlay.js';
export * from './ports.js';
export * from './pcap.js';
export * from './trace.js';
