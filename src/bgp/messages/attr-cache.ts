/**
 * The decoded-attribute cache of `parseUpdateRaw`: attribute sets repeat across UPDATEs, so each
 * distinct one is decoded once per session and found again by its raw bytes (a latin1 key).
 *
 * One cache per receive-options object (one per session: negotiation makes a fresh one; 4-octet AS
 * changes the decoding), bounded in **bytes**, not entries: a peer sending distinct 64 kB
 * attribute sets would otherwise fill 4,096 entries with 2.3 GiB. The cost of an entry is
 * estimated from its key (the attribute bytes): `16 × key bytes + 2 KiB`. Measured heap per wire
 * byte of a decoded set plus its key: 4.6-5.9 (large communities, 1-64 kB), 14 for a 200-byte
 * set (fixed per-object costs), so the estimate is an upper bound and the heap a cache holds stays
 * below its budget. Full: the oldest entries go first (FIFO; O(1) per eviction).
 */
import { extCommunityRegistryVersion } from '../ext-community-registry.js';
import type { DecodedAttributes } from '../attributes/path-attributes.js';
import type { CodecOptions } from '../types.js';

/** Default byte budget of one session's attribute cache: 16 MiB (estimated, see the module note). */
export const defaultAttributeCacheBytes = 16 * 1024 * 1024;

/** The estimated heap cost of caching a decoded set under `key`. */
export function attributeCacheCost(key: string): number {
  return 16 * key.length + 2048;
}

interface AttrCache {
  version: number;
  bytes: number;
  readonly map: Map<string, DecodedAttributes>;
}

const defaultCache: AttrCache = { version: -1, bytes: 0, map: new Map() };
const caches = new WeakMap<CodecOptions, AttrCache>();

function cacheFor(options: CodecOptions | undefined): AttrCache {
  let c = options === undefined ? defaultCache : caches.get(options);
  if (c === undefined) {
    c = { version: -1, bytes: 0, map: new Map() };
    caches.set(options!, c);
  }
  // a cache made before an extended community codec was registered starts over (the codec
  // decodes differently)
  const v = extCommunityRegistryVersion();
  if (c.version !== v) {
    c.version = v;
    c.bytes = 0;
    c.map.clear();
  }
  return c;
}

/** The cached decoding of the attribute bytes `key` under these options, if any. */
export function cachedAttributes(options: CodecOptions | undefined, key: string): DecodedAttributes | undefined {
  return cacheFor(options).map.get(key);
}

/**
 * Only sets that hold no view of the message are kept: a cached view would pin the received
 * chunk (up to 64 KiB) for as long as the cache lives. Errors carry views too.
 */
function cacheable(d: DecodedAttributes): boolean {
  if (d.error !== undefined) return false;
  for (const a of d.attributes) {
    if (a.type === 'unknown' || (a.type === 'pmsi-tunnel' && typeof a.tunnelId !== 'string')) return false;
  }
  return true;
}

/** Keep a decoded set (frozen) if it is cacheable and fits the options' byte budget. */
export function cacheAttributes(options: CodecOptions | undefined, key: string, decoded: DecodedAttributes): void {
  if (!cacheable(decoded)) return;
  const limit = options?.attributeCacheBytes ?? defaultAttributeCacheBytes;
  const cost = attributeCacheCost(key);
  if (cost > limit) return;
  const c = cacheFor(options);
  Object.freeze(decoded.attributes);
  for (const oldest of c.map.keys()) {
    if (c.bytes + cost <= limit) break;
    c.map.delete(oldest);
    c.bytes -= attributeCacheCost(oldest);
  }
  c.map.set(key, decoded);
  c.bytes += cost;
}

/** Estimated bytes and entries the cache of these options holds (tests, diagnostics). */
export function attributeCacheUsage(options: CodecOptions | undefined): { bytes: number; entries: number } {
  const c = options === undefined ? defaultCache : caches.get(options);
  return c === undefined ? { bytes: 0, entries: 0 } : { bytes: c.bytes, entries: c.map.size };
}
