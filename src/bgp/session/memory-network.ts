/**
 * In-memory transports: a duplex pair with asynchronous delivery (microtasks) and a real
 * high-water mark, and a `MemoryNetwork` where listeners register by address:port so a whole
 * fabric of speakers runs in one process without sockets or root.
 */
import { EventEmitter } from 'eventemitter3';
import type { ConnectOptions, Network, Server, Transport, TransportEvents } from './types.js';

/** Default bytes buffered before `write` returns false (like a socket's writableHighWaterMark). */
export const defaultHighWaterMark = 64 * 1024;

/** One end of an in-memory connection. */
export class MemoryTransport extends EventEmitter<TransportEvents> implements Transport {
  peer!: MemoryTransport;
  private queue: Buffer[] = [];
  private queued = 0;
  private flushScheduled = false;
  private needDrain = false;
  private paused = false;
  private ending = false;
  private isClosed = false;
  /** Bytes this end has delivered to the other. */
  delivered = 0;

  constructor(
    readonly localAddress: string,
    readonly localPort: number,
    readonly remoteAddress: string,
    readonly remotePort: number,
    readonly highWaterMark: number,
  ) {
    super();
  }

  write(buf: Buffer): boolean {
    if (this.isClosed || this.ending) return false;
    this.queue.push(buf);
    this.queued += buf.length;
    this.scheduleFlush();
    if (this.queued >= this.highWaterMark) {
      this.needDrain = true;
      return false;
    }
    return true;
  }

  end(): void {
    if (this.isClosed || this.ending) return;
    this.ending = true;
    this.scheduleFlush();
  }

  destroy(): void {
    if (this.isClosed) return;
    this.queue = [];
    this.queued = 0;
    this.closeBoth(false);
  }

  /** Stop reading: the other end's writes stay buffered (and hit its high-water mark). */
  pause(): void {
    this.paused = true;
  }

  isPaused(): boolean {
    return this.paused;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.peer.scheduleFlush();
  }

  get bufferedAmount(): number {
    return this.queued;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.isClosed) return;
    this.flushScheduled = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.isClosed) return;
    const other = this.peer;
    // deliver one chunk at a time so a listener that pauses or closes takes effect at once
    while (this.queue.length > 0 && !other.paused && !other.isClosed && !this.isClosed) {
      const chunk = this.queue.shift()!;
      this.queued -= chunk.length;
      this.delivered += chunk.length;
      other.emit('data', chunk);
    }
    if (this.isClosed) return;
    if (this.queue.length === 0) {
      if (this.needDrain) {
        this.needDrain = false;
        this.emit('drain');
      }
      if (this.ending) this.closeBoth(false);
    }
  }

  private closeBoth(hadError: boolean): void {
    const other = this.peer;
    this.markClosed(hadError);
    other.markClosed(hadError);
  }

  private markClosed(hadError: boolean): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.queue = [];
    this.queued = 0;
    queueMicrotask(() => this.emit('close', hadError));
  }
}

/** Two connected in-memory ends: what `a` writes, `b` reads, and back. */
export function memoryTransportPair(
  options: { aAddress?: string; aPort?: number; bAddress?: string; bPort?: number; highWaterMark?: number } = {},
): [MemoryTransport, MemoryTransport] {
  const { aAddress = '127.0.0.1', aPort = 40000, bAddress = '127.0.0.2', bPort = 179, highWaterMark = defaultHighWaterMark } = options;
  const a = new MemoryTransport(aAddress, aPort, bAddress, bPort, highWaterMark);
  const b = new MemoryTransport(bAddress, bPort, aAddress, aPort, highWaterMark);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

const isWildcard = (a: string): boolean => a === '0.0.0.0' || a === '::' || a === '';

/**
 * An in-process network. Listeners register by address:port (a wildcard address accepts on any);
 * `connect` finds the listener and hands it the other end of a fresh pair. `host(address)` gives
 * the view of one node: its connections come from that address and its wildcard listens bind it.
 */
export class MemoryNetwork implements Network {
  private readonly listeners = new Map<string, (t: Transport) => void>();
  private nextPort = 40000;
  /** Every transport made here, for leak checks in tests. */
  readonly transports: MemoryTransport[] = [];

  constructor(readonly options: { highWaterMark?: number; defaultAddress?: string } = {}) {}

  /** Transports not yet closed. */
  get openTransports(): number {
    let n = 0;
    for (const t of this.transports) if (!t.closed) n++;
    return n;
  }

  /** Registered listeners. */
  get listenerCount(): number {
    return this.listeners.size;
  }

  connect(address: string, port: number, localAddress?: string, options: ConnectOptions = {}): Promise<Transport> {
    const from = localAddress ?? this.options.defaultAddress ?? '127.0.0.1';
    return new Promise((resolve, reject) => {
      queueMicrotask(() => {
        if (options.signal?.aborted) return reject(new Error('connect aborted'));
        const accept = this.listeners.get(`${address}|${port}`) ?? this.listeners.get(`*|${port}`);
        if (accept === undefined) return reject(Object.assign(new Error(`connect ECONNREFUSED ${address}:${port}`), { code: 'ECONNREFUSED' }));
        const [a, b] = memoryTransportPair({
          aAddress: from,
          aPort: this.nextPort++,
          bAddress: address,
          bPort: port,
          ...(this.options.highWaterMark === undefined ? {} : { highWaterMark: this.options.highWaterMark }),
        });
        this.transports.push(a, b);
        resolve(a);
        accept(b);
      });
    });
  }

  listen(address: string, port: number, onConnection: (t: Transport) => void): Promise<Server> {
    const key = `${isWildcard(address) ? '*' : address}|${port === 0 ? this.nextPort++ : port}`;
    if (this.listeners.has(key)) return Promise.reject(Object.assign(new Error(`listen EADDRINUSE ${key}`), { code: 'EADDRINUSE' }));
    this.listeners.set(key, onConnection);
    const boundPort = Number(key.split('|')[1]);
    return Promise.resolve({
      address,
      port: boundPort,
      close: async () => {
        if (this.listeners.get(key) === onConnection) this.listeners.delete(key);
      },
    });
  }

  /** The network as seen from one node with this address. */
  host(address: string): Network {
    return {
      connect: (a, p, local, o) => this.connect(a, p, local ?? address, o),
      listen: (a, p, cb) => this.listen(isWildcard(a) ? address : a, p, cb),
    };
  }
}
