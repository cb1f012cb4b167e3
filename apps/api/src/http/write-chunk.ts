import type { Response } from 'express';

/**
 * Writes a chunk of a streamed answer, waiting for the socket to drain when its buffer is full, so that a slow
 * client holds little memory; false once the client has gone.
 */
export function writeChunk(res: Response, chunk: string): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return Promise.resolve(false);
  if (chunk.length === 0 || res.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const settle = (written: boolean) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(written);
    };
    const onDrain = () => settle(true);
    const onClose = () => settle(false);
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}
