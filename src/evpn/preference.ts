/**
 * EVPN's own first step of the decision process (RFC 7432 15), plugged into the generic RIB
 * through `NlriCodec.preference`: the RIB ranks each interned attribute set once and knows
 * nothing of MAC mobility.
 */
import type { PathPreference } from '../bgp/families.js';
import type { PathAttribute } from '../bgp/types.js';
import type { MacMobilityCommunity } from './communities.js';

/** Above every 32-bit sequence number: a sticky MAC outranks any mobile one. */
const stickyRank = 2 ** 32;

/**
 * RFC 7432 15.2: a sticky (static) MAC is never displaced by a mobile one; 15.1: otherwise the
 * higher MAC Mobility sequence number wins, a route without the community counting as 0 (so
 * sequence 0 and no community tie and fall through to LOCAL_PREF). With several MAC Mobility
 * communities on one path the highest sequence counts (RFC 7432 15.1 asks for one; be lenient).
 */
export const macMobilityPreference: PathPreference = {
  name: 'mac-mobility',
  rank(attributes: readonly PathAttribute[]): number {
    let sequence = 0;
    let sticky = false;
    for (const a of attributes) {
      if (a.type !== 'extended-communities') continue;
      for (const c of a.values) {
        if (c.kind !== 'mac-mobility') continue;
        const m = c as MacMobilityCommunity;
        if (m.sequence > sequence) sequence = m.sequence;
        if (m.sticky) sticky = true;
      }
    }
    return sticky ? stickyRank + sequence : sequence;
  },
};
