/**
 * Reading one table of a parsed TOML config with typed getters that record which keys were
 * read; `done()` then reports the first key nobody asked for. Every error names the file, the
 * line and the key path, and says what is accepted (STYLE: daemons and APIs).
 */
import { isIP } from 'node:net';
import { lineOf, type LineMap } from './toml-lines.js';

/** A config file that cannot be used: where, which key, what is accepted. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly file: string,
    /** 1-based; undefined when the error is about the whole file. */
    readonly line: number | undefined,
    /** Key path, e.g. `neighbors[0].config.peer-as`. */
    readonly key: string,
    readonly reason: string,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${key === '' ? '' : `${key}: `}${reason}`);
  }
}

export interface Source {
  readonly file: string;
  readonly lines: LineMap;
}

type Table = Record<string, unknown>;

export class Section {
  private readonly read = new Set<string>();

  constructor(
    private readonly src: Source,
    readonly path: string,
    private readonly table: Table,
  ) {}

  /** A ConfigError at a key of this table (or at the table itself). */
  error(key: string | undefined, reason: string): ConfigError {
    const path = key === undefined ? this.path : this.join(key);
    return new ConfigError(this.src.file, lineOf(this.src.lines, path), path, reason);
  }

  private join(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`;
  }

  has(key: string): boolean {
    return this.table[key] !== undefined;
  }

  private raw(key: string): unknown {
    this.read.add(key);
    return this.table[key];
  }

  /** A sub-table (absent: undefined). */
  table_(key: string): Section | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Date) throw this.error(key, 'expected a table');
    return new Section(this.src, this.join(key), v as Table);
  }

  /** A sub-table that must be there. */
  need(key: string, reason: string): Section {
    const t = this.table_(key);
    if (t === undefined) throw this.error(undefined, reason);
    return t;
  }

  /** An array of tables (absent: empty). */
  tables(key: string): Section[] {
    const v = this.raw(key);
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'object' || x === null || Array.isArray(x))) throw this.error(key, `expected an array of tables ([[${this.join(key)}]])`);
    return v.map((t, i) => new Section(this.src, `${this.join(key)}[${i}]`, t as Table));
  }

  int(key: string, min: number, max: number): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw this.error(key, `expected a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
    return v;
  }

  bool(key: string): boolean | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') throw this.error(key, `expected true or false, got ${JSON.stringify(v)}`);
    return v;
  }

  str(key: string): string | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw this.error(key, `expected a string, got ${JSON.stringify(v)}`);
    return v;
  }

  /** A string from a fixed list. */
  oneOf<T extends string>(key: string, accepted: readonly T[]): T | undefined {
    const v = this.str(key);
    if (v === undefined) return undefined;
    if (!(accepted as readonly string[]).includes(v)) throw this.error(key, `${JSON.stringify(v)} is not supported; accepted: ${accepted.join(', ')}`);
    return v as T;
  }

  /** An IP address (`v4` only: a dotted quad, as router ids and cluster ids are). */
  ip(key: string, v4 = false): string | undefined {
    const v = this.str(key);
    if (v === undefined) return undefined;
    const f = isIP(v);
    if (f === 0 || (v4 && f !== 4)) throw this.error(key, `expected an ${v4 ? 'IPv4 address (dotted quad)' : 'IPv4 or IPv6 address'}, got ${JSON.stringify(v)}`);
    return v;
  }

  /** An array of whole numbers in a range (absent: empty). */
  intList(key: string, min: number, max: number): number[] {
    const v = this.raw(key);
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max)) throw this.error(key, `expected an array of whole numbers from ${min} to ${max}, got ${JSON.stringify(v)}`);
    return v as number[];
  }

  ipList(key: string): string[] | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || isIP(x) === 0)) throw this.error(key, `expected an array of IP addresses, got ${JSON.stringify(v)}`);
    return v as string[];
  }

  require<T>(key: string, v: T | undefined): T {
    if (v === undefined) throw this.error(undefined, `${key} is required`);
    return v;
  }

  /**
   * Every key must have been read: the first other one is an error at its line. `known` are
   * keys of GoBGP's schema we do not implement (named as unsupported rather than unknown).
   */
  done(known: readonly string[] = []): void {
    for (const k of Object.keys(this.table)) {
      if (this.read.has(k)) continue;
      const v = this.table[k];
      const isTable = typeof v === 'object' && v !== null && !(v instanceof Date);
      const what = isTable ? `section [${this.join(k)}]` : `key ${k}`;
      const ok = [...this.read].join(', ');
      throw this.error(k, known.includes(k) ? `${what} is not supported by bgp-evpnd` : `unknown ${what}${ok === '' ? '' : ` (accepted here: ${ok})`}`);
    }
  }
}
