import type { EmfDocument } from './harness';

export interface MetricTotal {
  name: string;
  unit: string;
  /** Sum of the values published (a count adds up; a duration is usually published once). */
  total: number;
  /** How many EMF documents carried it. */
  count: number;
}

/** The metrics the handlers published in a simulation, summed by name (dimensions aside). */
export function metricTotals(documents: EmfDocument[]): MetricTotal[] {
  const out = new Map<string, MetricTotal>();
  for (const doc of documents) {
    for (const directive of doc._aws.CloudWatchMetrics) {
      for (const metric of directive.Metrics) {
        const raw = doc[metric.Name];
        const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is number => typeof v === 'number');
        const t = out.get(metric.Name) ?? { name: metric.Name, unit: metric.Unit, total: 0, count: 0 };
        t.total += values.reduce((a, b) => a + b, 0);
        t.count++;
        out.set(metric.Name, t);
      }
    }
  }
  return [...out.values()];
}

export function formatMetricTotal(m: MetricTotal): string {
  const unit = m.unit === 'Seconds' ? ' s' : m.unit === 'Milliseconds' ? ' ms' : '';
  return `${m.name} ${m.total}${unit}`;
}
