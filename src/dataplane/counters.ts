/**
 * Counters: plain classes with number fields, so every instance has one hidden class and an
 * increment is a single store. Read them at any time; they are never reset by the engine.
 */

/** Per-VNI counters. "Encap" is toward the underlay, "decap" is from it. */
export class VniCounters {
  /** Frames encapsulated and handed to the underlay (one per replica). */
  encapFrames = 0;
  encapBytes = 0;
  /** Frames that arrived from the underlay for this VNI. */
  decapFrames = 0;
  decapBytes = 0;
  /** Replicas sent by ingress replication of BUM frames. */
  floodReplicas = 0;
  /** Frames switched between two local ports of the VNI. */
  localSwitched = 0;
  /** Unicast frames whose destination MAC was in no table (flooded). */
  unknownUnicast = 0;
  /** Frames dropped because the encapsulated packet would exceed the underlay MTU. */
  mtuDrops = 0;
  /** Frames dropped for want of an underlay, or because the underlay refused them. */
  sendErrors = 0;
  /** Frames too short for an Ethernet header. */
  malformed = 0;
  /** ARP requests answered locally with a reply built in place. */
  arpAnswered = 0;
  /** ARP requests for unknown targets, flooded. */
  arpFlooded = 0;
  /** ARP requests kept off the overlay (answered, or a gratuitous ARP the table already knew). */
  arpSuppressed = 0;
  /** The same three for IPv6 Neighbor Solicitations. */
  ndAnswered = 0;
  ndFlooded = 0;
  ndSuppressed = 0;
}

/** Per-VRF counters of routing (issue 14). */
export class L3Counters {
  /** Frames routed (forwarded after a route lookup, TTL decremented). */
  routed = 0;
  /** Frames whose TTL / hop limit ran out (an ICMP Time Exceeded went back when allowed). */
  ttlExceeded = 0;
  /** Frames with no matching route. */
  noRoute = 0;
  /** Frames whose next hop's MAC was not in the ARP/ND tables (dropped; an ARP/NS was sent). */
  unresolved = 0;
  /** ARP requests / NUD for an unresolved destination sent from the gateway (glean). */
  gleans = 0;
  /** ARP requests for a gateway address answered locally with the gateway MAC (never flooded). */
  gatewayArpAnswered = 0;
  /** Neighbor Solicitations for a gateway address answered locally (never flooded). */
  gatewayNdAnswered = 0;
  /** Echo requests to a gateway address answered. */
  gatewayEchoAnswered = 0;
  /** ICMP / ICMPv6 errors (Time Exceeded) sent. */
  icmpErrorsSent = 0;
  /** Routed frames from the overlay whose next hop is the overlay again (dropped: split horizon). */
  splitHorizon = 0;
  /** Frames to route that were not well-formed (short, bad IPv4 header checksum, VLAN-tagged). */
  malformed = 0;
  /** Frames from the L3VNI not addressed to our router MAC. */
  notRouterMac = 0;
  /** Frames sent over the L3VNI (symmetric IRB), and their bytes. */
  encapFrames = 0;
  encapBytes = 0;
  /** Frames received from the L3VNI, and their bytes. */
  decapFrames = 0;
  decapBytes = 0;
  /** Frames for the L3VNI dropped: too big for the underlay MTU. */
  mtuDrops = 0;
  /** Frames for the L3VNI dropped: no underlay, or the underlay refused them. */
  sendErrors = 0;
}

/** Per-port counters. "rx" is from the port into the engine, "tx" is delivered to the port. */
export class PortCounters {
  rxFrames = 0;
  rxBytes = 0;
  txFrames = 0;
  txBytes = 0;
  /** Frames from the port that were dropped (malformed, MTU, hairpin to itself, no route). */
  drops = 0;
  /** Exceptions thrown by the port's deliver(). */
  deliverErrors = 0;
}

/** Engine-wide counters. */
export class EngineCounters {
  /** Frames from the underlay for a VNI that is not configured. */
  unknownVni = 0;
  /** Packets that failed decapsulation, by DecapStatus name. */
  readonly decapErrors: Record<string, number> = Object.create(null) as Record<string, number>;
}
