/**
 * The `tool_filter:` section: per server (its `name` in `proxy.servers`), what of its tools,
 * prompts and resources clients see, and under which names. Every pattern and key names items as
 * the upstream does (renames never cascade), validated strictly so that a misspelt key stops the
 * gateway at boot rather than exposing what it meant to hide.
 */
import { z } from 'mcp-gateway';

/** Globs (`*` for any run of characters) on upstream names, or on URIs for resources. */
const globs = z.array(z.string().min(1)).min(1);

const selection = { include: globs.optional(), exclude: globs.optional() };

/** Upstream name -> the local name clients see (the server's prefix still goes before it). */
const renames = z.record(z.string().min(1), z.string().min(1)).default({});

const hints = {
  readOnlyHint: z.boolean().optional(),
  destructiveHint: z.boolean().optional(),
  idempotentHint: z.boolean().optional(),
  openWorldHint: z.boolean().optional(),
};

const toolOverride = z.strictObject({
  title: z.string().optional(),
  description: z.string().optional(),
  /** Merged into the upstream's annotations. */
  annotations: z.strictObject({ title: z.string().optional(), ...hints }).optional(),
});

const promptOverride = z.strictObject({ title: z.string().optional(), description: z.string().optional() });

const serverRules = z.strictObject({
  ...selection,
  /** Tools whose annotations (with the protocol's defaults for absent hints) differ are hidden. */
  require_annotations: z.strictObject(hints).optional(),
  rename: renames,
  override: z.record(z.string().min(1), toolOverride).default({}),
  prompts: z
    .strictObject({ ...selection, rename: renames, override: z.record(z.string().min(1), promptOverride).default({}) })
    .optional(),
  /** Resources by URI, templates by their URI template: filtered only, since tool results cite their URIs. */
  resources: z.strictObject(selection).optional(),
});

export const optionsSchema = z.strictObject({
  servers: z.record(z.string().min(1), serverRules).default({}),
});

export type ToolFilterOptions = z.output<typeof optionsSchema>;
export type ServerRules = z.output<typeof serverRules>;
export type Hints = z.output<z.ZodObject<typeof hints>>;
