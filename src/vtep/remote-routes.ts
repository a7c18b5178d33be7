/**
 * A slot's remote Type-2 routes in `MacSlots`: the columnar common case (one route source, at
 * most one IPv4 address) and the `Candidate` list a MAC moves to when it has more, and the
 * winner among them and the local entry. The table (vni.ts) writes through these, decides, and
 * reports; nothing here reports or allocates on the columnar path.
 */
import type { IpKey } from './keys.js';
import * as slots from './slots.js';
import type { MacSlots } from './slots.js';
import { beats } from './mobility.js';
import type { VtepTable } from './vtep-table.js';

// module constants: see vni.ts (imported bindings are getter calls under a CommonJS transform)
const { expanded, fStatic, rHasIp, rMacOnly, rSticky } = slots;

/** Install (or update in place) the route from `rd` for slot `s`. */
export function putRemote(c: MacSlots, s: number, ip: IpKey | undefined, rd: number, vtep: number, seq: number, sticky: boolean): void {
  const r = c.rRd[s]!;
  const v4 = ip === undefined || typeof ip === 'number';
  if (r === 0 && v4) {
    c.rRd[s] = rd;
    c.rVtep[s] = vtep;
    c.rSeq[s] = seq;
    if (ip === undefined) c.rFlags[s] = sticky ? rSticky | rMacOnly : rMacOnly;
    else {
      c.rFlags[s] = sticky ? rSticky | rHasIp : rHasIp;
      c.rIp[s] = ip;
    }
  } else if (r === rd && v4 && (ip === undefined || (c.rFlags[s]! & rHasIp) === 0 || c.rIp[s] === ip)) {
    c.rVtep[s] = vtep;
    c.rSeq[s] = seq;
    let f = (c.rFlags[s]! & (rMacOnly | rHasIp)) | (sticky ? rSticky : 0);
    if (ip === undefined) f |= rMacOnly;
    else {
      f |= rHasIp;
      c.rIp[s] = ip;
    }
    c.rFlags[s] = f;
  } else {
    const list = c.expand(s);
    let x = list.find((y) => y.rd === rd);
    if (x === undefined) {
      x = { rd, vtep, seq, sticky, macOnly: false, ips: [] };
      list.push(x);
    }
    x.vtep = vtep;
    x.seq = seq;
    x.sticky = sticky;
    if (ip === undefined) x.macOnly = true;
    else if (!x.ips.includes(ip)) x.ips.push(ip);
  }
}

/** Remove the route from `rd` (same MAC and IP as installed) of slot `s`; whether it was there. */
export function dropRemote(c: MacSlots, s: number, ip: IpKey | undefined, rd: number): boolean {
  const r = c.rRd[s]!;
  if (r === rd) {
    const f = c.rFlags[s]!;
    const has = ip === undefined ? rMacOnly : rHasIp;
    if ((f & has) === 0 || (ip !== undefined && c.rIp[s] !== ip)) return false;
    c.rFlags[s] = f & ~has;
    if ((f & (rMacOnly | rHasIp)) === has) c.rRd[s] = 0;
    return true;
  }
  if (r !== expanded) return false;
  const list = c.extra.get(s)!;
  const i = list.findIndex((x) => x.rd === rd);
  if (i < 0) return false;
  const x = list[i]!;
  if (ip === undefined) {
    if (!x.macOnly) return false;
    x.macOnly = false;
  } else {
    const j = x.ips.indexOf(ip);
    if (j < 0) return false;
    x.ips.splice(j, 1);
  }
  if (!x.macOnly && x.ips.length === 0) list.splice(i, 1);
  if (list.length === 0) {
    c.extra.delete(s);
    c.rRd[s] = 0;
  }
  return true;
}

/** Whether a remote route of slot `s` carries `ip`. */
export function remoteCarries(c: MacSlots, s: number, ip: IpKey): boolean {
  const r = c.rRd[s]!;
  if (r > 0) return (c.rFlags[s]! & rHasIp) !== 0 && c.rIp[s] === ip;
  if (r === expanded) for (const x of c.extra.get(s)!) if (x.ips.includes(ip)) return true;
  return false;
}

/** The highest MAC Mobility sequence among the remote routes of slot `s`, or -1 for none. */
export function remoteHighest(c: MacSlots, s: number): number {
  const r = c.rRd[s]!;
  if (r > 0) return c.rSeq[s]!;
  let highest = -1;
  if (r === expanded) for (const x of c.extra.get(s)!) if (x.seq > highest) highest = x.seq;
  return highest;
}

/** Whether any remote route of slot `s` is sticky (a static MAC elsewhere, RFC 7432 15.2). */
export function remoteSticky(c: MacSlots, s: number): boolean {
  const r = c.rRd[s]!;
  if (r > 0) return (c.rFlags[s]! & rSticky) !== 0;
  return r === expanded && c.extra.get(s)!.some((x) => x.sticky);
}

/**
 * The winner of one MAC among its local entry and remote routes (RFC 7432 15.1, 15.2), and
 * `keep`: the sequence at its current location `from` (-1: that location is gone), for a frozen
 * duplicate. One per table, reused: a decision allocates nothing.
 */
export class Winner {
  /** -1 none, 0 local, >= 1 remote VTEP index. */
  best = -1;
  seq = 0;
  keep = -1;
  private sticky = false;
  private order = '';

  pick(c: MacSlots, s: number, from: number, vteps: VtepTable): void {
    this.best = -1;
    this.seq = 0;
    this.keep = -1;
    if (c.port[s]! >= 0) {
      this.best = 0;
      this.seq = c.localSeq[s]!;
      this.sticky = (c.lflags[s]! & fStatic) !== 0;
      this.order = vteps.order(0);
      if (from === 0) this.keep = this.seq;
    }
    const r = c.rRd[s]!;
    if (r > 0) this.offer(c.rVtep[s]!, c.rSeq[s]!, (c.rFlags[s]! & rSticky) !== 0, from, vteps);
    else if (r === expanded) for (const x of c.extra.get(s)!) this.offer(x.vtep, x.seq, x.sticky, from, vteps);
  }

  private offer(vtep: number, seq: number, sticky: boolean, from: number, vteps: VtepTable): void {
    if (vtep === from && seq > this.keep) this.keep = seq;
    const o = vteps.order(vtep);
    if (this.best !== -1 && !beats(sticky, seq, o, this.sticky, this.seq, this.order)) return;
    this.best = vtep;
    this.seq = seq;
    this.sticky = sticky;
    this.order = o;
  }
}
