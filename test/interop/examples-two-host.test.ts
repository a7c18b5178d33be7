/**
 * examples/two-host-overlay.ts (needs root): the classic two-host VXLAN tutorial with the
 * Linux kernel VXLAN device in a namespace on one side and our VxlanEngine on the other. Pings
 * go both ways, the kernel learns our host's MAC from our packets, and everything the example
 * made (namespace, veth, sockets) is gone when it exits.
 */
import { describe, expect, it } from 'vitest';
import { missingReal, sh } from '../helpers/netns.js';
import { ExampleProcess } from '../examples/child.js';

const skip = missingReal(['ping', 'bridge']);

describe.skipIf(skip !== undefined)('examples/two-host-overlay.ts', () => {
  it('pings both ways between kernel VXLAN and the engine, then removes what it made', async () => {
    const name = `bgpevpnt${process.pid % 10000}`;
    const ex = new ExampleProcess('examples/two-host-overlay.ts', ['--json', '--name', name, '--underlay', '198.18.223']);
    const code = await ex.exit(60_000);
    expect(code, ex.stdout + ex.stderr).toBe(0);
    const ev = (n: string) => ex.events.find((e) => e.event === n);
    expect(ev('underlay')).toMatchObject({ namespace: name, us: '198.18.223.1', kernel: '198.18.223.2' });
    expect(ex.events.filter((e) => e.event === 'kernel').map((e) => e.command)).toEqual([
      'ip link add vxlan100 type vxlan id 100 local 198.18.223.2 remote 198.18.223.1 dstport 4789 dev eth0',
      'ip addr add 10.200.0.1/24 dev vxlan100',
      'ip link set vxlan100 up',
    ]);
    expect(ev('ping')).toMatchObject({ from: '10.200.0.2', to: '10.200.0.1', transmitted: 3, received: 3 });
    expect(ev('kernelPing')).toMatchObject({ from: '10.200.0.1', to: '10.200.0.2', received: 3 });
    const counters = ev('counters')!.engine as { encapFrames: number; decapFrames: number; arpFlooded: number };
    expect(counters.encapFrames).toBeGreaterThanOrEqual(6); // 3 requests + 3 replies, plus the ARP
    expect(counters.decapFrames).toBeGreaterThanOrEqual(6);
    expect(counters.arpFlooded).toBe(1);
    expect(ev('summary')).toMatchObject({ ok: true, ourPing: 3, kernelPing: 3, kernelLearnedOurMac: true });
    // nothing left behind
    expect(sh('ip', ['netns', 'list'])).not.toContain(name);
    expect(sh('ip', ['-o', 'link'])).not.toContain(name.slice(0, 11));
  });
});
