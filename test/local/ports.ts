/** Loopback ports for the local-stack tests: a free one to run on, and whether one is being listened on. */
import { createServer } from 'node:net';
import { portAnswers } from '../../local/ports.ts';

/** A loopback port the OS just handed out, and the Lambda port serverless-offline puts 2 above it. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    if (port + 2 < 65536) return port;
  }
}

/** Whether a loopback port is being listened on (the stack's own check). */
export const listening = portAnswers;
