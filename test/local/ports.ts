/** Loopback ports for the local-stack tests: a free one to run on, and whether one is being listened on. */
import { createConnection, createServer } from 'node:net';

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

export async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
