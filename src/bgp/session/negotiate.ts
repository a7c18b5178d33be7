/**
 * Capabilities (RFC 5492): our OPEN from the configuration, the checks on the peer's OPEN
 * (RFC 4271 6.2), and what both OPENs together decide (`Negotiated`), including the codec
 * options of each direction.
 */
import { OpenMessageError } from '../errors.js';
import { AS_TRANS, Afi, OpenSubcode, Safi } from '../iana.js';
import { familyKey } from '../families.js';
import { unsupportedParameterError } from '../messages/open.js';
import { parseIpv4 } from '../../net/ip.js';
import type { AddPathMode, Capability, CodecOptions, Family, OpenMessage } from '../types.js';
import type { Negotiated, SessionConfig } from './types.js';

/** RFC 4271 10: suggested default hold time. */
export const defaultHoldTime = 90;
const ipv4Unicast: Family = { afi: Afi.ipv4, safi: Safi.unicast };

/** A BGP identifier (dotted quad) as an unsigned 32-bit number; -1 when it is not one. */
export function routerIdToNumber(id: string): number {
  return parseIpv4(id);
}

/** Our OPEN for this configuration. */
export function buildOpen(config: SessionConfig): OpenMessage {
  const caps: Capability[] = [];
  for (const f of config.families ?? [ipv4Unicast]) caps.push({ type: 'multiprotocol', afi: f.afi, safi: f.safi });
  if (config.routeRefresh ?? true) caps.push({ type: 'route-refresh' });
  if (config.enhancedRouteRefresh ?? true) caps.push({ type: 'enhanced-route-refresh' });
  if (config.fourOctetAs ?? true) caps.push({ type: 'four-octet-as', asn: config.localAsn });
  // RFC 6793 4: only an OLD speaker omits the capability, and its AS fits 2 octets
  else if (config.localAsn > 0xffff) throw new TypeError(`fourOctetAs: false needs a 2-octet local AS, not ${config.localAsn}`);
  if (config.extendedMessage ?? true) caps.push({ type: 'extended-message' });
  if (config.addPath !== undefined && config.addPath.length > 0) {
    caps.push({ type: 'add-path', families: config.addPath.map((a) => ({ afi: a.afi, safi: a.safi, mode: a.mode })) });
  }
  const gr = config.gracefulRestart;
  if (gr !== undefined) {
    caps.push({
      type: 'graceful-restart',
      restarting: false,
      notification: gr.notification ?? false,
      restartTime: gr.restartTime ?? 120,
      families: (gr.families ?? []).map((f) => ({ afi: f.afi, safi: f.safi, forwardingPreserved: f.forwardingPreserved ?? false })),
    });
  }
  if (config.extraCapabilities !== undefined) caps.push(...config.extraCapabilities);
  return {
    type: 'open',
    version: 4,
    // RFC 6793 4.1: AS_TRANS in the 2-byte field when our AS does not fit
    myAs: config.localAsn > 0xffff ? AS_TRANS : config.localAsn,
    holdTime: config.holdTime ?? defaultHoldTime,
    routerId: config.routerId,
    capabilities: caps,
  };
}

/**
 * The peer's AS: from its 4-octet AS capability when present (RFC 6793 4.1), else the 2-byte
 * field. With `useCapability` false (we did not advertise it: an OLD speaker's view) always
 * the 2-byte field.
 */
export function peerAsnOf(open: OpenMessage, useCapability = true): number {
  if (useCapability) for (const c of open.capabilities) if (c.type === 'four-octet-as') return c.asn;
  return open.myAs;
}

const u16 = (v: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v & 0xffff, 0);
  return b;
};

/** RFC 4271 6.2 checks of a received OPEN; throws OpenMessageError (sent back as NOTIFICATION). */
export function validateOpen(open: OpenMessage, config: SessionConfig): void {
  // RFC 4271 6.2: the data is the largest version we support
  if (open.version !== 4) throw new OpenMessageError(OpenSubcode.unsupportedVersion, `BGP version ${open.version}`, u16(4));
  const asn = peerAsnOf(open, config.fourOctetAs ?? true);
  // RFC 4271 6.2 / RFC 6793 4.1: the AS must be the configured one
  if (asn !== config.peerAsn) throw new OpenMessageError(OpenSubcode.badPeerAs, `peer AS ${asn}, expected ${config.peerAsn}`, u16(open.myAs));
  // RFC 4271 6.2: hold time 1 and 2 are unacceptable
  if (open.holdTime === 1 || open.holdTime === 2) throw new OpenMessageError(OpenSubcode.unacceptableHoldTime, `hold time ${open.holdTime}`, u16(open.holdTime));
  const id = routerIdToNumber(open.routerId);
  // RFC 6286 2.2: non-zero; equal to ours only between different ASes
  if (!(id > 0)) throw new OpenMessageError(OpenSubcode.badBgpIdentifier, `BGP identifier ${open.routerId}`);
  if (asn === config.localAsn && id === routerIdToNumber(config.routerId)) {
    throw new OpenMessageError(OpenSubcode.badBgpIdentifier, `BGP identifier ${open.routerId} is ours`);
  }
  // RFC 4271 6.2: an optional parameter we do not recognise is refused (2/4)
  const unsupported = unsupportedParameterError(open);
  if (unsupported !== undefined) throw unsupported;
}

function families(open: OpenMessage): Family[] {
  const out: Family[] = [];
  for (const c of open.capabilities) if (c.type === 'multiprotocol') out.push({ afi: c.afi, safi: c.safi });
  // RFC 4760 8: a speaker without multiprotocol capabilities speaks IPv4 unicast
  return out.length > 0 ? out : [ipv4Unicast];
}

function addPathModes(open: OpenMessage): Map<number, AddPathMode> {
  const m = new Map<number, AddPathMode>();
  for (const c of open.capabilities) if (c.type === 'add-path') for (const f of c.families) m.set(familyKey(f.afi, f.safi), f.mode);
  return m;
}

const canSend = (m: AddPathMode | undefined): boolean => m === 'send' || m === 'both';
const canReceive = (m: AddPathMode | undefined): boolean => m === 'receive' || m === 'both';

/** What our OPEN and the peer's (already validated) OPEN decide together. */
export function negotiate(local: OpenMessage, peer: OpenMessage, config: SessionConfig): Negotiated {
  const has = (o: OpenMessage, t: Capability['type']): boolean => o.capabilities.some((c) => c.type === t);
  const fourOctetAs = has(local, 'four-octet-as') && has(peer, 'four-octet-as');
  const extendedMessage = has(local, 'extended-message') && has(peer, 'extended-message');
  // RFC 4271 4.2: the smaller of both
  const holdTime = Math.min(local.holdTime, peer.holdTime);
  const keepaliveTime = holdTime === 0 ? 0 : Math.max(1, Math.min(config.keepaliveTime ?? Math.floor(holdTime / 3), Math.floor(holdTime / 3)));
  const peerFamilies = families(peer);
  const fams = families(local).filter((f) => peerFamilies.some((p) => p.afi === f.afi && p.safi === f.safi));
  const famKeys = new Set(fams.map((f) => familyKey(f.afi, f.safi)));

  // RFC 7911 4: receive when we asked to receive and the peer is willing to send, and vice versa
  const ours = addPathModes(local);
  const theirs = addPathModes(peer);
  const receive = new Set<number>();
  const send = new Set<number>();
  for (const [k, mode] of ours) {
    if (!famKeys.has(k)) continue;
    if (canReceive(mode) && canSend(theirs.get(k))) receive.add(k);
    if (canSend(mode) && canReceive(theirs.get(k))) send.add(k);
  }

  let gracefulRestart: Negotiated['gracefulRestart'];
  for (const c of peer.capabilities) {
    if (c.type === 'graceful-restart') {
      gracefulRestart = {
        restartTime: c.restartTime,
        restarting: c.restarting,
        notification: c.notification,
        families: c.families.map((f) => ({ afi: f.afi, safi: f.safi, forwardingPreserved: f.forwardingPreserved })),
      };
    }
  }

  const receiveOptions: CodecOptions = {
    fourOctetAs,
    extendedMessage,
    addPath: receive,
    ...(config.attributeCacheBytes === undefined ? {} : { attributeCacheBytes: config.attributeCacheBytes }),
  };
  const sendOptions: CodecOptions = { fourOctetAs, extendedMessage, addPath: send };
  const peerAsn = peerAsnOf(peer, config.fourOctetAs ?? true);
  return {
    localAsn: config.localAsn,
    peerAsn,
    localRouterId: config.routerId,
    peerRouterId: peer.routerId,
    ibgp: peerAsn === config.localAsn,
    fourOctetAs,
    extendedMessage,
    holdTime,
    keepaliveTime,
    families: fams,
    routeRefresh: has(local, 'route-refresh') && (has(peer, 'route-refresh') || has(peer, 'route-refresh-cisco')),
    enhancedRouteRefresh: has(local, 'enhanced-route-refresh') && has(peer, 'enhanced-route-refresh'),
    addPath: { receive, send },
    ...(gracefulRestart === undefined ? {} : { gracefulRestart }),
    receiveOptions,
    sendOptions,
    localOpen: local,
    peerOpen: peer,
  };
}
