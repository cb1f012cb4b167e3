import { EVENT_TYPES } from '../../../libs/domain/src/events';
import { apiKey, getJson, standoffPath, withParams } from './api';

/** How often the fallback asks for the standoff's version. */
export const POLL_INTERVAL_MS = 2_000;

export type LiveMode = 'feed' | 'polling';

export interface LiveOptions {
  readonly standoffId: string;
  /** The version the page shows; anything past it is news. */
  readonly version: number;
  /** Called with the standoff's version whenever it moved past what was last reported. */
  readonly onVersion: (version: number) => void;
  readonly onMode: (mode: LiveMode) => void;
  readonly onError: (error: unknown) => void;
}

export interface LiveSubscription {
  stop(): void;
}

interface Feed {
  readonly version?: number;
}

/**
 * Whether this API serves the standoff feed, from its OpenAPI document (public, same origin). Asked first so
 * that an API without feeds costs no failed request, which the browser would log as an error.
 */
async function hasFeed(): Promise<boolean> {
  try {
    const document = await getJson<{ paths?: Record<string, unknown> }>('/openapi.json');
    return Object.keys(document.paths ?? {}).some((path) => /^\/v1\/standoffs\/\{[^}]+\}\/feed$/.test(path));
  } catch {
    return false;
  }
}

/**
 * Follows a standoff: through its SSE feed (DESIGN.md §7, `GET /v1/standoffs/{id}/feed`) when the API has one,
 * else by polling `GET /v1/standoffs/{id}` for its version. The feed is tried when the API's OpenAPI document
 * lists it, and dropped for polling when it fails before opening or closes for good. EventSource cannot send
 * an Authorization header, so with an API key the page polls.
 */
export function followStandoff(options: LiveOptions): LiveSubscription {
  let latest = options.version;
  let stopped = false;
  let poller: ReturnType<typeof setInterval> | undefined;
  let source: EventSource | undefined;

  const report = (version: number) => {
    if (stopped || version <= latest) return;
    latest = version;
    options.onVersion(version);
  };

  const poll = async () => {
    if (document.hidden) return;
    try {
      const summary = await getJson<{ version: number }>(standoffPath(options.standoffId));
      report(summary.version);
    } catch (error) {
      if (!stopped) options.onError(error);
    }
  };

  const startPolling = () => {
    if (stopped || poller !== undefined) return;
    source?.close();
    source = undefined;
    options.onMode('polling');
    poller = setInterval(() => void poll(), POLL_INTERVAL_MS);
  };

  const tryFeed = () => {
    let opened = false;
    source = new EventSource(
      withParams(standoffPath(options.standoffId, '/feed'), { after: String(latest) }),
    );
    source.onopen = () => {
      opened = true;
      options.onMode('feed');
    };
    source.onerror = () => {
      // Before opening: no feed here. After: the browser reconnects by itself unless the stream is closed.
      if (!opened || source?.readyState === EventSource.CLOSED) startPolling();
    };
    const onFeedItem = (message: MessageEvent<string>) => {
      const fromId = Number(message.lastEventId);
      let version = Number.isInteger(fromId) && fromId > 0 ? fromId : latest + 1;
      try {
        const item = JSON.parse(message.data) as Feed;
        if (typeof item.version === 'number') version = item.version;
      } catch {
        // A message that is not JSON still says something happened.
      }
      report(version);
    };
    // The feed names each message by the event's type.
    for (const type of [...EVENT_TYPES, 'message']) source.addEventListener(type, onFeedItem);
  };

  if (typeof EventSource === 'undefined' || apiKey.get() !== null) startPolling();
  else {
    void hasFeed().then((found) => {
      if (stopped) return;
      if (found) tryFeed();
      else startPolling();
    });
  }

  return {
    stop() {
      stopped = true;
      source?.close();
      if (poller !== undefined) clearInterval(poller);
    },
  };
}
