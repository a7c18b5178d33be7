/**
 * PMSI_TUNNEL (type 22, optional transitive; RFC 6514 5, RFC 8365 5.1.3 for VXLAN):
 * ```
 * +---------------------------------+
 * |  Flags (1 octet)                |
 * +---------------------------------+
 * |  Tunnel Type (1 octet)          |
 * +---------------------------------+
 * |  MPLS Label (3 octets)          |   the VNI under VXLAN
 * +---------------------------------+
 * |  Tunnel Identifier (variable)   |   the VTEP address for ingress replication
 * +---------------------------------+
 * ```
 * A PMSI_TUNNEL shorter than 5 bytes is malformed: treat-as-withdraw (the route it describes
 * cannot be used without it).
 */
import { readAddress, writeAddress, addressLength } from '../../net/ip.js';
import { AttrType, PmsiTunnelType } from '../iana.js';
import type { PmsiTunnelAttribute } from '../types.js';
import { lengthError, optionalTransitive, type AttrCodec } from './registry.js';

export const pmsiTunnel = {
  type: 'pmsi-tunnel',
  code: AttrType.pmsiTunnel,
  flags: optionalTransitive,
  action: 'treat-as-withdraw',
  decode(buf, start, end) {
    if (end - start < 5) throw lengthError('PMSI_TUNNEL', end - start, 'at least 5');
    const tunnelType = buf[start + 1]!;
    const idLen = end - start - 5;
    const tunnelId =
      tunnelType === PmsiTunnelType.ingressReplication && (idLen === 4 || idLen === 16)
        ? readAddress(buf, start + 5, idLen)
        : buf.subarray(start + 5, end);
    return {
      type: 'pmsi-tunnel',
      tunnelFlags: buf[start]!,
      tunnelType,
      label: (buf[start + 2]! << 16) | (buf[start + 3]! << 8) | buf[start + 4]!,
      tunnelId,
    };
  },
  encodingLength: (v) => 5 + (typeof v.tunnelId === 'string' ? addressLength(v.tunnelId) : v.tunnelId.length),
  encode(v, buf, offset) {
    buf[offset] = v.tunnelFlags;
    buf[offset + 1] = v.tunnelType;
    buf[offset + 2] = (v.label >>> 16) & 0xff;
    buf[offset + 3] = (v.label >>> 8) & 0xff;
    buf[offset + 4] = v.label & 0xff;
    if (typeof v.tunnelId === 'string') return writeAddress(v.tunnelId, buf, offset + 5);
    buf.set(v.tunnelId, offset + 5);
    return offset + 5 + v.tunnelId.length;
  },
} satisfies AttrCodec<PmsiTunnelAttribute>;
