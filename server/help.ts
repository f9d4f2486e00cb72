// The serve command's --help text (the subcommands print their own).
export const HELP = `Usage: clusterdns [command] [flags]

Serves a Kubernetes cluster domain (cluster.local) over DNS the way CoreDNS's kubernetes plugin does,
from Kubernetes manifests.

Commands:
  serve (default)            run the DNS server
  records                    print every name the fixtures give, zone-file style, and exit
  health                     exit 0 when the server these flags (or, given none, PID 1's flags) describe is
                             healthy: its --health listener, else the admin /health, else a DNS SOA query
  explain NAME               ask a running server's admin API what DNS answers NAME and why (near misses,
                             a pod's search-path walk): clusterdns explain --help
  resolver install|uninstall|status
                             point this host's resolver at clusterdns for the zones only (split DNS), undo it,
                             or show it (clusterdns resolver --help for its flags)
  snapshot [--kubeconfig F] [--namespaces a,b] [--out FILE]
                             write a live cluster as a fixture file that serves the same answers offline
  diff A B                   the records that differ between two fixture sets (exit 1 when they differ)

Flags:
  --fixtures PATH            manifest file or folder (.yaml/.yml/.json), repeatable [bundled fixtures/]
  --listen HOST:PORT         DNS over UDP and TCP; port 0 picks a free port, and then the admin (and Corefile
                             health/ready/metrics) listeners not set by their own flag take a free port too
                             [127.0.0.1:1053]
  --zone NAME                cluster domain served, repeatable [cluster.local]; a reverse zone (10.in-addr.arpa,
                             10.0.0.0/8) replaces the default in-addr.arpa and ip6.arpa, as in a Corefile
  --ttl SECONDS              TTL of every record, 0-3600 [5]
  --pods MODE                pod A records: disabled | insecure | verified [disabled]
  --endpoint-pod-names       name headless endpoints by their pod's name when they have no hostname
  --zonal                    serve <topo-zone>.pin|prefer._zone.<svc>.<ns>.svc.<zone> for headless Services (CoreDNS zonal)
  --namespace NAME           namespace of manifests that give none [default]
  --no-watch                 do not reload fixture (and --records) files when they change
  --records FILE             static records for names outside the zones (api.stripe.test A 127.0.0.1, MX, TXT,
                             SRV, CNAME, AAAA, PTR), zone-file syntax; repeatable; watched like fixtures
  --hosts FILE               an /etc/hosts-style file answered before the cluster, as CoreDNS's
                             "hosts FILE { fallthrough }" (TTL 3600, PTR too); re-read every 5 s when changed

Live mode (answer from a cluster's API, like CoreDNS):
  --source fixtures|kubernetes   where objects come from [kubernetes when --kubeconfig or --context is given,
                             or inside a pod (KUBERNETES_SERVICE_HOST) without --fixtures; else fixtures]
  --kubeconfig PATH          kubeconfig file [$KUBECONFIG, ~/.kube/config; in a pod: the service account]
  --context NAME             kubeconfig context [current-context]
  --namespaces A,B           serve only these namespaces (CoreDNS namespaces) [all]
  --labels SELECTOR          only Services (and their slices) matching this label selector (CoreDNS labels)
  --startup-timeout SECONDS  wait this long for the first sync, then serve anyway (SERVFAIL for unknown names
                             until synced) [5]

Workloads (Deployments, StatefulSets, ... become pods and EndpointSlices as the controllers would make them):
  --pod-cidr CIDR            pod IPv4 range [10.244.0.0/16, kind's]
  --service-cidr CIDR        Service ClusterIP range [10.96.0.0/12, kind's]
  --pod-cidr-v6 CIDR         pod IPv6 range, for dual-stack Services [fd00:10:244::/56]
  --service-cidr-v6 CIDR     Service IPv6 range [fd00:10:96::/112]
  --nodes N                  nodes a DaemonSet runs a pod on [1]
  --lb-range CIDR            LoadBalancer Services without a status get an address from it
                             [172.18.255.192/26, the top of kind's docker network, as MetalLB's kind guide]
  --lb-address IP            every such Service (and Ingress) gets this one address instead (127.0.0.1 for kind
                             with extraPortMappings, the minikube IP for minikube)

External names:
  --external-zone ZONE       serve Ingress and Gateway API hostnames (and Services' external-dns hostname
                             annotations) under ZONE (repeatable); other hostnames are not answered
  --ingress-class NAME       only Ingresses of this ingressClassName
  --gateway-class NAME       only Gateways of this gatewayClassName (and the routes attached to them)
  --log-level LEVEL          fatal | error | warn | info | debug | trace | silent [info]
  --upstream IP[:PORT]       resolver for names outside the cluster zones (and PTRs no Service has),
                             repeatable, tried in order with failover; without one such names get REFUSED
  --transfer-to IP|CIDR|*    allow zone transfers (AXFR, IXFR) of the cluster zones over TCP to these clients,
                             repeatable (CoreDNS's transfer plugin); without it transfers are REFUSED
  --autopath                 answer a pod's search-list walk in one query (CoreDNS autopath @kubernetes): the
                             client pod is found by source address, so it implies --pods verified
  --short-names              answer short names for hosts without a search list: api.shop, api.shop.svc as
                             api.shop.svc.<zone> (never a name that exists upstream); Corefile: shortnames
  --resolv-conf PATH         read as this host's resolv.conf: autopath's host search domains, a Corefile's
                             forward . /etc/resolv.conf [/etc/resolv.conf]
  --corefile PATH            read a CoreDNS Corefile (every server block and port, import, kubernetes,
                             forward, log, errors, cache, reload, health, ready, prometheus); flags given
                             on the command line win over it (--listen: the kubernetes block's listener)

Admin API, probes and metrics:
  --admin HOST:PORT|off      admin HTTP API, /health, /ready, /metrics, /docs [127.0.0.1:8053]
  --admin-token TOKEN        bearer token for routes that change state; required when --admin is not
                             loopback; at least 16 characters [env CLUSTERDNS_ADMIN_TOKEN]
  --admin-auth all|writes    routes that need the token: writes, or all (reads too: records, status,
                             faults, the query journal); /health, /ready, /metrics, /docs stay open
                             [all when --admin is not loopback, else writes]
  --health [HOST]:PORT       a separate /health listener (CoreDNS health plugin; ":8080" = every interface)
  --ready [HOST]:PORT        a separate /ready listener (CoreDNS ready plugin, ":8181")
  --metrics [HOST]:PORT      a separate /metrics listener (CoreDNS prometheus plugin, ":9153")
  --lameduck SECONDS         on SIGTERM/SIGINT, fail /health and /ready this long while DNS keeps answering [0]
  --reuse-port               open the DNS sockets with SO_REUSEPORT, so several clusterdns started with it share
                             the port: start the new one, then SIGTERM the old (restart without dropping queries);
                             needs Node.js 22.12+ (Linux spreads queries between the processes)
  --address-poll MS          with a wildcard --listen, look for new or removed local addresses this often [5000]
  --journal N                remember the last N queries for /api/v1/queries (0 = off) [1000]
  --cache-mb N               answer cache size in MiB (0 = off) [32]
  --loadbalance              shuffle A, AAAA and MX records in every reply (CoreDNS loadbalance round_robin);
                             with --corefile the Corefile's loadbalance directive decides instead
  --loadbalance-seed N       a fixed seed for that shuffle (reproducible order, for tests); turns it on
  --ready-file PATH          once serving, write one JSON object with every bound address (dns, http.admin, ...)
                             to PATH (- = one line on stdout); removed on shutdown
  --version                  print the version
  -h, --help                 this text
`;
