import type { Summary } from '../harness';
import { runRolloverScenario } from './rollover';
import { runSpotInterruptionScenario, runSyncTargetsScenario } from './targets';

export interface ScenarioOptions {
  size: number;
  seed: number;
  /** Progress lines as the scenario runs (absent: quiet). */
  onProgress?: (line: string) => void;
}

export interface Scenario {
  description: string;
  run: (options: ScenarioOptions) => Promise<Summary>;
}

/** Every scenario `npm run simulate -- --scenario NAME` can run. */
export const SCENARIOS: Record<string, Scenario> = {
  rollover: {
    description: "cluster 'demo' on a Spot Fleet, AWS releases a new ECS AMI, the scheduled trigger starts the rollover",
    run: async (o) => (await runRolloverScenario({ size: o.size, seed: o.seed, onProgress: o.onProgress })).summary,
  },
  'sync-targets': {
    description: 'proxies registered per instance in two target groups; a spot instance is reclaimed and replaced; event-started syncs keep the groups exact',
    run: async (o) => (await runSyncTargetsScenario({ seed: o.seed, onProgress: o.onProgress })).summary,
  },
  'spot-interruption': {
    description: "AWS warns that the busiest instance of cluster 'demo' will be reclaimed; it is drained before it goes",
    run: async (o) => (await runSpotInterruptionScenario({ seed: o.seed, onProgress: o.onProgress })).summary,
  },
};
