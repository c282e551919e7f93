// A database the app reaches only through a TCP proxy that a test can cut and restore: PostgreSQL
// "goes away" for the app while the shared server keeps running for everyone else.
import { connect, createServer, Server, Socket } from 'node:net';
import { Client } from 'pg';
import { createDatabase, dropDatabase, TEMPLATE_ENV, uniqueDbName } from './test-database';

/** A TCP proxy that can be cut (sockets destroyed, nothing listening) and restored on the same port. */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const [a, b] of [
        [client, upstream],
        [upstream, client],
      ]) {
        this.sockets.add(a);
        a.on('error', () => b.destroy());
        a.on('close', () => {
          this.sockets.delete(a);
          b.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  /** Synchronously refuses new connections and kills the open ones; resolves once the port is closed. */
  cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}

/** A database of its own that the app reaches only through a TCP proxy; checks go to the server directly. */
export async function proxiedDatabase() {
  const template = process.env[TEMPLATE_ENV];
  if (!template) throw new Error('The test template database is missing: run through jest with the repo config.');
  const name = uniqueDbName('outage');
  const directUrl = await createDatabase(name, template);
  const target = new URL(directUrl);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  await proxy.start();
  const proxiedUrl = new URL(directUrl);
  proxiedUrl.hostname = '127.0.0.1';
  proxiedUrl.port = String(proxy.port);
  const direct = new Client({ connectionString: directUrl });
  await direct.connect();
  return {
    proxy,
    url: proxiedUrl.toString(),
    query: async (sql: string, params: unknown[]) => (await direct.query(sql, params)).rows,
    async drop() {
      await proxy.cut();
      await direct.end();
      await dropDatabase(name);
    },
  };
}

