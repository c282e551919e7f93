// Picks a TCP port to listen on: the preferred one when it is free, else one the OS hands out.
import net from 'node:net';

function tryListen(port, host) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(null));
    server.listen({ port, host, exclusive: true }, () => {
      const { port: bound } = server.address();
      server.close(() => resolve(bound));
    });
  });
}

/**
 * Resolves to `preferred` if nothing listens on it at `host`, otherwise to a free port chosen by
 * the OS. Pass 0 (or nothing) to always let the OS choose. The port is free when checked; the
 * caller binds it shortly after, so a race with another process is possible but unlikely.
 */
export async function findFreePort(preferred = 0, host = '127.0.0.1') {
  if (preferred > 0) {
    const port = await tryListen(preferred, host);
    if (port !== null) return port;
  }
  const port = await tryListen(0, host);
  if (port === null) throw new Error(`no free TCP port on ${host}`);
  return port;
}
