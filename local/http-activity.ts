/**
 * Whether the HTTP functions are serving right now, as serverless-offline's admission gate reports it over
 * the IPC channel (local/offline-admission.ts sends `{ clvHttpInFlight: n }` whenever n turns 0 or not).
 * The queue consumers read it to stay in the background while webhooks are being answered
 * (local/queue-consumer.ts): on two cores they share the CPU and DynamoDB Local with the handlers, and an
 * acknowledgement Shopify waits for matters more than a score nobody waits for.
 */
export interface HttpActivityMessage {
  clvHttpInFlight: number;
}

export const isHttpActivityMessage = (message: unknown): message is HttpActivityMessage =>
  typeof message === 'object' &&
  message !== null &&
  typeof (message as HttpActivityMessage).clvHttpInFlight === 'number';

export class HttpActivity {
  private inFlight = 0;
  private quietSince = 0;
  /** How long after the last answer the traffic still counts as going on: webhooks come in bursts. */
  private readonly graceMs: number;

  constructor(options: { graceMs?: number } = {}) {
    this.graceMs = options.graceMs ?? 250;
  }

  report(message: HttpActivityMessage): void {
    if (message.clvHttpInFlight === 0 && this.inFlight > 0) this.quietSince = Date.now();
    this.inFlight = message.clvHttpInFlight;
  }

  /** True while a request is being served or was moments ago. */
  get busy(): boolean {
    return this.inFlight > 0 || Date.now() - this.quietSince < this.graceMs;
  }
}
