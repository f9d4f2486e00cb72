# syntax=docker/dockerfile:1
# clusterdns image: build with dev dependencies, run with production dependencies only, as a non-root user.
#
#   docker build -t clusterdns:dev .
#   docker run --rm -p 1053:53/udp -p 1053:53/tcp clusterdns:dev                 # the bundled demo fixtures
#   docker run --rm -p 1053:53/udp -p 1053:53/tcp -v "$PWD/fixtures:/fixtures:ro" clusterdns:dev   # your own
#
# DNS is served on port 53 inside the container by a non-root user. That works because Docker (20.10+) sets
# net.ipv4.ip_unprivileged_port_start=0 in every container's network namespace; podman 4 does not (add
# `--sysctl net.ipv4.ip_unprivileged_port_start=0`), nor Kubernetes (pod securityContext.sysctls, see deploy/); or
# pass `--listen 0.0.0.0:5353`. A non-root process
# cannot use an added NET_BIND_SERVICE capability by itself (Kubernetes has no ambient capabilities), so the sysctl
# is what makes port 53 work.
#
# Behind a private npm registry or a TLS-intercepting proxy, give npm its settings for the build only (they stay in
# the build stages, not in the image):
#   docker build --build-arg NPM_CONFIG_REGISTRY=$(npm config get registry) \
#     --secret id=npm-ca,src=$(npm config get cafile) -t clusterdns:dev .

# The current Node LTS line; package.json engines gives the lowest line that works (22).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
ARG NPM_CONFIG_REGISTRY
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the "prepare" script compiles, and the sources are not copied yet.
RUN --mount=type=secret,id=npm-ca,required=false \
    if [ -s /run/secrets/npm-ca ]; then export NPM_CONFIG_CAFILE=/run/secrets/npm-ca; fi; \
    npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY lib ./lib
COPY server ./server
# Only what runs: no declaration files or source maps in the image.
RUN npx tsc -p tsconfig.json --declaration false --declarationMap false --sourceMap false

# Production dependencies only, without what Node never loads (type declarations, TypeScript sources, source maps,
# docs): about half of node_modules, most of it @kubernetes/client-node's.
FROM build AS deps
RUN npm prune --omit=dev --ignore-scripts --offline --no-audit --no-fund \
 && find node_modules -type f \( -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -name '*.map' -o -name '*.md' \) -delete \
 && rm -rf node_modules/@types node_modules/.package-lock.json

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The bundled demo fixtures are what /fixtures holds until a folder is mounted over it, so a first `docker run`
# answers the README's names; /app/fixtures (the CLI's default without --fixtures) points at the same folder.
COPY fixtures /fixtures
RUN ln -s /fixtures /app/fixtures
# The "node" user (uid 1000) ships with the official image; the app files stay root-owned and read-only to it.
USER node
EXPOSE 53/udp 53/tcp
# `clusterdns health` reads the server's own flags (PID 1's) and asks the listener they give: --health, else the
# admin API's /health (127.0.0.1:8053 by default), else DNS when the admin API is off.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "/app/dist/server/main.js", "health"]
ENTRYPOINT ["node", "/app/dist/server/main.js"]
CMD ["--fixtures", "/fixtures", "--listen", "0.0.0.0:53"]
