import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/** Serves `GET /metrics` (Prometheus text format) and `GET /healthz`. */
export async function startMetricsServer(registry: Registry, host: string, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.url === '/metrics') {
      registry
        .metrics()
        .then((text) => {
          response.writeHead(200, { 'content-type': registry.contentType });
          response.end(text);
        })
        .catch((error: unknown) => {
          response.writeHead(500).end(String(error));
        });
    } else if (request.url === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
