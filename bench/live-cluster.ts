// The API objects of a synthetic cluster for bench/live-churn.ts, as kube-apiserver would hold them (no synthesis):
// Services spread over namespaces, each with one EndpointSlice of its pods (pods / services endpoints each), and
// optionally the Pod objects themselves.

export interface ClusterShape {
  services: number;
  pods: number;
  namespaces: number;
  /** also produce Pod objects (for a pods-verified watch) */
  podObjects: boolean;
}

export const nsName = (i: number) => `ns-${i}`;
export const svcName = (i: number) => `svc-${i}`;
export const svcNamespace = (i: number, shape: ClusterShape) => nsName(i % shape.namespaces);
export const clusterIP = (i: number) => `10.${96 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
export const podIP = (n: number) => `10.${128 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;

export function service(i: number, shape: ClusterShape, port = 80): Record<string, any> {
  const headless = i % 10 === 0;
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: svcName(i), namespace: svcNamespace(i, shape), labels: { app: svcName(i) } },
    spec: {
      type: 'ClusterIP',
      clusterIP: headless ? 'None' : clusterIP(i), clusterIPs: [headless ? 'None' : clusterIP(i)],
      selector: { app: svcName(i) },
      ports: [{ name: 'http', port, protocol: 'TCP', targetPort: 8080 }],
    },
  };
}

export function endpointSlice(i: number, shape: ClusterShape, firstPod: number, count: number, triggerTime?: string): Record<string, any> {
  const namespace = svcNamespace(i, shape);
  const endpoints = [];
  for (let k = 0; k < count; k++) {
    const n = firstPod + k;
    endpoints.push({
      addresses: [podIP(n)], conditions: { ready: true, serving: true, terminating: false },
      nodeName: `node-${n % 500}`, targetRef: { kind: 'Pod', namespace, name: `${svcName(i)}-${n}` },
    });
  }
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: {
      name: `${svcName(i)}-abcde`, namespace,
      labels: { 'kubernetes.io/service-name': svcName(i), 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
      ...(triggerTime ? { annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': triggerTime } } : {}),
    },
    addressType: 'IPv4',
    endpoints,
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

export function pod(i: number, shape: ClusterShape, n: number): Record<string, any> {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `${svcName(i)}-${n}`, namespace: svcNamespace(i, shape), labels: { app: svcName(i) } },
    spec: { nodeName: `node-${n % 500}`, containers: [{ name: 'app', image: 'registry.example/app:1', ports: [{ containerPort: 8080, protocol: 'TCP' }] }] },
    status: { phase: 'Running', podIP: podIP(n), podIPs: [{ ip: podIP(n) }], conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

export function podsPerService(shape: ClusterShape): number {
  return Math.floor(shape.pods / shape.services);
}

export function generateCluster(shape: ClusterShape): { objects: Record<string, any>[] } {
  const objects: Record<string, any>[] = [];
  for (let n = 0; n < shape.namespaces; n++) objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: nsName(n) } });
  const per = podsPerService(shape);
  for (let i = 0; i < shape.services; i++) {
    objects.push(service(i, shape));
    objects.push(endpointSlice(i, shape, i * per, per));
    if (shape.podObjects) for (let k = 0; k < per; k++) objects.push(pod(i, shape, i * per + k));
  }
  return { objects };
}
