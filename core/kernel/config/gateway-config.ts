/** The validated kernel configuration that the kernel and plugins read. */
import { fromZodError, type ConfigSource } from './errors.ts';
import { kernelConfigSchema, type KernelConfig } from './schema.ts';

export type GatewayConfig = Readonly<KernelConfig>;

export function parseGatewayConfig(raw: Record<string, unknown>, source?: ConfigSource): GatewayConfig {
  const parsed = kernelConfigSchema.safeParse(raw);
  if (!parsed.success) throw fromZodError(parsed.error, { source, schema: kernelConfigSchema, input: raw });
  return parsed.data;
}
