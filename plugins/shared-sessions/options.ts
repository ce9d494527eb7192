/** The `shared_sessions:` section: the Redis every replica uses, and this replica's name. */
import { z } from 'mcp-gateway';
import { redisConnectionSchema } from 'mcp-gateway/redis';

export const optionsSchema = z.strictObject({
  redis: redisConnectionSchema,
  /**
   * This replica's name on the bus, unique among the replicas (it ends up in the ids of its
   * requests to clients). Default: the host name, the process id and a random part.
   */
  replica: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, "_", "-" and "." (at most 64)')
    .optional(),
});

export type SharedSessionsOptions = z.output<typeof optionsSchema>;
