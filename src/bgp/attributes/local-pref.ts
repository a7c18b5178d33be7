/**
 * LOCAL_PREF (type 5, well-known; RFC 4271 5.1.5). RFC 7606 7.5: bad length is
 * treat-as-withdraw (a session that knows the peer is external discards it instead).
 */
import { AttrType } from '../iana.js';
import type { LocalPrefAttribute } from '../types.js';
import { u32Codec, wellKnown } from './registry.js';

export const localPref = u32Codec<LocalPrefAttribute>('local-pref', AttrType.localPref, wellKnown, 'treat-as-withdraw');
