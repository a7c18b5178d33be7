/** MULTI_EXIT_DISC (type 4, optional non-transitive; RFC 4271 5.1.4). RFC 7606 7.4: bad length is treat-as-withdraw. */
import { AttrType } from '../iana.js';
import type { MedAttribute } from '../types.js';
import { optionalNonTransitive, u32Codec } from './registry.js';

export const med = u32Codec<MedAttribute>('med', AttrType.med, optionalNonTransitive, 'treat-as-withdraw');
