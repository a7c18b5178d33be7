#!/usr/bin/env node
/**
 * `bgp-evpnd`: a BGP EVPN speaker / route reflector daemon, configured as gobgpd is.
 *   bgp-evpnd -f /etc/bgp-evpnd.toml [--api-hosts 127.0.0.1:50051] [-l info]
 * SIGHUP reloads the peers from the file; SIGTERM (or Ctrl-C) sends Cease to every peer and
 * exits 0. A config error names the file, line and key, and exits 1 before anything starts.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from './config.js';
import { Daemon } from './daemon.js';
import { createLogger, logLevels, type LogLevel } from './log.js';

const usage = `Usage: bgp-evpnd -f FILE [options]

A BGP EVPN speaker and route reflector, configured with GoBGP's TOML format.

Options:
  -f, --config-file FILE   the TOML config (GoBGP format: global, neighbors, peer-groups,
                           dynamic-neighbors)
  -t, --config-type TYPE   toml (the only format accepted)
      --api-hosts HOST:PORT
                           the GoBGP gRPC API, for the gobgp CLI (default 127.0.0.1:50051;
                           "none" for no API)
  -l, --log-level LEVEL    debug, info, warn or error (default info)
  -p, --pprof-disable      accepted for gobgpd compatibility (no effect)
  -h, --help               this text

Signals: SIGHUP reloads peers (unchanged sessions stay up); SIGTERM/SIGINT send Cease and exit 0.
Logs: one line per event, text on a terminal, JSON lines otherwise.
`;

function fail(message: string): never {
  process.stderr.write(`bgp-evpnd: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        'config-file': { type: 'string', short: 'f' },
        'config-type': { type: 'string', short: 't' },
        'api-hosts': { type: 'string' },
        'log-level': { type: 'string', short: 'l' },
        'pprof-disable': { type: 'boolean', short: 'p' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    fail(`${(e as Error).message}\n\n${usage}`);
  }
  if (values['help'] === true) {
    process.stdout.write(usage);
    return;
  }
  const file = values['config-file'];
  if (typeof file !== 'string') fail(`-f FILE is required\n\n${usage}`);
  const type = values['config-type'];
  if (type !== undefined && type !== 'toml') fail(`--config-type ${String(type)}: only toml is supported`);
  const level = (values['log-level'] ?? 'info') as LogLevel;
  if (!logLevels.includes(level)) fail(`--log-level ${level}: expected one of ${logLevels.join(', ')}`);
  const api = values['api-hosts'];
  const logger = createLogger({ level });

  let daemon: Daemon;
  try {
    daemon = await Daemon.start({ configFile: file, apiHosts: api === 'none' ? false : (api as string | undefined) ?? '127.0.0.1:50051', logger });
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message);
    fail(e instanceof Error ? (e.stack ?? e.message) : String(e));
  }

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.log('info', 'signal', { signal });
    // bounded: a peer that never takes its Cease does not keep the daemon alive
    const timer = setTimeout(() => process.exit(0), 5000);
    timer.unref();
    daemon.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        logger.log('error', 'stop failed', { error: String(e) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => {
    logger.log('info', 'signal', { signal: 'SIGHUP' });
    void daemon.reload();
  });
}

void main();
