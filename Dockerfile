# syntax=docker/dockerfile:1
# mcp-gateway image: multi-stage, production dependencies only, runs as the unprivileged `node`
# user. Mount your configuration at /etc/mcp-gateway/config.yaml (found there by default); without
# one, the embedded config/default.yaml fronts the "everything" reference server.
#   docker build -t mcp-gateway .
#   docker run -p 8082:8082 -v $PWD/mcp-gateway.yaml:/etc/mcp-gateway/config.yaml:ro mcp-gateway

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY core ./core
COPY plugins ./plugins
COPY config ./config
# The gateway runs its build (dist/), which starts with no TypeScript loader; the image needs its
# JavaScript only (the declaration files are for plugin authors who install the package).
RUN node core/cli/build.js --js-only

FROM node:24-bookworm-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    MCP_GATEWAY_HOST=0.0.0.0
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json ./
COPY core ./core
COPY plugins ./plugins
COPY config ./config
COPY --from=build /app/dist ./dist
USER node
EXPOSE 8082
# /live answers as soon as the process serves HTTP; /ready (for load balancers) also checks upstreams.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.MCP_GATEWAY_PORT || 8082) + '/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "core/cli/bin.js"]
CMD ["serve"]
