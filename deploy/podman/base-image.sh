#!/usr/bin/env bash
# Builds a local stand-in for the official node:24-bookworm-slim image, for machines that reach Debian's package
# mirror and the npm registry but no container registry (CI here). Same parts as the official image: Debian bookworm
# minbase (debootstrap), the Node 24 binary (the npm-shipped node-linux-<arch> package), npm from the npm registry,
# a "node" user with uid 1000. Then: podman build --build-arg NODE_IMAGE=<tag> .
#
#   deploy/podman/base-image.sh [TAG] [NODE_BIN]
#
# TAG defaults to localhost/clusterdns-node-base:24; NODE_BIN is a node binary of the wanted line (default: the one
# on PATH, which must be 24). Reuses TAG when it already exists (the local cache; CI starts without it).
set -euo pipefail
TAG=${1:-localhost/clusterdns-node-base:24}
NODE_BIN=${2:-$(command -v node)}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
PODMAN=(podman)

if "${PODMAN[@]}" image exists "$TAG"; then echo "base image $TAG: cached"; exit 0; fi
major=$("$NODE_BIN" -p 'process.versions.node.split(".")[0]')
[ "$major" = 24 ] || { echo "need a Node 24 binary, $NODE_BIN is $major" >&2; exit 1; }

root=$(mktemp -d "${TMPDIR:-/tmp}/clusterdns-base.XXXXXX")
trap 'rm -rf "$root"' EXIT
start=$SECONDS
debootstrap --variant=minbase bookworm "$root" "$MIRROR" >"$root.log" 2>&1 || { tail -20 "$root.log"; exit 1; }
rm -f "$root.log"
install -m 0755 "$NODE_BIN" "$root/usr/local/bin/node"
# npm with the machine's registry settings, installed into the image's /usr/local (relative bin links).
npm install --global --prefix "$root/usr/local" --no-audit --no-fund --loglevel=error npm@11 >&2
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
chroot "$root" groupadd --gid 1000 node
chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
# What the image need not carry: package caches and lists, docs, man pages, locales.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
  "$root"/usr/share/man/* "$root"/usr/share/locale/* "$root"/var/log/*.log "$root"/var/cache/debconf/*-old
tar -C "$root" --numeric-owner -cf - . | "${PODMAN[@]}" import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["node"]' - "$TAG" >/dev/null
echo "base image $TAG: built in $((SECONDS - start)) s ($("${PODMAN[@]}" image inspect --format '{{.Size}}' "$TAG") bytes)"
