/** The kernel configuration, validated: what the boot gives the kernel. */
import { fromZodError, type ConfigSource } from './errors.ts';
import { kernelConfigSchema, type GatewayConfig } from '../../kernel/config/schema.ts';

export function parseGatewayConfig(raw: Record<string, unknown>, source?: ConfigSource): GatewayConfig {
  const parsed = kernelConfigSchema.safeParse(raw);
  if (!parsed.success) throw fromZodError(parsed.error, { source, schema: kernelConfigSchema, input: raw });
  return parsed.data;
}
