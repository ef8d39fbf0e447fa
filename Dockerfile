# The gateway's production image: compiled JavaScript and production dependencies only, run
# as an unprivileged user. `docker build -t byok-gateway .`; README "Run in production".
ARG NODE_IMAGE=node:22-bookworm-slim

# --- build: every dependency, then `npm run build` (the service into dist/, the web console
# into dist/web/).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
# The whole context (.dockerignore keeps out node_modules, secrets, tests and local output),
# so web/ and any new top-level source folder need no change here.
COPY . .
RUN npm run build

# --- runtime
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production PORT=4000
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# --omit=optional as well: with --omit=dev alone npm still installs typescript and ts-node
# (typeorm declares ts-node an optional peer, so the lockfile marks both "devOptional").
# The only other optional packages are msgpackr-extract, a native msgpack decoder bullmq
# never calls (it only packs; Redis unpacks), and pg-cloudflare (Cloudflare Workers only).
# A test (test/unit/packaging) fails when a new optional package appears.
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The files stay root-owned and read-only to the process.
USER node
EXPOSE 4000
# main.ts handles SIGTERM itself (sockets closed with 1001, in-flight HTTP finished, workers,
# Redis and Postgres closed), so node can be PID 1: it starts no child processes to reap.
STOPSIGNAL SIGTERM
# ROLE=worker serves no HTTP: disable this check for workers (docker-compose.yml does).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The flags of `npm start` (package.json config.nodeFlags; a test keeps them equal).
CMD ["node", "--max-semi-space-size=64", "dist/main.js"]
