import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * CloudWatch metrics in embedded metric format (Powertools Metrics): a JSON line on stdout that
 * CloudWatch Logs turns into metrics, with no PutMetricData call and no extra permission.
 *
 * Each record is published at once rather than at the end of the invocation: the handlers are
 * plain functions without a wrapper that could flush, and a handler that throws would otherwise
 * lose what it recorded.
 */
export const METRICS_NAMESPACE = 'ecs-fleet-ops';

const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'ecs-fleet-ops' });

export type MetricUnitName = 'Count' | 'Seconds' | 'Milliseconds';

/** Metric name → [value, unit]. */
export type MetricValues = Record<string, [number, MetricUnitName]>;

/**
 * Where an EMF document goes. Without one, Powertools prints it to stdout (Lambda sends stdout to
 * CloudWatch Logs); the local simulator collects the documents instead.
 */
export type MetricsSink = (emf: string) => void;

let sink: MetricsSink | undefined;

/** Sends the EMF documents of this process to `provided` (undefined: stdout, as in Lambda). */
export function useMetricsSink(provided: MetricsSink | undefined): void {
  sink = provided;
}

/**
 * Publishes one EMF document: the metrics with these dimensions (the `service` dimension is always
 * there; undefined values are left out) and `metadata` as searchable, non-dimension properties.
 */
export function recordMetrics(dimensions: Record<string, string | undefined>, values: MetricValues, metadata: Record<string, string> = {}): void {
  if (Object.keys(values).length === 0) return;
  for (const [name, value] of Object.entries(dimensions)) if (value) metrics.addDimension(name, value);
  for (const [name, [value, unit]] of Object.entries(values)) metrics.addMetric(name, unit, value);
  for (const [key, value] of Object.entries(metadata)) metrics.addMetadata(key, value);
  if (!sink) {
    metrics.publishStoredMetrics();
    return;
  }
  try {
    sink(JSON.stringify(metrics.serializeMetrics()));
  } finally {
    metrics.clearMetrics();
    metrics.clearDimensions();
    metrics.clearMetadata();
  }
}
