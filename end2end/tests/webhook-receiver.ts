// A webhook receiver for the tests: a tiny HTTP server on 127.0.0.1 (a port of the system's
// choosing) that records what it is sent, and the Standard Webhooks signature check a real
// receiver makes, with node:crypto alone.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';

/** One request as it arrived: the raw body, so the signature is checked over the exact bytes. */
export interface ReceivedRequest {
  method: string;
  path: string;
  contentType: string;
  id: string;
  timestamp: string;
  signature: string;
  body: Buffer;
}

export class WebhookReceiver {
  private constructor(
    private readonly server: Server,
    /** The address to subscribe, such as http://127.0.0.1:40123/hooks/simdesk. */
    readonly url: string,
    /** What arrived, oldest first. */
    readonly received: ReceivedRequest[],
  ) {}

  /** Listens until closed, answering every request with `status`. */
  static async start(path = '/hooks/simdesk', status = 200): Promise<WebhookReceiver> {
    const received: ReceivedRequest[] = [];
    const server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const header = (name: string) => String(request.headers[name] ?? '');
        received.push({
          method: request.method ?? '',
          path: request.url ?? '',
          contentType: header('content-type'),
          id: header('webhook-id'),
          timestamp: header('webhook-timestamp'),
          signature: header('webhook-signature'),
          body: Buffer.concat(chunks),
        });
        response.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return new WebhookReceiver(server, `http://127.0.0.1:${port}${path}`, received);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Whether one of the request's space-separated `v1,` signatures is the base64 HMAC-SHA256 of
 * `{webhook-id}.{webhook-timestamp}.{body}` under the bytes of the `whsec_` secret.
 */
export function signatureValid(secret: string, request: ReceivedRequest): boolean {
  if (!secret.startsWith('whsec_')) return false;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key)
    .update(`${request.id}.${request.timestamp}.`)
    .update(request.body)
    .digest();
  return request.signature.split(' ').some((signature) => {
    if (!signature.startsWith('v1,')) return false;
    const tag = Buffer.from(signature.slice(3), 'base64');
    return tag.length === expected.length && timingSafeEqual(tag, expected);
  });
}
