/** Every example answers --help with its usage (exit 0) and an unknown flag with a message and the usage (exit 1). */
import { describe, expect, it } from 'vitest';
import { ExampleProcess } from './child.js';

const examples = ['demo', 'quick-start', 'automation', 'route-reflector', 'fuzz-peer', 'two-host-overlay'];

describe('examples: --help and bad flags', () => {
  it.each(examples)('%s', async (name) => {
    const help = new ExampleProcess(`examples/${name}.ts`, ['--help']);
    const bad = new ExampleProcess(`examples/${name}.ts`, ['--no-such-flag']);
    const [h, b] = await Promise.all([help.exit(30_000), bad.exit(30_000)]);
    expect(h).toBe(0);
    expect(help.stdout).toMatch(/^usage: /);
    expect(b).toBe(1);
    expect(bad.stderr).toMatch(/^Unknown option '--no-such-flag'[\s\S]*\nusage: /);
    expect(bad.stdout).toBe('');
  });
});
