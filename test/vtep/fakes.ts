/**
 * A recording fake `Dataplane` for unit tests of the VTEP manager (only here: production uses
 * the VXLAN engine). It keeps the state it was programmed with, logs every call, and lets a
 * test play the part of frames: a local MAC learned on a port, an ARP request from a port.
 */
import type { Dataplane, LocalMacEvent, LocalMacListener, LocalPort, NeighborLookup, VniOptions } from '../../src/dataplane/types.js';

export class FakeDataplane implements Dataplane {
  readonly calls: string[] = [];
  readonly vnis = new Map<number, VniOptions>();
  /** `${vni}/${mac}` -> VTEP */
  readonly remoteMacs = new Map<string, string>();
  readonly floodLists = new Map<number, readonly string[]>();
  /** `${vni}/${ip}` -> MAC */
  readonly arp = new Map<string, string>();
  readonly lookups = new Map<number, NeighborLookup>();
  readonly ports = new Map<string, number>();
  private readonly listeners = new Set<LocalMacListener>();
  /** What `arpRequest` did: answered from the table or the lookup, or flooded. */
  readonly counters = { answered: 0, flooded: 0 };

  addVni(vni: number, options: VniOptions = {}): void {
    this.calls.push(`addVni ${vni}`);
    this.vnis.set(vni, options);
  }
  removeVni(vni: number): void {
    this.calls.push(`removeVni ${vni}`);
    this.vnis.delete(vni);
    for (const k of [...this.remoteMacs.keys()]) if (k.startsWith(`${vni}/`)) this.remoteMacs.delete(k);
    this.floodLists.delete(vni);
  }
  setRemoteMac(vni: number, mac: string, vtep: string): void {
    this.calls.push(`setRemoteMac ${vni} ${mac} ${vtep}`);
    this.remoteMacs.set(`${vni}/${mac}`, vtep);
  }
  removeRemoteMac(vni: number, mac: string): void {
    this.calls.push(`removeRemoteMac ${vni} ${mac}`);
    this.remoteMacs.delete(`${vni}/${mac}`);
  }
  setFloodList(vni: number, vteps: readonly string[]): void {
    this.calls.push(`setFloodList ${vni} ${[...vteps].sort().join(',')}`);
    this.floodLists.set(vni, [...vteps]);
  }
  attachPort(vni: number, port: LocalPort): void {
    this.calls.push(`attachPort ${vni} ${port.name}`);
    this.ports.set(port.name, vni);
  }
  detachPort(port: LocalPort): void {
    this.calls.push(`detachPort ${port.name}`);
    this.ports.delete(port.name);
  }
  setArpEntry(vni: number, ip: string, mac: string): void {
    this.calls.push(`setArpEntry ${vni} ${ip} ${mac}`);
    this.arp.set(`${vni}/${ip}`, mac);
  }
  removeArpEntry(vni: number, ip: string): void {
    this.calls.push(`removeArpEntry ${vni} ${ip}`);
    this.arp.delete(`${vni}/${ip}`);
  }
  setArpLookup(vni: number, lookup: NeighborLookup | undefined): void {
    if (lookup === undefined) this.lookups.delete(vni);
    else this.lookups.set(vni, lookup);
  }
  onLocalMac(listener: LocalMacListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Play a local MAC event, as the engine does when it sees a source MAC on a port. */
  local(vni: number, mac: string, port: string, event: LocalMacEvent = 'learned'): void {
    for (const l of this.listeners) l(vni, mac, port, event);
  }

  /** Play an ARP request from a local port: the table answers, else the lookup, else it floods. */
  arpRequest(vni: number, senderMac: string, senderIp: string, targetIp: string): string | undefined {
    const known = this.arp.get(`${vni}/${targetIp}`) ?? this.lookups.get(vni)?.({ vni, family: targetIp.includes(':') ? 6 : 4, senderMac, senderIp, targetIp });
    if (known === undefined) this.counters.flooded++;
    else this.counters.answered++;
    return known;
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}
