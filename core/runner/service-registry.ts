/** The services plugins provide each other (kernel contract: `Services`), by name, with who provided each. */
import { ErrorCodes, GatewayError } from '../kernel/errors.ts';
import type { ServiceName, Services } from '../kernel/services.ts';

export class ServiceRegistry {
  readonly #entries = new Map<string, { value: unknown; provider: string }>();

  provide<K extends ServiceName>(name: K, value: Services[K], provider: string): void {
    const existing = this.#entries.get(name);
    if (existing) {
      throw new GatewayError(
        ErrorCodes.SERVICE,
        `service "${name}" is already provided by plugin ${existing.provider}; load only one of them`,
        { plugin: provider },
      );
    }
    this.#entries.set(name, { value, provider });
  }

  /** The service, or a boot error naming the plugin that needed it. */
  use<K extends ServiceName>(name: K, consumer: string): Services[K] {
    const entry = this.#entries.get(name);
    if (!entry) {
      throw new GatewayError(
        ErrorCodes.SERVICE,
        `service "${name}" is not provided by any plugin loaded before ${consumer}`,
        { plugin: consumer },
      );
    }
    return entry.value as Services[K];
  }

  get<K extends ServiceName>(name: K): Services[K] | undefined {
    return this.#entries.get(name)?.value as Services[K] | undefined;
  }

  providerOf(name: ServiceName): string | undefined {
    return this.#entries.get(name)?.provider;
  }
}
