/**
 * The RIB methods: ListPath (streamed with backpressure: one destination built at a time, the
 * next only once grpc-js has room), GetTable, AddPath, DeletePath.
 */
import { randomBytes } from 'node:crypto';
import { status, type ServerWritableStream } from '@grpc/grpc-js';
import type { BgpSpeaker, RibRoute } from '../index.js';
import { ApiError } from './errors.js';
import { pathFromApi, pathToApi, requestFamily, type ApiRoute, type PathForms, type PathSource } from './path.js';
import type { Msg } from './proto.js';

/** What the RIB methods need from the server. */
export interface RibContext {
  readonly speaker: BgpSpeaker;
  /** The source of a route's peer (`local` for ours). */
  source(peer: string): PathSource;
  /** Default forms of ListPath answers (`GobgpApiServerOptions.pathForms`). */
  readonly forms?: 'structured' | 'binary' | 'both';
}

const tableType = { global: 0, local: 1, adjIn: 2, adjOut: 3, vrf: 4 } as const;

function familyInput(k: number): { afi: number; safi: number } {
  return { afi: k >>> 8, safi: k & 0xff };
}

function knownPeer(ctx: RibContext, name: string, field: string): void {
  if (name === '' || ctx.speaker.peerInfo(name) === undefined) throw new ApiError(status.NOT_FOUND, field, `no neighbor ${JSON.stringify(name)}`);
}

/**
 * The destinations a ListPath request walks, lazily: GLOBAL gives every path of a destination
 * (best first), as gobgpd does. ADJ_OUT is the Loc-RIB as this peer may hear it under RFC 4456
 * rules (not routes it sent, iBGP-from-non-client only to clients and eBGP), with the Loc-RIB's
 * attributes (not the rewritten ones: the speaker keeps no per-route Adj-RIB-Out).
 */
function* tableRoutes(ctx: RibContext, type: number, name: string, family: number): Generator<readonly RibRoute[]> {
  const f = familyInput(family);
  const sp = ctx.speaker;
  if (type === tableType.adjIn) {
    for (const r of sp.adjRibIn(name, f)) yield [r];
    return;
  }
  if (type !== tableType.adjOut) {
    yield* sp.destinations(f);
    return;
  }
  const to = sp.peerInfo(name)!;
  const toIbgp = to.config.asn === sp.asn;
  for (const r of sp.routes(f)) {
    if (r.peer === name) continue;
    const from = r.peer === 'local' ? undefined : sp.peerInfo(r.peer);
    if (from !== undefined && toIbgp && from.config.asn === sp.asn && from.config.routeReflectorClient !== true && to.config.routeReflectorClient !== true) continue;
    yield [r];
  }
}

/** Wait until grpc-js can take more, or the call is gone. */
function drained(call: ServerWritableStream<Msg, Msg>): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      call.off('drain', done);
      call.off('cancelled', done);
      call.off('close', done);
      resolve();
    };
    call.on('drain', done);
    call.on('cancelled', done);
    call.on('close', done);
  });
}

/** Write one message, waiting for room when grpc-js says its buffer is full. False when the call ended. */
export async function writeWithBackpressure(call: ServerWritableStream<Msg, Msg>, msg: Msg): Promise<boolean> {
  if (call.cancelled || call.destroyed) return false;
  if (!call.write(msg)) await drained(call);
  return !call.cancelled && !call.destroyed;
}

/** `TableLookupPrefix` filters: unicast prefixes match exactly; for EVPN the CLI sends a route type name. */
function prefixFilter(prefixes: Msg[] | undefined): ((destination: string) => boolean) | undefined {
  if (prefixes === undefined || prefixes.length === 0) return undefined;
  const want = prefixes.map((p) => String(p.prefix ?? '').toLowerCase());
  return (d) => {
    const l = d.toLowerCase();
    return want.some((w) => l === w || l.startsWith(`[type:${w}]`) || (w === 'a-d' && l.startsWith('[type:a-d]')));
  };
}

/** ListPath: one Destination per route, streamed as the RIB is walked. */
export async function listPath(ctx: RibContext, call: ServerWritableStream<Msg, Msg>): Promise<void> {
  const r = call.request;
  const family = requestFamily(r.family, 'family');
  const type = Number(r.tableType ?? 0);
  if (type === tableType.vrf || type === tableType.local) throw new ApiError(status.UNIMPLEMENTED, 'table_type', 'LOCAL and VRF tables are not served');
  const name = String(r.name ?? '');
  if (type === tableType.adjIn || type === tableType.adjOut) knownPeer(ctx, name, 'name');
  const only = r.enableOnlyBinary === true || ctx.forms === 'binary';
  const bin = only || ctx.forms === 'both';
  const forms: PathForms = { structured: !only, nlriBinary: bin || r.enableNlriBinary === true, attributesBinary: bin || r.enableAttributeBinary === true };
  const filter = prefixFilter(r.prefixes);
  const sources = new Map<string, PathSource>();
  for (const routes of tableRoutes(ctx, type, name, family)) {
    let prefix = '';
    const paths: Msg[] = [];
    for (const route of routes) {
      let src = sources.get(route.peer);
      if (src === undefined) sources.set(route.peer, (src = ctx.source(route.peer)));
      let converted: ReturnType<typeof pathToApi>;
      try {
        converted = pathToApi(family, route, src, forms);
      } catch (e) {
        // an EVPN route type without a GoBGP API form (kept raw by the codec) is not listed
        if (e instanceof ApiError) continue;
        throw e;
      }
      prefix = converted.destination;
      paths.push(converted.path);
    }
    if (paths.length === 0 || (filter !== undefined && !filter(prefix))) continue;
    if (!(await writeWithBackpressure(call, { destination: { prefix, paths } }))) return;
  }
  call.end();
}

/** GetTable: destination and path counts of a table. */
export function getTable(ctx: RibContext, r: Msg): Msg {
  const family = requestFamily(r.family, 'family');
  const f = familyInput(family);
  const type = Number(r.tableType ?? 0);
  const sp = ctx.speaker;
  if (type === tableType.adjIn) {
    const name = String(r.name ?? '');
    knownPeer(ctx, name, 'name');
    const n = sp.peerInfo(name)!.routesReceived(f);
    return { numDestination: n, numPath: n, numAccepted: n };
  }
  if (type === tableType.adjOut) {
    const name = String(r.name ?? '');
    knownPeer(ctx, name, 'name');
    let n = 0;
    for (const _ of tableRoutes(ctx, type, name, family)) n++;
    return { numDestination: n, numPath: n, numAccepted: 0 };
  }
  if (type !== tableType.global) throw new ApiError(status.UNIMPLEMENTED, 'table_type', 'LOCAL and VRF tables are not served');
  let paths = 0;
  for (const a of sp.peerAddresses()) paths += sp.peerInfo(a)?.routesReceived(f) ?? 0;
  for (const _ of sp.adjRibIn('local', f)) paths++;
  return { numDestination: sp.routeCount(f), numPath: paths, numAccepted: 0 };
}

/**
 * AddPath / DeletePath state: the paths added through the API, by UUID, and the UUID of each
 * route (adding a route again replaces it and its UUID: memory stays one entry per route).
 */
export class ApiPaths {
  private readonly byUuid = new Map<string, ApiRoute>();
  private readonly uuidOf = new Map<string, string>();

  constructor(private readonly speaker: BgpSpeaker) {}

  private forget(key: string): void {
    const u = this.uuidOf.get(key);
    if (u !== undefined) this.byUuid.delete(u);
    this.uuidOf.delete(key);
  }

  /** AddPath: checked whole, then announced (or withdrawn for `is_withdraw`). */
  add(r: Msg): Msg {
    const type = Number(r.tableType ?? 0);
    if (type !== tableType.global) throw new ApiError(status.UNIMPLEMENTED, 'table_type', 'only the GLOBAL table takes paths');
    const route = pathFromApi(r.path, 'path');
    if (r.path.isWithdraw === true) {
      this.speaker.withdraw(route.input);
      this.forget(route.key);
      return { uuid: new Uint8Array() };
    }
    this.speaker.announce(route.input);
    const uuid = randomBytes(16);
    uuid[6] = (uuid[6]! & 0x0f) | 0x40; // RFC 4122 version 4
    uuid[8] = (uuid[8]! & 0x3f) | 0x80;
    const hex = uuid.toString('hex');
    this.forget(route.key);
    this.byUuid.set(hex, route);
    this.uuidOf.set(route.key, hex);
    return { uuid };
  }

  /** DeletePath by UUID, by path, or (neither given) every local path of the family. */
  delete(r: Msg): void {
    const type = Number(r.tableType ?? 0);
    if (type !== tableType.global) throw new ApiError(status.UNIMPLEMENTED, 'table_type', 'only the GLOBAL table takes paths');
    const uuid = r.uuid instanceof Uint8Array && r.uuid.length > 0 ? Buffer.from(r.uuid).toString('hex') : undefined;
    if (uuid !== undefined) {
      const route = this.byUuid.get(uuid);
      if (route === undefined) throw new ApiError(status.NOT_FOUND, 'uuid', `no path with UUID ${uuid}`);
      this.forget(route.key);
      this.speaker.withdraw(route.input);
      return;
    }
    if (r.path !== null && r.path !== undefined) {
      const route = pathFromApi(r.path, 'path');
      this.forget(route.key);
      this.speaker.withdraw(route.input);
      return;
    }
    const family = requestFamily(r.family, 'family');
    const f = familyInput(family);
    const mine = [...this.speaker.adjRibIn('local', f)];
    for (const x of mine) this.speaker.withdraw({ family: f, nlri: x.nlri });
    for (const [k, v] of this.byUuid) {
      if (v.family !== family) continue;
      this.byUuid.delete(k);
      this.uuidOf.delete(v.key);
    }
  }

  /** Paths added through the API and still held (for tests and metrics). */
  get size(): number {
    return this.byUuid.size;
  }
}
