import type { Summary } from '../harness';
import { runRolloverScenario } from './rollover';
import { runHybridRolloverScenario } from './hybrid';
import { runMultiClusterScenario } from './multi-cluster';
import { runSpotInterruptionScenario, runSyncTargetsScenario } from './targets';
import { runScaleInGroupScenario, runScaleInScenario, runScaleOutGroupScenario, runScaleOutScenario } from './scale';

export interface ScenarioOptions {
  size: number;
  seed: number;
  /** Progress lines as the scenario runs (absent: quiet). */
  onProgress?: (line: string) => void;
  /**
   * A live status line follows the executions (the CLI on a terminal): print only what the status
   * line cannot show (scenario events), not a line per Task state.
   */
  live?: boolean;
}

export interface Scenario {
  description: string;
  run: (options: ScenarioOptions) => Promise<Summary>;
}

/** Every scenario `npm run simulate -- --scenario NAME` can run. */
export const SCENARIOS: Record<string, Scenario> = {
  rollover: {
    description: "cluster 'demo' on a Spot Fleet, AWS releases a new ECS AMI, the scheduled trigger starts the rollover",
    run: async (o) => (await runRolloverScenario({ size: o.size, seed: o.seed, onProgress: o.onProgress, live: o.live })).summary,
  },
  'hybrid-rollover': {
    description: "cluster 'demo' half on a Spot Fleet with scaling policies, half on an Auto Scaling group; AWS releases a new ECS AMI, the scheduled trigger starts the rollover",
    run: async (o) => (await runHybridRolloverScenario({ size: o.size, seed: o.seed, onProgress: o.onProgress, live: o.live })).summary,
  },
  'multi-cluster': {
    description: "one deployment serving clusters 'web' and 'batch' (stage param clusters, options of their own); the scheduled trigger starts a rollover of each, and they run at once",
    run: async (o) => (await runMultiClusterScenario({ seed: o.seed, onProgress: o.onProgress, live: o.live })).summary,
  },
  'sync-targets': {
    description: 'proxies registered per instance in two target groups; a spot instance is reclaimed and replaced; event-started syncs keep the groups exact',
    run: async (o) => (await runSyncTargetsScenario({ seed: o.seed, onProgress: o.onProgress })).summary,
  },
  'spot-interruption': {
    description: "AWS warns that the busiest instance of cluster 'demo' will be reclaimed; it is drained before it goes",
    run: async (o) => (await runSpotInterruptionScenario({ seed: o.seed, onProgress: o.onProgress })).summary,
  },
  'scale-out': {
    description: "cluster 'demo' is full; a CloudWatch alarm reaches the trigger through SNS; the fleet grows (weighted units) before web gets its extra tasks",
    run: async (o) => (await runScaleOutScenario({ size: o.size, seed: o.seed, onProgress: o.onProgress })).summary,
  },
  'scale-in': {
    description: "a CloudWatch alarm reaches the trigger through EventBridge; web scales in, spare instances are drained, then the fleet shrinks with no task killed",
    run: async (o) => (await runScaleInScenario({ size: o.size, seed: o.seed, onProgress: o.onProgress })).summary,
  },
  'scale-out-asg': {
    description: "cluster 'demo' on an Auto Scaling group is full; a CloudWatch alarm reaches the trigger through SNS; the group's desired capacity grows (within its max size) before web gets its extra tasks",
    run: async (o) => (await runScaleOutGroupScenario({ size: o.size, seed: o.seed, onProgress: o.onProgress })).summary,
  },
  'scale-in-asg': {
    description: "cluster 'demo' on an Auto Scaling group; a CloudWatch alarm reaches the trigger through EventBridge; web scales in, spare instances are drained, then terminated by name with the desired capacity decremented, no task killed",
    run: async (o) => (await runScaleInGroupScenario({ size: o.size, seed: o.seed, onProgress: o.onProgress })).summary,
  },
};
