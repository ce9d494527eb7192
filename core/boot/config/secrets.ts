/**
 * The secret values a configuration holds (upstream API keys, tokens, client secrets, private
 * keys), so that the logger can blank them wherever they would appear, whatever logged them: a
 * last guard behind the rule that settings are never logged.
 */

/** Keys whose values are secrets, at any depth of the configuration. */
const secretKey = /(^|_)(value|token|secret|password|passphrase|private_key|api_key|client_secret|credentials?)$/i;
/** Environment variables whose values are secrets (read by plugins, e.g. OKTA_PRIVATE_KEY). */
const secretVariable = /(SECRET|TOKEN|PASSWORD|PASSPHRASE|PRIVATE_KEY|API_KEY|CREDENTIALS?)$/i;
/** Shorter values are too likely to be ordinary words to be blanked everywhere. */
const MIN_LENGTH = 8;

export function secretValues(config: unknown, env: NodeJS.ProcessEnv): string[] {
  const found = new Set<string>();
  const visit = (value: unknown, key: string) => {
    if (typeof value === 'string') {
      if (secretKey.test(key) && value.length >= MIN_LENGTH) found.add(value);
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, key);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) visit(v, k);
    }
  };
  visit(config, '');
  for (const [name, value] of Object.entries(env)) {
    if (value && value.length >= MIN_LENGTH && secretVariable.test(name)) found.add(value);
  }
  return [...found];
}
