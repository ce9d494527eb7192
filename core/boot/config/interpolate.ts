/**
 * `${VAR}` and `${VAR:-default}` in configuration values, substituted on the parsed YAML (never
 * on the text, so a variable's value cannot inject YAML structure). `$${` writes a literal `${`.
 *
 * An unquoted value that is exactly one variable takes the YAML type of what it expands to, so
 * `port: ${PORT}` is a number; a quoted one stays a string, so `key: "${API_KEY}"` is a string
 * even when the key is all digits.
 */
import { isPair, isScalar, isSeq, visit, type Document, type Node } from 'yaml';

export interface MissingVariable {
  readonly name: string;
  readonly path: readonly (string | number)[];
  /** Offset of the value in the source text, for line numbers. */
  readonly offset: number | undefined;
}

const reference = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const wholeReference = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/;

/** Expand references in one string; names of unset variables without a default go to `missing`. */
export function expand(text: string, env: NodeJS.ProcessEnv, missing: string[]): string {
  return text.replace(reference, (match, name: string | undefined, fallback: string | undefined) => {
    if (name === undefined) return '${'; // the $${ escape
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    if (value === '') return '';
    missing.push(name);
    return match;
  });
}

/** YAML 1.2 core-schema plain scalars that are not strings; anything else stays a string. */
function plainValue(text: string): unknown {
  if (/^[-+]?(0|[1-9]\d*)$/.test(text)) return Number(text);
  if (/^[-+]?(\.\d+|\d+(\.\d*)?)([eE][-+]?\d+)?$/.test(text)) return Number(text);
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (/^(null|Null|NULL|~)?$/.test(text)) return null;
  return text;
}

/** Substitute every string value of the document in place; report the variables that are missing. */
export function interpolateDocument(document: Document, env: NodeJS.ProcessEnv): MissingVariable[] {
  const missing: MissingVariable[] = [];
  visit(document, {
    Scalar(key, node, ancestors) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${')) return;
      const names: string[] = [];
      const source = node.value;
      const expanded = expand(source, env, names);
      for (const name of names) missing.push({ name, path: keyPath(ancestors, node), offset: node.range?.[0] });
      const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
      node.value = !quoted && wholeReference.test(source.trim()) ? plainValue(expanded) : expanded;
    },
  });
  return missing;
}

/** The key path of a node from the ancestors `visit` gives: map keys and sequence indexes. */
function keyPath(ancestors: readonly unknown[], node: Node): (string | number)[] {
  const path: (string | number)[] = [];
  const chain = [...ancestors, node];
  chain.forEach((ancestor, i) => {
    if (isPair(ancestor)) path.push(isScalar(ancestor.key) ? String(ancestor.key.value) : String(ancestor.key));
    else if (isSeq(ancestor)) path.push(ancestor.items.indexOf(chain[i + 1] as never));
  });
  return path;
}
