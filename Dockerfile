# gastown-ops service image (also runs rig runners: `gt rig run <rig>`).
# The code is TypeScript run directly by Node 24 (type stripping): the build stage only resolves
# production dependencies from the lockfile; nothing is compiled.

FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --no-save keeps the lockfile as it is (npm 11 lockfiles omit other platforms' optional packages,
# which `npm ci` then refuses); versions still come from package-lock.json.
RUN npm install --no-save --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24-slim AS runtime
# tini: PID 1 that forwards SIGTERM, so `gt up` shuts down in order; git: rig runners make worktrees.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini git ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY config ./config
ENV NODE_ENV=production \
    GT_HOME=/data \
    GT_HTTP_HOST=0.0.0.0 \
    GT_HTTP_PORT=8420
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8420
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.GT_HTTP_PORT || 8420) + '/livez').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/gt.mjs"]
CMD ["up"]
