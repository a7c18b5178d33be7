/**
 * `GobgpApiServer`: GoBGP's v3 gRPC API (`apipb.GobgpApi`) over a `BgpSpeaker`, so the `gobgp` CLI
 * and GoBGP automation drive a bgp-evpn speaker unchanged.
 */
import {
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServerWritableStream,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { resolveFamily, type BgpSpeaker, type PeerGroupConfig } from '../index.js';
import { ApiError, invalid } from './errors.js';
import { peerFromApi, peerToApi, type PeerTimes } from './peers.js';
import type { PathSource } from './path.js';
import { gobgpServiceDefinition, type Msg } from './proto.js';
import { ApiPaths, getTable, listPath } from './rib.js';
import { watchEvent } from './watch.js';

/** Options of `GobgpApiServer`. */
export interface GobgpApiServerOptions {
  /**
   * `host:port` to listen on. Default `127.0.0.1:50051` (the `gobgp` CLI's default). A public
   * address is used only when given here; port 0 picks a free one (see `port` after `start`).
   */
  readonly listen?: string;
  /** TLS (and optionally client certificates) with grpc-js credentials. Default plaintext. */
  readonly credentials?: ServerCredentials;
  /**
   * What ListPath answers carry by default: `structured` (GoBGP's `nlri`/`pattrs` Any messages,
   * what gobgpd sends), `binary` (`nlri_binary`/`pattrs_binary`: our wire bytes; the `gobgp` CLI
   * reads them, other clients may not) or `both`. A request's `enable_*_binary` flags add to it.
   * Default `structured`.
   */
  readonly pathForms?: 'structured' | 'binary' | 'both';
}

type Unary = (call: ServerUnaryCall<Msg, Msg>, cb: sendUnaryData<Msg>) => void;
type Streaming = (call: ServerWritableStream<Msg, Msg>) => void;

/** An error as a gRPC status: ApiError keeps its code and field; anything else is INTERNAL. */
function toStatus(e: unknown): { code: status; details: string } {
  if (e instanceof ApiError) return { code: e.code, details: e.message };
  return { code: status.INTERNAL, details: e instanceof Error ? e.message : String(e) };
}

function unary(fn: (req: Msg) => Msg | void | Promise<Msg | void>): Unary {
  return (call, cb) => {
    Promise.resolve()
      .then(() => fn(call.request))
      .then((res) => cb(null, res ?? {}), (e: unknown) => cb(toStatus(e)));
  };
}

function streaming(fn: (call: ServerWritableStream<Msg, Msg>) => Promise<void> | void): Streaming {
  return (call) => {
    Promise.resolve()
      .then(() => fn(call))
      .catch((e: unknown) => {
        if (!call.cancelled && !call.destroyed) call.emit('error', toStatus(e));
      });
  };
}

/** A peer group as GoBGP's `PeerGroup` message: name, AS, families, route reflector, timers, transport. */
function peerGroupMsg(name: string, g: PeerGroupConfig): Msg {
  const families = (g.families ?? []).map((f) => resolveFamily(f));
  return {
    conf: { peerGroupName: name, peerAsn: g.asn ?? 0 },
    info: { peerGroupName: name, peerAsn: g.asn ?? 0 },
    routeReflector: { routeReflectorClient: g.routeReflectorClient ?? false, routeReflectorClusterId: '' },
    timers: { config: { holdTime: g.holdTime ?? 0, keepaliveInterval: g.keepaliveTime ?? 0, connectRetry: g.connectRetryTime ?? 0 }, state: {} },
    transport: { passiveMode: g.passive ?? false, localAddress: g.localAddress ?? '', remotePort: g.port ?? 0 },
    afiSafis: families.map((family) => ({ config: { family, enabled: true }, state: { family, enabled: true } })),
  };
}

/**
 * Serves GoBGP's gRPC API (`apipb.GobgpApi`, GoBGP v3.10's `.proto` files, vendored in the
 * package) for a `BgpSpeaker`: `StartBgp`/`GetBgp`, `ListPeer`, `AddPeer`/`DeletePeer`/
 * `UpdatePeer`, `EnablePeer`/`DisablePeer`, `ResetPeer`, `ListPath` (GLOBAL, ADJ_IN, ADJ_OUT;
 * EVPN, IPv4 and IPv6 unicast), `GetTable`, `AddPath`/`DeletePath`, `WatchEvent`,
 * `ListPeerGroup` and `ListDynamicNeighbor`. Other methods
 * answer UNIMPLEMENTED; bad requests get INVALID_ARGUMENT / NOT_FOUND / ALREADY_EXISTS naming the
 * field, and nothing of them is applied.
 *
 * ```ts
 * const api = new GobgpApiServer(speaker);          // 127.0.0.1:50051
 * await api.start();                                // now: gobgp neighbor; gobgp global rib -a evpn
 * ```
 */
export class GobgpApiServer {
  private server: Server | undefined;
  private boundPort = 0;
  private readonly times = new Map<string, PeerTimes>();
  private readonly paths: ApiPaths;
  private readonly since = Date.now();
  private readonly onState = (peer: string, from: string, to: string): void => {
    const t = this.times.get(peer) ?? {};
    if (to === 'Established') t.up = Date.now();
    else if (from === 'Established') t.down = Date.now();
    this.times.set(peer, t);
  };

  constructor(
    /** The speaker this API drives. */
    readonly speaker: BgpSpeaker,
    private readonly options: GobgpApiServerOptions = {},
  ) {
    this.paths = new ApiPaths(speaker);
  }

  /** The port listened on (after `start`). */
  get port(): number {
    return this.boundPort;
  }

  /** Bind and serve. Resolves once listening. */
  async start(): Promise<void> {
    if (this.server !== undefined) return;
    const server = new Server();
    server.addService(gobgpServiceDefinition(), this.handlers());
    const listen = this.options.listen ?? '127.0.0.1:50051';
    this.boundPort = await new Promise<number>((resolve, reject) => {
      server.bindAsync(listen, this.options.credentials ?? ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
    });
    this.speaker.on('peerState', this.onState);
    this.server = server;
  }

  /** Stop serving: open calls (WatchEvent streams) are cancelled. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    this.speaker.off('peerState', this.onState);
    if (s === undefined) return;
    // WatchEvent streams never end on their own: cancel every call rather than wait for them
    s.forceShutdown();
  }

  /** The source fields of a route's paths. */
  private source(peer: string): PathSource {
    const sp = this.speaker;
    if (peer === 'local') return { asn: sp.asn, id: sp.routerId, neighborIp: '', since: this.since };
    const info = sp.peerInfo(peer);
    return { asn: info?.config.asn ?? 0, id: info?.negotiated?.peerRouterId ?? '0.0.0.0', neighborIp: peer, since: this.times.get(peer)?.up ?? this.since };
  }

  private peerMsg(address: string): Msg | undefined {
    const info = this.speaker.peerInfo(address);
    return info === undefined ? undefined : peerToApi(this.speaker, info, this.times.get(address));
  }

  private requirePeer(address: unknown, field: string): string {
    const a = String(address ?? '');
    if (this.speaker.peerInfo(a) === undefined) throw new ApiError(status.NOT_FOUND, field, `no neighbor ${JSON.stringify(a)}`);
    return a;
  }

  private global(): Msg {
    const sp = this.speaker;
    const l = sp.listenAddress;
    return { asn: sp.asn, routerId: sp.routerId, listenPort: l?.port ?? -1, listenAddresses: l === undefined ? [] : [l.address] };
  }

  private handlers(): UntypedServiceImplementation {
    const sp = this.speaker;
    const rib = { speaker: sp, source: (p: string) => this.source(p), forms: this.options.pathForms ?? 'structured' };
    return {
      StartBgp: unary(async (r) => {
        const g = r.global ?? {};
        if (g.asn !== undefined && g.asn !== 0 && g.asn !== sp.asn) throw invalid('global.asn', `the speaker's AS is ${sp.asn}`);
        if (g.routerId !== undefined && g.routerId !== '' && g.routerId !== sp.routerId) throw invalid('global.router_id', `the speaker's router id is ${sp.routerId}`);
        await sp.start();
      }),
      GetBgp: unary(() => ({ global: this.global() })),
      ListPeer: streaming(async (call) => {
        const want = String(call.request.address ?? '');
        for (const a of sp.peerAddresses()) {
          if (want !== '' && a !== want) continue;
          const p = this.peerMsg(a);
          if (p !== undefined && !call.write({ peer: p })) await new Promise((res) => call.once('drain', res));
        }
        call.end();
      }),
      ListPeerGroup: streaming(async (call) => {
        const want = String(call.request.peerGroupName ?? '');
        if (want !== '' && sp.peerGroup(want) === undefined) throw new ApiError(status.NOT_FOUND, 'peer_group_name', `no peer group ${JSON.stringify(want)}`);
        for (const name of sp.peerGroupNames()) {
          if (want !== '' && name !== want) continue;
          if (!call.write({ peerGroup: peerGroupMsg(name, sp.peerGroup(name)!) })) await new Promise((res) => call.once('drain', res));
        }
        call.end();
      }),
      ListDynamicNeighbor: streaming(async (call) => {
        const want = String(call.request.peerGroup ?? '');
        for (const d of sp.dynamicNeighbors()) {
          if (want !== '' && d.peerGroup !== want) continue;
          if (!call.write({ dynamicNeighbor: { prefix: d.prefix, peerGroup: d.peerGroup } })) await new Promise((res) => call.once('drain', res));
        }
        call.end();
      }),
      AddPeer: unary((r) => {
        const config = peerFromApi(r.peer);
        if (sp.peerInfo(config.address) !== undefined) throw new ApiError(status.ALREADY_EXISTS, 'peer.conf.neighbor_address', `neighbor ${config.address} exists`);
        sp.addPeer(config);
        if (r.peer.conf?.adminDown === true) return sp.disablePeer(config.address);
      }),
      DeletePeer: unary(async (r) => {
        const a = this.requirePeer(r.address, 'address');
        await sp.removePeer(a);
        this.times.delete(a);
      }),
      UpdatePeer: unary(async (r) => {
        const config = peerFromApi(r.peer);
        this.requirePeer(config.address, 'peer.conf.neighbor_address');
        await sp.removePeer(config.address);
        sp.addPeer(config);
        return { needsSoftResetIn: false };
      }),
      EnablePeer: unary((r) => sp.enablePeer(this.requirePeer(r.address, 'address'))),
      DisablePeer: unary((r) => sp.disablePeer(this.requirePeer(r.address, 'address'), r.communication || undefined)),
      ShutdownPeer: unary((r) => sp.disablePeer(this.requirePeer(r.address, 'address'), r.communication || undefined)),
      ResetPeer: unary((r) => {
        const a = this.requirePeer(r.address, 'address');
        if (r.soft !== true) return sp.resetPeer(a, r.communication || undefined);
        // soft reset in: ask the peer to send its routes again (RFC 2918); out is not served
        if (Number(r.direction ?? 0) !== 0) throw new ApiError(status.UNIMPLEMENTED, 'direction', 'soft reset out is not served');
        for (const f of sp.peerInfo(a)!.negotiated?.families ?? []) sp.refresh(a, f);
      }),
      ListPath: streaming((call) => listPath(rib, call)),
      GetTable: unary((r) => getTable(rib, r)),
      AddPath: unary((r) => this.paths.add(r)),
      DeletePath: unary((r) => this.paths.delete(r)),
      WatchEvent: streaming((call) => watchEvent({ ...rib, peer: (a) => this.peerMsg(a) }, call)),
    };
  }
}
