# syntax=docker/dockerfile:1
# mcp-gateway image: multi-stage, production dependencies only, runs as the unprivileged `node`
# user. Mount your configuration at /etc/mcp-gateway/config.yaml (found there by default); without
# one, the embedded config/default.yaml fronts the "everything" reference server.
#   docker build -t mcp-gateway .
#   docker run -p 8082:8082 -v $PWD/mcp-gateway.yaml:/etc/mcp-gateway/config.yaml:ro mcp-gateway

FROM node:24-bookworm-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    MCP_GATEWAY_HOST=0.0.0.0
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json ./
COPY core ./core
COPY plugins ./plugins
COPY config ./config
# The compiled kernel (core/cli/compiled.js), made here because the `node` user cannot write it;
# without it every start would run the TypeScript sources through tsx (~0.3 s slower).
RUN node core/cli/compiled.js
USER node
EXPOSE 8082
# /live answers as soon as the process serves HTTP; /ready (for load balancers) also checks upstreams.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.MCP_GATEWAY_PORT || 8082) + '/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "core/cli/bin.js"]
CMD ["serve"]
