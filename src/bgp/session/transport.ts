/**
 * Transports over real TCP (node:net), IPv4 and IPv6, and the `tcpNetwork` that connects and
 * listens with them. The in-memory variant lives in memory-network.ts.
 */
import net from 'node:net';
import { EventEmitter } from 'eventemitter3';
import type { ConnectOptions, Network, Server, Transport, TransportEvents } from './types.js';

export type { ConnectOptions, Network, Server, Transport, TransportEvents } from './types.js';

/** `::ffff:10.0.0.1` -> `10.0.0.1`, so IPv4 peers compare equal whichever socket family accepted them. */
export function normalizeAddress(a: string | undefined): string {
  if (a === undefined) return '';
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

/** A Transport over a connected node:net Socket (Nagle off: BGP messages go out at once). */
export class TcpTransport extends EventEmitter<TransportEvents> implements Transport {
  private isClosed = false;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;

  constructor(readonly socket: net.Socket) {
    super();
    socket.setNoDelay(true);
    this.remoteAddress = normalizeAddress(socket.remoteAddress);
    this.remotePort = socket.remotePort ?? 0;
    this.localAddress = normalizeAddress(socket.localAddress);
    this.localPort = socket.localPort ?? 0;
    socket.on('data', (d: Buffer) => this.emit('data', d));
    socket.on('drain', () => this.emit('drain'));
    socket.on('error', (e) => this.emit('error', e));
    // the peer's FIN: BGP has no half-open use, close our side too
    socket.on('end', () => socket.end());
    socket.on('close', (hadError) => {
      this.isClosed = true;
      this.emit('close', hadError);
    });
  }

  write(buf: Buffer): boolean {
    if (this.isClosed || this.socket.destroyed) return false;
    return this.socket.write(buf);
  }

  end(): void {
    if (!this.socket.destroyed) this.socket.end();
    // do not wait forever for a peer that never reads our last bytes
    const t = setTimeout(() => this.socket.destroy(), 2000);
    t.unref();
  }

  destroy(): void {
    this.socket.destroy();
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  isPaused(): boolean {
    return this.socket.isPaused();
  }

  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  get closed(): boolean {
    return this.isClosed || this.socket.destroyed;
  }
}

/** Wrap a connected socket. */
export function tcpTransport(socket: net.Socket): Transport {
  return new TcpTransport(socket);
}

/** Real TCP: IPv4 and IPv6, configurable local address. */
export const tcpNetwork: Network = {
  connect(address: string, port: number, localAddress?: string, options: ConnectOptions = {}): Promise<Transport> {
    return new Promise((resolve, reject) => {
      const { signal, timeoutMs } = options;
      if (signal?.aborted) {
        reject(new Error('connect aborted'));
        return;
      }
      const socket = net.connect({ host: address, port, ...(localAddress === undefined ? {} : { localAddress }) });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = (err?: Error): void => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.off('connect', onConnect);
        socket.off('error', onError);
        if (err !== undefined) {
          socket.destroy();
          reject(err);
        } else {
          resolve(new TcpTransport(socket));
        }
      };
      const onConnect = (): void => done();
      const onError = (e: Error): void => done(e);
      const onAbort = (): void => done(new Error('connect aborted'));
      socket.once('connect', onConnect);
      socket.once('error', onError);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => done(new Error(`connect timeout after ${timeoutMs} ms`)), timeoutMs);
        timer.unref();
      }
    });
  },

  listen(address: string, port: number, onConnection: (t: Transport) => void): Promise<Server> {
    return new Promise((resolve, reject) => {
      const server = net.createServer((socket) => {
        socket.on('error', () => {}); // reported through the transport once wrapped
        onConnection(new TcpTransport(socket));
      });
      server.once('error', reject);
      server.listen({ host: address, port }, () => {
        server.off('error', reject);
        const a = server.address() as net.AddressInfo;
        resolve({
          address: a.address,
          port: a.port,
          close: () =>
            new Promise<void>((r) => {
              server.close(() => r());
              // accepted sockets belong to their sessions; stop listening now, do not wait for them
              setImmediate(r);
            }),
        });
      });
    });
  },
};
