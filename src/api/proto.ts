/**
 * The GoBGP v3 API schema (package `apipb`), loaded at run time with protobufjs from the `.proto`
 * files vendored in the package (`proto/gobgp/`), and the gRPC service definition built from it.
 * protobuf stays in `src/api`: nothing below this layer imports it.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import type { ServiceDefinition } from '@grpc/grpc-js';

/** A decoded protobuf message as protobufjs gives it (camelCase fields). */
export type Msg = Record<string, any>;

/** `google.protobuf.Any`: the type URL prefix every GoBGP client expects. */
export const typeUrlPrefix = 'type.googleapis.com/';

const files = ['gobgp.proto', 'attribute.proto', 'capability.proto'];

/** This module's directory, in ESM (source, dist/*.js) and CJS (dist/*.cjs) alike. */
function hereDir(): string {
  if (typeof __dirname !== 'undefined') return __dirname;
  return dirname(fileURLToPath(import.meta.url));
}

/**
 * The directory holding `gobgp.proto`: `proto/gobgp` of the package, found by walking up from this
 * module (src/api/ in the source tree, dist/ or a chunk of it once built).
 */
export function protoDir(): string {
  let dir = hereDir();
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'proto', 'gobgp');
    if (existsSync(join(candidate, 'gobgp.proto'))) return candidate;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error(`bgp-evpn/api: proto/gobgp/gobgp.proto not found above ${hereDir()}`);
}

let cached: protobuf.Root | undefined;

/** The loaded schema (loaded once per process). `dir` overrides where the `.proto` files are. */
export function apiRoot(dir?: string): protobuf.Root {
  if (cached !== undefined && dir === undefined) return cached;
  const base = dir ?? protoDir();
  const root = new protobuf.Root();
  // google/protobuf/{any,empty,timestamp}.proto come with protobufjs (protobuf.common)
  root.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') ? target : join(base, target.replace(/^.*\//, '')));
  root.loadSync(files, { keepCase: false });
  root.resolveAll();
  if (dir === undefined) cached = root;
  return root;
}

const types = new Map<string, protobuf.Type>();

/** An `apipb` message type by its short name (`Path`, `EVPNMACIPAdvertisementRoute`, ...). */
export function apiType(name: string): protobuf.Type {
  let t = types.get(name);
  if (t === undefined) {
    t = apiRoot().lookupType(name.includes('.') ? name : `apipb.${name}`);
    types.set(name, t);
  }
  return t;
}

/**
 * Encode a message as `google.protobuf.Any` with the full type URL. protobufjs's bundled
 * google/protobuf types keep their proto field names: `{ type_url, value }`.
 */
export function packAny(name: string, value: Msg): Msg {
  const t = apiType(name);
  return { type_url: `${typeUrlPrefix}apipb.${name}`, value: t.encode(value).finish() };
}

/** The type URL of an Any ('' when absent). */
export function anyTypeUrl(any: Msg | null | undefined): string {
  const url: unknown = any?.type_url ?? any?.typeUrl;
  return typeof url === 'string' ? url : '';
}

/** The short `apipb` name of an Any (`type.googleapis.com/apipb.X` -> `X`), or undefined. */
export function anyName(any: Msg | null | undefined): string | undefined {
  const url = anyTypeUrl(any);
  const m = /^(?:.*\/)?apipb\.([A-Za-z0-9_]+)$/.exec(url);
  return m?.[1];
}

/** Decode an Any into `{ name, value }`; undefined when its type is not an `apipb` message. */
export function unpackAny(any: Msg | null | undefined): { name: string; value: Msg } | undefined {
  const name = anyName(any);
  if (name === undefined) return undefined;
  let t: protobuf.Type;
  try {
    t = apiType(name);
  } catch {
    return undefined;
  }
  const bytes = any!.value instanceof Uint8Array ? any!.value : new Uint8Array();
  return { name, value: t.decode(bytes) as unknown as Msg };
}

/** Methods of `apipb.GobgpApi`, as grpc-js serves them (protobufjs encodes and decodes). */
export function gobgpServiceDefinition(): ServiceDefinition {
  const svc = apiRoot().lookupService('apipb.GobgpApi');
  const def: Record<string, unknown> = {};
  for (const m of svc.methodsArray) {
    m.resolve();
    const req = m.resolvedRequestType!;
    const res = m.resolvedResponseType!;
    def[m.name] = {
      path: `/apipb.GobgpApi/${m.name}`,
      requestStream: m.requestStream === true,
      responseStream: m.responseStream === true,
      requestSerialize: (v: Msg) => Buffer.from(req.encode(v).finish()),
      requestDeserialize: (b: Buffer) => req.decode(b),
      responseSerialize: (v: Msg) => Buffer.from(res.encode(v).finish()),
      responseDeserialize: (b: Buffer) => res.decode(b),
      originalName: m.name,
    };
  }
  return def as ServiceDefinition;
}
