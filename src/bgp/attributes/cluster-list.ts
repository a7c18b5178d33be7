/**
 * CLUSTER_LIST (type 10, optional non-transitive; RFC 4456 8): a list of 4-byte cluster ids.
 * RFC 7606 7.10: a length that is not a non-zero multiple of 4 is treat-as-withdraw.
 */
import { readIpv4, writeIpv4 } from '../../net/ip.js';
import { AttrType } from '../iana.js';
import type { ClusterListAttribute } from '../types.js';
import { lengthError, optionalNonTransitive, type AttrCodec } from './registry.js';

export const clusterList = {
  type: 'cluster-list',
  code: AttrType.clusterList,
  flags: optionalNonTransitive,
  action: 'treat-as-withdraw',
  decode(buf, start, end) {
    const len = end - start;
    if (len === 0 || len % 4 !== 0) throw lengthError('CLUSTER_LIST', len, 'a non-zero multiple of 4');
    const values: string[] = [];
    for (let p = start; p < end; p += 4) values.push(readIpv4(buf, p));
    return { type: 'cluster-list', values };
  },
  encodingLength: (v) => 4 * v.values.length,
  encode(v, buf, offset) {
    let p = offset;
    for (const id of v.values) p = writeIpv4(id, buf, p);
    return p;
  },
} satisfies AttrCodec<ClusterListAttribute>;
