import { DescribeContainerInstancesCommand, ListContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { compileClusterQuery, type Lookup } from '../../../sim/aws/cluster-query';
import { NEW_AMI, OLD_AMI } from '../../../sim/scenarios/cluster';
import { clusterWorld } from './helpers';

/** A container instance as the query sees it. */
function instance(values: Record<string, string | number | boolean>): Lookup {
  return (key) => values[key];
}

const A = instance({ ec2InstanceId: 'i-aaa', runningTasksCount: 0, agentConnected: 'true', 'attribute:ecs.ami-id': OLD_AMI, 'attribute:ecs.instance-type': 'm5.large' });
const B = instance({ ec2InstanceId: 'i-bbb', runningTasksCount: 3, agentConnected: 'true', 'attribute:ecs.ami-id': NEW_AMI, 'attribute:ecs.instance-type': 'm5.xlarge' });
const C = instance({ ec2InstanceId: 'i-ccc', runningTasksCount: 1, agentConnected: 'false', 'attribute:ecs.ami-id': OLD_AMI });

const matching = (expression: string) => {
  const query = compileClusterQuery(expression);
  return ([['A', A], ['B', B], ['C', C]] as const).filter(([, l]) => query(l)).map(([name]) => name);
};

describe('Function: compileClusterQuery', () => {
  it.each([
    ['ec2InstanceId in [i-aaa, i-ccc]', ['A', 'C']],
    ['ec2InstanceId in [i-bbb]', ['B']],
    ['ec2InstanceId not_in [i-bbb]', ['A', 'C']],
    ['ec2InstanceId !in [i-bbb]', ['A', 'C']],
    [`attribute:ecs.ami-id == ${OLD_AMI}`, ['A', 'C']],
    [`attribute:ecs.ami-id != ${OLD_AMI}`, ['B']],
    ['runningTasksCount > 0', ['B', 'C']],
    ['runningTasksCount >= 1', ['B', 'C']],
    ['runningTasksCount < 1', ['A']],
    ['runningTasksCount == 3', ['B']],
    ['agentConnected == true', ['A', 'B']],
    ['runningTasksCount greater_than 0', ['B', 'C']],
    [`attribute:ecs.ami-id not_equals ${OLD_AMI}`, ['B']],
    ['attribute:ecs.instance-type exists', ['A', 'B']],
    ['attribute:ecs.instance-type !exists', ['C']],
    ['attribute:ecs.instance-type not_exists', ['C']],
    [`attribute:ecs.ami-id == ${OLD_AMI} and runningTasksCount > 0`, ['C']],
    [`attribute:ecs.ami-id == ${NEW_AMI} or runningTasksCount == 0`, ['A', 'B']],
    [`not attribute:ecs.ami-id == ${OLD_AMI}`, ['B']],
    ['ec2InstanceId == i-aaa or ec2InstanceId == i-bbb and runningTasksCount == 0', ['A']],
    ['(ec2InstanceId == i-aaa or ec2InstanceId == i-bbb) and runningTasksCount == 0', ['A']],
    ['(ec2InstanceId == i-ccc or ec2InstanceId == i-bbb) and runningTasksCount > 0', ['B', 'C']],
    ['not (runningTasksCount > 0 AND agentConnected == true)', ['A', 'C']],
  ])('%s matches %j', (expression, expected) => {
    // Prepare: instances A, B, C (module scope)

    // Act
    const names = matching(expression);

    // Assess
    expect(names).toEqual(expected);
  });

  it.each([
    ['an empty expression', ''],
    ['a comparison without a value', 'runningTasksCount >'],
    ['an unclosed list', 'ec2InstanceId in [i-aaa, i-bbb'],
    ['an unclosed parenthesis', '(runningTasksCount > 0'],
    ['an unknown operator', 'runningTasksCount === 0'],
    ['a term without an operator', 'runningTasksCount'],
    ['two terms without and / or', 'runningTasksCount > 0 agentConnected == true'],
    ['a dangling and', 'runningTasksCount > 0 and'],
    ['a stray character', 'runningTasksCount > 0 & agentConnected == true'],
    ['the two-word "not in", which ECS does not have', 'ec2InstanceId not in [i-bbb]'],
  ])('rejects %s with InvalidParameterException', (_what, expression) => {
    // Prepare: expression (table)

    // Act
    const compile = () => compileClusterQuery(expression);

    // Assess
    expect(compile).toThrow(expect.objectContaining({ name: 'InvalidParameterException' }));
  });
});

describe('Class: EcsSim (ListContainerInstances filter)', () => {
  it('filters the container instances of a cluster by the query', async () => {
    // Prepare
    const { world } = clusterWorld();
    const all = (await world.clients.ecs.send(new ListContainerInstancesCommand({ cluster: 'demo' }))).containerInstanceArns!;
    const described = await world.clients.ecs.send(new DescribeContainerInstancesCommand({ cluster: 'demo', containerInstances: all }));
    const [first, second] = described.containerInstances!;

    // Act
    const byId = await world.clients.ecs.send(new ListContainerInstancesCommand({ cluster: 'demo', filter: `ec2InstanceId in [${first.ec2InstanceId}, ${second.ec2InstanceId}]` }));
    const byAmi = await world.clients.ecs.send(new ListContainerInstancesCommand({ cluster: 'demo', filter: `attribute:ecs.ami-id != ${OLD_AMI}` }));
    const busy = await world.clients.ecs.send(new ListContainerInstancesCommand({ cluster: 'demo', filter: 'runningTasksCount > 0' }));

    // Assess
    expect(all).toHaveLength(4);
    expect(byId.containerInstanceArns!.sort()).toEqual([first.containerInstanceArn, second.containerInstanceArn].sort());
    expect(byAmi.containerInstanceArns).toEqual([]);
    expect(busy.containerInstanceArns).toEqual([]);
  });

  it('rejects a bad expression or an unknown key with InvalidParameterException', async () => {
    // Prepare
    const { world } = clusterWorld();

    // Act
    const bad = world.clients.ecs.send(new ListContainerInstancesCommand({ cluster: 'demo', filter: 'ec2InstanceId in [i-1' }));
    const unknownKey = world.clients.ecs.send(new ListContainerInstancesCommand({ cluster: 'demo', filter: 'colour == blue' }));

    // Assess
    await expect(bad).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(unknownKey).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});
