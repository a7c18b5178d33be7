/**
 * The BGP listener: accepts connections on a configurable address and port (IPv4 or IPv6) and
 * hands each one to the session of the peer it comes from. A connection from an address that is
 * not a configured peer gets a NOTIFICATION Cease / Connection Rejected (RFC 4486 subcode 5)
 * without an OPEN, and is closed.
 */
import { CeaseSubcode, ErrorCode } from '../iana.js';
import { tcpNetwork } from './transport.js';
import type { Network, Server, SessionApi, Transport } from './types.js';
import { notificationMessage } from './wire.js';

export interface ListenerOptions {
  /** Address to bind. Default `::` (IPv6 and IPv4-mapped: every address). */
  readonly address?: string;
  /** Default 179; 0 picks a free port. */
  readonly port?: number;
  /** Default real TCP. */
  readonly network?: Network;
  /** The session configured for a remote address, or undefined to reject it. */
  readonly lookup: (remoteAddress: string) => SessionApi | undefined;
  /** Told about every rejected connection. */
  readonly onReject?: (remoteAddress: string, remotePort: number) => void;
}

/** Rejected connections get this long to take the NOTIFICATION before they are destroyed. */
const rejectGraceMs = 1000;

export class Listener {
  private server: Server | undefined;
  private readonly rejected = new Set<Transport>();

  constructor(readonly options: ListenerOptions) {}

  /** Start listening; resolves with the bound address and port. */
  async listen(): Promise<Server> {
    if (this.server !== undefined) return this.server;
    const o = this.options;
    this.server = await (o.network ?? tcpNetwork).listen(o.address ?? '::', o.port ?? 179, (t) => this.onConnection(t));
    return this.server;
  }

  get port(): number | undefined {
    return this.server?.port;
  }

  /** Connections rejected and not yet closed. */
  get pendingRejects(): number {
    return this.rejected.size;
  }

  private onConnection(t: Transport): void {
    const session = this.options.lookup(t.remoteAddress);
    if (session !== undefined) {
      session.accept(t);
      return;
    }
    this.options.onReject?.(t.remoteAddress, t.remotePort);
    // RFC 4486 4: "Connection Rejected" when a speaker does not accept a connection
    this.rejected.add(t);
    t.on('error', () => {});
    t.once('close', () => this.rejected.delete(t));
    t.write(notificationMessage({ code: ErrorCode.cease, subcode: CeaseSubcode.connectionRejected }));
    t.end();
    const timer = setTimeout(() => t.destroy(), rejectGraceMs);
    timer.unref?.();
    t.once('close', () => clearTimeout(timer));
  }

  /** Stop listening and close any connection still being rejected. */
  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    for (const t of this.rejected) t.destroy();
    this.rejected.clear();
    if (s !== undefined) await s.close();
  }
}
