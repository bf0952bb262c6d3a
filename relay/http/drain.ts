import type { IncomingMessage } from 'node:http';

/**
 * Reads and drops what is left of a refused request's body, up to `limit` bytes, before the answer
 * goes. A server that closes a socket with unread bytes in it resets the connection, and a client
 * still sending then sees a broken connection instead of the 4xx and its reason. A body declared
 * or found larger than the limit is left unread, as any oversize body is.
 */
export function drainBody(req: IncomingMessage, limit: number): Promise<void> {
  if (req.complete || req.readableEnded || req.destroyed) return Promise.resolve();
  if (Number(req.headers['content-length']) > limit) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const finish = () => {
      req.off('data', onData).off('end', finish).off('error', finish).off('close', finish);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > limit) {
        req.pause();
        finish();
      }
    };
    req.on('data', onData).once('end', finish).once('error', finish).once('close', finish);
    req.resume();
  });
}
