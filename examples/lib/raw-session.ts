/**
 * A bare BGP connection for fuzzing: OPEN / KEEPALIVE handshake done by hand (so any bytes can
 * follow), every message the peer sends collected, NOTIFICATION and close noticed. Not a
 * session: no FSM, no timers beyond the bounded waits.
 */
import net from 'node:net';
import { Framer, MessageType, encodeMessage, keepalive, type Capability } from '../../src/index.js';

/** An encoded KEEPALIVE (19 bytes). */
export const keepaliveBytes = encodeMessage(keepalive);

export interface RawSessionOptions {
  readonly address: string;
  readonly port: number;
  readonly localAddress?: string;
  readonly asn: number;
  readonly routerId: string;
  readonly holdTime: number;
  /** Address families to offer. */
  readonly families: readonly { afi: number; safi: number }[];
}

/** A NOTIFICATION the peer sent: code, subcode and the data (hex). */
export interface PeerNotification {
  readonly code: number;
  readonly subcode: number;
  readonly data: string;
}

export class RawSession {
  /** Messages received since the last `take()` (type numbers). */
  received: number[] = [];
  notification: PeerNotification | undefined;
  closed = false;
  private readonly framer = new Framer();
  private waiters: (() => void)[] = [];

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      try {
        for (const m of this.framer.push(d)) this.onMessage(m);
      } catch {
        // the peer sent a bad header: nothing more to learn from this stream
        socket.destroy();
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  private onMessage(m: Buffer): void {
    const type = m[18]!;
    this.received.push(type);
    if (type === MessageType.notification && m.length >= 21) {
      this.notification = { code: m[19]!, subcode: m[20]!, data: m.subarray(21).toString('hex') };
    }
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Wait until `cond` holds or `ms` pass; true when it holds. */
  async until(cond: () => boolean, ms: number): Promise<boolean> {
    const end = performance.now() + ms;
    while (!cond()) {
      const left = end - performance.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return true;
  }

  /**
   * Connect and complete OPEN / KEEPALIVE within `timeoutMs`. Resolves undefined when the peer
   * refused, closed or sent a NOTIFICATION (e.g. still in its idle-hold time after a reset).
   */
  static async open(o: RawSessionOptions, timeoutMs: number): Promise<RawSession | undefined> {
    const socket = net.connect({ host: o.address, port: o.port, ...(o.localAddress === undefined ? {} : { localAddress: o.localAddress }) });
    const connected = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      socket.once('connect', () => {
        clearTimeout(t);
        resolve(true);
      });
      socket.once('error', () => {
        clearTimeout(t);
        resolve(false);
      });
    });
    if (!connected) {
      socket.destroy();
      return undefined;
    }
    const s = new RawSession(socket);
    const capabilities: Capability[] = [
      ...o.families.map((f) => ({ type: 'multiprotocol' as const, afi: f.afi, safi: f.safi })),
      { type: 'route-refresh' },
      { type: 'four-octet-as', asn: o.asn },
    ];
    s.send(encodeMessage({ type: 'open', version: 4, myAs: o.asn > 0xffff ? 23456 : o.asn, holdTime: o.holdTime, routerId: o.routerId, capabilities }));
    const gotOpen = await s.until(() => s.closed || s.notification !== undefined || s.received.includes(MessageType.open), timeoutMs);
    if (!gotOpen || s.closed || s.notification !== undefined) return s.close();
    s.send(keepaliveBytes);
    const up = await s.until(() => s.closed || s.notification !== undefined || s.received.includes(MessageType.keepalive), timeoutMs);
    if (!up || s.closed || s.notification !== undefined) return s.close();
    s.received = [];
    return s;
  }

  send(b: Buffer): void {
    if (!this.closed) this.socket.write(b);
  }

  /** Close (destroying the socket) and resolve undefined, for `return s.close()`. */
  async close(): Promise<undefined> {
    if (!this.closed) {
      await new Promise<void>((resolve) => {
        this.socket.once('close', () => resolve());
        this.socket.destroy();
      });
    }
    return undefined;
  }
}
