/**
 * Two small parts of the engine kept out of engine.ts: the remote VTEPs (one object per
 * address, created once and prepared by the underlay) and the local-MAC listeners.
 */
import { parseIp } from './addr.js';
import { macKeyToText } from './mac.js';
import type { IpText, LocalMacEvent, LocalMacListener, RemoteVtep, Underlay } from './types.js';

/** Remote VTEPs by canonical address text. */
export class RemoteVteps {
  private readonly byText = new Map<string, RemoteVtep>();
  underlay: Underlay | undefined;

  /** The VTEP of `address`, created (and prepared by the underlay) on first use. */
  get(address: IpText): RemoteVtep {
    // keyed by canonical text: text already in that form (the VTEP manager's) needs no parsing
    const known = this.byText.get(address);
    if (known !== undefined) return known;
    const a = parseIp(address);
    let r = this.byText.get(a.text);
    if (r === undefined) {
      r = { address: a.text, family: a.family, bytes: a.bytes, txPackets: 0, txBytes: 0, underlayState: undefined };
      this.byText.set(a.text, r);
      this.underlay?.prepare?.(r);
    }
    return r;
  }

  /** The VTEP of `address` when it was ever used. */
  find(address: IpText): RemoteVtep | undefined {
    return this.byText.get(parseIp(address).text);
  }

  /** A new underlay prepares every known VTEP. */
  setUnderlay(underlay: Underlay): void {
    this.underlay = underlay;
    for (const r of this.byText.values()) underlay.prepare?.(r);
  }
}

/** The local-MAC listeners of an engine. */
export class LocalMacListeners {
  private readonly listeners: LocalMacListener[] = [];

  /** Subscribes; returns the unsubscribe function. */
  add(listener: LocalMacListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  emit(vni: number, key: number, port: string, event: LocalMacEvent): void {
    if (this.listeners.length === 0) return;
    const mac = macKeyToText(key);
    for (const l of this.listeners.slice()) {
      try {
        l(vni, mac, port, event);
      } catch {
        /* a listener's failure is its own; forwarding goes on */
      }
    }
  }
}
