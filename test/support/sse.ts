import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { waitFor } from './services';

export interface SseMessage {
  readonly id: string | undefined;
  readonly event: string | undefined;
  readonly data: string;
}

/** A Server-Sent Events client for tests: every message and comment it got, as they arrive. */
export interface SseClient {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly messages: SseMessage[];
  readonly comments: string[];
  /** Waits until at least `count` messages arrived. */
  waitForMessages(count: number, timeoutMs?: number): Promise<SseMessage[]>;
  close(): void;
}

export function baseUrlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Opens `path` as an event stream; resolves once the response headers are in. */
export function openSse(
  baseUrl: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const messages: SseMessage[] = [];
    const comments: string[] = [];
    let req: ClientRequest | undefined = undefined;
    req = httpRequest(
      `${baseUrl}${path}`,
      { headers: { Accept: 'text/event-stream', ...headers } },
      (res) => {
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const fields: Record<string, string> = {};
            let isMessage = false;
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) comments.push(line.slice(1).trim());
              else {
                const colon = line.indexOf(':');
                const name = line.slice(0, colon);
                const value = line.slice(colon + 1).replace(/^ /, '');
                fields[name] =
                  name === 'data' && fields.data !== undefined ? `${fields.data}\n${value}` : value;
                if (name === 'data') isMessage = true;
              }
            }
            if (isMessage) messages.push({ id: fields.id, event: fields.event, data: fields.data });
          }
        });
        res.on('error', () => undefined);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          messages,
          comments,
          async waitForMessages(count, timeoutMs = 15_000) {
            await waitFor(
              `${count} SSE messages on ${path} (have ${messages.length})`,
              () => messages.length >= count,
              timeoutMs,
              10,
            );
            return messages;
          },
          close() {
            req?.destroy();
          },
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}
