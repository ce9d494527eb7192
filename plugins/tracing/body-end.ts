/**
 * When a response is really over. A handler returns an MCP response before its body is written:
 * an event stream carries the answer later. So a span that covers a request ends when the body
 * has been read to its end, failed, or been cancelled (the client went away); at once when there
 * is no body.
 */
export function whenBodyEnds(response: Response, done: (error?: unknown) => void): Response {
  const body = response.body;
  if (!body || nullBodyStatuses.has(response.status)) {
    done();
    return response;
  }
  let ended = false;
  const end = (error?: unknown) => {
    if (ended) return;
    ended = true;
    done(error);
  };
  const reader = body.getReader();
  const watched = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done: finished } = await reader.read();
        if (finished) {
          controller.close();
          end();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        controller.error(error);
        end(error);
      }
    },
    cancel(reason) {
      end();
      return reader.cancel(reason);
    },
  });
  return new Response(watched, { status: response.status, statusText: response.statusText, headers: response.headers });
}

const nullBodyStatuses = new Set([101, 204, 205, 304]);
