/**
 * `bgp-evpn/dataplane`: a zero-copy VXLAN dataplane. Frame views (Ethernet, ARP, IPv4, IPv6,
 * ICMP, ICMPv6, UDP), VXLAN encapsulation into headroom and validating decapsulation, a
 * forwarding engine with ingress replication and ARP/ND suppression, a UDP underlay, local
 * ports, a buffer pool and a pcap writer. It knows nothing of BGP or EVPN: the VTEP manager
 * programs it through the `Dataplane` interface.
 *
 * ```ts
 * const underlay = await UdpUnderlay.open({ address4: '192.0.2.1' }); // listens on 4789
 * const engine = new VxlanEngine({ underlay });
 * engine.addVni(101);
 * engine.setFloodList(101, ['192.0.2.2']);           // from EVPN Type-3 routes
 * engine.setRemoteMac(101, '02:00:00:00:00:10', '192.0.2.2'); // from Type-2 routes
 * engine.onLocalMac((vni, mac, port, event) => console.log(vni, mac, port, event));
 * const host = new VirtualHost({ mac: '02:00:00:00:00:11', ipv4: '10.0.0.11' });
 * engine.attachPort(101, host);
 * console.log(await host.ping('10.0.0.10'));
 * underlay.trace(new PcapWriter('/tmp/vxlan.pcap'));   // open it in Wireshark
 *
 * // distributed layer 3 (symmetric IRB): a VRF, the anycast gateway of VNI 101, a host route
 * engine.l3.addVrf('blue', { l3vni: 5000, routerMac: '02:aa:00:00:00:01' });
 * engine.l3.setGateway(101, { vrf: 'blue', mac: '02:00:5e:00:01:01', addresses: ['10.0.0.254/24'] });
 * engine.l3.setRoute('blue', '10.2.0.7/32', { kind: 'vtep', vtep: '192.0.2.2', routerMac: '02:aa:00:00:00:02' });
 * ```
 */
export * from './types.js';
export * from './l3-types.js';
export * from './mac.js';
export * from './mac-table.js';
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
export * from './l3.js';
export * from './lpm.js';
export * from './underlay.js';
export * from './full-underlay.js';
export * from './ports.js';
export * from './pcap.js';
export * from './trace.js';
export * from './ovs/index.js';
