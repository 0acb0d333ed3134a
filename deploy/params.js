/* global module -- CommonJS: osls require()s this file */
'use strict';

/**
 * What serverless.yml derives from the stage params where plain YAML cannot: the CLUSTERS JSON
 * for the trigger Lambdas, one ARN per configured cluster for the IAM policies, and the wiring
 * that an empty (or `none`) topic param switches off.
 *
 * osls loads this file through `${file(./deploy/params.js):<export>}` and calls the export with
 * `{ resolveVariable }`. Params come as YAML values from serverless.yml, or as strings from
 * `--param="name=value"`; both are accepted. Anything that would widen a policy (a `*` in a
 * cluster name, a parameter name or a role ARN) is refused here, before CloudFormation sees it.
 */

const CLUSTER_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const CLUSTER_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/([A-Za-z0-9_-]{1,255})$/;
const SSM_PARAMETER = /^\/[A-Za-z0-9_.\-/]{1,2047}$/;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const ROLE_ARN = /^arn:(aws[a-z-]*|\$\{AWS::Partition\}):iam::(\d{12}|\$\{AWS::AccountId\}):role\/[A-Za-z0-9+=,.@_\-/]+$/;
/** The ECS-optimized AMI parameters a console-started rollover may name without any configuration. */
const ECS_PUBLIC_PARAMETERS = '/aws/service/ecs/*';
const DISABLED = new Set(['', 'none']);

class ParamError extends Error {
  constructor(param, message) {
    super(`Stage param "${param}": ${message}`);
    this.name = 'ParamError';
  }
}

async function param(resolveVariable, name) {
  const value = await resolveVariable(`param:${name}`);
  if (value === null || value === undefined) throw new ParamError(name, 'is not set for this stage (see params: in serverless.yml)');
  return value;
}

/**
 * The `clusters` param as the list of entries the triggers read from CLUSTERS. Accepted forms:
 * a YAML list of entries (`- cluster: web` with any rollover option beside it) or of names, a
 * JSON array string, or a comma-separated string of names (`--param="clusters=web,api"`).
 */
function parseClusters(raw) {
  let entries = raw;
  if (typeof raw === 'string') {
    const text = raw.trim();
    if (text.startsWith('[')) {
      try {
        entries = JSON.parse(text);
      } catch (error) {
        throw new ParamError('clusters', `is not valid JSON (${error.message})`);
      }
    } else {
      entries = text.split(',').map((name) => name.trim()).filter(Boolean);
    }
  }
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new ParamError('clusters', 'must list at least one cluster: the functions may only change the clusters listed here');
  }
  return entries.map((entry, index) => {
    const normalised = typeof entry === 'string' ? { cluster: entry } : entry;
    if (typeof normalised !== 'object' || normalised === null || typeof normalised.cluster !== 'string') {
      throw new ParamError('clusters', `entry ${index} must be a cluster name or an object with a "cluster" name`);
    }
    clusterName(normalised.cluster, index);
    return normalised;
  });
}

function clusterName(value, index) {
  if (CLUSTER_NAME.test(value)) return value;
  const arn = CLUSTER_ARN.exec(value);
  if (arn) return arn[1];
  throw new ParamError('clusters', `entry ${index}: '${value}' is not a cluster name (letters, digits, - and _) or a cluster ARN`);
}

async function clusters({ resolveVariable }) {
  return parseClusters(await param(resolveVariable, 'clusters'));
}

async function clusterNames(context) {
  return [...new Set((await clusters(context)).map((entry, index) => clusterName(entry.cluster, index)))];
}

function regionalArn(service, resource) {
  return { 'Fn::Sub': `arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}` };
}

/** Public parameters (`/aws/service/…`) belong to no account: their ARN has an empty account field. */
function parameterArn(name) {
  const account = name.startsWith('/aws/service/') ? '' : '${AWS::AccountId}';
  return { 'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:${account}:parameter${name}` };
}

function optionalTopic(name, value) {
  const text = typeof value === 'string' ? value.trim() : value;
  if (DISABLED.has(text)) return '';
  if (typeof text !== 'string' || !SNS_TOPIC_ARN.test(text)) throw new ParamError(name, `'${value}' is not an SNS topic ARN (use '' or none to switch it off)`);
  return text;
}

function roleArns(name, value) {
  const list = Array.isArray(value) ? value : String(value).split(',');
  const arns = list.map((arn) => String(arn).trim()).filter(Boolean);
  if (arns.length === 0) throw new ParamError(name, 'must name at least one IAM role ARN');
  for (const arn of arns) {
    if (!ROLE_ARN.test(arn)) throw new ParamError(name, `'${arn}' is not an IAM role ARN without wildcards`);
  }
  return arns.map((arn) => ({ 'Fn::Sub': arn }));
}

const TARGET_GROUP_ARN = /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;
const FLEET_ID = /^sfr-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The `targetBindings` param: a list of { cluster, fleetId?, targetGroupArn, port } (YAML list or JSON string). */
async function targetBindings(context) {
  let raw = await param(context.resolveVariable, 'targetBindings');
  if (typeof raw === 'string') {
    try {
      raw = raw.trim() === '' ? [] : JSON.parse(raw);
    } catch (error) {
      throw new ParamError('targetBindings', `is not valid JSON (${error.message})`);
    }
  }
  if (!Array.isArray(raw)) throw new ParamError('targetBindings', 'must be a list of { cluster, fleetId?, targetGroupArn, port }');
  const managed = new Set(await clusterNames(context));
  return raw.map((b, index) => {
    if (typeof b !== 'object' || b === null) throw new ParamError('targetBindings', `entry ${index} is not an object`);
    if (!managed.has(b.cluster)) throw new ParamError('targetBindings', `entry ${index}: cluster '${b.cluster}' is not one of the configured clusters`);
    if (b.fleetId !== undefined && !FLEET_ID.test(b.fleetId)) throw new ParamError('targetBindings', `entry ${index}: '${b.fleetId}' is not a Spot Fleet request id`);
    if (!TARGET_GROUP_ARN.test(b.targetGroupArn ?? '')) throw new ParamError('targetBindings', `entry ${index}: '${b.targetGroupArn}' is not a target group ARN`);
    if (!Number.isInteger(b.port) || b.port < 1 || b.port > 65535) throw new ParamError('targetBindings', `entry ${index}: port must be 1-65535`);
    return { cluster: b.cluster, ...(b.fleetId ? { fleetId: b.fleetId } : {}), targetGroupArn: b.targetGroupArn, port: b.port };
  });
}

const SERVICE_NAME = /^[A-Za-z0-9_-]{1,255}$/;
/** As functions/scale/input.ts GROUP_NAME: no character that would widen a policy. */
const GROUP_NAME = /^[A-Za-z0-9._+=@/-]{1,255}$/;

/** A param holding a list: a YAML list, or a JSON array string ('' = none). */
async function listParam(resolveVariable, name) {
  let raw = await param(resolveVariable, name);
  if (typeof raw === 'string') {
    try {
      raw = raw.trim() === '' ? [] : JSON.parse(raw);
    } catch (error) {
      throw new ParamError(name, `is not valid JSON (${error.message})`);
    }
  }
  if (!Array.isArray(raw)) throw new ParamError(name, 'must be a list');
  return raw;
}

/**
 * The `scaleAlarms` param: which alarm scales which service ({ alarm, cluster, service, direction,
 * step?, min, max, cooldownSeconds? }). Checked in full by functions/scale/input.ts at run time;
 * here only what IAM and the event wiring depend on: known clusters, plain names.
 */
async function scaleAlarms(context) {
  const managed = new Set(await clusterNames(context));
  return (await listParam(context.resolveVariable, 'scaleAlarms')).map((a, index) => {
    if (typeof a !== 'object' || a === null) throw new ParamError('scaleAlarms', `entry ${index} is not an object`);
    if (typeof a.alarm !== 'string' || a.alarm.length === 0 || a.alarm.length > 255) throw new ParamError('scaleAlarms', `entry ${index}: alarm must be an alarm name`);
    if (!managed.has(a.cluster)) throw new ParamError('scaleAlarms', `entry ${index}: cluster '${a.cluster}' is not one of the configured clusters`);
    if (!SERVICE_NAME.test(a.service ?? '')) throw new ParamError('scaleAlarms', `entry ${index}: '${a.service}' is not a service name`);
    if (a.direction !== 'out' && a.direction !== 'in') throw new ParamError('scaleAlarms', `entry ${index}: direction must be out or in`);
    return a;
  });
}

/** The `scaleFleets` param: which fleet or Auto Scaling group backs which cluster, and its capacity bounds ({ cluster, fleetId? | groupName?, minCapacity, maxCapacity, … }). */
async function scaleFleets(context) {
  const managed = new Set(await clusterNames(context));
  return (await listParam(context.resolveVariable, 'scaleFleets')).map((f, index) => {
    if (typeof f !== 'object' || f === null) throw new ParamError('scaleFleets', `entry ${index} is not an object`);
    if (!managed.has(f.cluster)) throw new ParamError('scaleFleets', `entry ${index}: cluster '${f.cluster}' is not one of the configured clusters`);
    if (f.fleetId !== undefined && !FLEET_ID.test(f.fleetId)) throw new ParamError('scaleFleets', `entry ${index}: '${f.fleetId}' is not a Spot Fleet request id`);
    if (f.groupName !== undefined && !GROUP_NAME.test(f.groupName)) throw new ParamError('scaleFleets', `entry ${index}: '${f.groupName}' is not an Auto Scaling group name (letters, digits and ._+=@/-)`);
    if (f.fleetId !== undefined && f.groupName !== undefined) throw new ParamError('scaleFleets', `entry ${index}: name a fleetId or a groupName, not both`);
    return f;
  });
}

/** The `alarmTopicArns` param: SNS topics the scaling alarms publish to (a list, comma-separated, '' / none for none). */
async function alarmTopics({ resolveVariable }) {
  const raw = await param(resolveVariable, 'alarmTopicArns');
  const list = Array.isArray(raw) ? raw : String(raw).split(',');
  return [...new Set(list.map((t) => optionalTopic('alarmTopicArns', String(t).trim())).filter(Boolean))];
}

module.exports = {
  /** CLUSTERS for the trigger Lambdas: the entries as JSON (functions/lib/rollover-targets.ts reads it). */
  clustersJson: async (context) => JSON.stringify(await clusters(context)),

  clusterArns: async (context) => (await clusterNames(context)).map((name) => regionalArn('ecs', `cluster/${name}`)),
  containerInstanceArns: async (context) => (await clusterNames(context)).map((name) => regionalArn('ecs', `container-instance/${name}/*`)),
  taskArns: async (context) => (await clusterNames(context)).map((name) => regionalArn('ecs', `task/${name}/*`)),

  /**
   * The SSM parameters the AMI can be read from: every ECS-optimized public parameter, plus each
   * parameter the config names outside that path (the `amiParameter` param and per-cluster ones).
   */
  amiParameterArns: async (context) => {
    const names = [await param(context.resolveVariable, 'amiParameter'), ...(await clusters(context)).map((entry) => entry.amiParameter).filter(Boolean)];
    const extra = new Set();
    for (const name of names) {
      if (typeof name !== 'string' || !SSM_PARAMETER.test(name)) throw new ParamError('amiParameter', `'${name}' is not an SSM parameter name`);
      if (!name.startsWith('/aws/service/ecs/')) extra.add(name);
    }
    return [parameterArn(ECS_PUBLIC_PARAMETERS), ...[...extra].sort().map(parameterArn)];
  },

  /** The amiUpdateTrigger's events: the SNS subscription, or none when the topic param is '' / none. */
  amiUpdateEvents: async ({ resolveVariable }) => {
    const topic = optionalTopic('amiUpdateTopicArn', await param(resolveVariable, 'amiUpdateTopicArn'));
    return topic ? [{ sns: { arn: topic } }] : [];
  },

  /** TARGET_BINDINGS for the sync and the drains (functions/lib/bindings.ts reads it). */
  targetBindingsJson: async (context) => JSON.stringify(await targetBindings(context)),

  /**
   * The target groups whose targets the functions may register / deregister: the bound ones. With
   * no binding, an ARN that names no target group keeps the statement valid and useless.
   */
  boundTargetGroupArns: async (context) => {
    const arns = [...new Set((await targetBindings(context)).map((b) => b.targetGroupArn))].sort();
    return arns.length ? arns : [regionalArn('elasticloadbalancing', 'targetgroup/no-bound-target-group/0000000000000000')];
  },

  drainOnRebalance: async ({ resolveVariable }) => String((await param(resolveVariable, 'drainOnRebalance')) === true || (await param(resolveVariable, 'drainOnRebalance')) === 'true'),

  /** The notification topic, or '' (no notification, and no sns:Publish permission). */
  notifyTopicArn: async ({ resolveVariable }) => optionalTopic('notifyTopicArn', await param(resolveVariable, 'notifyTopicArn')),

  fleetRoleArns: async ({ resolveVariable }) => roleArns('fleetRoleArn', await param(resolveVariable, 'fleetRoleArn')),
  instanceRoleArns: async ({ resolveVariable }) => roleArns('instanceRoleArn', await param(resolveVariable, 'instanceRoleArn')),

  /** The configured clusters' services (UpdateService, TagResource, ListTagsForResource act on a service ARN). */
  serviceArns: async (context) => (await clusterNames(context)).map((name) => regionalArn('ecs', `service/${name}/*`)),

  /** SCALE_ALARMS for the alarm trigger, SCALE_FLEETS for the scale-service state machine (functions/scale/input.ts reads both). */
  scaleAlarmsJson: async (context) => JSON.stringify(await scaleAlarms(context)),
  scaleFleetsJson: async (context) => JSON.stringify(await scaleFleets(context)),

  /**
   * The Auto Scaling groups whose desired capacity scale-service may raise and whose instances it
   * may terminate: the groups the scaleFleets entries name; every group of the account and region
   * when an entry names neither a fleet nor a group (its capacity is found at run time). With no
   * entry that can reach a group, an ARN that names no group keeps the statement valid and useless.
   */
  scalingGroupArns: async (context) => {
    const entries = await scaleFleets(context);
    const names = entries.some((f) => f.fleetId === undefined && f.groupName === undefined)
      ? ['*']
      : [...new Set(entries.map((f) => f.groupName).filter(Boolean))].sort();
    return (names.length ? names : ['no-scaled-group']).map((name) => regionalArn('autoscaling', `autoScalingGroup:*:autoScalingGroupName/${name}`));
  },

  /**
   * The alarmScaleTrigger's events: a subscription to each alarm topic, and an EventBridge rule for
   * the state changes of the configured alarms. No alarm configured: no rule.
   */
  alarmScaleEvents: async (context) => {
    const names = [...new Set((await scaleAlarms(context)).map((a) => a.alarm))].sort();
    const topics = await alarmTopics(context);
    const rule = names.length
      ? [{ eventBridge: { pattern: { source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], detail: { alarmName: names } } } }]
      : [];
    return [...topics.map((arn) => ({ sns: { arn } })), ...rule];
  },
};
