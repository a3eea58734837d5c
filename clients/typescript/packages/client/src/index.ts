export { HeraldClient, backoff, refreshDelay } from "./client.js";
export type {
  ChannelTypes,
  ClientEvents,
  ConnectionState,
  DataOf,
  DroppedRequest,
  HeraldClientOptions,
  StateChange,
  WebSocketConstructor,
} from "./client.js";
export { Subscription } from "./subscription.js";
export type {
  StateContext,
  SubscribeOptions,
  SubscribedContext,
  SubscriptionEvents,
  SubscriptionStatus,
  UnsubscribedContext,
} from "./subscription.js";
export { ErrorCode, HeraldError, UnauthorizedError } from "./errors.js";
export { matches } from "./filters.js";
export type * from "./types.js";
