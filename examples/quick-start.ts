import { parseArgs } from 'node:util';
import { BgpSpeaker, UdpUnderlay, VirtualHost, VtepManager, VxlanEngine } from '../src/index.js';

const usage = `usage: quick-start --rr <route reflector> [--port 179] --me <our VTEP address>
         [--mac 02:00:00:00:00:01] [--ip 10.1.0.1] [--ping 10.1.0.2] [--wait 30] [--linger 2]
  A VTEP with one host on VNI 100: iBGP to the route reflector, VXLAN on <our VTEP address>:4789.
  The host pings --ping (retrying for --wait s until the other VTEP's host is known), then the
  VTEP stays --linger s for the other side and exits (0 if every ping came back; Ctrl-C: Cease).`;
const o = (() => {
  try {
    return parseArgs({ options: {
      rr: { type: 'string' }, port: { type: 'string', default: '179' }, me: { type: 'string' },
      mac: { type: 'string', default: '02:00:00:00:00:01' }, ip: { type: 'string', default: '10.1.0.1' },
      ping: { type: 'string', default: '10.1.0.2' }, wait: { type: 'string', default: '30' },
      linger: { type: 'string', default: '2' }, help: { type: 'boolean', short: 'h' },
    } }).values;
  } catch (e) {
    console.error(`${e instanceof Error ? e.message : e}\n\n${usage}`);
    process.exit(1);
  }
})();
if (o.help || o.rr === undefined || o.me === undefined) {
  (o.help ? console.log : console.error)(usage);
  process.exit(o.help ? 0 : 1);
}

// BGP: one iBGP session to the route reflector, EVPN family (a bad address: PeerConfigError)
const speaker = new BgpSpeaker({ asn: 65000, routerId: o.me, listen: false });
speaker.addPeer({ address: o.rr, port: Number(o.port), asn: 65000, families: ['l2vpn-evpn'], localAddress: o.me, connectRetryTime: 1 });

// dataplane: VXLAN over UDP 4789 on our VTEP address; the manager ties routes to tables
const engine = new VxlanEngine({ underlay: await UdpUnderlay.open({ address4: o.me }) });
const vtep = new VtepManager({ speaker, dataplane: engine, vtepAddress: o.me, vnis: [{ vni: 100 }] });

speaker.on('established', (p) => console.log('session up with', p));
vtep.on('floodListChanged', (e) => console.log('flood list of VNI', e.vni, e.vteps));
vtep.on('macLearned', (e) => console.log('local MAC', e.mac, 'on', e.port));
vtep.on('arpEntryInstalled', (e) => console.log('ARP entry', e.ip, e.mac));
await speaker.start();

// leaving (done, or Ctrl-C): Cease to the route reflector, close every socket, exit
const stop = async (code = 0) => {
  vtep.close();
  await engine.close();
  await speaker.stop();
  process.exit(code);
};
process.once('SIGINT', () => void stop(130));

// a host on VNI 100: its first ARP request makes its MAC and IP a Type-2 route
const host = new VirtualHost({ name: 'h1', mac: o.mac, ipv4: o.ip });
engine.attachPort(100, host);
let result = await host.ping(o.ping, { count: 3 });
for (const end = Date.now() + Number(o.wait) * 1000; result.received < 3 && Date.now() < end; ) result = await host.ping(o.ping, { count: 3 });
console.log('ping', result);
await new Promise((resolve) => setTimeout(resolve, Number(o.linger) * 1000));
await stop(result.received === 3 ? 0 : 1);
