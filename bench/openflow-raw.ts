/**
 * The third OpenFlow channel the ovs bench measures: our own OpenFlow 1.3 connection to the
 * bridge's management socket, writing the unicast flows as binary FLOW_MODs (no child process,
 * no text parsing), then a BARRIER. Only what the bench needs: HELLO, FLOW_MOD (ADD) with a
 * reg0 + tunnel id + eth_dst match and an apply-actions of set_field(tun_dst) + output, ECHO
 * replies, ERROR counting, BARRIER.
 *
 * ```
 * ofp_header        version 4 | type | length | xid                                   8
 * ofp_flow_mod      cookie, cookie_mask, table, command, idle, hard, priority,
 *                   buffer_id, out_port, out_group, flags, pad                        40
 * ofp_match (OXM)   type 1 | length 34 | NXM reg0 | OXM tunnel_id | OXM eth_dst | pad  40
 * apply_actions     type 4 | len 40 | pad | set_field(NXM tun_ipv4_dst) | output     40
 * ```
 */
import { connect, type Socket } from 'node:net';

const OFP_VERSION = 4;
const T = { hello: 0, error: 1, echoRequest: 2, echoReply: 3, flowMod: 14, barrierRequest: 20, barrierReply: 21 } as const;
const FLOW_MOD_LEN = 128;

function header(buf: Buffer, off: number, type: number, length: number, xid: number): void {
  buf.writeUInt8(OFP_VERSION, off);
  buf.writeUInt8(type, off + 1);
  buf.writeUInt16BE(length, off + 2);
  buf.writeUInt32BE(xid, off + 4);
}

/** One unicast FLOW_MOD (ADD) at `off`: reg0=0, tun_id=vni, eth_dst=mac -> tun_dst=vtep, output:port. */
export function writeUnicastFlowMod(buf: Buffer, off: number, o: { xid: number; cookie: bigint; table: number; priority: number; vni: number; mac: Buffer; vtep: number; port: number }): number {
  buf.fill(0, off, off + FLOW_MOD_LEN);
  header(buf, off, T.flowMod, FLOW_MOD_LEN, o.xid);
  let p = off + 8;
  buf.writeBigUInt64BE(o.cookie, p);
  buf.writeUInt8(o.table, p + 16);
  buf.writeUInt8(0, p + 17); // OFPFC_ADD
  buf.writeUInt16BE(o.priority, p + 22);
  buf.writeUInt32BE(0xffffffff, p + 24); // OFP_NO_BUFFER
  buf.writeUInt32BE(0xffffffff, p + 28); // OFPP_ANY
  buf.writeUInt32BE(0xffffffff, p + 32); // OFPG_ANY
  p += 40;
  buf.writeUInt16BE(1, p); // OFPMT_OXM
  buf.writeUInt16BE(34, p + 2);
  buf.writeUInt32BE(0x00010004, p + 4); // NXM_NX_REG0, value 0
  buf.writeUInt32BE(0x80004c08, p + 12); // OXM_OF_TUNNEL_ID
  buf.writeBigUInt64BE(BigInt(o.vni), p + 16);
  buf.writeUInt32BE(0x80000606, p + 24); // OXM_OF_ETH_DST
  o.mac.copy(buf, p + 28);
  p += 40;
  buf.writeUInt16BE(4, p); // OFPIT_APPLY_ACTIONS
  buf.writeUInt16BE(40, p + 2);
  buf.writeUInt16BE(25, p + 8); // OFPAT_SET_FIELD
  buf.writeUInt16BE(16, p + 10);
  buf.writeUInt32BE(0x00013e04, p + 12); // NXM_NX_TUN_IPV4_DST
  buf.writeUInt32BE(o.vtep >>> 0, p + 16);
  buf.writeUInt16BE(0, p + 24); // OFPAT_OUTPUT
  buf.writeUInt16BE(16, p + 26);
  buf.writeUInt32BE(o.port, p + 28);
  buf.writeUInt16BE(0xffff, p + 32);
  return off + FLOW_MOD_LEN;
}

/** A connection that sends pre-encoded messages and waits for a barrier. */
export class RawOpenFlow {
  errors = 0;
  private rest = Buffer.alloc(0);
  private barrierWaiters = new Map<number, () => void>();
  private constructor(private readonly sock: Socket) {
    sock.on('data', (d: Buffer) => this.onData(d));
  }

  static async connect(path: string): Promise<RawOpenFlow> {
    const sock = connect(path);
    await new Promise<void>((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
    const of = new RawOpenFlow(sock);
    const hello = Buffer.alloc(8);
    header(hello, 0, T.hello, 8, 1);
    sock.write(hello);
    return of;
  }

  private onData(d: Buffer): void {
    let buf = this.rest.length === 0 ? d : Buffer.concat([this.rest, d]);
    while (buf.length >= 8 && buf.length >= buf.readUInt16BE(2)) {
      const len = buf.readUInt16BE(2);
      const type = buf.readUInt8(1);
      const xid = buf.readUInt32BE(4);
      if (type === T.echoRequest) {
        const reply = Buffer.from(buf.subarray(0, len));
        reply.writeUInt8(T.echoReply, 1);
        this.sock.write(reply);
      } else if (type === T.error) this.errors++;
      else if (type === T.barrierReply) this.barrierWaiters.get(xid)?.();
      buf = buf.subarray(len);
    }
    this.rest = Buffer.from(buf);
  }

  /** Writes the messages, then a BARRIER; resolves when the switch answered it (all applied). */
  async send(messages: Buffer, xid: number): Promise<void> {
    const barrier = Buffer.alloc(8);
    header(barrier, 0, T.barrierRequest, 8, xid);
    const done = new Promise<void>((resolve) => this.barrierWaiters.set(xid, resolve));
    this.sock.write(messages);
    this.sock.write(barrier);
    await done;
    this.barrierWaiters.delete(xid);
  }

  close(): void {
    this.sock.destroy();
  }
}

export { FLOW_MOD_LEN };
