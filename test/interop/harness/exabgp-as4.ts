/**
 * ExaBGP (4.2, Debian) as a real peer inside a test namespace, as much as the 4-octet AS tests
 * need: one neighbor, IPv4 unicast, static routes, capabilities switched off by config
 * (`asn4 disable` makes it an OLD speaker of RFC 6793), and every message it received as its
 * own JSON. Self-contained (another ExaBGP starter may exist for other tests).
 *
 * `ExabgpAs4.start()` writes `exabgp.env` and `exabgp.conf` in a private run directory, runs
 * `exabgp` in the namespace (`ip netns exec` execs, so the PID is ExaBGP's own) and waits
 * (bounded) until it writes its PID file. An API process (a few lines of python written here)
 * appends each JSON message ExaBGP hands it to `received.jsonl`. Stopped by PID through the Lab.
 *
 * Quirks: `--env` must be an absolute path (a relative one is ignored silently); with asn4
 * disabled ExaBGP takes the peer's AS from the OPEN's 2-byte field (configure `peer-as 23456`
 * for a 4-octet AS peer); it merges AS4_PATH into AS_PATH before printing (its JSON shows the
 * merged path: the wire is checked with tshark); extended community values above 2^53 are
 * printed as bare numbers (not needed here).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lab } from '../../helpers/netns.js';
import { checkLabAddress } from './topology.js';
import { waitForDaemon } from './wait.js';

export interface ExabgpAs4Options {
  readonly ns: string;
  /** Address ExaBGP binds and listens on (it waits for the peer: passive). */
  readonly localAddress: string;
  readonly routerId: string;
  readonly asn: number;
  readonly peer: { readonly address: string; readonly asn: number };
  /** Lines of the neighbor's `capability { }` block, e.g. `asn4 disable`. */
  readonly capabilities?: readonly string[];
  /** Lines of its `static { }` block, e.g. `route 198.51.100.128/25 next-hop self as-path [ 1 2 ]`. */
  readonly routes?: readonly string[];
}

/** One message ExaBGP printed (its JSON encoder). */
export type ExabgpMessage = { readonly type?: string; readonly neighbor?: Record<string, unknown> } & Record<string, unknown>;

const dumpScript = `import sys
with open(sys.argv[1], "a", buffering=1) as out:
    for line in sys.stdin:
        out.write(line)
`;

export class ExabgpAs4 {
  readonly dir: string;
  private constructor(
    private readonly lab: Lab,
    readonly options: ExabgpAs4Options,
    readonly child: ChildProcess,
    dir: string,
  ) {
    this.dir = dir;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  static async start(lab: Lab, o: ExabgpAs4Options): Promise<ExabgpAs4> {
    for (const a of [o.localAddress, o.routerId, o.peer.address]) checkLabAddress(a);
    const dir = mkdtempSync(join(tmpdir(), 'bgp-evpn-exabgp-'));
    lab.onDestroy(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'dump.py'), dumpScript);
    writeFileSync(join(dir, 'received.jsonl'), '');
    writeFileSync(join(dir, 'exabgp.env'), [
      '[exabgp.api]', 'ack = false', 'cli = false',
      '[exabgp.daemon]', 'daemonize = false', 'drop = false', "user = 'root'", `pid = '${join(dir, 'exabgp.pid')}'`,
      '[exabgp.log]', `destination = '${join(dir, 'exabgp.log')}'`, 'level = INFO', 'packets = true',
      '[exabgp.tcp]', `bind = '${o.localAddress}'`, 'port = 179',
      '',
    ].join('\n'));
    const block = (name: string, lines: readonly string[] | undefined): string[] =>
      lines === undefined || lines.length === 0 ? [] : [`    ${name} {`, ...lines.map((l) => `        ${l};`), '    }'];
    writeFileSync(join(dir, 'exabgp.conf'), [
      'process dump {',
      `    run /usr/bin/python3 ${join(dir, 'dump.py')} ${join(dir, 'received.jsonl')};`,
      '    encoder json;',
      '}',
      `neighbor ${o.peer.address} {`,
      `    router-id ${o.routerId};`,
      `    local-address ${o.localAddress};`,
      `    local-as ${o.asn};`,
      `    peer-as ${o.peer.asn};`,
      '    hold-time 30;',
      '    passive true;',
      ...block('capability', o.capabilities),
      '    family {', '        ipv4 unicast;', '    }',
      '    api {', '        processes [ dump ];', '        neighbor-changes;', '        receive { parsed; update; notification; open; }', '    }',
      ...block('static', o.routes),
      '}',
      '',
    ].join('\n'));
    const child = lab.spawn(o.ns, 'exabgp', ['--env', join(dir, 'exabgp.env'), join(dir, 'exabgp.conf')]);
    const x = new ExabgpAs4(lab, o, child, dir);
    await x.waitFor('ExaBGP pid file', 15_000, () => existsSync(join(dir, 'exabgp.pid')));
    return x;
  }

  /** Why ExaBGP is not running, or undefined while it runs. */
  dead(): string | undefined {
    const c = this.child;
    return c.exitCode !== null || c.signalCode !== null ? `exabgp exited (${String(c.exitCode ?? c.signalCode)})` : undefined;
  }

  /** ExaBGP's log file (its own, plus what it printed). */
  log(): string {
    const f = join(this.dir, 'exabgp.log');
    const own = existsSync(f) ? readFileSync(f, 'utf8') : '';
    return own + ((this.child as ChildProcess & { output?: () => string }).output?.() ?? '');
  }

  /** Every message ExaBGP received, in order, as its JSON encoder printed it. */
  received(): ExabgpMessage[] {
    const text = readFileSync(join(this.dir, 'received.jsonl'), 'utf8');
    return text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as ExabgpMessage);
  }

  /** Bounded wait; fails at once when ExaBGP died, printing its config and log. */
  waitFor<T>(what: string, timeoutMs: number, check: () => T | undefined | false): Promise<T> {
    return waitForDaemon(what, timeoutMs, check, () => this.dead(), () => {
      console.error(`--- exabgp.conf:\n${readFileSync(join(this.dir, 'exabgp.conf'), 'utf8')}\n--- exabgp log:\n${this.log().slice(-8000)}`);
    });
  }

  /** Kill by PID (the Lab would do it on destroy too). */
  async stop(): Promise<void> {
    await this.lab.kill(this.child);
  }
}
