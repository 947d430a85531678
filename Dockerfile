# syntax=docker/dockerfile:1
# One image for every Charthouse service; the service is chosen by the command:
#   docker run IMAGE apps/registry-api/dist/main.js
# Build from the repository root: docker build -t charthouse .
# NODE_IMAGE picks the base (any Node 20 on Debian bookworm); the tests build against a locally
# made one: docker build --build-arg NODE_IMAGE=charthouse-local/node:20-bookworm-slim .
# The runtime runs as uid 1000 and writes nothing: run it with a read-only root file system.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS base
WORKDIR /app

# The lockfile and every workspace's package.json, nothing else, so the npm ci layers below are
# only rebuilt when dependencies change (and a new apps/<service> needs no edit here).
FROM base AS manifests
COPY . /src
RUN mkdir /manifests \
 && cd /src \
 && cp package.json package-lock.json /manifests/ \
 && find apps libs -mindepth 2 -maxdepth 2 -name package.json -exec cp --parents {} /manifests/ \;

# Bundles every service with esbuild into apps/<service>/dist/main.js (workspace code inlined),
# and the web UI (type-checked, Vite) into apps/web/dist, which registry-api serves at `/`. The
# UI's build tools are dropped so the runtime's copy of apps/ holds only its static files.
FROM base AS build
COPY --from=manifests /manifests/ ./
RUN npm ci --include=dev --no-audit --no-fund
COPY . .
RUN node --import tsx scripts/build_services.ts
RUN npm run build -w @charthouse/web && rm -rf apps/web/node_modules

FROM base AS prod-deps
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM base AS runtime
ENV NODE_ENV=production
# Owned by root: the service can read its code but not change it.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/apps ./apps
# The node user (uid 1000) of the base image, numeric so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
# node is PID 1 and drains on SIGTERM (libs/service-runtime), well within compose's 10 s grace.
STOPSIGNAL SIGTERM
# The heap settings every service runs with (heapFlags, libs/stack/src/services.ts).
ENTRYPOINT ["node", "--enable-source-maps", "--initial-old-space-size=16", "--heap-growing-percent=25"]
CMD ["apps/registry-api/dist/main.js"]
