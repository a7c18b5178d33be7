/**
 * Bounded polling for daemons: like `waitFor` in test/helpers/netns.ts, but it stops at once
 * when the daemon it depends on has exited (instead of polling a dead socket until the
 * timeout), and runs `onFail` (dump config and logs) before throwing.
 */
export async function waitForDaemon<T>(
  what: string,
  timeoutMs: number,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  dead: () => string | undefined,
  onFail: () => void,
  everyMs = 200,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const d = dead();
    if (d !== undefined) {
      onFail();
      throw new Error(`${d} while waiting for ${what}`);
    }
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      onFail();
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last === undefined ? '' : `: ${String(last)}`}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
