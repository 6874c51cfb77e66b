/** Whether something listens on a loopback port: the stack's own check before it starts, and the tests'. */
import { createConnection } from 'node:net';

export async function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
