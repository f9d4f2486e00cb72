#!/bin/sh
# Resolves a few cluster names two ways: straight at clusterdns with dig, and through the container's own resolver
# (Docker's embedded DNS forwards to the `dns:` server, and `dns_search` makes short names like myapp.default work).
# Exits non-zero when clusterdns does not answer.
set -u
server="${CLUSTERDNS:-172.28.0.53}"
port="${CLUSTERDNS_PORT:-53}"
status=0
for q in "TXT dns-version.cluster.local" "SOA cluster.local" "A myapp.default.svc.cluster.local" "A myapp-headless.default.svc.cluster.local" ${EXTRA_QUERIES:-}; do
  set -- $q
  echo "== dig @$server -p $port $2 $1"
  out=$(dig @"$server" -p "$port" +tries=2 +time=2 +noall +answer +comments "$2" "$1") || status=1
  echo "$out" | grep -E 'status:|IN'
done
if [ "${SKIP_CONTAINER_RESOLVER:-0}" != 1 ]; then
  echo "== through the container resolver (search domains): myapp.default"
  dig +search +short myapp.default
  getent hosts myapp.default || echo "myapp.default: not found (is it in ./fixtures?)"
fi
exit $status
