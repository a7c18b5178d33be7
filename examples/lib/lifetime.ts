/**
 * How a long-running example ends: on SIGINT/SIGTERM, or after `--duration` seconds (0 = only
 * on a signal). `stop` closes every socket and timer, then the process exits on its own.
 */
export function runUntilStopped(durationS: number, stop: () => Promise<void>): Promise<string> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (why: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      stop().then(() => resolve(why), () => resolve(why));
    };
    const onInt = (): void => finish('SIGINT');
    const onTerm = (): void => finish('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    const timer = durationS > 0 ? setTimeout(() => finish('duration'), durationS * 1000) : undefined;
  });
}

/** A number from argv, checked. */
export function num(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: not a number: ${text}`);
  return n;
}

/**
 * Run an argv parser with `--help`/`-h` (prints `usage`, exit 0) and a one-line message plus
 * the usage instead of a stack trace for an unknown or malformed flag (exit 1).
 */
export function withUsage<T>(usage: string, parse: () => T): T {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${usage.trim()}\n`);
    process.exit(0);
  }
  try {
    return parse();
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${usage.trim()}\n`);
    process.exit(1);
  }
}

/** A usage error: the message and the usage on stderr, exit 1. */
export function usageError(usage: string, message: string): never {
  process.stderr.write(`${message}\n\n${usage.trim()}\n`);
  process.exit(1);
}
