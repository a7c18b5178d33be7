/**
 * OvsDataplane without a switch: a fake OpenFlow channel records the bundles it would send, and
 * plays `ovs-ofctl monitor` lines. What is checked: one bundle per event-loop turn in an order
 * OVS accepts (groups before the flows that use them, rewrites after), the flows' text, learned
 * MACs reported from monitor events, typed errors, and a stop that names only our cookie.
 * The same pipeline against real OVS: test/interop/ovs-dataplane.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  OvsDataplane, OvsDataplaneError, parseMonitorLine, parsePortsDesc, responderFlows,
  type LocalMacEvent, type OfctlChannel,
} from '../../src/dataplane/index.js';

const PORTS = ` 1(vxlan0): addr:6a:db:dc:e8:b0:b4\n     config:     0\n 2(vm0): addr:0e:b0:be:3a:60:3a\n 3(vm1): addr:0e:b0:be:3a:60:3b\n LOCAL(br-int): addr:86:54:78:80:51:4e\n`;

class FakeChannel implements OfctlChannel {
  readonly bundles: string[][] = [];
  fail = false;
  onLine: ((line: string) => void) | undefined;
  async bundle(lines: readonly string[]): Promise<void> {
    if (this.fail) throw new OvsDataplaneError('ofctl', 'ovs-ofctl bundle failed (1): OFPBAC_BAD_OUT_GROUP');
    this.bundles.push([...lines]);
  }
  async portsDesc(): Promise<string> {
    return PORTS;
  }
  monitor(_table: number, onLine: (line: string) => void): () => void {
    this.onLine = onLine;
    return () => { this.onLine = undefined; };
  }
}

async function open(): Promise<{ dp: OvsDataplane; ch: FakeChannel; events: [number, string, string, LocalMacEvent][] }> {
  const ch = new FakeChannel();
  const dp = await OvsDataplane.open({ bridge: 'br-int', tunnelPort: 'vxlan0', channel: ch });
  const events: [number, string, string, LocalMacEvent][] = [];
  dp.onLocalMac((...e) => events.push(e));
  return { dp, ch, events };
}

describe('OvsDataplane (fake OpenFlow channel)', () => {
  it('installs the base pipeline on open and refuses a bridge without the tunnel port', async () => {
    const { ch } = await open();
    expect(ch.bundles).toHaveLength(1);
    expect(ch.bundles[0]).toContain('flow add table=0,priority=50,cookie=0xeb9e000000000001,in_port=1,actions=drop');
    expect(ch.bundles[0]!.join('\n')).toMatch(/table=41,priority=0,.*learn\(table=42,cookie=0xeb9e000000000007,idle_timeout=300,.*goto_table:42/);
    await expect(OvsDataplane.open({ bridge: 'br-int', tunnelPort: 'vxlan9', channel: new FakeChannel() }))
      .rejects.toMatchObject({ name: 'OvsDataplaneError', code: 'unknown-port' });
    await expect(OvsDataplane.open({ bridge: 'br-int', tunnelPort: 'vxlan0', channel: new FakeChannel(), cookie: 0x1234n })).rejects.toThrow(RangeError);
  });

  it('one bundle per turn: the VNI\'s empty groups first, then its flows, the port, the MAC, and the group rewrite last', async () => {
    const { dp, ch } = await open();
    dp.addVni(101);
    dp.setFloodList(101, ['198.18.0.12', '198.18.0.12', '2001:db8:18::13']);
    dp.setRemoteMac(101, '02:00:00:00:00:AA', '198.18.0.12');
    dp.setRemoteMac(101, '02:00:00:00:00:aa', '198.18.0.12'); // the same: nothing more
    dp.setArpEntry(101, '10.0.0.11', '02:00:00:00:00:aa');
    await dp.attachOvsPort(101, 'vm0');
    expect(ch.bundles).toHaveLength(2);
    const b = ch.bundles[1]!;
    expect(b[0]).toBe('group add group_id=101,type=all');
    expect(b[1]).toBe('group add group_id=16777317,type=all');
    expect(b).toContain('flow add table=0,priority=100,cookie=0xeb9e000000000009,in_port=1,tun_id=101,actions=set_field:1->reg0,goto_table:42');
    expect(b).toContain('flow add table=0,priority=100,cookie=0xeb9e000000000002,in_port=2,actions=set_field:101->tun_id,goto_table:40');
    expect(b.filter((l) => l.includes('dl_dst=02:00:00:00:00:aa'))).toEqual([
      'flow add table=42,priority=100,reg0=0,tun_id=101,dl_dst=02:00:00:00:00:aa,cookie=0xeb9e000000000003,actions=set_field:198.18.0.12->tun_dst,output:1',
    ]);
    expect(b.some((l) => l.includes('arp_tpa=10.0.0.11') && l.endsWith('set_field:10.0.0.11->arp_spa,IN_PORT'))).toBe(true);
    expect(b.slice(-2)).toEqual([
      'group modify group_id=101,type=all,bucket=output:2,bucket=set_field:198.18.0.12->tun_dst,output:1,bucket=set_field:2001:db8:18::13->tun_ipv6_dst,output:1',
      'group modify group_id=16777317,type=all,bucket=output:2',
    ]);
    dp.removeRemoteMac(101, '02:00:00:00:00:aa');
    dp.removeRemoteMac(101, '02:00:00:00:00:bb'); // unknown: nothing
    await dp.flush();
    expect(ch.bundles[2]).toEqual(['flow delete_strict table=42,priority=100,reg0=0,tun_id=101,dl_dst=02:00:00:00:00:aa']);
  });

  it('typed errors: an in-process LocalPort, an unknown port, an unknown VNI, bad text, a failed bundle', async () => {
    const { dp, ch } = await open();
    dp.addVni(100);
    expect(() => dp.attachPort(100, { name: 'vh', deliver: () => undefined })).toThrow(expect.objectContaining({ code: 'unsupported' }));
    dp.detachPort({ name: 'vh', deliver: () => undefined }); // never attached: nothing
    await expect(dp.attachOvsPort(100, 'nope')).rejects.toMatchObject({ code: 'unknown-port' });
    await expect(dp.attachOvsPort(100, 'vxlan0')).rejects.toMatchObject({ code: 'unsupported' });
    expect(() => dp.setRemoteMac(7, '02:00:00:00:00:01', '198.18.0.12')).toThrow(RangeError);
    expect(() => dp.setRemoteMac(100, 'zz:00:00:00:00:01', '198.18.0.12')).toThrow(TypeError);
    expect(() => dp.setArpEntry(100, '10.0.0.300', '02:00:00:00:00:01')).toThrow(TypeError);
    expect(() => dp.addVni(0x1000000)).toThrow(RangeError);
    ch.fail = true;
    dp.setRemoteMac(100, '02:00:00:00:00:01', '198.18.0.12');
    await expect(dp.flush()).rejects.toMatchObject({ code: 'ofctl' });
    await expect(dp.flush()).resolves.toBeUndefined(); // reported once
  });

  it('learned MACs from monitor events: learned, moved, removed; other cookies and VNIs ignored', async () => {
    const { dp, ch, events } = await open();
    dp.addVni(101);
    await dp.attachOvsPort(101, 'vm0');
    await dp.attachOvsPort(101, 3);
    const line = (ev: string, port: number, cookie = '0xeb9e000000000007', vni = '0x65') =>
      ` event=${ev} table=42 idle_timeout=300 cookie=${cookie} tun_id=${vni},dl_dst=02:0a:00:00:00:10 actions=output:${port}`;
    ch.onLine!(line('ADDED', 2));
    ch.onLine!(line('ADDED', 2)); // refreshed: no event
    ch.onLine!(line('ADDED', 3));
    ch.onLine!(line('ADDED', 2, '0xeb9e000000000003'));
    ch.onLine!(line('ADDED', 2, '0xeb9e000000000007', '0x66'));
    ch.onLine!(line('DELETED reason=idle', 3));
    expect(events).toEqual([
      [101, '02:0a:00:00:00:10', 'vm0', 'learned'],
      [101, '02:0a:00:00:00:10', 'vm1', 'moved'],
      [101, '02:0a:00:00:00:10', 'vm1', 'removed'],
    ]);
    // a detached port's MACs are reported removed, and its learned flows deleted
    ch.onLine!(line('ADDED', 2));
    dp.detachOvsPort('vm0');
    expect(events.at(-1)).toEqual([101, '02:0a:00:00:00:10', 'vm0', 'removed']);
    await dp.flush();
    expect(ch.bundles.at(-1)).toContain('flow delete table=42,cookie=0xeb9e000000000007/-1,out_port=2');
  });

  it('local MACs from the API are flows to the port and reported; stop deletes by cookie/mask and our groups only', async () => {
    const { dp, ch, events } = await open();
    dp.addVni(101);
    await dp.attachOvsPort(101, 'vm0');
    dp.addLocalMac(101, '02:0A:00:00:00:10', 'vm0');
    expect(() => dp.addLocalMac(101, '02:0a:00:00:00:11', 'vm1')).toThrow(expect.objectContaining({ code: 'unknown-port' }));
    dp.removeLocalMac(101, '02:0a:00:00:00:10');
    await dp.flush();
    expect(ch.bundles.at(-1)).toEqual([
      'flow add table=42,priority=100,tun_id=101,dl_dst=02:0a:00:00:00:10,cookie=0xeb9e000000000008,actions=output:2',
      'flow delete_strict table=42,priority=100,tun_id=101,dl_dst=02:0a:00:00:00:10',
    ]);
    expect(events).toEqual([[101, '02:0a:00:00:00:10', 'vm0', 'learned'], [101, '02:0a:00:00:00:10', 'vm0', 'removed']]);
    await dp.stop();
    expect(ch.bundles.at(-1)).toEqual(['flow delete cookie=0xeb9e000000000000/0xffffffffffffff00', 'group delete group_id=101', 'group delete group_id=16777317']);
    expect(ch.onLine).toBeUndefined();
  });

  it('the ND responder rewrites the solicitation in two tables; parsers', () => {
    const p = { cookie: 0xeb9e000000000000n, base: 40, tunnelOfport: 1, macAgeSeconds: 300, learn: true };
    const add = responderFlows(p, 101, 'fd00::11', '02:00:00:00:00:11');
    expect(add[0]).toBe('flow add table=44,priority=100,tun_id=101,icmp6,icmp_type=136,nd_target=fd00::11,cookie=0xeb9e000000000005,actions=set_field:02:00:00:00:00:11->nd_tll,IN_PORT');
    expect(add[1]).toMatch(/icmp_type=135,nd_target=fd00::11,.*set_field:136->icmpv6_type,.*set_field:2->nd_options_type,resubmit\(,44\)$/);
    expect(responderFlows(p, 101, 'fd00::11', undefined).every((l) => l.startsWith('flow delete_strict'))).toBe(true);
    expect([...parsePortsDesc(PORTS)]).toEqual([['vxlan0', 1], ['vm0', 2], ['vm1', 3]]);
    expect(parseMonitorLine(p, 'NXST_FLOW_MONITOR reply (xid=0x0):')).toBeUndefined();
    expect(parseMonitorLine(p, ' event=DELETED reason=idle table=42 cookie=0xeb9e000000000007 tun_id=0x65,dl_dst=02:00:00:00:00:77 actions=output:1'))
      .toEqual({ event: 'DELETED', vni: 101, mac: '02:00:00:00:00:77', ofport: 1 });
  });
});
