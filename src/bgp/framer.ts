/**
 * The stream framer: TCP bytes in, whole BGP messages out.
 *
 * The 19-byte header is checked (marker, length range, length for the type; RFC 4271 6.1) as
 * soon as it has arrived, before waiting for the body, so a peer announcing a bad length is
 * refused at once. A message lying in one received chunk comes out as a view of that chunk (no
 * copy); only a message split across chunks is joined.
 */
import { BufferList } from 'bl';
import { Header } from './iana.js';
import { checkHeader } from './messages/header.js';

export interface FramerOptions {
  /** RFC 8654: accept messages up to 65535 bytes. Can be changed later (after OPEN). */
  readonly extendedMessage?: boolean;
}

export class Framer {
  /** RFC 8654: accept messages up to 65535 bytes (set once the capability is negotiated). */
  extendedMessage: boolean;
  private readonly list = new BufferList();
  /** Length of the message at the head of `list`, once its header is checked; 0 before. */
  private pending = 0;
  private readonly scratch = Buffer.allocUnsafe(Header.length);

  constructor(options: FramerOptions = {}) {
    this.extendedMessage = options.extendedMessage ?? false;
  }

  /** Bytes received and not yet yielded. */
  get buffered(): number {
    return this.list.length;
  }

  /**
   * Add received bytes; yield every message now complete (header included). Throws
   * MessageHeaderError (1/1, 1/2 with the length as data, 1/3 with the type as data) as soon
   * as a bad header is complete; the stream is then unusable. A consumer may stop iterating
   * early: what it did not take stays buffered and comes out of the next `push` (or `drain`).
   */
  *push(chunk: Buffer): Generator<Buffer, void, undefined> {
    if (this.list.length === 0) {
      // fast path: parse in place, keep only the tail (also when the consumer stops early)
      let p = 0;
      try {
        while (chunk.length - p >= Header.length) {
          const len = checkHeader(chunk, p, this.extendedMessage);
          if (chunk.length - p < len) break;
          const msg = chunk.subarray(p, p + len);
          p += len;
          yield msg;
        }
      } finally {
        if (p < chunk.length) this.list.append(p === 0 ? chunk : chunk.subarray(p));
      }
      if (this.list.length >= Header.length) this.checkHead();
      return;
    }
    if (chunk.length > 0) this.list.append(chunk);
    for (;;) {
      if (this.pending === 0) {
        if (this.list.length < Header.length) return;
        this.checkHead();
      }
      if (this.list.length < this.pending) return;
      const len = this.pending;
      const msg = this.list.slice(0, len);
      this.list.consume(len);
      this.pending = 0;
      yield msg;
    }
  }

  /** Yield the messages already complete in the buffer (after a consumer stopped early). */
  drain(): Generator<Buffer, void, undefined> {
    return this.push(Buffer.alloc(0));
  }

  private checkHead(): void {
    const first = this.list.getBuffers()[0]!;
    if (first.length >= Header.length) {
      this.pending = checkHeader(first, 0, this.extendedMessage);
    } else {
      this.list.copy(this.scratch, 0, 0, Header.length);
      this.pending = checkHeader(this.scratch, 0, this.extendedMessage);
    }
  }

  /** Forget everything buffered (a new connection). */
  reset(): void {
    this.list.consume(this.list.length);
    this.pending = 0;
  }
}
