/**
 * The session layer's contract: the injected Clock and Transport, the per-peer configuration,
 * what a session negotiated, the typed reasons of state changes and the session's events.
 *
 * Units: configuration times are in **seconds** (as BGP puts them on the wire); the Clock works
 * in **milliseconds**.
 */
import type { EventEmitter } from 'eventemitter3';
import type { Capability, CodecOptions, Family, NotificationMessage, OpenMessage, RouteRefreshMessage, AddPathMode } from '../types.js';
import type { RawNlriMode, RawUpdate } from '../codec.js';
import type { BgpError } from '../errors.js';
import type { State, StateChangeReason } from '../fsm/types.js';

// the FSM's names, owned by the FSM (RFC 4271 8)
export type { State, StateChangeReason } from '../fsm/types.js';

// ---------------------------------------------------------------- Clock

/** An opaque timer handle returned by `Clock.setTimeout`. */
export interface TimerHandle {
  readonly __timerHandle?: never;
}

/**
 * Time, injected: `realClock` in production, `VirtualClock` in tests (timers fire when the test
 * calls `advance(ms)`, deterministically, in due-time order).
 */
export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

// ---------------------------------------------------------------- Transport

export interface TransportEvents {
  data: [chunk: Buffer];
  /** The write buffer emptied after `write` returned false. */
  drain: [];
  /** Emitted once, when the connection is gone for whatever reason. */
  close: [hadError: boolean];
  error: [err: Error];
}

/**
 * A byte stream to one peer: a TCP socket in production (`tcpTransport`), one end of an
 * in-memory pair in tests (`memoryTransportPair`). Both honour backpressure: `write` returns
 * false once the buffered bytes pass the high-water mark, and `drain` follows when they drain.
 */
export interface Transport extends EventEmitter<TransportEvents> {
  /** Queue bytes. False when the write buffer is full: wait for `drain` before writing more. */
  write(buf: Buffer): boolean;
  /** Flush what is queued, then close. */
  end(): void;
  /** Close now, dropping anything queued. */
  destroy(): void;
  /** Stop emitting `data` (the peer's writes then back up). */
  pause(): void;
  resume(): void;
  /** Whether `pause` is in effect (a session does not resume what someone else paused). */
  isPaused?(): boolean;
  /** Bytes queued and not yet handed to the other end. */
  readonly bufferedAmount: number;
  readonly closed: boolean;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
}

export interface ConnectOptions {
  /** Abort a connection attempt that is still pending (the session stops or retries). */
  readonly signal?: AbortSignal;
  /** Give up after this many milliseconds. */
  readonly timeoutMs?: number;
}

/** A listening endpoint (TCP server or MemoryNetwork registration). */
export interface Server {
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Where transports come from: real TCP (`tcpNetwork`) or an in-process fabric (`MemoryNetwork`,
 * where listeners register by address:port so many speakers run in one process).
 */
export interface Network {
  /**
   * Open a connection. Rejects when it cannot be set up (refused, unreachable, timeout, aborted
   * through `options.signal`).
   */
  connect(address: string, port: number, localAddress?: string, options?: ConnectOptions): Promise<Transport>;
  /** Accept connections on `address:port` (address `::` or `0.0.0.0` = any; port 0 = pick one). */
  listen(address: string, port: number, onConnection: (t: Transport) => void): Promise<Server>;
}

// ---------------------------------------------------------------- configuration

/** Per-family ADD-PATH wish (RFC 7911). */
export interface AddPathConfig extends Family {
  readonly mode: AddPathMode;
}

/** Graceful restart capability we advertise (RFC 4724), as a receiving speaker. */
export interface GracefulRestartConfig {
  /** Seconds (12 bits). Default 120. */
  readonly restartTime?: number;
  /** Families for which we preserve forwarding state (F bit). Default: none. */
  readonly families?: readonly (Family & { readonly forwardingPreserved?: boolean })[];
  /** RFC 8538 N bit. Default false. */
  readonly notification?: boolean;
}

export interface SessionConfig {
  /** Our AS (4-octet allowed; AS_TRANS goes in the OPEN's 2-byte field when needed). */
  readonly localAsn: number;
  /** Our BGP identifier, dotted quad. */
  readonly routerId: string;
  /** The peer's address (IPv4 or IPv6 text). */
  readonly peerAddress: string;
  /** The AS the peer must announce (RFC 4271 6.2: otherwise OPEN error Bad Peer AS). */
  readonly peerAsn: number;
  /** TCP port of the peer. Default 179. */
  readonly peerPort?: number;
  /** Source address of our outgoing connections. */
  readonly localAddress?: string;
  /** Never connect; only accept (ManualStart_with_PassiveTcpEstablishment). Default false. */
  readonly passive?: boolean;
  /** Families we offer (multiprotocol capability). Default IPv4 unicast. */
  readonly families?: readonly Family[];
  /** Hold time we offer, seconds: 0 or >= 3. Default 90. */
  readonly holdTime?: number;
  /** Keepalive interval, seconds; default a third of the negotiated hold time. */
  readonly keepaliveTime?: number;
  /** ConnectRetry timer, seconds. Default 120. */
  readonly connectRetryTime?: number;
  /** DelayOpen timer, seconds (RFC 4271 8.1.1 optional attribute). 0 or absent = off. */
  readonly delayOpenTime?: number;
  /** Restart automatically after a failure (via the IdleHold timer). Default true. */
  readonly autoRestart?: boolean;
  /** First IdleHold time after a failure, seconds. Default 1. */
  readonly idleHoldTime?: number;
  /** DampPeerOscillations: IdleHold doubles per consecutive failure up to this, seconds. Default 120. */
  readonly idleHoldMaxTime?: number;
  /** Established this long (seconds) counts as stable: the back-off resets. Default 60. */
  readonly idleHoldResetTime?: number;
  /** Disable back-off (IdleHold stays at `idleHoldTime`). Default true = damp. */
  readonly dampPeerOscillations?: boolean;
  /** Advertise route refresh (RFC 2918). Default true. */
  readonly routeRefresh?: boolean;
  /** Advertise enhanced route refresh (RFC 7313). Default true. */
  readonly enhancedRouteRefresh?: boolean;
  /** Advertise extended messages (RFC 8654). Default true. */
  readonly extendedMessage?: boolean;
  /**
   * Advertise the 4-octet AS capability (RFC 6793). Default true. `false` makes this session
   * behave as an OLD (2-octet) speaker would: no capability in our OPEN, the peer's AS is its
   * OPEN's 2-byte My AS field (AS_TRANS for a 4-octet AS peer), and UPDATEs use AS_TRANS with
   * AS4_PATH / AS4_AGGREGATOR. Only for a 2-octet `localAsn` (a larger one is refused).
   */
  readonly fourOctetAs?: boolean;
  /** ADD-PATH per family (RFC 7911). Default none. */
  readonly addPath?: readonly AddPathConfig[];
  /** Advertise graceful restart (RFC 4724). Default: not advertised. */
  readonly gracefulRestart?: GracefulRestartConfig;
  /** Extra capabilities put in our OPEN as given (e.g. FQDN). */
  readonly extraCapabilities?: readonly Capability[];
  /** Injected time. Default realClock. */
  readonly clock?: Clock;
  /** Injected connections. Default real TCP. */
  readonly network?: Network;
  /**
   * How the `update` event hands NLRI over (see `parseUpdateRaw`): one Buffer view per NLRI
   * (`views`, the default) or `[start, end)` pairs into the message (`bounds`: no object per
   * NLRI, what the speaker's RIB uses).
   */
  readonly nlriMode?: RawNlriMode;
  /**
   * Byte budget of this session's decoded-attribute cache (`CodecOptions.attributeCacheBytes`,
   * default 16 MiB): what a peer sending ever-new attribute sets can make us hold.
   */
  readonly attributeCacheBytes?: number;
}

// ---------------------------------------------------------------- negotiation

/** What both OPENs together decided. Fixed for the life of one Established session. */
export interface Negotiated {
  readonly localAsn: number;
  readonly peerAsn: number;
  readonly localRouterId: string;
  readonly peerRouterId: string;
  /** peerAsn === localAsn */
  readonly ibgp: boolean;
  /** RFC 6793: both sides sent the 4-octet AS capability. */
  readonly fourOctetAs: boolean;
  /** RFC 8654: both sides sent it. */
  readonly extendedMessage: boolean;
  /** Seconds: the smaller of both offers (RFC 4271 4.2); 0 = no keepalives, no hold timer. */
  readonly holdTime: number;
  /** Seconds; 0 when holdTime is 0. */
  readonly keepaliveTime: number;
  /** Families both sides offered (RFC 4760 6). Without MP capabilities on both sides: IPv4 unicast. */
  readonly families: readonly Family[];
  /** Peer offered route refresh (code 2 or 128) and so did we. */
  readonly routeRefresh: boolean;
  /** RFC 7313: both sides. */
  readonly enhancedRouteRefresh: boolean;
  /** RFC 7911: familyKey numbers for which we receive / send path identifiers. */
  readonly addPath: { readonly receive: ReadonlySet<number>; readonly send: ReadonlySet<number> };
  /** The peer's graceful restart capability (RFC 4724), when it sent one. */
  readonly gracefulRestart?: {
    readonly restartTime: number;
    readonly restarting: boolean;
    readonly notification: boolean;
    /** Families the peer preserves (with the F bit as sent). */
    readonly families: readonly (Family & { readonly forwardingPreserved: boolean })[];
  };
  /** Decode what the peer sends with these. */
  readonly receiveOptions: CodecOptions;
  /** Encode what we send with these. */
  readonly sendOptions: CodecOptions;
  readonly localOpen: OpenMessage;
  readonly peerOpen: OpenMessage;
}

// ---------------------------------------------------------------- session

export interface SessionEvents {
  stateChange: [from: State, to: State, reason: StateChangeReason];
  established: [negotiated: Negotiated];
  /** Each UPDATE: the whole message (a view valid for the listener's call) and its raw parse. */
  update: [msg: Buffer, parsed: RawUpdate];
  /** End-of-RIB from the peer (RFC 4724 2) for a family. */
  endOfRib: [family: Family];
  routeRefresh: [msg: RouteRefreshMessage];
  notificationSent: [msg: NotificationMessage];
  notificationReceived: [msg: NotificationMessage];
  /** The transport drained after `send` returned false. */
  drain: [];
  /**
   * Something threw inside the session's processing (a timer, a socket callback, a listener of
   * one of these events): the connection was reset with Cease / Administrative Reset.
   */
  internalError: [error: Error];
}

/** What the speaker uses of a Session (implemented by `Session` in session.ts). */
export interface SessionApi extends EventEmitter<SessionEvents> {
  readonly config: SessionConfig;
  readonly state: State;
  /** Set while Established (and kept from the last Established until the next OPEN exchange). */
  readonly negotiated: Negotiated | undefined;
  /** ManualStart (or the passive variant when `config.passive`). */
  start(): void;
  /**
   * ManualStop: Cease/Administrative Shutdown (6/2) with an RFC 8203 message, then every
   * socket and timer closed. No automatic restart until `start()` again.
   */
  stop(message?: string): Promise<void>;
  /**
   * Tear the session down with this error's NOTIFICATION (e.g. Cease/1 max-prefix); the session
   * restarts after IdleHold unless `restart` is false.
   */
  reset(error: BgpError, restart?: boolean): void;
  /**
   * Contain a fault met while working for this session (e.g. an exception in the speaker's
   * UPDATE flush): `internalError` is emitted, the session is reset with Cease / Administrative
   * Reset and restarts after IdleHold. Never throws.
   */
  contain(error: unknown): void;
  /** Hand over an accepted connection from this peer (the listener does it). */
  accept(transport: Transport): void;
  /** Write an encoded message. False when the transport buffer is full: wait for `drain`. */
  send(msg: Buffer): boolean;
  /** Whether `send` would currently buffer below the high-water mark. */
  readonly writable: boolean;
  /** ROUTE-REFRESH (RFC 2918 / RFC 7313). False when not negotiated or not Established. */
  sendRouteRefresh(family: Family, subtype?: 'normal' | 'borr' | 'eorr'): boolean;
  /** End-of-RIB for a family (RFC 4724 2). */
  sendEndOfRib(family: Family): boolean;
}
