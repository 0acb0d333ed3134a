import type { SimContainerInstance, SimTask } from '../../../sim/aws/ecs';
import type { ServiceSpec } from '../../../sim/scenarios/cluster';
import type { World } from '../../../sim/world';
import { clusterWorld, errorOf } from './helpers';

const web = (overrides: Partial<ServiceSpec> = {}): ServiceSpec => ({ name: 'web', desiredCount: 4, cpu: 256, memory: 512, minimumHealthyPercent: 100, maximumPercent: 200, ...overrides });

const containerInstances = (world: World): SimContainerInstance[] => [...world.ecs.cluster('demo').containerInstances.values()];
const liveTasks = (world: World, group: string): SimTask[] => [...world.ecs.cluster('demo').tasks.values()].filter((t) => t.group === group && t.lastStatus !== 'STOPPED');
const setStatus = (world: World, arns: string[], status: string) => world.router.call('ecs', 'UpdateContainerInstancesState', { cluster: 'demo', containerInstances: arns, status });

/** The lowest healthy count of the service over every instant from now on (tracked until the test ends). */
function trackLowestHealthy(world: World, service: string): () => number {
  const s = world.ecs.cluster('demo').services.get(service)!;
  let lowest = s.healthyCount;
  world.onTick(() => {
    lowest = Math.min(lowest, s.healthyCount);
  });
  return () => lowest;
}

describe('Class: EcsSim', () => {
  describe('Method: UpdateContainerInstancesState', () => {
    it('refuses more than 10 container instances in one call, changing none', () => {
      // Prepare
      const { world } = clusterWorld({ targetCapacity: 11 });
      const arns = containerInstances(world).map((ci) => ci.arn);

      // Act
      const error = errorOf(world, 'ecs', 'UpdateContainerInstancesState', { cluster: 'demo', containerInstances: arns, status: 'DRAINING' });

      // Assess
      expect(arns).toHaveLength(11);
      expect(error.name).toBe('InvalidParameterException');
      expect(containerInstances(world).every((ci) => ci.status === 'ACTIVE')).toBe(true);
      expect(() => setStatus(world, arns.slice(0, 10), 'DRAINING')).not.toThrow();
    });

    it.each(['INACTIVE', 'DEREGISTERING', 'REGISTERING', 'draining'])('refuses status %s (only ACTIVE or DRAINING)', (status) => {
      // Prepare
      const { world } = clusterWorld();
      const [ci] = containerInstances(world);

      // Act
      const error = errorOf(world, 'ecs', 'UpdateContainerInstancesState', { cluster: 'demo', containerInstances: [ci.arn], status });

      // Assess
      expect(error.name).toBe('InvalidParameterException');
      expect(ci.status).toBe('ACTIVE');
    });

    it('reports an unknown or INACTIVE container instance as a failure and changes the others', () => {
      // Prepare
      const { world } = clusterWorld();
      const [gone, kept] = containerInstances(world);
      world.router.call('ec2', 'TerminateInstances', { InstanceIds: [gone.instanceId] });

      // Act
      const res = setStatus(world, [gone.arn, kept.arn, 'not-a-container-instance'], 'DRAINING') as { containerInstances: { containerInstanceArn: string }[]; failures: { arn: string; reason: string }[] };

      // Assess
      expect(res.containerInstances.map((c) => c.containerInstanceArn)).toEqual([kept.arn]);
      expect(res.failures).toEqual([expect.objectContaining({ arn: gone.arn, reason: 'INVALID_STATE' }), { arn: 'not-a-container-instance', reason: 'MISSING' }]);
      expect(kept.status).toBe('DRAINING');
    });
  });

  describe('Method: Describe* and List* limits', () => {
    it('refuses more than 10 services in DescribeServices and reports missing ones as MISSING', () => {
      // Prepare
      const { world } = clusterWorld({ services: [web()] });
      const eleven = Array.from({ length: 11 }, (_, i) => `svc-${i}`);

      // Act
      const error = errorOf(world, 'ecs', 'DescribeServices', { cluster: 'demo', services: eleven });
      const res = world.router.call('ecs', 'DescribeServices', { cluster: 'demo', services: ['web', 'nope'] }) as { services: { serviceName: string }[]; failures: { reason: string }[] };

      // Assess
      expect(error.name).toBe('InvalidParameterException');
      expect(res.services.map((s) => s.serviceName)).toEqual(['web']);
      expect(res.failures).toEqual([{ arn: 'nope', reason: 'MISSING' }]);
    });

    it('refuses more than 100 container instances in DescribeContainerInstances', () => {
      // Prepare
      const { world } = clusterWorld();
      const many = Array.from({ length: 101 }, (_, i) => `ci-${i}`);

      // Act
      const error = errorOf(world, 'ecs', 'DescribeContainerInstances', { cluster: 'demo', containerInstances: many });

      // Assess
      expect(error.name).toBe('InvalidParameterException');
      expect(() => world.router.call('ecs', 'DescribeContainerInstances', { cluster: 'demo', containerInstances: many.slice(0, 100) })).not.toThrow();
    });

    it('lists every container instance but the INACTIVE ones without a status filter, and has no INACTIVE filter', () => {
      // Prepare
      const { world } = clusterWorld();
      const [gone] = containerInstances(world);
      world.router.call('ec2', 'TerminateInstances', { InstanceIds: [gone.instanceId] });
      const drained = containerInstances(world)[1];
      setStatus(world, [drained.arn], 'DRAINING');

      // Act
      const listed = world.router.call('ecs', 'ListContainerInstances', { cluster: 'demo' }) as { containerInstanceArns: string[] };
      const draining = world.router.call('ecs', 'ListContainerInstances', { cluster: 'demo', status: 'DRAINING' }) as { containerInstanceArns: string[] };
      const error = errorOf(world, 'ecs', 'ListContainerInstances', { cluster: 'demo', status: 'INACTIVE' });

      // Assess
      expect(gone.status).toBe('INACTIVE');
      expect(listed.containerInstanceArns).toHaveLength(3);
      expect(listed.containerInstanceArns).not.toContain(gone.arn);
      expect(listed.containerInstanceArns).toContain(drained.arn);
      expect(draining.containerInstanceArns).toEqual([drained.arn]);
      expect(error.name).toBe('InvalidParameterException');
    });
  });

  describe('Method: DRAINING', () => {
    it.each([
      ['without a load balancer', {}],
      ['behind a load balancer', { containerPort: 8080, behindLoadBalancer: true }],
    ])('with 100/200 moves the service tasks %s, never with fewer healthy tasks than desired', (_what, extra) => {
      // Prepare
      const { world } = clusterWorld({
        services: [web(extra)],
        targetGroup: { name: 'demo-web', deregistrationDelaySeconds: 30, healthCheckIntervalSeconds: 10, healthyThreshold: 3 },
      });
      const busy = [...new Set(liveTasks(world, 'service:web').map((t) => t.containerInstance))].slice(0, 2);
      const lowestHealthy = trackLowestHealthy(world, 'web');

      // Act
      setStatus(world, busy.map((ci) => ci.arn), 'DRAINING');
      world.advance(900);

      // Assess
      expect(busy.every((ci) => ci.tasks.size === 0)).toBe(true);
      const tasks = liveTasks(world, 'service:web');
      expect(tasks).toHaveLength(4);
      expect(tasks.every((t) => t.lastStatus === 'RUNNING' && t.healthy && t.containerInstance.status === 'ACTIVE')).toBe(true);
      expect(lowestHealthy()).toBeGreaterThanOrEqual(4);
    });

    it('with 50/200 may stop tasks before their replacements are healthy, but not below half', () => {
      // Prepare
      const { world } = clusterWorld({ services: [web({ minimumHealthyPercent: 50 })] });
      const busy = [...new Set(liveTasks(world, 'service:web').map((t) => t.containerInstance))].slice(0, 2);
      const lowestHealthy = trackLowestHealthy(world, 'web');

      // Act
      setStatus(world, busy.map((ci) => ci.arn), 'DRAINING');
      world.advance(900);

      // Assess
      expect(busy.every((ci) => ci.tasks.size === 0)).toBe(true);
      expect(lowestHealthy()).toBeLessThan(4);
      expect(lowestHealthy()).toBeGreaterThanOrEqual(2);
    });

    it('with 100/100 never progresses: no replacement may start and no task may stop', () => {
      // Prepare
      const { world } = clusterWorld({ services: [web({ maximumPercent: 100 })] });
      const before = liveTasks(world, 'service:web');
      const busy = before[0].containerInstance;

      // Act
      setStatus(world, [busy.arn], 'DRAINING');
      world.advance(3600);

      // Assess
      expect(liveTasks(world, 'service:web')).toEqual(before);
      expect([...busy.tasks].every((t) => t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING')).toBe(true);
      const described = world.router.call('ecs', 'DescribeContainerInstances', { cluster: 'demo', containerInstances: [busy.arn] }) as { containerInstances: { runningTasksCount: number; status: string }[] };
      expect(described.containerInstances[0]).toMatchObject({ status: 'DRAINING', runningTasksCount: busy.tasks.size });
    });

    it('leaves standalone tasks running on a DRAINING instance', () => {
      // Prepare
      const { world } = clusterWorld();
      const [ci] = containerInstances(world);
      const td = world.ecs.registerTaskDefinition('forever-batch', 256, 256);
      const task = world.ecs.runStandaloneTask('demo', td, { instanceId: ci.instanceId, startedBy: 'cron' })!;
      world.advance(60);

      // Act
      setStatus(world, [ci.arn], 'DRAINING');
      world.advance(3600);

      // Assess
      expect(task).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING', group: 'family:forever-batch' });
      expect(task.containerInstance).toBe(ci);
      expect(ci.status).toBe('DRAINING');
    });

    it('stops PENDING service tasks on an instance at once when it is set DRAINING, and places them elsewhere', () => {
      // Prepare: slow starts keep new tasks PENDING a long while
      const { world } = clusterWorld({ services: [web()] });
      world.ecs.behaviour.taskStartSeconds = [120, 120];
      world.router.call('ecs', 'UpdateService', { cluster: 'demo', service: 'web', desiredCount: 8 });
      world.advance(10);
      const pending = liveTasks(world, 'service:web').filter((t) => t.lastStatus === 'PENDING');
      const target = pending[0].containerInstance;
      const pendingThere = pending.filter((t) => t.containerInstance === target);

      // Act
      setStatus(world, [target.arn], 'DRAINING');

      // Assess
      expect(pending).toHaveLength(4);
      expect(pendingThere.every((t) => t.lastStatus === 'STOPPED' && t.desiredStatus === 'STOPPED')).toBe(true);
      world.advance(600);
      const tasks = liveTasks(world, 'service:web');
      expect(tasks.filter((t) => t.desiredStatus === 'RUNNING')).toHaveLength(8);
      expect(tasks.filter((t) => t.desiredStatus === 'RUNNING' && t.lastStatus === 'PENDING' && t.containerInstance === target)).toHaveLength(0);
    });

    it('places no new task on a DRAINING instance', () => {
      // Prepare
      const { world } = clusterWorld({ services: [web({ desiredCount: 2 })] });
      const idle = containerInstances(world).filter((ci) => ci.tasks.size === 0);
      setStatus(world, idle.map((ci) => ci.arn), 'DRAINING');

      // Act
      world.router.call('ecs', 'UpdateService', { cluster: 'demo', service: 'web', desiredCount: 6 });
      world.advance(600);

      // Assess
      expect(idle.length).toBeGreaterThan(0);
      expect(idle.every((ci) => ci.tasks.size === 0)).toBe(true);
      expect(liveTasks(world, 'service:web').filter((t) => t.lastStatus === 'RUNNING')).toHaveLength(6);
    });
  });
});
