/**
 * An error answered by the server (`code` from docs/protocol.md, section 14), a disconnect
 * (`code` 3000-4999) or one raised by the client itself (`code` 0).
 */
export class HeraldError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "HeraldError";
  }
}

/**
 * Throw this from `getToken()` to say that no token can be had (the user signed out): the client
 * stops reconnecting and refreshing, and goes to `disconnected` with reason `unauthorized`.
 */
export class UnauthorizedError extends Error {
  constructor(message = "unauthorized") {
    super(message);
    this.name = "UnauthorizedError";
  }
}

/** Error codes of docs/protocol.md that the client acts on. */
export const ErrorCode = {
  Internal: 100,
  Unauthorized: 101,
  PermissionDenied: 103,
  NotAvailable: 108,
  TokenExpired: 109,
  UnrecoverablePosition: 112,
  NotSubscribed: 113,
  /** Client-side: a request timed out. */
  Timeout: 1,
  /** Client-side: dropped from the full offline queue. */
  Dropped: 2,
  /** Client-side: the client was disconnected by the application. */
  Disconnected: 3,
  /** Client-side: not possible on this transport (publish over SSE). */
  Transport: 4,
} as const;
