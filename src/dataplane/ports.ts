/**
 * Local ports: the in-process endpoint that applications attach to a VNI. (The small virtual
 * host that answers ARP/ND and echo and can ping is in virtual-host.ts.)
 */
import type { LocalPort, PortIngress } from './types.js';

/** A frame handler: `buf[start..end)` is valid during the call only. */
export type FrameHandler = (buf: Buffer, start: number, end: number) => void;

/**
 * An in-process endpoint: frames delivered by the engine go to `handler`; `send` carries the
 * application's frames into the overlay.
 */
export class Endpoint implements LocalPort {
  private ingress: PortIngress | undefined;
  constructor(readonly name: string, private readonly handler: FrameHandler = () => {}) {}

  deliver(buf: Buffer, start: number, end: number): void {
    this.handler(buf, start, end);
  }

  connect(ingress: PortIngress | undefined): void {
    this.ingress = ingress;
  }

  /** True while attached to an engine. */
  get attached(): boolean {
    return this.ingress !== undefined;
  }

  /** Sends a frame into the overlay; false when not attached or dropped. */
  send(buf: Buffer, start = 0, end = buf.length): boolean {
    return this.ingress?.send(buf, start, end) ?? false;
  }
}

// the virtual host lives in its own file; ports.js keeps exporting it
export * from './virtual-host.js';
