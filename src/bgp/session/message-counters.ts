/**
 * Messages a session sent and received, by type (RFC 4271 4.1 type codes), counted since the
 * session object was created, across connections. What `gobgp neighbor <addr>` shows as
 * "Message statistics" and what an operator checks first when a peer misbehaves.
 */
import { MessageType } from '../iana.js';

/** Messages of each type in one direction. */
export interface MessageCounts {
  open: number;
  update: number;
  notification: number;
  keepalive: number;
  routeRefresh: number;
  /** Every message, including types we do not know (they end the session, but were read). */
  total: number;
}

/** Both directions of one session. */
export interface MessageCounters {
  readonly received: MessageCounts;
  readonly sent: MessageCounts;
}

export function newMessageCounts(): MessageCounts {
  return { open: 0, update: 0, notification: 0, keepalive: 0, routeRefresh: 0, total: 0 };
}

/** Field of each RFC 4271 4.1 message type code (index = type code). */
const byType: readonly (keyof MessageCounts | undefined)[] = (() => {
  const t: (keyof MessageCounts | undefined)[] = [];
  t[MessageType.open] = 'open';
  t[MessageType.update] = 'update';
  t[MessageType.notification] = 'notification';
  t[MessageType.keepalive] = 'keepalive';
  t[MessageType.routeRefresh] = 'routeRefresh';
  return t;
})();

/** Count one message by the type byte of its header. */
export function countMessage(c: MessageCounts, type: number | undefined): void {
  c.total++;
  const k = type === undefined ? undefined : byType[type];
  if (k !== undefined) c[k]++;
}
