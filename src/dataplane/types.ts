/**
 * The contract between the VTEP manager and a dataplane, and between the engine and its
 * underlay and local ports. MACs and IPs are text at this edge; the engine converts them once
 * into numbers and bytes.
 */

import type { L3Dataplane } from './l3-types.js';
import type { IpText, MacText } from './text-types.js';

export type { IpText, MacText } from './text-types.js';

/**
 * Something attached to a VNI that sends and receives Ethernet frames: an application
 * endpoint, a virtual host, a TAP bridge.
 */
export interface LocalPort {
  /** A name for counters and local-MAC reports; unique per engine. */
  readonly name: string;
  /**
   * A frame for this port: `buf[start..end)`. The bytes are only valid during the call and
   * are read-only (one flooded frame is delivered to several ports). Copy what you keep.
   */
  deliver(buf: Buffer, start: number, end: number): void;
  /**
   * Called on attach with the way into the overlay for this port, and with undefined on
   * detach. Optional: a port that only listens does not need it.
   */
  connect?(ingress: PortIngress | undefined): void;
}

/** The way a port's frames go into the overlay. */
export interface PortIngress {
  /**
   * Forwards the frame `buf[start..end)` (default: the whole Buffer). Returns false when the
   * frame was dropped (see the counters for why). Passing a Buffer that is exactly the frame is
   * the allocation-free path (a UDP send needs the frame as its own Buffer, so a sub-range costs
   * one view object). The engine keeps no reference after it
   * returns (a UDP underlay sends a copy), so the caller may reuse the Buffer at once.
   * ARP requests and Neighbor Solicitations that suppression answers are rewritten in place
   * into the reply, which is delivered back to this port.
   */
  send(buf: Buffer, start?: number, end?: number): boolean;
}

/** An ARP request or Neighbor Solicitation that suppression could answer. */
export interface NeighborRequest {
  readonly vni: number;
  readonly family: 4 | 6;
  readonly senderMac: MacText;
  readonly senderIp: IpText;
  readonly targetIp: IpText;
}

/**
 * Answers a neighbour request from the VTEP manager's tables (EVPN Type-2 MAC+IP routes):
 * the MAC that owns `targetIp`, or undefined to flood the request.
 */
export type NeighborLookup = (request: NeighborRequest) => MacText | undefined;

/** How a local MAC changed. */
export type LocalMacEvent = 'learned' | 'moved' | 'removed';

/** Reports local source MACs to the VTEP manager (which originates Type-2 routes for them). */
export type LocalMacListener = (vni: number, mac: MacText, port: string, event: LocalMacEvent) => void;

/** Options of one VNI. */
export interface VniOptions {
  /** Answer ARP/NS from the table (and the lookup hook) instead of flooding (default true). */
  readonly suppressArp?: boolean;
  /**
   * Remote MACs (and IPv4 ARP entries) the VNI is expected to hold: its tables are sized for
   * them when the VNI is created, instead of doubling while they fill. A hint, not a limit.
   */
  readonly expectedMacs?: number;
}

/**
 * The interface through which the VTEP manager programs a dataplane. Methods that name a VNI
 * throw when it was not added (removals of unknown entries do nothing); malformed MAC or IP
 * text throws a TypeError. Text is parsed once here; forwarding uses numbers.
 */
export interface Dataplane {
  /** Creates a VNI (1..2^24-1). Adding an existing VNI changes nothing. */
  addVni(vni: number, options?: VniOptions): void;
  /** Removes a VNI with its tables; its ports are detached. */
  removeVni(vni: number): void;
  /** Unicast frames for `mac` in `vni` go to the remote VTEP `vtep` (from a Type-2 route). */
  setRemoteMac(vni: number, mac: MacText, vtep: IpText): void;
  removeRemoteMac(vni: number, mac: MacText): void;
  /** BUM frames in `vni` are replicated to these VTEPs (from Type-3 routes); replaces the list. */
  setFloodList(vni: number, vteps: readonly IpText[]): void;
  /** Attaches a local port to a VNI. A port belongs to one VNI at a time. */
  attachPort(vni: number, port: LocalPort): void;
  /** Detaches a port; its learned MACs are reported as removed. */
  detachPort(port: LocalPort): void;
  /** `ip` in `vni` is owned by `mac` (ARP/ND suppression table, RFC 9161). */
  setArpEntry(vni: number, ip: IpText, mac: MacText): void;
  removeArpEntry(vni: number, ip: IpText): void;
  /**
   * A hook consulted for every ARP request / Neighbor Solicitation from a local port (and, for
   * the sender's binding only, every gratuitous ARP): the control plane learns local IP bindings
   * from it, and its answer wins over the table's. Undefined removes it.
   */
  setArpLookup(vni: number, lookup: NeighborLookup | undefined): void;
  /**
   * Optional: the control plane refused a local MAC the dataplane reported (a MAC limit). It
   * leaves the local table without a 'removed' report; frames to it are flooded as unknown.
   */
  forgetLocalMac?(vni: number, mac: MacText): void;
  /** Subscribes to local MAC events; returns the unsubscribe function. */
  onLocalMac(listener: LocalMacListener): () => void;
  /**
   * Optional MAC aging: removes local MACs silent since the previous call, reporting each as
   * 'removed'; returns how many. The caller calls it every T (the dataplane keeps no timer).
   */
  ageLocalMacs?(): number;
  /**
   * Optional distributed layer 3 (IP-VRFs, anycast gateway, symmetric/asymmetric IRB); absent
   * when the dataplane only bridges.
   */
  readonly l3?: L3Dataplane;
}

/** A remote VTEP as the engine and the underlay see it (created once per address). */
export interface RemoteVtep {
  readonly address: IpText;
  readonly family: 4 | 6;
  /** 4 or 16 bytes. */
  readonly bytes: Buffer;
  /** Packets and bytes sent to it. */
  txPackets: number;
  txBytes: number;
  /** Per-underlay state (e.g. a header template); the underlay owns it. */
  underlayState: unknown;
}

/** One VNI's transmit state that the underlay needs. */
export interface VniTx {
  readonly vni: number;
  /** The 8-byte VXLAN header of this VNI (UDP-payload mode), shared by every send. */
  readonly header: Buffer;
}

/** Where decapsulated frames go (the engine). */
export interface UnderlayReceiver {
  /** A frame `buf[start..end)` arrived for `vni`. */
  receive(vni: number, buf: Buffer, start: number, end: number): void;
  /** A packet that failed decapsulation, with its DecapStatus code. */
  rejected(status: number): void;
}

/** The transport under the overlay: UDP sockets, or full packets to a raw/pcap sink. */
export interface Underlay {
  /** The engine registers itself once. */
  attach(receiver: UnderlayReceiver): void;
  /**
   * Encapsulates and sends the frame `buf[start..end)` to `remote`. `flowHash` is the inner
   * flow hash (entropy.ts) for the UDP source port. Returns false when it could not be sent.
   * Called once per replica with the same frame: a replica must not copy the frame.
   * `replica` is 0 for a unicast frame and for the first copy of a BUM frame, and counts up
   * for the further copies of the same, unchanged frame within one synchronous flood (so an
   * underlay that had to stage the frame can reuse what it staged).
   */
  send(remote: RemoteVtep, vni: VniTx, buf: Buffer, start: number, end: number, flowHash: number, replica?: number): boolean;
  /** Optional: get ready for a remote VTEP before its first packet (open sockets, build headers). */
  prepare?(remote: RemoteVtep): void;
  /** Bytes of outer IP + UDP + VXLAN for a remote of this family (36 or 56): for MTU checks. */
  overhead(family: 4 | 6): number;
  close(): Promise<void>;
}
