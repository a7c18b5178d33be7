/**
 * Our VXLAN engine against the Linux kernel's VXLAN device, in network namespaces:
 *
 *   [H] h0 10.0.0.10/24 mtu 1450 ── hk [K] br0 ── vx101 (VNI 101, dstport 4789)
 *                                                   │ underlay veth u0 ── u1
 *                                        [E] our engine (child process), virtual host 10.0.0.11
 *
 * The kernel pings our virtual host and our virtual host pings the kernel's host; tshark then
 * decodes what we sent as VXLAN with good IPv4 header checksums and entropy source ports.
 * Run for an IPv4 and an IPv6 underlay.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Lab, missingReal, nsExec, sh, uniqueName, waitFor } from '../helpers/netns.js';

const why = missingReal(['tshark', 'tcpdump', 'ping']);
const fixture = fileURLToPath(new URL('./fixtures/engine-host.ts', import.meta.url));
const repo = fileURLToPath(new URL('../..', import.meta.url));

/** The engine child: line-based JSON over stdin/stdout. */
class EngineHost {
  private readonly lines: string[] = [];
  private readonly waiters: ((l: string) => void)[] = [];
  private readonly rl: Interface;
  log = '';
  constructor(readonly child: ChildProcess) {
    this.rl = createInterface({ input: child.stdout! });
    this.rl.on('line', (l) => {
      const w = this.waiters.shift();
      if (w) w(l);
      else this.lines.push(l);
    });
    child.stderr!.on('data', (d: Buffer) => { this.log = (this.log + d.toString()).slice(-5000); });
  }

  next(timeoutMs: number): Promise<Record<string, unknown>> {
    const l = this.lines.shift();
    if (l !== undefined) return Promise.resolve(JSON.parse(l) as Record<string, unknown>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`engine host did not answer in ${timeoutMs} ms; stderr: ${this.log}`)), timeoutMs);
      this.waiters.push((line) => {
        clearTimeout(timer);
        resolve(JSON.parse(line) as Record<string, unknown>);
      });
    });
  }

  async ask(cmd: Record<string, unknown>, timeoutMs = 15_000): Promise<Record<string, unknown>> {
    this.child.stdin!.write(`${JSON.stringify(cmd)}\n`);
    return this.next(timeoutMs);
  }
}

interface Counters {
  vni: Record<string, number>;
  port: Record<string, number>;
  host: Record<string, number>;
  underlay: { rxPackets: number; txPackets: number };
  traced: number;
  engine: { unknownVni: number; decapErrors: Record<string, number> };
  macs: string[];
}

const cases = [
  { family: 4 as const, k: '198.18.0.1', e: '198.18.0.2', prefix: 24 },
  { family: 6 as const, k: 'fd00:198:18::1', e: 'fd00:198:18::2', prefix: 64 },
];

describe.skipIf(why !== undefined)('kernel VXLAN interop', () => {
  const labs: Lab[] = [];
  const files: string[] = [];
  afterAll(async () => {
    for (const lab of labs) await lab.destroy();
    for (const f of files) rmSync(f, { force: true });
  });

  for (const c of cases) {
    it(`IPv${c.family} underlay: ping both ways through the kernel's vxlan device, valid VXLAN on the wire`, async () => {
      const lab = new Lab();
      labs.push(lab);
      const nsK = lab.addNamespace(uniqueName('dpk'));
      const nsE = lab.addNamespace(uniqueName('dpe'));
      const nsH = lab.addNamespace(uniqueName('dph'));
      lab.link(nsK, 'u0', [`${c.k}/${c.prefix}`], nsE, 'u1', [`${c.e}/${c.prefix}`]);
      // the kernel VTEP: VNI 101, port 4789, no data-plane learning, everything unknown to our engine
      nsExec(nsK, 'ip', ['link', 'add', 'vx101', 'type', 'vxlan', 'id', '101', 'dstport', '4789', 'local', c.k, 'remote', c.e, 'dev', 'u0', 'nolearning']);
      nsExec(nsK, 'ip', ['link', 'add', 'br0', 'type', 'bridge']);
      nsExec(nsK, 'ip', ['link', 'set', 'vx101', 'master', 'br0']);
      lab.link(nsH, 'h0', ['10.0.0.10/24', 'fd00:10::10/64'], nsK, 'hk', []);
      nsExec(nsH, 'ip', ['link', 'set', 'h0', 'mtu', '1450']);
      nsExec(nsK, 'ip', ['link', 'set', 'hk', 'mtu', '1450']);
      nsExec(nsK, 'ip', ['link', 'set', 'hk', 'master', 'br0']);
      for (const l of ['vx101', 'br0']) nsExec(nsK, 'ip', ['link', 'set', l, 'up']);
      expect(nsExec(nsK, 'ip', ['-d', 'link', 'show', 'vx101'])).toMatch(/vxlan id 101 .*dstport 4789/);
      expect(nsExec(nsH, 'ip', ['link', 'show', 'h0'])).toMatch(/mtu 1450/);

      const pcap = `/tmp/${uniqueName('dpcap')}.pcap`;
      files.push(pcap);
      const dump = lab.spawn(nsE, 'tcpdump', ['-n', '-i', 'u1', '-U', '-w', pcap, 'udp', 'port', '4789']);
      await waitFor('tcpdump to listen', 10_000, () => (dump as ChildProcess & { output: () => string }).output().includes('listening on'));

      const trace = `/tmp/${uniqueName('dptr')}.pcap`;
      files.push(trace);
      const child = spawn('ip', ['netns', 'exec', nsE, process.execPath, '--import', 'tsx', fixture, JSON.stringify({
        underlay: c.e, family: c.family, vni: 101, remote: c.k, hostIp: '10.0.0.11', hostMac: '02:00:00:00:00:11', hostIp6: 'fd00:10::11', trace,
      })], { cwd: repo, stdio: ['pipe', 'pipe', 'pipe'] });
      lab.children.push(child);
      const host = new EngineHost(child);
      const ready = await host.next(30_000);
      expect(ready.ready).toBe(true);
      const sourcePorts = ready.sourcePorts as number[];
      expect(sourcePorts.length).toBeGreaterThan(0);
      for (const p of sourcePorts) expect(p).toBeGreaterThanOrEqual(49152);

      // kernel side → our virtual host
      const out = nsExec(nsH, 'ping', ['-c', '3', '-W', '1', '-i', '0.3', '10.0.0.11'], 20_000);
      expect(out).toMatch(/3 packets transmitted, 3 received/);

      // our virtual host → the kernel's host
      const pong = (await host.ask({ cmd: 'ping', ip: '10.0.0.10', count: 3 })).ping as { transmitted: number; received: number; rttMs: number[] };
      expect(pong).toMatchObject({ transmitted: 3, received: 3 });

      // IPv6 inside the overlay: the kernel resolves our host with NS/NA and pings it, and back
      expect(nsExec(nsH, 'ping', ['-6', '-c', '3', '-W', '1', '-i', '0.3', 'fd00:10::11'], 20_000)).toMatch(/3 packets transmitted, 3 received/);
      const pong6 = (await host.ask({ cmd: 'ping', ip: 'fd00:10::10', count: 2 })).ping as { transmitted: number; received: number };
      expect(pong6).toMatchObject({ transmitted: 2, received: 2 });

      // the largest packet the overlay carries goes through both ways: the inner MTU is what the
      // underlay's 1500 leaves (1450 over IPv4; the kernel's vxlan device takes 1430 over IPv6)
      const innerMtu = c.family === 4 ? 1450 : 1430;
      expect(nsExec(nsH, 'ping', ['-c', '1', '-W', '2', '-M', 'do', '-s', String(innerMtu - 28), '10.0.0.11'], 10_000)).toMatch(/1 received/);
      // one byte more does not fit (DF set by ping -M do)
      expect(() => nsExec(nsH, 'ping', ['-c', '1', '-W', '1', '-M', 'do', '-s', String(innerMtu - 27), '10.0.0.11'], 10_000)).toThrow();

      const counters = (await host.ask({ cmd: 'counters' })).counters as Counters;
      expect(counters.vni.decapFrames).toBeGreaterThanOrEqual(7); // ARP request + 3 echo requests + 3 echo replies
      expect(counters.vni.encapFrames).toBeGreaterThanOrEqual(7); // ARP reply + 3 echo replies + 3 echo requests (10.0.0.10 was learned from its ARP request)
      expect(counters.host.echoRepliesSent).toBe(7); // three pings, three IPv6 pings and the largest one
      expect(counters.host.echoRepliesReceived).toBe(5);
      expect(counters.host.naSent).toBeGreaterThanOrEqual(1);
      expect(counters.engine.unknownVni).toBe(0);
      expect(counters.engine.decapErrors).toEqual({});
      expect(counters.macs).toContain('101 02:00:00:00:00:11 vhost learned');

      expect(counters.vni.mtuDrops).toBe(0);
      expect(counters.traced).toBe(counters.underlay.rxPackets + counters.underlay.txPackets);
      child.stdin!.write('{"cmd":"exit"}\n');
      await waitFor('the engine host to exit', 10_000, () => child.exitCode !== null);
      await lab.kill(dump, 'SIGINT');
      expect(existsSync(pcap)).toBe(true);

      // tshark decodes what our engine sent: VXLAN VNI 101, good IPv4 header checksum, entropy port
      const src = c.family === 4 ? 'ip.src' : 'ipv6.src';
      const fields = sh('tshark', ['-r', pcap, '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-Y', `${src} == ${c.e}`, '-T', 'fields',
        '-E', 'separator=|', '-E', 'aggregator=;', '-e', 'udp.srcport', '-e', 'udp.dstport', '-e', 'vxlan.vni', '-e', 'vxlan.flags', '-e', 'ip.checksum.status', '-e', 'udp.checksum.status', '-e', 'frame.protocols'], { timeoutMs: 60_000 })
        .trim().split('\n').filter((l) => l.length > 0);
      expect(fields.length).toBeGreaterThanOrEqual(7);
      let echoReplies = 0;
      for (const line of fields) {
        const [sport, dport, vni, flags, ipStatus, udpStatus, protocols] = line.split('|');
        expect(Number(sport)).toBeGreaterThanOrEqual(49152);
        expect(Number(sport)).toBeLessThanOrEqual(65535);
        expect(Number(dport)).toBe(4789);
        expect(vni).toBe('101');
        expect(Number(flags) & 0x0800).toBe(0x0800); // the I flag
        // 1 = Good; the outer IPv4 header checksum (our socket's kernel fills it; the inner ones are ours)
        if (c.family === 4) expect(ipStatus!.split(';')[0]).toBe('1');
        // the outer UDP checksum is the kernel's, offloaded on the veth (CHECKSUM_PARTIAL): a
        // capture on the sender sees it unfilled, so it is not judged here (pcap.test.ts checks
        // the UDP checksums our full-mode encapsulation computes)
        expect(udpStatus).toBeDefined();
        expect(protocols).toMatch(/udp:vxlan:eth:ethertype:(arp|ip:icmp|ipv6:icmpv6)/);
        if (/ip:icmp/.test(protocols!)) echoReplies++;
      }
      expect(echoReplies).toBeGreaterThanOrEqual(6);
      // the inner IPv4 headers we built (echo replies and requests) have good checksums too
      const inner = sh('tshark', ['-r', pcap, '-o', 'ip.check_checksum:TRUE', '-Y', `${src} == ${c.e} && icmp`, '-T', 'fields', '-e', 'ip.checksum.status', '-e', 'icmp.checksum.status'], { timeoutMs: 60_000 });
      const statuses = inner.trim().split('\n');
      expect(statuses.length).toBeGreaterThanOrEqual(6);
      for (const s of statuses) expect(s.split(/[\t,;]/).every((x) => x === '1')).toBe(true);
      // the inner ICMPv6 we built (NA, echo replies and requests, NS) have good checksums
      const inner6 = sh('tshark', ['-r', pcap, '-Y', `${src} == ${c.e} && icmpv6`, '-T', 'fields', '-e', 'icmpv6.type', '-e', 'icmpv6.checksum.status'], { timeoutMs: 60_000 })
        .trim().split('\n').map((l) => l.split('\t'));
      expect(new Set(inner6.map(([t]) => t))).toEqual(new Set(['135', '136', '128', '129']));
      for (const [, st] of inner6) expect(st).toBe('1');

      // the engine's own trace (UDP underlay tracing) opens as VXLAN too, both directions
      const traced = sh('tshark', ['-r', trace, '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-T', 'fields', '-E', 'separator=|', '-E', 'aggregator=;',
        '-e', `${src}`, '-e', 'vxlan.vni', '-e', 'udp.checksum.status', '-e', 'frame.protocols'], { timeoutMs: 60_000 }).trim().split('\n');
      expect(traced.length).toBe(counters.underlay.rxPackets + counters.underlay.txPackets);
      const senders = new Set<string>();
      for (const line of traced) {
        const [from, vni, udpStatus, protocols] = line.split('|');
        senders.add(from!.split(';')[0]!); // the outer source (inner addresses follow)
        expect(vni).toBe('101');
        expect(protocols).toMatch(/:udp:vxlan:eth:ethertype:/);
        if (c.family === 6) expect(udpStatus).toBe('1');
      }
      expect([...senders].sort()).toEqual([c.k, c.e].sort());
      await lab.destroy();
    });
  }
});
