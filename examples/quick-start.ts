import { BgpSpeaker, UdpUnderlay, VirtualHost, VtepManager, VxlanEngine } from '../src/index.js';

const [peer = '127.0.0.1', port = '179', me = '127.0.0.11'] = process.argv.slice(2);

// BGP: one iBGP session to a route reflector, EVPN family
const speaker = new BgpSpeaker({ asn: 65000, routerId: me, listen: false });
speaker.addPeer({ address: peer, port: Number(port), asn: 65000, families: ['l2vpn-evpn'], localAddress: me });

// dataplane: VXLAN over UDP 4789 on our VTEP address; the manager ties routes to tables
const engine = new VxlanEngine({ underlay: await UdpUnderlay.open({ address4: me }) });
const vtep = new VtepManager({ speaker, dataplane: engine, vtepAddress: me, vnis: [{ vni: 100 }] });

speaker.on('established', (p) => console.log('session up with', p));
vtep.on('floodListChanged', (e) => console.log('flood list of VNI', e.vni, e.vteps));
vtep.on('macLearned', (e) => console.log('local MAC', e.mac, 'on', e.port));
vtep.on('arpEntryInstalled', (e) => console.log('ARP entry', e.ip, e.mac));
await speaker.start();

// a host on VNI 100: its first ARP request makes its MAC and IP a Type-2 route
const host = new VirtualHost({ name: 'h1', mac: '02:00:00:00:00:01', ipv4: '10.1.0.1' });
engine.attachPort(100, host);
console.log('ping', await host.ping('10.1.0.2', { count: 3 }));
