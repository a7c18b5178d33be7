/**
 * EVPN code points, each beside the RFC that assigns it (IANA "EVPN Route Types",
 * "EVPN Extended Community Sub-Types", RFC 7432 5 ESI types, RFC 4364 4.2 RD types).
 */

/** IANA "EVPN Route Types". */
export const EvpnRouteType = {
  /** RFC 7432 7.1 */
  ethernetAd: 1,
  /** RFC 7432 7.2 */
  macIp: 2,
  /** RFC 7432 7.3 */
  inclusiveMulticast: 3,
  /** RFC 7432 7.4 */
  ethernetSegment: 4,
  /** RFC 9136 3 */
  ipPrefix: 5,
  /** RFC 9251 (SMET), kept raw */
  selectiveMulticast: 6,
  /** RFC 9251, kept raw */
  igmpJoinSync: 7,
  /** RFC 9251, kept raw */
  igmpLeaveSync: 8,
} as const;

/** IANA "EVPN Extended Community Sub-Types" (type 0x06). */
export const EvpnExtCommunitySubtype = {
  /** RFC 7432 7.7 */
  macMobility: 0x00,
  /** RFC 7432 7.5 */
  esiLabel: 0x01,
  /** RFC 7432 7.6 */
  esImportRouteTarget: 0x02,
  /** RFC 9135 8.1 */
  routersMac: 0x03,
  /** RFC 8214 3.1 (kept raw) */
  layer2Attributes: 0x04,
  /** RFC 8584 (kept raw) */
  dfElection: 0x06,
  /** RFC 9047 3 */
  arpNd: 0x08,
} as const;

/** RFC 7432 7.7: MAC Mobility flags. */
export const MacMobilityFlag = { sticky: 0x01 } as const;

/** RFC 7432 7.5: ESI Label flags. */
export const EsiLabelFlag = { singleActive: 0x01 } as const;

/**
 * RFC 9047 3: ARP/ND flags. `proxy` (0x04) is draft-rbickhart-evpn-ip-mac-proxy-adv, which
 * FRR sends for EVPN multihoming.
 */
export const ArpNdFlag = { router: 0x01, override: 0x02, proxy: 0x04, immutable: 0x08 } as const;

/** RFC 7432 5: ESI types. */
export const EsiType = {
  arbitrary: 0,
  lacp: 1,
  bridge: 2,
  mac: 3,
  routerId: 4,
  asn: 5,
} as const;

/** RFC 4364 4.2: route distinguisher types. */
export const RdType = { as2: 0, ipv4: 1, as4: 2 } as const;

/** RFC 8365 5.1.2.1: the Type field of an auto-derived route target. */
export const AutoRtType = { vid: 0, vxlan: 1, nvgre: 2, isid: 3, evi: 4, dualVid: 5 } as const;

/** Bytes of fixed EVPN fields. */
export const EvpnSize = { rd: 8, esi: 10, ethernetTag: 4, mac: 6, label: 3 } as const;

/** RFC 7432 7.2 / 8365 5.1.3: a label field is 3 bytes; a VNI fills all 24 bits. */
export const maxVni = 0xffffff;

/** RFC 7432 7.1: MAX-ET, the Ethernet tag of per-ES Ethernet A-D routes. */
export const maxEthernetTag = 0xffffffff;
