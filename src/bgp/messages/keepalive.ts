/** KEEPALIVE (RFC 4271 4.4): the header alone, exactly 19 bytes (the header check enforces it). */
import type { KeepaliveMessage } from '../types.js';

/** The one KEEPALIVE value. */
export const keepalive: KeepaliveMessage = Object.freeze({ type: 'keepalive' });
