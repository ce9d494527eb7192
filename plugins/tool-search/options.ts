/** The `tool_search:` section. */
import { z } from 'mcp-gateway';

export const optionsSchema = z
  .strictObject({
    /**
     * The MCP endpoints (`endpoints:` names; `default` is `/mcp`) whose `tools/list` is the search
     * tools; the others list every tool and know no search tool. Default: every endpoint.
     */
    endpoints: z.array(z.string().min(1)).min(1).optional(),
    /** How many tools a search returns when the model does not say (it may ask for up to `max_results`). */
    results: z.number().int().min(1).max(50).default(5),
    /** The most a search may return, whatever it asks. */
    max_results: z.number().int().min(1).max(50).default(20),
  })
  .refine((options) => options.results <= options.max_results, {
    message: 'results is more than max_results',
    path: ['results'],
  });

export type ToolSearchOptions = z.output<typeof optionsSchema>;
