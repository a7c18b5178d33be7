/**
 * A pcap writer (the classic libpcap format, microsecond timestamps, LINKTYPE_ETHERNET) so a
 * user opens a trace in Wireshark or tshark. Records are written synchronously with one
 * `writev` of [record header, packet view]: the packet is not copied.
 *
 * ```
 * global header: magic a1b2c3d4 | v2.4 | thiszone 0 | sigfigs 0 | snaplen | linktype 1
 * record:        ts_sec | ts_usec | incl_len | orig_len | packet bytes
 * ```
 * (All fields in the writer's byte order; we write little-endian, which readers detect by the magic.)
 */
import { closeSync, openSync, writeSync, writevSync } from 'node:fs';

/** LINKTYPE_ETHERNET (tcpdump.org link-layer header types). */
export const linkTypeEthernet = 1;

export class PcapWriter {
  private fd: number | undefined;
  private readonly record = Buffer.alloc(16);
  private readonly parts: Buffer[] = [this.record, this.record];
  /** Records written. */
  packets = 0;

  /** Creates (truncates) `path` and writes the global header. */
  constructor(readonly path: string, readonly snaplen = 65535) {
    this.fd = openSync(path, 'w');
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b2c3d4, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeInt32LE(0, 8);
    h.writeUInt32LE(0, 12);
    h.writeUInt32LE(snaplen, 16);
    h.writeUInt32LE(linkTypeEthernet, 20);
    writeSync(this.fd, h);
  }

  /** Appends the packet `buf[start..end)` with the time `nowMs` (default: the wall clock). */
  write(buf: Buffer, start = 0, end = buf.length, nowMs = Date.now()): void {
    if (this.fd === undefined) throw new Error('pcap writer is closed');
    const orig = end - start;
    const incl = Math.min(orig, this.snaplen);
    const r = this.record;
    const sec = Math.floor(nowMs / 1000);
    r.writeUInt32LE(sec >>> 0, 0);
    r.writeUInt32LE(Math.floor((nowMs - sec * 1000) * 1000), 4);
    r.writeUInt32LE(incl, 8);
    r.writeUInt32LE(orig, 12);
    this.parts[1] = buf.subarray(start, start + incl);
    writevSync(this.fd, this.parts);
    this.parts[1] = this.record;
    this.packets++;
  }

  /** A sink for FullUnderlay that records every packet. */
  readonly sink = (buf: Buffer, start: number, end: number): void => this.write(buf, start, end);

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}
