import { connect, createServer, type Server, type Socket } from 'node:net';

/** What a proxy has seen, for the report and for asserting that a fault really hit the engine. */
export interface ProxyStats {
  /** Client connections accepted while the proxy was up. */
  readonly accepted: number;
  /** Connections destroyed by `cut()`. */
  readonly cutConnections: number;
  /** Bytes forwarded client → upstream and upstream → client. */
  readonly bytesUp: number;
  readonly bytesDown: number;
}

/**
 * A TCP proxy on 127.0.0.1 in front of a shared service (Redis, ClickHouse HTTP), so a test can take
 * the service away from the engine without touching the service itself:
 *
 * - `cut()` destroys every open connection and closes the listener, so new connections are refused
 *   (ECONNREFUSED, as when the service is down);
 * - `restore()` listens again on the same port;
 * - `setLatencyMs(ms)` delays every chunk in both directions by `ms`. The delay is latency, not a
 *   bandwidth cap: chunks keep their order and a chunk never leaves before the one before it.
 */
export class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private latencyMs = 0;
  private accepted = 0;
  private cutConnections = 0;
  private bytesUp = 0;
  private bytesDown = 0;

  private constructor(
    private readonly upstreamHost: string,
    private readonly upstreamPort: number,
    private listenPort: number,
  ) {}

  /** Starts a proxy to `upstreamHost:upstreamPort` on a free port (or `port`). */
  static async start(upstreamHost: string, upstreamPort: number, port = 0): Promise<TcpProxy> {
    const proxy = new TcpProxy(upstreamHost, upstreamPort, port);
    await proxy.listen();
    return proxy;
  }

  get port(): number {
    return this.listenPort;
  }

  stats(): ProxyStats {
    return { accepted: this.accepted, cutConnections: this.cutConnections, bytesUp: this.bytesUp, bytesDown: this.bytesDown };
  }

  setLatencyMs(ms: number): void {
    this.latencyMs = ms;
  }

  /** Destroys every connection and refuses new ones until `restore()`. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.cutConnections += this.sockets.size;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async restore(): Promise<void> {
    if (this.server === null) await this.listen();
  }

  async close(): Promise<void> {
    await this.cut();
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = createServer((client) => this.accept(client));
      server.once('error', reject);
      server.listen(this.listenPort, '127.0.0.1', () => {
        server.off('error', reject);
        const address = server.address();
        if (typeof address === 'object' && address !== null) this.listenPort = address.port;
        this.server = server;
        resolve();
      });
    });
  }

  private accept(client: Socket): void {
    if (this.server === null) {
      client.destroy();
      return;
    }
    this.accepted += 1;
    const upstream = connect(this.upstreamPort, this.upstreamHost);
    this.sockets.add(client);
    this.sockets.add(upstream);
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
    this.pipe(client, upstream, (n) => (this.bytesUp += n));
    this.pipe(upstream, client, (n) => (this.bytesDown += n));
  }

  /**
   * Forwards `from` to `to`. Without latency chunks go straight through (with backpressure); with it,
   * each chunk joins a queue with its due time and one timer releases the queue head by head, so order
   * holds even when the latency changes while chunks are waiting.
   */
  private pipe(from: Socket, to: Socket, count: (bytes: number) => void): void {
    const queue: { readonly due: number; readonly chunk: Buffer | null }[] = [];
    let timer: NodeJS.Timeout | null = null;
    const release = (): void => {
      timer = null;
      const now = Date.now();
      while (queue.length > 0 && (queue[0]?.due ?? 0) <= now) {
        const head = queue.shift();
        if (head === undefined || to.destroyed) continue;
        if (head.chunk === null) {
          to.end();
        } else {
          count(head.chunk.length);
          to.write(head.chunk);
        }
      }
      const next = queue[0];
      if (next !== undefined) timer = setTimeout(release, next.due - now);
    };
    const enqueue = (chunk: Buffer | null): void => {
      const last = queue.at(-1);
      queue.push({ due: Math.max(Date.now() + this.latencyMs, last?.due ?? 0), chunk });
      if (timer === null) timer = setTimeout(release, Math.max(0, (queue[0]?.due ?? 0) - Date.now()));
    };
    from.on('data', (chunk: Buffer) => {
      if (this.latencyMs > 0 || queue.length > 0) {
        enqueue(chunk);
        return;
      }
      count(chunk.length);
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => from.resume());
      }
    });
    from.on('end', () => (queue.length > 0 ? enqueue(null) : to.end()));
    from.on('close', () => {
      if (timer !== null) clearTimeout(timer);
    });
  }
}
