/**
 * ECMP entropy in UDP-payload mode (RFC 7348 section 5): distinct inner flows leave from
 * source ports spread over 49152–65535, and one flow always leaves from one port.
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, describe, expect, it } from 'vitest';
import { UdpUnderlay, VxlanEngine, decapUdpPayload, DecapResult, DecapStatus, type LocalPort, type PortIngress } from '../../src/dataplane/index.js';

class Sender implements LocalPort {
  readonly name = 'flows';
  ingress: PortIngress | undefined;
  connect(ingress: PortIngress | undefined): void {
    this.ingress = ingress;
  }
  deliver(): void {}
}

/** An IPv4/UDP frame from 02:..:01 to 02:..:02 whose inner source address and port vary with `i`. */
function flowFrame(i: number): Buffer {
  const f = Buffer.alloc(64);
  Buffer.from('020000000002020000000001', 'hex').copy(f, 0);
  f.writeUInt16BE(0x0800, 12);
  f[14] = 0x45;
  f.writeUInt16BE(50, 16);
  f[22] = 64;
  f[23] = 17;
  f.writeUInt32BE((10 << 24) | i, 26); // 10.x.y.z source
  f.writeUInt32BE((10 << 24) | 0xffff01, 30);
  f.writeUInt16BE(1024 + (i % 60000), 34);
  f.writeUInt16BE(80, 36);
  return f;
}

describe('UdpUnderlay source-port entropy', () => {
  const closers: (() => Promise<void> | void)[] = [];
  afterAll(async () => { for (const c of closers) await c(); });

  it('10,000 inner flows leave from at least 1,000 distinct source ports in 49152-65535, each flow from one port', async () => {
    const net = `127.${60 + (process.pid % 100)}.${(process.pid >> 8) % 250}`;
    const far = `${net}.2`;
    const rx: Socket = createSocket('udp4');
    const portOfFlow = new Map<number, number>();
    const ports = new Set<number>();
    let outOfRange = 0;
    let received = 0;
    let moved = 0;
    const res = new DecapResult();
    rx.on('message', (msg, rinfo) => {
      received++;
      if (rinfo.port < 49152 || rinfo.port > 65535) outOfRange++;
      ports.add(rinfo.port);
      expect(decapUdpPayload(msg, 0, msg.length, res)).toBe(DecapStatus.ok);
      const flow = msg.readUInt32BE(res.frameStart + 26) & 0xffffff;
      const before = portOfFlow.get(flow);
      if (before !== undefined && before !== rinfo.port) moved++;
      portOfFlow.set(flow, rinfo.port);
    });
    await new Promise<void>((r) => rx.bind(4789, far, () => r()));
    // room for a burst (capped by net.core.rmem_max)
    rx.setRecvBufferSize(4 << 20);
    closers.push(() => new Promise<void>((r) => rx.close(() => r())));

    const underlay = await UdpUnderlay.open({ address4: `${net}.1`, port: 0 });
    const engine = new VxlanEngine({ underlay });
    closers.push(() => engine.close());
    engine.addVni(7);
    engine.setRemoteMac(7, '02:00:00:00:00:02', far);
    const port = new Sender();
    engine.attachPort(7, port);

    const flows = 10_000;
    // every flow twice (the second round checks that a flow keeps its port), in bursts that
    // loopback's socket buffers take without loss
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < flows; i += 100) {
        for (let j = i; j < i + 100; j++) port.ingress!.send(flowFrame(j));
        await new Promise((r) => setTimeout(r, 2));
      }
    }
    for (let i = 0; i < 200 && received < 2 * flows * 0.95; i++) await new Promise((r) => setTimeout(r, 10));

    // loopback may drop some datagrams under load (socket buffer): the ports are counted on
    // what arrived, and the flows that arrived twice must have kept their port
    expect(underlay.counters.txPackets).toBe(2 * flows);
    expect(received).toBeGreaterThan(flows);
    expect(outOfRange).toBe(0);
    expect(moved).toBe(0);
    expect(ports.size).toBeGreaterThanOrEqual(1000);
    // lazily bound: no more sockets than the pool, and each one a distinct port
    expect(underlay.counters.sourceSockets).toBeLessThanOrEqual(underlay.sourcePorts(4).length);
    expect(new Set(underlay.sourcePorts(4)).size).toBe(2048);
  });

  it('sourcePorts: 1 sends every flow from one port; out-of-range sizes are a RangeError', async () => {
    const net = `127.${60 + (process.pid % 100)}.${(process.pid >> 8) % 250}`;
    const u = await UdpUnderlay.open({ address4: `${net}.3`, port: 0, sourcePorts: 1 });
    closers.push(() => u.close());
    expect(u.sourcePorts(4)).toHaveLength(1);
    await expect(UdpUnderlay.open({ address4: `${net}.4`, sourcePorts: 0 })).rejects.toThrow(RangeError);
    await expect(UdpUnderlay.open({ address4: `${net}.4`, sourcePorts: 20_000 })).rejects.toThrow(RangeError);
  });
});
