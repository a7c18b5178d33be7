/**
 * Daemon.reload in-process: reloads are queued, so two quick SIGHUPs apply a change once (the
 * second diffs against what the first applied); a change to [global] is refused as a whole.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BgpSpeaker } from '../../src/bgp/speaker.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { freePort, waitFor } from '../helpers/netns.js';
import { createLogger } from '../../src/daemon/log.js';
import { rrConfig } from './rr-config.js';

const dir = mkdtempSync(join(tmpdir(), 'bgp-evpnd-reload-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let daemon: Daemon | undefined;
let client: BgpSpeaker | undefined;
afterEach(async () => {
  await client?.stop();
  await daemon?.stop();
  daemon = undefined;
});


describe('Daemon.reload', () => {
  it('two reloads in a row: the second finds nothing to do; a [global] change applies nothing', async () => {
    const file = join(dir, 'rr.toml');
    const port = await freePort('127.0.32.1');
    const conf = (neighbors: string[], routerId = '127.0.32.1') => rrConfig({ asn: 65000, routerId, listen: '127.0.32.1', port, clusterId: '127.0.32.1', neighbors });
    writeFileSync(file, conf(['127.0.32.11']));
    const lines: string[] = [];
    const logger = createLogger({ out: { isTTY: false, write: (s: string) => (lines.push(s), true) } as unknown as NodeJS.WritableStream });
    daemon = await Daemon.start({ configFile: file, apiHosts: false, logger });
    // an Established session: removing its peer takes a Cease and a closing handshake
    client = new BgpSpeaker({ asn: 65000, routerId: '127.0.32.11', listen: false });
    client.addPeer({ address: '127.0.32.1', port, asn: 65000, families: ['l2vpn-evpn'], localAddress: '127.0.32.11', connectRetryTime: 1, idleHoldTime: 30 });
    await client.start();
    await waitFor('client up', 10_000, () => client!.peerState('127.0.32.1') === 'Established', 20);
    // one removed (its removal takes a few turns), one added
    writeFileSync(file, conf(['127.0.32.12']));
    const [first, second] = await Promise.all([daemon.reload(), daemon.reload()]);
    expect(first).toEqual({ added: ['127.0.32.12'], removed: ['127.0.32.11'], updated: [], reset: [] });
    expect(second).toEqual({ added: [], removed: [], updated: [], reset: [] });
    expect(daemon.speaker.peerAddresses()).toEqual(['127.0.32.12']);
    writeFileSync(file, conf(['127.0.32.11'], '127.0.32.2'));
    expect(await daemon.reload()).toBeUndefined();
    expect(daemon.speaker.peerAddresses()).toEqual(['127.0.32.12']);
    expect(lines.map((l) => JSON.parse(l) as { event: string; error?: string }).find((e) => e.event === 'reload failed')?.error).toMatch(/global\.config\.router-id: changed: global settings need a restart/);
  });
});
