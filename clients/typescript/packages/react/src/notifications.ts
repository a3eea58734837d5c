import { useCallback, useEffect, useSyncExternalStore } from "react";
import type { HeraldError } from "@herald/client";
import { useHerald, useHeraldClient, useLatest, useStore } from "./provider.js";

export interface Notification<D = unknown> {
  id: string;
  /** Set for a notification to the whole organisation. */
  org?: string;
  user?: string;
  title: string;
  message: string;
  level: "info" | "success" | "warning" | "error";
  link?: string | null;
  data: D | null;
  createdAt: string;
  read: boolean;
}

export interface UseNotificationsOptions<D> {
  /** Called once for every notification that arrives live (for a toast). Need not be stable. */
  onNotification?: (notification: Notification<D>) => void;
  /** Items read on open, newest first. Default 50. */
  limit?: number;
}

export interface NotificationsState<D> {
  /** Newest first. */
  items: Notification<D>[];
  unreadCount: number;
  loading: boolean;
  error: HeraldError | undefined;
  markAsRead: (id: string) => Promise<void>;
  markAllRead: () => Promise<void>;
  dismiss: (id: string) => Promise<void>;
}

/**
 * The signed-in user's inbox: read from the HTTP API once connected, then kept live from the
 * user's channel (new notifications, and the unread count that every change pushes, from this
 * tab or another) and the organisation's channel (notifications to everyone in it).
 */
export function useNotifications<D = unknown>(options: UseNotificationsOptions<D> = {}): NotificationsState<D> {
  const client = useHeraldClient();
  const { user, org } = useHerald();
  const onNotification = useLatest(options.onNotification);
  const limit = options.limit ?? 50;
  const store = useStore(() => ({ items: [] as Notification<D>[], unreadCount: 0, loading: true, error: undefined as HeraldError | undefined }));

  useEffect(() => {
    if (!user) return;
    let live = true;
    const arrived = (n: Notification<D>) => {
      store.update((s) => (s.items.some((i) => i.id === n.id) ? s : { ...s, items: [{ ...n, read: false }, ...s.items] }));
      onNotification.current?.({ ...n, read: false });
    };
    const subs = [client.subscribe(`user:${user}`), ...(org ? [client.subscribe(`org:${org}`)] : [])];
    const offs = subs.map((sub) =>
      sub.on("publication", (p) => {
        if (p.type === "notification") arrived(p.data as Notification<D>);
        else if (p.type === "notifications.unread" && p.channel === `user:${user}`) store.update((s) => ({ ...s, unreadCount: (p.data as { unread: number }).unread }));
      }),
    );
    client
      .request<{ items: Notification<D>[]; unread: number }>("GET", `/api/notifications?limit=${limit}`)
      .then(({ items, unread }) => {
        if (!live) return;
        // Live ones that arrived during the read stay; the rest come from the read.
        store.update((s) => ({ ...s, loading: false, error: undefined, unreadCount: unread, items: [...s.items.filter((i) => !items.some((x) => x.id === i.id)), ...items] }));
      })
      .catch((error: HeraldError) => live && store.update((s) => ({ ...s, loading: false, error })));
    return () => {
      live = false;
      offs.forEach((f) => f());
      subs.forEach((s) => s.unsubscribe());
    };
  }, [client, user, org, limit, store, onNotification]);

  const state = useSyncExternalStore(store.subscribe, store.get, store.get);
  const markAsRead = useCallback(
    async (id: string) => {
      const { unread } = await client.request<{ unread: number }>("POST", `/api/notifications/${encodeURIComponent(id)}/read`);
      store.update((s) => ({ ...s, unreadCount: unread, items: s.items.map((i) => (i.id === id ? { ...i, read: true } : i)) }), true);
    },
    [client, store],
  );
  const markAllRead = useCallback(async () => {
    const { unread } = await client.request<{ unread: number }>("POST", "/api/notifications/read-all");
    store.update((s) => ({ ...s, unreadCount: unread, items: s.items.map((i) => ({ ...i, read: true })) }), true);
  }, [client, store]);
  const dismiss = useCallback(
    async (id: string) => {
      const { unread } = await client.request<{ unread: number }>("DELETE", `/api/notifications/${encodeURIComponent(id)}`);
      store.update((s) => ({ ...s, unreadCount: unread, items: s.items.filter((i) => i.id !== id) }), true);
    },
    [client, store],
  );
  return { ...state, markAsRead, markAllRead, dismiss };
}
