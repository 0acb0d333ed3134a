import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  type LambdaFunction,
  type Statement,
  type Template,
  ROOT,
  actionsOf,
  allStatements,
  arnText,
  lambdaFunctions,
  packageService,
  printConfiguration,
  readTemplate,
  resourcesOf,
  resourcesOfType,
  roleStatements,
} from './cloudformation';
import { EXPECTED_ACTIONS } from './expected-actions';

/**
 * Asserts on the CloudFormation template that `npm run package` really produces (not on the
 * YAML): the state machine, the runtime, and above all what each function's role allows. The
 * expected action lists below are the contract: a permission the code does not need fails here.
 *
 * Two packages: the dev stage as configured, and one with the params a production deployment
 * sets (several clusters, a notification topic, no AMI topic, explicit roles).
 */

const PREFIX = 'ecs-fleet-ops-dev-';
const MAX_ZIP_BYTES = 100 * 1024;
const LOG_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'];


/** Actions with no resource-level permissions, or acting on resources only known at run time. */
const ALLOWED_ON_ANY_RESOURCE = new Set([
  'ec2:DescribeImages',
  'ec2:DescribeInstances',
  'ec2:DescribeLaunchTemplateVersions',
  'ec2:DescribeSpotFleetInstances',
  'ec2:DescribeSpotFleetRequests',
  'ec2:RequestSpotFleet',
  'ec2:RunInstances',
  'ec2:CancelSpotFleetRequests',
  'elasticloadbalancing:DescribeTargetHealth',
  'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeTargetGroupAttributes',
  'ec2:DescribeInstanceTypes',
  'ec2:ModifySpotFleetRequest',
  'ecs:DescribeTaskDefinition',
  // Auto Scaling's and Application Auto Scaling's Describe* actions have no resource-level permissions.
  'autoscaling:DescribeAutoScalingGroups',
  'autoscaling:DescribeLifecycleHooks',
  'application-autoscaling:DescribeScalableTargets',
  'application-autoscaling:DescribeScalingPolicies',
  'application-autoscaling:DescribeScheduledActions',
]);
/** ECS actions allowed on Resource "*" only with an ecs:cluster condition. */
const ECS_CLUSTER_CONDITIONED = new Set(['ecs:DescribeServices', 'ecs:ListServices', 'ecs:ListTasks']);
const ECS_MUTATING = ['ecs:StopTask', 'ecs:UpdateContainerInstancesState', 'ecs:UpdateService', 'ecs:TagResource'];
/** ECS reads of resources that belong to no cluster (task definitions): no cluster to scope them to. */
const ECS_CLUSTERLESS_READS = new Set(['ecs:DescribeTaskDefinition']);
const isClusterBoundEcsAction = (action: string) => action.startsWith('ecs:') && !ECS_CLUSTERLESS_READS.has(action);

const ACCOUNT_ARN = 'arn:${AWS::Partition}:${service}:${AWS::Region}:${AWS::AccountId}:';
const ecsArn = (resource: string) => `${ACCOUNT_ARN.replace('${service}', 'ecs')}${resource}`;
/** The ECS ARNs that belong to these clusters. */
function clusterScopedArns(clusters: string[]): Set<string> {
  return new Set(clusters.flatMap((c) => [ecsArn(`cluster/${c}`), ecsArn(`container-instance/${c}/*`), ecsArn(`task/${c}/*`), ecsArn(`service/${c}/*`)]));
}

/** An Auto Scaling group's ARN as the policies carry it (any group id). */
const groupArn = (name: string) => `${ACCOUNT_ARN.replace('${service}', 'autoscaling')}autoScalingGroup:*:autoScalingGroupName/${name}`;

const DEFAULT_FLEET_ROLE = 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-ec2-spot-fleet-tagging-role';
const DEFAULT_INSTANCE_ROLE = 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/ecsInstanceRole';

const PRODUCTION_PARAMS = {
  clusters: ['web', 'api'],
  notifyTopicArn: 'arn:aws:sns:us-east-1:123456789012:fleet-ops-notices',
  fleetRoles: ['arn:aws:iam::123456789012:role/fleet-a', 'arn:aws:iam::123456789012:role/fleet-b'],
  instanceRole: 'arn:aws:iam::123456789012:role/ecs-node',
  scaleAlarms: [
    { alarm: 'web-latency-high', cluster: 'web', service: 'frontend', direction: 'out', step: 3, min: 3, max: 30 },
    { alarm: 'web-latency-low', cluster: 'web', service: 'frontend', direction: 'in', min: 3, max: 30 },
  ],
  scaleFleets: [{ cluster: 'web', groupName: 'web-ecs', minCapacity: 4, maxCapacity: 40 }],
  alarmTopicArns: ['arn:aws:sns:us-east-1:123456789012:web-alarms', 'arn:aws:sns:us-east-1:123456789012:shared-alarms'],
};

function functionsByName(template: Template): Map<string, LambdaFunction> {
  return new Map(lambdaFunctions(template, PREFIX).map((fn) => [fn.name, fn]));
}

function nonLogActions(template: Template, fn: LambdaFunction): string[] {
  const actions = roleStatements(template, fn.roleLogicalId).flatMap(actionsOf);
  return [...new Set(actions.filter((a) => !LOG_ACTIONS.includes(a)))].sort();
}

function statementsWith(template: Template, action: string): { where: string; statement: Statement }[] {
  return allStatements(template).filter(({ statement }) => actionsOf(statement).includes(action));
}

/** Why an ECS statement is not limited to these clusters, or undefined when it is. */
function ecsScopeProblem(statement: Statement, clusters: string[]): string | undefined {
  const resources = resourcesOf(statement);
  if (resources.includes('*')) {
    const allowed = new Set(clusters.map((c) => ecsArn(`cluster/${c}`)));
    const values = Object.values(statement.Condition ?? {}).flatMap((operator) => (operator['ecs:cluster'] === undefined ? [] : [operator['ecs:cluster']].flat().map(arnText)));
    if (!statement.Condition?.ArnEquals?.['ecs:cluster']) return 'Resource "*" without an ArnEquals ecs:cluster condition';
    if (values.length === 0 || values.some((v) => !allowed.has(v))) return `ecs:cluster condition names ${values.join(', ')}`;
    return undefined;
  }
  const allowed = clusterScopedArns(clusters);
  const foreign = resources.filter((r) => !allowed.has(r));
  return foreign.length || resources.length === 0 ? `resources ${resources.join(', ')}` : undefined;
}

function zipSizes(packageDir: string, names: string[]): Record<string, number> {
  return Object.fromEntries(names.map((name) => [name, fs.statSync(path.join(packageDir, `${name}.zip`)).size]));
}

describe('Template: npm run package', () => {
  let dev: Template;
  let devZipBytes: Record<string, number>;
  let production: Template;
  let productionDir: string;

  beforeAll(() => {
    // The package directory is rewritten by the second run: read what is needed first.
    const devDir = packageService();
    dev = readTemplate(devDir);
    devZipBytes = zipSizes(devDir, [...functionsByName(dev).keys()]);

    productionDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecs-fleet-ops-package-'));
    packageService(
      [
        `--param=clusters=${PRODUCTION_PARAMS.clusters.join(',')}`,
        `--param=notifyTopicArn=${PRODUCTION_PARAMS.notifyTopicArn}`,
        '--param=amiUpdateTopicArn=none',
        `--param=fleetRoleArn=${PRODUCTION_PARAMS.fleetRoles.join(',')}`,
        `--param=instanceRoleArn=${PRODUCTION_PARAMS.instanceRole}`,
        `--param=scaleAlarms=${JSON.stringify(PRODUCTION_PARAMS.scaleAlarms)}`,
        `--param=scaleFleets=${JSON.stringify(PRODUCTION_PARAMS.scaleFleets)}`,
        `--param=alarmTopicArns=${PRODUCTION_PARAMS.alarmTopicArns.join(',')}`,
      ],
      productionDir,
    );
    production = readTemplate(productionDir);
  }, 120_000);

  afterAll(() => {
    if (productionDir) fs.rmSync(productionDir, { recursive: true, force: true });
  });

  describe('Stage: dev (as configured)', () => {
    it('defines the rollover state machine with every state of statemachines/ami-rollover.asl.json', () => {
      // Prepare
      const asl = JSON.parse(fs.readFileSync(path.join(ROOT, 'statemachines', 'ami-rollover.asl.json'), 'utf8')) as { States: Record<string, { Resource?: { 'Fn::GetAtt': [string, string] } }> };
      const expectedTasks = Object.fromEntries(
        Object.entries(asl.States)
          .filter(([, s]) => s.Resource)
          .map(([name, s]) => [name, `${s.Resource!['Fn::GetAtt'][0].replace(/^./, (c) => c.toUpperCase())}LambdaFunction`]),
      );

      // Act
      const machine = dev.Resources.AmiRolloverStateMachine;
      const [body, substitutions] = (machine?.Properties?.DefinitionString as { 'Fn::Sub': [string, Record<string, { 'Fn::GetAtt': [string, string] }>] })['Fn::Sub'];
      const deployed = JSON.parse(body) as { States: Record<string, { Resource?: string }> };
      const deployedTasks = Object.fromEntries(
        Object.entries(deployed.States)
          .filter(([, s]) => s.Resource)
          .map(([name, s]) => [name, substitutions[s.Resource!.replace(/^\$\{|\}$/g, '')]['Fn::GetAtt'][0]]),
      );

      // Assess
      expect(machine.Type).toBe('AWS::StepFunctions::StateMachine');
      expect(machine.Properties?.StateMachineName).toBe('ecs-fleet-ops-dev-ami-rollover');
      expect(Object.keys(deployed.States).sort()).toEqual(Object.keys(asl.States).sort());
      expect(deployedTasks).toEqual(expectedTasks);
    });

    it('runs every function of serverless.yml on nodejs22.x', () => {
      // Prepare
      const declared = parseYaml(fs.readFileSync(path.join(ROOT, 'serverless.yml'), 'utf8'), { customTags: [], logLevel: 'silent' }) as { functions: Record<string, unknown> };

      // Act
      const functions = lambdaFunctions(dev, PREFIX);

      // Assess
      expect(functions.map((fn) => fn.name).sort()).toEqual(Object.keys(declared.functions).sort());
      expect(functions.filter((fn) => fn.properties.Runtime !== 'nodejs22.x').map((fn) => fn.name)).toEqual([]);
    });

    it('grants no wildcard action and no NotAction / NotResource', () => {
      // Prepare
      const statements = allStatements(dev);

      // Act
      const wildcards = statements.filter(({ statement }) => actionsOf(statement).some((a) => a.includes('*')) || statement.NotAction || statement.NotResource);

      // Assess
      expect(statements.length).toBeGreaterThan(30);
      expect(wildcards).toEqual([]);
    });

    it('gives each function a role of its own that only Lambda can assume', () => {
      // Prepare
      const functions = lambdaFunctions(dev, PREFIX);

      // Act
      const roleIds = functions.map((fn) => fn.roleLogicalId);
      const allRoles = resourcesOfType(dev, 'AWS::IAM::Role').map(([id]) => id);
      const trusts = roleIds.map((id) => dev.Resources[id].Properties?.AssumeRolePolicyDocument);
      const managed = roleIds.filter((id) => dev.Resources[id].Properties?.ManagedPolicyArns !== undefined);

      // Assess: no shared role, and no other role but the state machines' and their event rules'
      const stepFunctionsRoles = [
        'AmiRolloverStateMachineRole',
        'SyncTargetsStateMachineRole',
        'SyncTargetsScheduleToStepFunctionsRole',
        'SpotInterruptionStateMachineRole',
        'SpotInterruptionEventToStepFunctionsRole',
        'ScaleServiceStateMachineRole',
      ];
      expect(new Set(roleIds).size).toBe(functions.length);
      expect(allRoles.sort()).toEqual([...roleIds, ...stepFunctionsRoles].sort());
      for (const trust of trusts) {
        expect(trust).toEqual({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
      }
      expect(managed).toEqual([]);
    });

    it('has an expected action list for exactly the functions deployed', () => {
      // Prepare
      const expected = Object.keys(EXPECTED_ACTIONS).sort();

      // Act
      const deployed = [...functionsByName(dev).keys()].sort();

      // Assess
      expect(deployed).toEqual(expected);
    });

    it.each(Object.entries(EXPECTED_ACTIONS))('allows %s exactly the actions its code calls', (name, expected) => {
      // Prepare
      const fn = functionsByName(dev).get(name)!;

      // Act
      const actions = nonLogActions(dev, fn);

      // Assess
      expect(actions).toEqual([...expected].sort());
    });

    it('lets each function write logs to its own log group only', () => {
      // Prepare
      const functions = lambdaFunctions(dev, PREFIX);

      // Act
      const logGrants = functions.map((fn) => {
        const statements = roleStatements(dev, fn.roleLogicalId).filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));
        return { name: fn.name, actions: statements.flatMap(actionsOf).sort(), resources: statements.map((s) => s.Resource) };
      });

      // Assess: the log group's ARN (Fn::GetAtt) is /aws/lambda/<function name>
      for (const { name, actions, resources } of logGrants) {
        const logGroupId = `${functionsByName(dev).get(name)!.logicalId.replace(/LambdaFunction$/, '')}LogGroup`;
        expect({ name, actions, resources }).toEqual({ name, actions: LOG_ACTIONS, resources: [{ 'Fn::GetAtt': [logGroupId, 'Arn'] }] });
        expect(dev.Resources[logGroupId].Properties?.LogGroupName).toBe(`/aws/lambda/${PREFIX}${name}`);
      }
    });

    it('uses Resource "*" only for actions without resource-level permissions', () => {
      // Prepare
      const statements = allStatements(dev).filter(({ statement }) => resourcesOf(statement).includes('*'));

      // Act
      const misplaced = statements.flatMap(({ where, statement }) =>
        actionsOf(statement)
          .filter((action) => !ALLOWED_ON_ANY_RESOURCE.has(action))
          .filter((action) => !(ECS_CLUSTER_CONDITIONED.has(action) && ecsScopeProblem(statement, ['demo']) === undefined))
          .map((action) => `${where}: ${action}`),
      );

      // Assess
      expect(statements.length).toBeGreaterThan(0);
      expect(misplaced).toEqual([]);
    });

    it('scopes every ECS action, and the mutating ones above all, to the configured cluster', () => {
      // Prepare
      const ecsStatements = allStatements(dev).filter(({ statement }) => actionsOf(statement).some(isClusterBoundEcsAction));

      // Act
      const problems = ecsStatements.flatMap(({ where, statement }) => {
        const problem = ecsScopeProblem(statement, ['demo']);
        return problem ? [`${where} ${actionsOf(statement).join(',')}: ${problem}`] : [];
      });

      // Assess
      for (const action of ECS_MUTATING) expect(statementsWith(dev, action).length).toBeGreaterThan(0);
      expect(problems).toEqual([]);
    });

    it('passes only the configured fleet and instance roles, each only to its service', () => {
      // Prepare
      const passRole = statementsWith(dev, 'iam:PassRole').map(({ statement }) => statement);

      // Act
      const grants = passRole.map((s) => JSON.stringify({ actions: actionsOf(s), resources: resourcesOf(s), condition: s.Condition }));

      // Assess: a fleet request passes both; pointing a group at a launch template passes the instance role
      expect(new Set(grants)).toEqual(
        new Set([
          JSON.stringify({ actions: ['iam:PassRole'], resources: [DEFAULT_FLEET_ROLE], condition: { StringEquals: { 'iam:PassedToService': 'spotfleet.amazonaws.com' } } }),
          JSON.stringify({ actions: ['iam:PassRole'], resources: [DEFAULT_INSTANCE_ROLE], condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } }),
        ]),
      );
      expect(passRole.length).toBe(4);
    });

    it('defines the scale-service state machine, and lets only ShrinkFleet terminate instances — Spot Fleet instances only', () => {
      // Prepare
      const shrink = functionsByName(dev).get('scaleShrinkFleet')!;

      // Act
      const machine = dev.Resources.ScaleServiceStateMachine;
      const terminates = statementsWith(dev, 'ec2:TerminateInstances').map(({ where, statement }) => ({ where, resources: resourcesOf(statement), condition: statement.Condition }));

      // Assess
      expect(machine.Properties?.StateMachineName).toBe('ecs-fleet-ops-dev-scale-service');
      expect(terminates).toEqual([
        {
          where: shrink.roleLogicalId,
          resources: ['arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*'],
          condition: { StringLike: { 'ec2:ResourceTag/aws:ec2spot:fleet-request-id': 'sfr-*' } },
        },
      ]);
    });

    it('lets only RaiseFleetCapacity set a desired capacity and only ShrinkFleet terminate group instances, on any group when one is found at run time', () => {
      // Prepare: the dev stage's scaleFleets entry names neither a fleet nor a group
      const raise = functionsByName(dev).get('scaleRaiseCapacity')!;
      const shrink = functionsByName(dev).get('scaleShrinkFleet')!;

      // Act
      const grants = ['autoscaling:SetDesiredCapacity', 'autoscaling:UpdateAutoScalingGroup', 'autoscaling:TerminateInstanceInAutoScalingGroup'].flatMap((action) =>
        statementsWith(dev, action).map(({ where, statement }) => ({ where, actions: actionsOf(statement), resources: resourcesOf(statement) })),
      );
      const rollover = new Set(['rolloverPrepareGroups', 'rolloverRetireFleets'].map((name) => functionsByName(dev).get(name)!.roleLogicalId));

      // Assess: scale-service's two steps; the AMI rollover's two group steps (it finds the groups at run time)
      const anyGroup = groupArn('*');
      expect(grants.filter((g) => !rollover.has(g.where))).toEqual([
        { where: raise.roleLogicalId, actions: ['autoscaling:SetDesiredCapacity'], resources: [anyGroup] },
        { where: shrink.roleLogicalId, actions: ['autoscaling:TerminateInstanceInAutoScalingGroup'], resources: [anyGroup] },
      ]);
      expect(new Set(grants.filter((g) => rollover.has(g.where)).map((g) => `${g.where} ${g.resources.join(',')}`))).toEqual(new Set([...rollover].map((role) => `${role} ${anyGroup}`)));
    });

    it('lets the AMI rollover change only groups that carry its roll record, and tag them with that key only', () => {
      // Prepare
      const roles = new Set(['rolloverPrepareGroups', 'rolloverRetireFleets'].map((name) => functionsByName(dev).get(name)!.roleLogicalId));
      const mutations = ['autoscaling:SuspendProcesses', 'autoscaling:UpdateAutoScalingGroup', 'autoscaling:TerminateInstanceInAutoScalingGroup', 'autoscaling:ResumeProcesses', 'autoscaling:DeleteTags'];

      // Act
      const guarded = mutations.flatMap((action) => statementsWith(dev, action).filter(({ where }) => roles.has(where)).map(({ statement }) => ({ action, condition: statement.Condition })));
      const tagging = [...statementsWith(dev, 'autoscaling:CreateOrUpdateTags'), ...statementsWith(dev, 'autoscaling:DeleteTags')].map(({ statement }) => statement.Condition?.['ForAllValues:StringEquals']);

      // Assess
      expect(guarded.map((g) => g.action).sort()).toEqual([...mutations, 'autoscaling:UpdateAutoScalingGroup'].sort());
      for (const g of guarded) expect(g.condition?.Null).toEqual({ 'autoscaling:ResourceTag/ecs-fleet-ops:rollover': 'false' });
      expect(tagging).toEqual([{ 'aws:TagKeys': ['ecs-fleet-ops:rollover'] }, { 'aws:TagKeys': ['ecs-fleet-ops:rollover'] }]);
    });

    it('gives RetireFleets five minutes (a group\'s old instances are terminated one call each) and every other function one', () => {
      // Act
      const timeouts = Object.fromEntries([...functionsByName(dev)].map(([name, fn]) => [name, fn.properties.Timeout]));

      // Assess
      expect(timeouts.rolloverRetireFleets).toBe(300);
      expect(Object.entries(timeouts).filter(([name, t]) => name !== 'rolloverRetireFleets' && t !== 60)).toEqual([]);
    });

    it('keeps lock writes under the lock prefix and AMI reads to AMI parameters', () => {
      // Prepare
      const lockArn = 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/ecs-fleet-ops/dev/locks/*';
      const publicEcsParameters = 'arn:${AWS::Partition}:ssm:${AWS::Region}::parameter/aws/service/ecs/*';

      // Act
      const writes = [...statementsWith(dev, 'ssm:PutParameter'), ...statementsWith(dev, 'ssm:DeleteParameter')].flatMap(({ statement }) => resourcesOf(statement));
      const reads = statementsWith(dev, 'ssm:GetParameter').flatMap(({ statement }) => resourcesOf(statement));

      // Assess
      expect(new Set(writes)).toEqual(new Set([lockArn]));
      expect(new Set(reads)).toEqual(new Set([lockArn, publicEcsParameters]));
    });

    it('lets each trigger start its own state machine and nothing else', () => {
      // Prepare
      const functions = functionsByName(dev);

      // Act
      const starts = statementsWith(dev, 'states:StartExecution').map(({ where, statement }) => ({ where, resources: statement.Resource }));

      // Assess: the trigger Lambdas, and the EventBridge rules serverless-step-functions wires to a state machine
      expect(starts).toEqual(
        expect.arrayContaining([
          { where: functions.get('amiUpdateTrigger')!.roleLogicalId, resources: { Ref: 'AmiRolloverStateMachine' } },
          { where: functions.get('amiScheduleTrigger')!.roleLogicalId, resources: { Ref: 'AmiRolloverStateMachine' } },
          { where: functions.get('instanceChangeTrigger')!.roleLogicalId, resources: { Ref: 'SyncTargetsStateMachine' } },
          { where: 'SyncTargetsScheduleToStepFunctionsRole', resources: { Ref: 'SyncTargetsStateMachine' } },
          { where: 'SpotInterruptionEventToStepFunctionsRole', resources: { Ref: 'SpotInterruptionStateMachine' } },
          { where: functions.get('alarmScaleTrigger')!.roleLogicalId, resources: { Ref: 'ScaleServiceStateMachine' } },
        ]),
      );
      expect(starts).toHaveLength(6);
    });

    it('gives Notify no sns:Publish when no notification topic is configured', () => {
      // Prepare
      const notify = functionsByName(dev).get('rolloverNotify')!;

      // Act
      const publishes = statementsWith(dev, 'sns:Publish');

      // Assess
      expect(publishes).toEqual([]);
      expect((notify.properties.Environment as { Variables: Record<string, unknown> }).Variables.NOTIFY_TOPIC_ARN).toBe('');
    });

    it('wires the triggers to the AMI topic, the schedule, the state machine and the clusters', () => {
      // Prepare
      const functions = functionsByName(dev);

      // Act
      const subscriptions = resourcesOfType(dev, 'AWS::SNS::Subscription').map(([, r]) => r.Properties);
      const rules = resourcesOfType(dev, 'AWS::Events::Rule').map(([, r]) => ({ schedule: r.Properties?.ScheduleExpression, target: (r.Properties?.Targets as { Arn: unknown }[])[0].Arn }));
      const environments = ['amiUpdateTrigger', 'amiScheduleTrigger'].map((name) => (functions.get(name)!.properties.Environment as { Variables: Record<string, unknown> }).Variables);

      // Assess
      expect(subscriptions).toEqual([
        expect.objectContaining({ TopicArn: 'arn:aws:sns:us-east-1:177427601217:ecs-optimized-amazon-ami-update', Protocol: 'lambda', Endpoint: { 'Fn::GetAtt': ['AmiUpdateTriggerLambdaFunction', 'Arn'] } }),
      ]);
      expect(rules).toContainEqual({ schedule: 'rate(6 hours)', target: { 'Fn::GetAtt': ['AmiScheduleTriggerLambdaFunction', 'Arn'] } });
      expect(rules).toContainEqual({ schedule: 'rate(5 minutes)', target: { Ref: 'SyncTargetsStateMachine' } });
      for (const variables of environments) {
        expect(variables).toMatchObject({
          ROLLOVER_STATE_MACHINE_ARN: { Ref: 'AmiRolloverStateMachine' },
          CLUSTERS: JSON.stringify([{ cluster: 'demo' }]),
          AMI_PARAMETER: '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended',
        });
      }
    });

    it('sets no environment variable that looks like a secret', () => {
      // Prepare
      const functions = lambdaFunctions(dev, PREFIX);

      // Act
      const suspicious = functions.flatMap((fn) =>
        Object.entries((fn.properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {})
          .filter(([name, value]) => /SECRET|PASSWORD|TOKEN|KEY/i.test(name) || /AKIA[0-9A-Z]{16}/.test(JSON.stringify(value)))
          .map(([name]) => `${fn.name}.${name}`),
      );

      // Assess
      expect(suspicious).toEqual([]);
    });

    it('keeps each function zip at most 100 KB', () => {
      // Prepare: sizes read right after packaging (beforeAll)
      const table = Object.entries(devZipBytes).map(([name, bytes]) => `${name.padEnd(34)} ${(bytes / 1024).toFixed(1).padStart(7)} KB`);
      console.log(`Function zips (limit ${MAX_ZIP_BYTES / 1024} KB):\n${table.join('\n')}`);

      // Act
      const tooBig = Object.entries(devZipBytes).filter(([, bytes]) => bytes > MAX_ZIP_BYTES).map(([name, bytes]) => `${name}: ${bytes} bytes`);

      // Assess
      expect(Object.keys(devZipBytes)).toHaveLength(Object.keys(EXPECTED_ACTIONS).length);
      expect(tooBig).toEqual([]);
    });
  });

  describe('Stage params: several clusters, a notification topic, no AMI topic, explicit roles', () => {
    it('scopes the ECS statements to every configured cluster and passes them all to the triggers', () => {
      // Prepare
      const clusters = PRODUCTION_PARAMS.clusters;

      // Act
      const ecsStatements = allStatements(production).filter(({ statement }) => actionsOf(statement).some(isClusterBoundEcsAction));
      const problems = ecsStatements.flatMap(({ where, statement }) => (ecsScopeProblem(statement, clusters) ? [where] : []));
      const stopTaskResources = statementsWith(production, 'ecs:StopTask').flatMap(({ statement }) => resourcesOf(statement));
      const variables = (functionsByName(production).get('amiScheduleTrigger')!.properties.Environment as { Variables: Record<string, unknown> }).Variables;

      // Assess
      expect(problems).toEqual([]);
      expect(new Set(stopTaskResources)).toEqual(new Set([ecsArn('task/web/*'), ecsArn('task/api/*')]));
      expect(variables.CLUSTERS).toBe(JSON.stringify([{ cluster: 'web' }, { cluster: 'api' }]));
    });

    it('lets scale-service resize and terminate instances of the Auto Scaling groups scaleFleets names, and no other', () => {
      // Prepare: scaleFleets names group web-ecs for cluster web
      const actions = ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'];
      const scaleRoles = new Set(['scaleRaiseCapacity', 'scaleShrinkFleet'].map((name) => functionsByName(production).get(name)!.roleLogicalId));

      // Act
      const resources = actions.flatMap((action) => statementsWith(production, action).filter(({ where }) => scaleRoles.has(where)).flatMap(({ statement }) => resourcesOf(statement)));

      // Assess
      expect(resources).toEqual([groupArn('web-ecs'), groupArn('web-ecs')]);
    });

    it('lets Notify (and the scaling Report) publish to the configured topic only', () => {
      // Prepare
      const notify = functionsByName(production).get('rolloverNotify')!;
      const report = functionsByName(production).get('scaleReport')!;

      // Act
      const publishes = statementsWith(production, 'sns:Publish').map(({ where, statement }) => ({ where, actions: actionsOf(statement), resources: resourcesOf(statement) }));

      // Assess
      expect(publishes).toEqual([
        { where: notify.roleLogicalId, actions: ['sns:Publish'], resources: [PRODUCTION_PARAMS.notifyTopicArn] },
        { where: report.roleLogicalId, actions: ['sns:Publish'], resources: [PRODUCTION_PARAMS.notifyTopicArn] },
      ]);
      expect((report.properties.Environment as { Variables: Record<string, unknown> }).Variables.NOTIFY_TOPIC_ARN).toBe(PRODUCTION_PARAMS.notifyTopicArn);
      expect((notify.properties.Environment as { Variables: Record<string, unknown> }).Variables.NOTIFY_TOPIC_ARN).toBe(PRODUCTION_PARAMS.notifyTopicArn);
      expect(nonLogActions(production, notify)).toEqual(['sns:Publish']);
    });

    it('subscribes to no AMI topic when amiUpdateTopicArn is none, and still polls on the schedule', () => {
      // Prepare: --param=amiUpdateTopicArn=none (beforeAll)
      const amiTrigger = { 'Fn::GetAtt': [functionsByName(production).get('amiUpdateTrigger')!.logicalId, 'Arn'] };

      // Act
      const subscriptions = resourcesOfType(production, 'AWS::SNS::Subscription').filter(([, r]) => JSON.stringify(r.Properties?.Endpoint) === JSON.stringify(amiTrigger));
      const permissions = resourcesOfType(production, 'AWS::Lambda::Permission').filter(([, r]) => JSON.stringify(r.Properties?.FunctionName) === JSON.stringify(amiTrigger));

      // Assess
      expect(subscriptions).toEqual([]);
      expect(permissions).toEqual([]);
    });

    it('subscribes the alarm trigger to each alarm topic, and routes the configured alarms\' state changes to it', () => {
      // Prepare
      const trigger = functionsByName(production).get('alarmScaleTrigger')!;
      const endpoint = { 'Fn::GetAtt': [trigger.logicalId, 'Arn'] };

      // Act
      const subscriptions = resourcesOfType(production, 'AWS::SNS::Subscription').map(([, r]) => r.Properties);
      const rules = resourcesOfType(production, 'AWS::Events::Rule').filter(([, r]) => JSON.stringify((r.Properties?.Targets as { Arn: unknown }[])[0].Arn) === JSON.stringify(endpoint));
      const variables = (trigger.properties.Environment as { Variables: Record<string, unknown> }).Variables;

      // Assess
      expect(subscriptions).toEqual(PRODUCTION_PARAMS.alarmTopicArns.map((arn) => expect.objectContaining({ TopicArn: arn, Protocol: 'lambda', Endpoint: endpoint })));
      expect(rules.map(([, r]) => r.Properties?.EventPattern)).toEqual([
        { source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], detail: { alarmName: ['web-latency-high', 'web-latency-low'] } },
      ]);
      expect(variables).toMatchObject({ SCALE_STATE_MACHINE_ARN: { Ref: 'ScaleServiceStateMachine' }, SCALE_ALARMS: JSON.stringify(PRODUCTION_PARAMS.scaleAlarms) });
      const validate = functionsByName(production).get('scaleValidateInput')!;
      expect((validate.properties.Environment as { Variables: Record<string, unknown> }).Variables.SCALE_FLEETS).toBe(JSON.stringify(PRODUCTION_PARAMS.scaleFleets));
    });

    it('passes exactly the role ARNs given', () => {
      // Prepare
      const passRole = statementsWith(production, 'iam:PassRole').map(({ statement }) => statement);

      // Act
      const byService = Object.fromEntries(passRole.map((s) => [String(s.Condition?.StringEquals?.['iam:PassedToService']), resourcesOf(s)]));

      // Assess
      expect(byService).toEqual({ 'spotfleet.amazonaws.com': PRODUCTION_PARAMS.fleetRoles, 'ec2.amazonaws.com': [PRODUCTION_PARAMS.instanceRole] });
    });
  });

  describe('Stage params: refused', () => {
    it.each([
      ['a cluster name that would widen the ECS policy', 'clusters=*', 'Stage param "clusters"'],
      ['a role ARN with a wildcard', 'fleetRoleArn=arn:aws:iam::123456789012:role/*', 'Stage param "fleetRoleArn"'],
      ['a notification topic that is not an SNS ARN', 'notifyTopicArn=ops', 'Stage param "notifyTopicArn"'],
      ['an alarm that scales a cluster not configured', 'scaleAlarms=[{"alarm":"a","cluster":"other","service":"web","direction":"out","min":1,"max":2}]', 'Stage param "scaleAlarms"'],
      ['an alarm topic that is not an SNS ARN', 'alarmTopicArns=alarms', 'Stage param "alarmTopicArns"'],
      ['a scaled group name that would widen the policy', 'scaleFleets=[{"cluster":"demo","groupName":"*","minCapacity":1,"maxCapacity":2}]', 'Stage param "scaleFleets"'],
    ])('refuses %s', (_what, param, message) => {
      // Prepare
      const args = [`--param=${param}`];

      // Act
      const result = printConfiguration(args);

      // Assess
      expect(result.status).not.toBe(0);
      expect(result.output).toContain(message);
    }, 60_000);
  });
});
