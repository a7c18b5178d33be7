/**
 * bgp-evpnd's log: one line per event. Text for a person on a terminal, JSON lines otherwise
 * (a service manager or a log shipper reads those). Levels as gobgpd's `-l`.
 */
export const logLevels = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof logLevels)[number];

export interface Logger {
  log(level: LogLevel, event: string, fields?: Record<string, unknown>): void;
}

export interface LoggerOptions {
  readonly level?: LogLevel;
  /** `text` or `json`; default text when `out` is a terminal. */
  readonly format?: 'text' | 'json';
  readonly out?: NodeJS.WritableStream & { isTTY?: boolean };
}

export function createLogger(o: LoggerOptions = {}): Logger {
  const out = o.out ?? process.stdout;
  const format = o.format ?? (out.isTTY === true ? 'text' : 'json');
  const min = logLevels.indexOf(o.level ?? 'info');
  return {
    log(level, event, fields = {}) {
      if (logLevels.indexOf(level) < min) return;
      const time = new Date().toISOString();
      if (format === 'json') {
        out.write(`${JSON.stringify({ time, level, event, ...fields })}\n`);
        return;
      }
      const rest = Object.entries(fields)
        .map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`)
        .join(' ');
      out.write(`${time} ${level.toUpperCase().padEnd(5)} ${event}${rest === '' ? '' : ` ${rest}`}\n`);
    },
  };
}
