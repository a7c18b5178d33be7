/** Shared pieces of the hostile-peer tests (real TCP on loopback). */

/** Poll `cond` every 10 ms until it holds; throws after `ms`. */
export async function waitUntil(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
