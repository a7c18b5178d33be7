/**
 * The session layer's public surface: Session, Listener, clocks, transports and networks,
 * capability negotiation and the collision rule. (The fixed-message helpers in wire.ts stay
 * internal: the codec exports the public ones.)
 */
export * from './types.js';
export { Session, openSentHoldTime } from './session.js';
export { Listener, type ListenerOptions } from './listener.js';
export { realClock, VirtualClock } from './clock.js';
export { tcpNetwork, tcpTransport, TcpTransport, normalizeAddress } from './transport.js';
export { MemoryNetwork, MemoryTransport, memoryTransportPair, defaultHighWaterMark } from './memory-network.js';
export { buildOpen, negotiate, validateOpen, peerAsnOf, routerIdToNumber, defaultHoldTime } from './negotiate.js';
export { survivingDirection, collisionLoser, type Direction } from './collision.js';
export type { MessageCounts, MessageCounters } from './message-counters.js';
