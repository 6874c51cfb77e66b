/** What travels on the queues, validated with zod at the consumer. */
import { z } from 'zod';

export const ScoreMessageSchema = z.object({ tenantId: z.string().min(1), customerId: z.string().min(1) });
export type ScoreMessage = z.infer<typeof ScoreMessageSchema>;

/** Sends scoring work: SQS in AWS, the local queue in the embedded stack and the tests. */
export type Enqueue = (message: ScoreMessage) => Promise<void>;
