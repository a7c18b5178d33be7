/**
 * The live target of `bench/fuzz.ts`: speaker Y (EVPN + IPv4, extended messages) with one peer
 * X on the in-memory network and a virtual clock. Each input goes from X's session to Y as raw
 * bytes; Y's NOTIFICATIONs and RFC 7606 errors are counted by code/subcode, anything thrown out
 * of Y's handlers (an uncaught exception) is a foreign exception. A session that Y reset is
 * brought back up (virtual time, so the IdleHold damping costs nothing) before the next input.
 */
import { BgpError } from '../src/bgp/errors.js';
import { BgpSpeaker } from '../src/bgp/speaker.js';
import { VirtualClock } from '../src/bgp/session/clock.js';
import { MemoryNetwork } from '../src/bgp/session/memory-network.js';
import { registerEvpn } from '../src/evpn/index.js';

/** What the live target reports to. */
export interface FuzzTally {
  code(code: number, subcode: number, how: string): void;
  ok(target: string): void;
  typed(target: string): void;
  error(target: string, source: string, input: Buffer, e: unknown): void;
}

const X = '10.255.0.1';
const Y = '10.255.0.2';
const target = 'speaker';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

export class FuzzSpeaker {
  /** Sessions Y reset (NOTIFICATION or FSM error) and that were brought back up. */
  resets = 0;
  private readonly clock = new VirtualClock();
  private readonly x: BgpSpeaker;
  private readonly y: BgpSpeaker;
  private current: { source: string; input: Buffer } | undefined;
  private reported = false;
  private foreign = false;
  private readonly onUncaught = (e: unknown): void => {
    this.foreign = true;
    this.tally.error(target, this.current?.source ?? '?', this.current?.input ?? Buffer.alloc(0), e);
  };

  private constructor(private readonly tally: FuzzTally) {
    registerEvpn();
    const net = new MemoryNetwork();
    const families = ['l2vpn-evpn', 'ipv4-unicast'] as const;
    const timers = { connectRetryTime: 1, idleHoldTime: 1, holdTime: 90 };
    this.y = new BgpSpeaker({ asn: 65000, routerId: Y, network: net.host(Y), clock: this.clock, listen: { port: 179, address: Y } });
    this.y.addPeer({ address: X, asn: 65000, families, passive: true, ...timers });
    this.x = new BgpSpeaker({ asn: 65000, routerId: X, network: net.host(X), clock: this.clock, listen: false });
    this.x.addPeer({ address: Y, asn: 65000, families, ...timers });
    this.y.on('notificationSent', (_p, m) => {
      this.reported = true;
      tally.code(m.code, m.subcode, 'notification');
    });
    this.y.on('updateError', (_p, e) => {
      this.reported = true;
      if (e instanceof BgpError) tally.code(e.code, e.subcode, e.action);
      else this.onUncaught(e);
    });
    process.on('uncaughtException', this.onUncaught);
    process.on('unhandledRejection', this.onUncaught);
  }

  /** Y and X, Established. */
  static async start(tally: FuzzTally): Promise<FuzzSpeaker> {
    const s = new FuzzSpeaker(tally);
    await s.y.start();
    await s.x.start();
    if (!(await s.up())) throw new Error('fuzz speaker: the session did not come up');
    return s;
  }

  private established(): boolean {
    return this.x.peerState(Y) === 'Established' && this.y.peerState(X) === 'Established';
  }

  /** Let time pass until the session is up again; bounded (virtual time). */
  private async up(): Promise<boolean> {
    for (let i = 0; i < 5000 && !this.established(); i++) {
      await turn();
      this.clock.advance(500);
    }
    return this.established();
  }

  /**
   * Send one input from X and let Y take it in. The header's length is made true (the framer
   * target covers lying ones): on a stream, a length that overruns would swallow the inputs after
   * it into one message. Inputs shorter than a header are skipped.
   */
  async send(source: string, input: Buffer): Promise<void> {
    if (input.length < 19 || input.length > 0xffff) return;
    input = Buffer.from(input);
    input.writeUInt16BE(input.length, 16);
    this.current = { source, input };
    this.reported = false;
    this.foreign = false;
    this.x.peer(Y)?.session.send(input);
    for (let i = 0; i < 3; i++) await turn();
    if (!this.established()) {
      this.resets++;
      await this.up();
    }
    if (this.foreign) return;
    if (this.reported) this.tally.typed(target);
    else this.tally.ok(target);
  }

  /** Whether Y still has its session with X (after the last input was answered). */
  alive(): boolean {
    return this.established();
  }

  async stop(): Promise<void> {
    await Promise.all([this.x.stop(), this.y.stop()]);
    for (let i = 0; i < 5; i++) await turn();
    process.off('uncaughtException', this.onUncaught);
    process.off('unhandledRejection', this.onUncaught);
  }
}
