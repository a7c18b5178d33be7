/**
 * Peers between the speaker (`PeerConfig`, `PeerInfo`) and GoBGP's `apipb.Peer`. The `gobgp` CLI
 * dereferences `Conf`, `State` (with `Messages`), `Timers.State`, `Timers.Config`,
 * `RouteReflector`, `RouteServer` and every `AfiSafi.State` without nil checks: all are filled.
 */
import { isIpv4, isIpv6, resolveFamily, type BgpSpeaker, type Family, type PeerConfig, type PeerInfo, type State } from '../index.js';
import { invalid } from './errors.js';
import { servedFamilies } from './path.js';
import type { Msg } from './proto.js';

const sessionStates: Record<State, number> = { Idle: 1, Connect: 2, Active: 3, OpenSent: 4, OpenConfirm: 5, Established: 6 };

/** When a peer's session last went up and down (ms since the epoch), kept by the server. */
export interface PeerTimes {
  up?: number;
  down?: number;
}

function timestamp(ms: number | undefined): Msg | undefined {
  return ms === undefined ? undefined : { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}

const zeroMessages = (): Msg => ({ notification: 0, update: 0, open: 0, keepalive: 0, refresh: 0, discarded: 0, total: 0 });

/** A configured peer as `apipb.Peer`. */
export function peerToApi(speaker: BgpSpeaker, info: PeerInfo, times: PeerTimes | undefined): Msg {
  const c = info.config;
  const n = info.negotiated;
  const families = c.families.map(resolveFamily);
  const hold = c.holdTime ?? 90;
  const conf = {
    localAsn: speaker.asn, neighborAddress: c.address, peerAsn: c.asn, type: c.asn === speaker.asn ? 0 : 1, adminDown: info.disabled,
  };
  const established = info.state === 'Established';
  return {
    conf,
    state: {
      localAsn: speaker.asn,
      neighborAddress: c.address,
      peerAsn: c.asn,
      type: conf.type,
      sessionState: sessionStates[info.state],
      adminState: info.disabled ? 1 : 0,
      messages: { received: zeroMessages(), sent: zeroMessages() },
      queues: { input: 0, output: 0 },
      routerId: n?.peerRouterId ?? '',
    },
    timers: {
      config: { connectRetry: c.connectRetryTime ?? 120, holdTime: hold, keepaliveInterval: Math.floor(hold / 3) },
      state: {
        connectRetry: c.connectRetryTime ?? 120,
        holdTime: hold,
        keepaliveInterval: n?.keepaliveTime ?? Math.floor(hold / 3),
        negotiatedHoldTime: n?.holdTime ?? 0,
        ...(times?.up === undefined ? {} : { uptime: timestamp(times.up) }),
        ...(times?.down === undefined ? {} : { downtime: timestamp(times.down) }),
      },
    },
    transport: {
      localAddress: c.localAddress ?? '', passiveMode: c.passive === true, remoteAddress: c.address, remotePort: c.port ?? 179,
    },
    routeReflector: { routeReflectorClient: c.routeReflectorClient === true, routeReflectorClusterId: c.routeReflectorClient === true ? speaker.identity.clusterId : '' },
    routeServer: { routeServerClient: false, secondaryRoute: false },
    gracefulRestart: { enabled: c.gracefulRestart !== undefined && c.gracefulRestart !== false },
    ebgpMultihop: { enabled: false, multihopTtl: 0 },
    afiSafis: families.map((f) => {
      const family = { afi: f.afi, safi: f.safi };
      const active = !established || (n?.families.some((x) => x.afi === f.afi && x.safi === f.safi) ?? false);
      const received = established ? info.routesReceived(f) : 0;
      return {
        config: { family, enabled: true },
        state: { family, enabled: active, received, accepted: received, advertised: established ? info.routesAdvertised : 0 },
      };
    }),
  };
}

/** `apipb.Peer` from AddPeer/UpdatePeer to a `PeerConfig`; INVALID_ARGUMENT naming the field. */
export function peerFromApi(p: Msg | null | undefined, field = 'peer'): PeerConfig {
  if (p === null || p === undefined) throw invalid(field, 'missing');
  const address = String(p.conf?.neighborAddress ?? '');
  if (!isIpv4(address) && !isIpv6(address)) throw invalid(`${field}.conf.neighbor_address`, `${JSON.stringify(address)} is not an IP address`);
  const asn = Number(p.conf?.peerAsn ?? 0);
  if (!Number.isInteger(asn) || asn < 1 || asn > 0xffffffff) throw invalid(`${field}.conf.peer_asn`, `${asn} is not an AS number`);
  const families: Family[] = [];
  (p.afiSafis ?? []).forEach((a: Msg, i: number) => {
    const f = a.config?.family;
    const afi = Number(f?.afi ?? 0);
    const safi = Number(f?.safi ?? 0);
    if (!servedFamilies.has(afi * 256 + safi)) throw invalid(`${field}.afi_safis[${i}].config.family`, `AFI ${afi} SAFI ${safi} is not supported`);
    families.push({ afi, safi });
  });
  // gobgpd's default: the unicast family of the neighbour's address
  if (families.length === 0) families.push(isIpv4(address) ? { afi: 1, safi: 1 } : { afi: 2, safi: 1 });
  const hold = Number(p.timers?.config?.holdTime ?? 0);
  const port = Number(p.transport?.remotePort ?? 0);
  const local = String(p.transport?.localAddress ?? '');
  return {
    address,
    asn,
    families,
    ...(p.transport?.passiveMode === true ? { passive: true } : {}),
    ...(port > 0 ? { port } : {}),
    ...(hold > 0 ? { holdTime: hold } : {}),
    ...(p.routeReflector?.routeReflectorClient === true ? { routeReflectorClient: true } : {}),
    ...(local !== '' ? { localAddress: local } : {}),
    ...(p.gracefulRestart?.enabled === true ? { gracefulRestart: true } : {}),
  };
}
