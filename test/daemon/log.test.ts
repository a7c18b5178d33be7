/** bgp-evpnd's log: one line per event, text on a terminal, JSON lines otherwise, levels filter. */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/daemon/log.js';

function sink(isTTY: boolean): { out: NodeJS.WritableStream & { isTTY: boolean }; lines: string[] } {
  const lines: string[] = [];
  const out = { isTTY, write: (s: string) => (lines.push(s), true) } as unknown as NodeJS.WritableStream & { isTTY: boolean };
  return { out, lines };
}

describe('bgp-evpnd log', () => {
  it('JSON lines when not on a terminal, one object per event', () => {
    const { out, lines } = sink(false);
    const log = createLogger({ out });
    log.log('info', 'peer up', { peer: '192.0.2.2', as: 65000 });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', event: 'peer up', peer: '192.0.2.2', as: 65000, time: expect.stringMatching(/^\d{4}-/) });
  });

  it('text on a terminal: time, level, event, key=value (quoted when it has spaces or is not a string)', () => {
    const { out, lines } = sink(true);
    const log = createLogger({ out });
    log.log('warn', 'peer down', { peer: '192.0.2.2', reason: 'hold timer', vteps: ['a'] });
    expect(lines[0]).toMatch(/^\d{4}-\S+Z WARN  peer down peer=192\.0\.2\.2 reason="hold timer" vteps=\["a"\]\n$/);
  });

  it('levels below the chosen one are dropped', () => {
    const { out, lines } = sink(false);
    const log = createLogger({ out, level: 'warn' });
    log.log('debug', 'peer state');
    log.log('info', 'reloaded');
    log.log('error', 'reload failed');
    expect(lines.map((l) => (JSON.parse(l) as { event: string }).event)).toEqual(['reload failed']);
  });
});
