/**
 * `ovs-ofctl` as the OpenFlow channel of `OvsDataplane`: one `ovs-ofctl bundle <target> -` child
 * per batch (the batch's lines on stdin, applied by OVS as one OpenFlow 1.4 bundle: all or
 * nothing), `dump-ports-desc` for port numbers, and a long-running `ovs-ofctl monitor` that
 * streams flow-table changes (learned MACs) as text lines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { OvsDataplaneError } from './errors.js';

/** What `OvsDataplane` needs from an OpenFlow channel (a fake one in unit tests). */
export interface OfctlChannel {
  /** Applies the lines as one bundle; rejects with an `OvsDataplaneError` (`ofctl`). */
  bundle(lines: readonly string[]): Promise<void>;
  /** `dump-ports-desc` text. */
  portsDesc(): Promise<string>;
  /** Starts following flow-table changes of `table`; each output line goes to `onLine`. Returns the stop function. */
  monitor(table: number, onLine: (line: string) => void): () => void;
}

/** Where `ovs-ofctl` finds the switch. */
export interface OfctlOptions {
  /**
   * The switch: a bridge name (with the default run directory), or `unix:<rundir>/<bridge>.mgmt`,
   * or `tcp:127.0.0.1:6653`.
   */
  readonly target: string;
  /** Environment of the children (`OVS_RUNDIR` for `monitor`'s control socket). Default the process's. */
  readonly env?: NodeJS.ProcessEnv;
  /** The binary (default `ovs-ofctl` on PATH). */
  readonly binary?: string;
  /** Per call limit in ms (default 120 000: a bundle of 100,000 flows takes seconds). */
  readonly timeoutMs?: number;
}

/** The `ovs-ofctl` child-process channel. */
export class Ofctl implements OfctlChannel {
  private readonly opts: OfctlOptions;

  constructor(opts: OfctlOptions) {
    this.opts = opts;
  }

  private run(args: readonly string[], input?: string): Promise<string> {
    const { binary = 'ovs-ofctl', timeoutMs = 120_000 } = this.opts;
    return new Promise((resolve, reject) => {
      const child = spawn(binary, args, { env: this.opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-4000); });
      child.on('error', (e) => { clearTimeout(timer); reject(new OvsDataplaneError('ofctl', `${binary}: ${e.message}`)); });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve(out);
        else reject(new OvsDataplaneError('ofctl', `${binary} ${args[2] ?? ''} failed (${code ?? signal}): ${err.trim()}`));
      });
      child.stdin.on('error', () => { /* reported by close */ });
      child.stdin.end(input ?? '');
    });
  }

  bundle(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    return this.run(['-O', 'OpenFlow14', 'bundle', this.opts.target, '-'], lines.join('\n') + '\n').then(() => undefined);
  }

  portsDesc(): Promise<string> {
    return this.run(['-O', 'OpenFlow13', 'dump-ports-desc', this.opts.target]);
  }

  monitor(table: number, onLine: (line: string) => void): () => void {
    const child: ChildProcess = spawn(this.opts.binary ?? 'ovs-ofctl', ['monitor', this.opts.target, `watch:table=${table}`], {
      env: this.opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'],
    });
    // the first reply comes on stdout, later (asynchronous) ones on stderr
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream?.on('data', (d: Buffer) => {
        const lines = (rest + d.toString()).split('\n');
        rest = lines.pop() ?? '';
        for (const l of lines) onLine(l);
      });
    }
    child.on('error', () => { /* no monitor: no learned MACs, the flows still work */ });
    return () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    };
  }
}
