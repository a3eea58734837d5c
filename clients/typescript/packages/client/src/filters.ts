import type { Filters } from "./types.js";

/**
 * The server's tag filter rule (docs/protocol.md, section 7), for transports that cannot filter
 * at the server (SSE): for every tag named, the publication carries it with one of the values.
 */
export function matches(filters: Filters | undefined, tags: Record<string, string> | undefined): boolean {
  if (!filters) return true;
  for (const name in filters) {
    const allowed = filters[name]!;
    const value = tags?.[name];
    if (value === undefined || !(typeof allowed === "string" ? allowed === value : allowed.includes(value))) return false;
  }
  return true;
}
