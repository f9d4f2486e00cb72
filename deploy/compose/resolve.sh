#!/bin/sh
# Resolves a few cluster names two ways: straight at clusterdns with dig, and through the container's own resolver
# (Docker's embedded DNS forwards to the `dns:` server, and `dns_search` makes short names like kubernetes.default work).
set -u
server="${CLUSTERDNS:-172.28.0.53}"
for q in "TXT dns-version.cluster.local" "SOA cluster.local" "A kubernetes.default.svc.cluster.local" ${EXTRA_QUERIES:-}; do
  set -- $q
  echo "== dig @$server $2 $1"
  dig @"$server" +noall +answer +comments "$2" "$1" | grep -E 'status:|IN'
done
echo "== through the container resolver (search domains): kubernetes.default"
dig +search +short kubernetes.default
getent hosts kubernetes.default || echo "kubernetes.default: not found (is it in ./fixtures?)"
