/**
 * Run an example as a child process (node --import tsx, so the PID is node's own and signals
 * reach it), collect its JSON lines, wait for events, stop it by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ExampleEvent {
  event: string;
  [k: string]: unknown;
}

export class ExampleProcess {
  readonly child: ChildProcess;
  readonly events: ExampleEvent[] = [];
  stdout = '';
  stderr = '';
  private exited: Promise<number | null>;

  constructor(file: string, args: readonly string[]) {
    this.child = spawn(process.execPath, ['--import', 'tsx', file, ...args], { cwd: process.cwd(), env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    this.child.stdout!.on('data', (d: Buffer) => {
      this.stdout += d.toString();
      partial += d.toString();
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const l of lines) {
        if (!l.startsWith('{')) continue;
        try {
          this.events.push(JSON.parse(l) as ExampleEvent);
        } catch {
          /* not a JSON line */
        }
      }
    });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** The first event matching `pred`, waiting (bounded) for it. */
  async waitFor(what: string, pred: (e: ExampleEvent) => boolean, timeoutMs = 20_000): Promise<ExampleEvent> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const e = this.events.find(pred);
      if (e !== undefined) return e;
      if (this.child.exitCode !== null) throw new Error(`example exited (${this.child.exitCode}) before ${what}\n${this.stdout}\n${this.stderr}`);
      if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.stdout}\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Exit code, waiting at most `timeoutMs` (then SIGKILL by PID). */
  async exit(timeoutMs = 20_000): Promise<number | null> {
    const t = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(t);
    return code;
  }

  /** SIGTERM by PID, then the exit code (SIGKILL after `timeoutMs`). */
  async stop(timeoutMs = 10_000): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exit(timeoutMs);
  }
}
