# syntax=docker/dockerfile:1
# clusterdns image: build with dev dependencies, run with production dependencies only, as a non-root user.
#
#   docker build -t clusterdns:dev .
#   docker run --rm -p 1053:53/udp -p 1053:53/tcp -v "$PWD/fixtures:/fixtures:ro" clusterdns:dev
#
# DNS is served on port 53 inside the container by a non-root user. That works because Docker (20.10+) sets
# net.ipv4.ip_unprivileged_port_start=0 in every container's network namespace; on other runtimes set that sysctl
# (Kubernetes: pod securityContext.sysctls, see deploy/) or pass `--listen 0.0.0.0:5353`. A non-root process cannot
# use an added NET_BIND_SERVICE capability by itself (Kubernetes has no ambient capabilities), so the sysctl is
# what makes port 53 work.

# The current Node LTS line; package.json engines gives the lowest line that works (22).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the "prepare" script compiles, and the sources are not copied yet.
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY lib ./lib
COPY server ./server
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
# The bundled demo fixtures: what the server serves when it is started without --fixtures.
COPY fixtures ./fixtures
# Fixtures are mounted here (read-only is enough: the server only reads and watches them).
RUN mkdir -p /fixtures
# The "node" user (uid 1000) ships with the official image; the app files stay root-owned and read-only to it.
USER node
EXPOSE 53/udp 53/tcp
# The admin listener (default 127.0.0.1:8053, inside the container) serves /health.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8053/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/server/main.js"]
CMD ["--fixtures", "/fixtures", "--listen", "0.0.0.0:53"]
