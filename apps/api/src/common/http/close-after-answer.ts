// Closing a connection after an answer sent before the request's body was read, without resetting it.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** How long a closing connection goes on reading what the client still sends after its answer. */
const LINGER_MS = 2_000;

/**
 * Ends the connection after this answer without resetting it under the client. An answer sent before the body was
 * read (413) leaves bytes on the way, and closing a socket with unread bytes sends an RST: a client still writing
 * then gets ECONNRESET instead of the answer. So `Connection: close`, the rest of the body is read and dropped, and
 * once the answer is out the socket half-closes and waits for the client's end (at most LINGER_MS) before closing.
 */
export function closeAfterAnswer(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Connection', 'close');
  req.resume();
  res.once('finish', () => {
    const socket = req.socket;
    // node:http has just called socket.destroySoon() (our FIN, then destroy as soon as it is out): wait for the client instead.
    socket.removeListener('finish', socket.destroy);
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  });
}
