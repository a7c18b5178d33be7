/**
 * The Loc-RIB keys its Map by a 30-bit hash of the route key: destinations whose keys share a
 * hash must still be told apart, found, replaced, iterated and removed one by one.
 */
import { describe, expect, it } from 'vitest';
import { AttrTable, ipv4ToNumber, localAttributesKey } from '../../src/bgp/rib/attr-set.js';
import { BestChange, keyHash, LocRib } from '../../src/bgp/rib/loc-rib.js';
import { addressRank, newRoute, nlriBytes, type RibPeer, type Route } from '../../src/bgp/rib/route.js';

function peer(address: string): RibPeer {
  return { address, asn: 65001, routerId: ipv4ToNumber(address), addressRank: addressRank(address), ibgp: true, rrClient: false, local: false };
}

const nlri = Buffer.from([24, 10, 0, 0]);
function route(p: RibPeer, key: string, localPref: number): Route {
  const attrs = [{ type: 'local-pref' as const, value: localPref }];
  const set = new AttrTable(p).intern(localAttributesKey(attrs, []), attrs, []);
  return newRoute(nlriBytes(nlri, 0, nlri.length), key, set, -1);
}

/** Two (and a third) distinct keys with one hash, found by the birthday bound (~40k tries). */
function collidingKeys(): [string, string, string] {
  const seen = new Map<number, string>();
  const found: string[] = [];
  for (let i = 0; i < 2_000_000; i++) {
    const k = `\u0002key${i}`;
    const h = keyHash(k);
    const other = seen.get(h);
    if (other === undefined) {
      seen.set(h, k);
      continue;
    }
    if (found.length === 0) found.push(other, k);
    else if (keyHash(found[0]!) === h) return [found[0]!, found[1]!, k];
    else if (found.length === 2 && i > 400_000) break;
  }
  // a third key on the same hash is rare: fall back to two
  return [found[0]!, found[1]!, ''];
}

describe('Loc-RIB hash collisions', () => {
  const [k1, k2, k3] = collidingKeys();
  const a = peer('10.0.0.1');
  const b = peer('10.0.0.2');

  it('keeps destinations with one hash apart', () => {
    expect(k1).not.toBe(k2);
    expect(keyHash(k1)).toBe(keyHash(k2));
    const rib = new LocRib();
    const r1 = route(a, k1, 100);
    const r2 = route(a, k2, 100);
    expect(rib.update(r1)).toBe(BestChange.added);
    expect(rib.path(k2, a, -1)).toBeUndefined();
    expect(rib.update(r2)).toBe(BestChange.added);
    expect(rib.size).toBe(2);
    expect(rib.best(k1)).toBe(r1);
    expect(rib.best(k2)).toBe(r2);
    expect(new Set(rib.keys())).toEqual(new Set([k1, k2]));
    expect(new Set(rib.bests())).toEqual(new Set([r1, r2]));
    if (k3 !== '') {
      expect(rib.update(route(a, k3, 100))).toBe(BestChange.added);
      expect(rib.size).toBe(3);
      expect(rib.removePath(k3, a, -1)).toBe(BestChange.withdrawn);
      expect(rib.size).toBe(2);
    }

    // a second path to the second key: a Dest inside the collision list
    const r2b = route(b, k2, 200);
    expect(rib.update(r2b)).toBe(BestChange.replaced);
    expect(rib.best(k2)).toBe(r2b);
    expect(rib.paths(k2)).toHaveLength(2);
    expect(rib.best(k1)).toBe(r1);
    expect([...rib.pathsOf(b)]).toEqual([r2b]);
    expect(rib.size).toBe(2);

    // the same peer replacing its path to the first key
    const r1b = route(a, k1, 300);
    expect(rib.path(k1, a, -1)).toBe(r1);
    expect(rib.update(r1b)).toBe(BestChange.replaced);
    expect(rib.replaced).toBe(r1);
    expect(rib.best(k1)).toBe(r1b);

    // removals, one key at a time
    expect(rib.removePath(k1, a, -1)).toBe(BestChange.withdrawn);
    expect(rib.best(k1)).toBeUndefined();
    expect(rib.best(k2)).toBe(r2b);
    expect(rib.size).toBe(1);
    expect(rib.removePath(k1, a, -1)).toBe(BestChange.none);
    expect(rib.removePath(k2, b, -1)).toBe(BestChange.replaced);
    expect(rib.best(k2)).toBe(r2);
    expect(rib.removePath(k2, a, -1)).toBe(BestChange.withdrawn);
    expect(rib.size).toBe(0);
    expect([...rib.keys()]).toEqual([]);
  });

  it('finds the second key of a hash after the first was removed', () => {
    const rib = new LocRib();
    const r1 = route(a, k1, 100);
    const r2 = route(a, k2, 100);
    rib.update(r1);
    rib.update(r2);
    expect(rib.remove(r1)).toBe(BestChange.withdrawn);
    expect(rib.best(k2)).toBe(r2);
    expect(rib.update(r1)).toBe(BestChange.added);
    expect(rib.size).toBe(2);
    expect(rib.remove(r2)).toBe(BestChange.withdrawn);
    expect(rib.best(k1)).toBe(r1);
    expect(rib.best(k2)).toBeUndefined();
  });
});
