/**
 * Errors the API layer answers with: a gRPC status code and the request field at fault, so a
 * client learns what was wrong and the server keeps serving.
 */
import { status } from '@grpc/grpc-js';

/** A request the server refuses, with the gRPC status it is answered with. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    /** gRPC status code (`INVALID_ARGUMENT`, `NOT_FOUND`, `ALREADY_EXISTS`, ...). */
    readonly code: status,
    /** The request field at fault (`path.nlri`, `peer.conf.neighbor_address`, ...). */
    readonly field: string,
    why: string,
  ) {
    super(`${field}: ${why}`);
  }
}

/** INVALID_ARGUMENT naming a field. */
export function invalid(field: string, why: string): ApiError {
  return new ApiError(status.INVALID_ARGUMENT, field, why);
}

/** Run a conversion step; any non-ApiError it throws becomes INVALID_ARGUMENT on `field`. */
export function checked<T>(field: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw invalid(field, e instanceof Error ? e.message : String(e));
  }
}

/** A request's unsigned integer field, checked to be in `0..max`; INVALID_ARGUMENT otherwise. */
export function uint(v: unknown, field: string, max = 0xffffffff): number {
  const n = Number(v ?? 0);
  if (!Number.isInteger(n) || n < 0 || n > max) throw invalid(field, `${String(v)} is not in 0..${max}`);
  return n;
}
