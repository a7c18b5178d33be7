/**
 * ExaBGP 4.2 (Debian `exabgp`) as a real peer inside a test namespace.
 *
 * ExaBGP reports what it receives through an API process: every UPDATE (parsed, with EVPN NLRI
 * decoded by its own code), every NOTIFICATION and every session change as one JSON object per
 * line, which `dump.sh` appends to `received.jsonl`. It announces through a second API process
 * (`cmd.sh`): each line appended to `commands` becomes an API command.
 *
 * Quirks (ExaBGP 4.2.21), learned the hard way:
 * - it negotiates and decodes l2vpn evpn, but has no syntax to announce EVPN routes: they go out
 *   as raw MP_REACH / MP_UNREACH / extended-community / PMSI attributes on a carrier IPv4 route
 *   (`attribute [ 0x0e 0x80 0x... ]`), so ipv4 unicast has to be negotiated too;
 * - `--env` must be an absolute path (a relative one is silently ignored; it then drops
 *   privileges and its API processes die);
 * - extended-community `"value"` numbers in its JSON exceed 2^53: they are quoted before
 *   `JSON.parse` (the `"string"` form next to them is what tests compare).
 */
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lab } from '../../helpers/netns.js';
import { checkLabAddress } from './topology.js';
import { waitForDaemon } from './wait.js';

export interface ExabgpOptions {
  readonly ns: string;
  readonly asn: number;
  readonly routerId: string;
  /** Address ExaBGP listens on and connects from (passive: it waits for the peer). */
  readonly localAddress: string;
  readonly peer: { readonly address: string; readonly asn: number };
  readonly holdTime?: number;
}

/** One JSON message from ExaBGP's API (`type`: update, notification, state, ...). */
export type ExaMessage = { type: string; neighbor?: Record<string, unknown> } & Record<string, unknown>;

/** Quote the big integers in ExaBGP's JSON (ext-community values reach 2^64) so JSON.parse keeps them exact. */
export function parseExaJson(line: string): ExaMessage {
  return JSON.parse(line.replace(/("value"\s*:\s*)(\d{16,})/g, '$1"$2"')) as ExaMessage;
}

export class Exabgp {
  readonly dir: string;
  private child: ChildProcess | undefined;
  private carrier = 0;

  private constructor(private readonly lab: Lab, readonly opts: ExabgpOptions, dir: string) {
    this.dir = dir;
  }

  /** Write the config, start ExaBGP in the namespace, wait (≤ 15 s) until it listens. */
  static async start(lab: Lab, opts: ExabgpOptions): Promise<Exabgp> {
    checkLabAddress(opts.localAddress);
    checkLabAddress(opts.peer.address);
    const dir = mkdtempSync(join(tmpdir(), 'bgp-evpn-exabgp-'));
    lab.onDestroy(() => rmSync(dir, { recursive: true, force: true }));
    const x = new Exabgp(lab, opts, dir);
    writeFileSync(join(dir, 'received.jsonl'), '');
    writeFileSync(join(dir, 'commands'), '');
    // bounded API processes: ExaBGP ends them when it stops; `timeout` ends them anyway. No
    // `exec` for dump.sh: the shell keeps the stdout pipe open, or ExaBGP takes its EOF for a
    // dead process and gives up after five restarts
    writeFileSync(join(dir, 'dump.sh'), `#!/bin/sh\ntimeout 900 cat >> '${dir}/received.jsonl'\n`);
    writeFileSync(join(dir, 'cmd.sh'), `#!/bin/sh\nexec timeout 900 tail -n +1 -F '${dir}/commands' 2>/dev/null\n`);
    chmodSync(join(dir, 'dump.sh'), 0o755);
    chmodSync(join(dir, 'cmd.sh'), 0o755);
    writeFileSync(join(dir, 'exabgp.env'), [
      '[exabgp.api]', 'ack = false', 'cli = false',
      '[exabgp.daemon]', 'daemonize = false', 'drop = false', "user = 'root'",
      '[exabgp.log]', `destination = '${dir}/exabgp.log'`, 'level = INFO', 'packets = true',
      '[exabgp.tcp]', `bind = '${opts.localAddress}'`, 'port = 179',
    ].join('\n') + '\n');
    writeFileSync(join(dir, 'exabgp.conf'), `
process dump {
    run ${dir}/dump.sh;
    encoder json;
}
process cmd {
    run ${dir}/cmd.sh;
    encoder text;
}
neighbor ${opts.peer.address} {
    router-id ${opts.routerId};
    local-address ${opts.localAddress};
    local-as ${opts.asn};
    peer-as ${opts.peer.asn};
    hold-time ${opts.holdTime ?? 90};
    passive true;
    family {
        ipv4 unicast;
        l2vpn evpn;
    }
    api {
        processes [ dump, cmd ];
        neighbor-changes;
        receive { parsed; update; notification; }
    }
}
`);
    // --env must be absolute (see the quirks above)
    x.child = lab.spawn(opts.ns, 'exabgp', ['--env', join(dir, 'exabgp.env'), join(dir, 'exabgp.conf')]);
    await x.wait('ExaBGP configured', 15_000, () => x.log().includes('loaded new configuration successfully'));
    return x;
  }

  /** ExaBGP's own log (INFO, packets included) and its stdout/stderr. */
  log(): string {
    const file = join(this.dir, 'exabgp.log');
    const out = (this.child as (ChildProcess & { output?: () => string }) | undefined)?.output?.() ?? '';
    return (existsSync(file) ? readFileSync(file, 'utf8') : '') + out;
  }

  /** Every JSON message ExaBGP's API reported so far. */
  messages(): ExaMessage[] {
    return readFileSync(join(this.dir, 'received.jsonl'), 'utf8').split('\n').filter((l) => l.startsWith('{')).map(parseExaJson);
  }

  /** Send one API command (e.g. `announce route ...`). */
  command(line: string): void {
    if (line.includes('\n')) throw new Error('one command per line');
    appendFileSync(join(this.dir, 'commands'), `${line}\n`);
  }

  /**
   * Announce raw path attributes (type code, flags, value) on a fresh carrier IPv4 route
   * 198.51.100.X/32: ExaBGP sends them verbatim in the carrier's UPDATE. Returns the carrier.
   */
  announceRaw(nextHop: string, attrs: readonly { code: number; flags: number; value: Buffer }[]): string {
    const prefix = `198.51.100.${200 + (this.carrier++ % 50)}/32`;
    const raw = attrs.map((a) => `attribute [ 0x${a.code.toString(16).padStart(2, '0')} 0x${a.flags.toString(16).padStart(2, '0')} 0x${a.value.toString('hex')} ]`).join(' ');
    this.command(`announce route ${prefix} next-hop ${checkLabAddress(nextHop)} ${raw}`);
    return prefix;
  }

  /** Wait (bounded) for a condition, failing at once (with ExaBGP's log) if ExaBGP has died. */
  wait<T>(what: string, timeoutMs: number, check: () => T | undefined | false): Promise<T> {
    return waitForDaemon(what, timeoutMs, check,
      () => (this.child !== undefined && this.child.exitCode !== null ? `exabgp exited (${this.child.exitCode})` : undefined),
      () => console.error(`--- exabgp log (${this.dir}) ---\n${this.log().slice(-6000)}`));
  }

  /** Stop ExaBGP (SIGTERM by PID, SIGKILL after 3 s). */
  async stop(): Promise<void> {
    if (this.child !== undefined) await this.lab.kill(this.child);
  }
}
