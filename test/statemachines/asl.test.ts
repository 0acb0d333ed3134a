import fs from 'node:fs';
import path from 'node:path';
import aslValidator from 'asl-validator';
import { parse as parseYaml } from 'yaml';
import { ErrorNames, TRANSIENT_AWS_ERRORS } from '../../functions/lib/errors';

/**
 * Static checks of every statemachines/*.asl.json: what asl-validator checks, plus the house
 * rules it cannot know (error names that match the code, the standard Lambda Retry, bounded
 * waits, functions that exist in serverless.yml). The last describe block feeds each house check
 * a broken definition, so a check that silently stopped finding anything would fail there.
 */

const ROOT = path.join(__dirname, '..', '..');
const MACHINES_DIR = path.join(ROOT, 'statemachines');
const DEFINITION_FILES = fs.readdirSync(MACHINES_DIR).filter((file) => file.endsWith('.asl.json')).sort();

/** Lambda's transient errors (Step Functions developer guide); every Lambda Task retries them. */
const LAMBDA_TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
];

/** The error names Step Functions itself raises; a misspelt one would silently never match. */
const STATES_ERRORS = [
  'States.ALL',
  'States.BranchFailed',
  'States.DataLimitExceeded',
  'States.ExceedToleratedFailureThreshold',
  'States.HeartbeatTimeout',
  'States.IntrinsicFailure',
  'States.ItemReaderFailed',
  'States.NoChoiceMatched',
  'States.ParameterPathFailure',
  'States.Permissions',
  'States.QueryEvaluationError',
  'States.ResultPathMatchFailure',
  'States.ResultWriterFailed',
  'States.Runtime',
  'States.TaskFailed',
  'States.Timeout',
];

const KNOWN_ERROR_NAMES = new Set<string>([...STATES_ERRORS, ...LAMBDA_TRANSIENT_ERRORS, ...Object.values(ErrorNames), ...TRANSIENT_AWS_ERRORS]);

interface Retrier {
  ErrorEquals: string[];
}

interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
}

interface State {
  Type: string;
  Next?: string;
  Default?: string;
  Choices?: { Next: string }[];
  Resource?: unknown;
  Retry?: Retrier[];
  Catch?: Catcher[];
  Branches?: Machine[];
  Iterator?: Machine;
  ItemProcessor?: Machine;
  InputPath?: string | null;
  OutputPath?: string | null;
  ResultPath?: string | null;
}

interface Machine {
  StartAt: string;
  States: Record<string, State>;
}

function readDefinition(file: string): Machine {
  return JSON.parse(fs.readFileSync(path.join(MACHINES_DIR, file), 'utf8')) as Machine;
}

function serverlessFunctionNames(): Set<string> {
  const doc = parseYaml(fs.readFileSync(path.join(ROOT, 'serverless.yml'), 'utf8'), { customTags: [], logLevel: 'silent' }) as { functions?: Record<string, unknown> };
  return new Set(Object.keys(doc.functions ?? {}));
}

/** The machine and every machine nested in it (Parallel branches, Map processors). */
function allMachines(machine: Machine): Machine[] {
  const nested = Object.values(machine.States).flatMap((state) => [...(state.Branches ?? []), ...(state.Iterator ? [state.Iterator] : []), ...(state.ItemProcessor ? [state.ItemProcessor] : [])]);
  return [machine, ...nested.flatMap(allMachines)];
}

function allStates(machine: Machine): [string, State][] {
  return allMachines(machine).flatMap((m) => Object.entries(m.States));
}

function getAttOf(resource: unknown): [string, string] | undefined {
  if (typeof resource !== 'object' || resource === null || !('Fn::GetAtt' in resource)) return undefined;
  return (resource as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
}

function isLambdaTask(state: State): boolean {
  if (state.Type !== 'Task') return false;
  if (getAttOf(state.Resource)) return true;
  return typeof state.Resource === 'string' && (/^arn:aws[a-z-]*:lambda:/.test(state.Resource) || /^arn:aws[a-z-]*:states:::lambda:invoke/.test(state.Resource));
}

/** The definition as Step Functions receives it: each `Fn::GetAtt` of a function becomes its ARN. */
function withLambdaArns(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withLambdaArns);
  if (typeof value !== 'object' || value === null) return value;
  const getAtt = getAttOf(value);
  if (getAtt) return `arn:aws:lambda:us-east-1:123456789012:function:ecs-fleet-ops-dev-${getAtt[0]}`;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, withLambdaArns(inner)]));
}

function transitionsOf(state: State): string[] {
  return [state.Next, state.Default, ...(state.Choices ?? []).map((c) => c.Next), ...(state.Catch ?? []).map((c) => c.Next)].filter((next): next is string => next !== undefined);
}

// ---- the house checks: each returns the problems it finds, [] when there are none ----

function unknownErrorNames(machine: Machine): string[] {
  const problems: string[] = [];
  for (const [name, state] of allStates(machine)) {
    for (const [kind, rules] of [['Retry', state.Retry ?? []], ['Catch', state.Catch ?? []]] as const) {
      for (const rule of rules) {
        for (const error of rule.ErrorEquals) if (!KNOWN_ERROR_NAMES.has(error)) problems.push(`${name}.${kind}: ${error}`);
      }
    }
  }
  return problems;
}

function lambdaTasksWithoutStandardRetry(machine: Machine): string[] {
  return allStates(machine)
    .filter(([, state]) => isLambdaTask(state))
    .filter(([, state]) => !(state.Retry ?? []).some((rule) => LAMBDA_TRANSIENT_ERRORS.every((error) => rule.ErrorEquals.includes(error))))
    .map(([name]) => name);
}

function undefinedFunctions(machine: Machine, functions: Set<string>): string[] {
  const problems: string[] = [];
  for (const [name, state] of allStates(machine)) {
    const getAtt = getAttOf(state.Resource);
    if (!getAtt) continue;
    if (!functions.has(getAtt[0]) || getAtt[1] !== 'Arn') problems.push(`${name}: Fn::GetAtt ${getAtt.join('.')}`);
  }
  return problems;
}

function reachableFrom(machine: Machine, start: string): Set<string> {
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length) {
    const name = queue.shift()!;
    if (seen.has(name) || !machine.States[name]) continue;
    seen.add(name);
    queue.push(...transitionsOf(machine.States[name]));
  }
  return seen;
}

/**
 * A Wait in a loop must lead straight to the Task that checks progress, and that Task must carry
 * a Catch (the deadline error ends the loop). A Wait that no path leads back to is a one-shot
 * delay (e.g. letting a burst of events settle): bounded by itself.
 */
function unboundedWaits(machine: Machine): string[] {
  const problems: string[] = [];
  for (const m of allMachines(machine)) {
    for (const [name, state] of Object.entries(m.States)) {
      if (state.Type !== 'Wait') continue;
      if (!state.Next || !reachableFrom(m, state.Next).has(name)) continue;
      const check = m.States[state.Next];
      if (!check || check.Type !== 'Task') problems.push(`${name}: Next is not a Task`);
      else if (!check.Catch?.length) problems.push(`${name}: ${state.Next} has no Catch`);
    }
  }
  return problems;
}

function brokenTransitions(machine: Machine): string[] {
  const problems: string[] = [];
  for (const m of allMachines(machine)) {
    if (!m.States[m.StartAt]) problems.push(`StartAt ${m.StartAt} does not exist`);
    for (const [name, state] of Object.entries(m.States)) {
      for (const next of transitionsOf(state)) if (!m.States[next]) problems.push(`${name} -> ${next} does not exist`);
    }
    const reachable = reachableFrom(m, m.StartAt);
    for (const name of Object.keys(m.States)) if (!reachable.has(name)) problems.push(`${name} is unreachable from ${m.StartAt}`);
  }
  return problems;
}

/** asl-validator accepts any string here; Step Functions rejects one that is not a path (e.g. "null"). */
function invalidPaths(machine: Machine): string[] {
  const isPath = (value: string | null | undefined) => value === undefined || value === null || value.startsWith('$');
  const problems: string[] = [];
  for (const [name, state] of allStates(machine)) {
    for (const field of ['InputPath', 'OutputPath', 'ResultPath'] as const) {
      if (!isPath(state[field])) problems.push(`${name}.${field}: ${JSON.stringify(state[field])}`);
    }
    (state.Catch ?? []).forEach((rule, index) => {
      if (!isPath(rule.ResultPath)) problems.push(`${name}.Catch[${index}].ResultPath: ${JSON.stringify(rule.ResultPath)}`);
    });
  }
  return problems;
}

describe('State machine definitions', () => {
  it('finds the definitions to check', () => {
    // Prepare: DEFINITION_FILES lists statemachines/*.asl.json

    // Act
    const files = DEFINITION_FILES;

    // Assess: an empty list would let every check below pass vacuously
    expect(files).toContain('ami-rollover.asl.json');
  });

  describe.each(DEFINITION_FILES)('File: %s', (file) => {
    it('passes asl-validator with Lambda ARNs in place of Fn::GetAtt', () => {
      // Prepare: asl-validator mutates its input
      const definition = structuredClone(withLambdaArns(readDefinition(file)));

      // Act
      const result = aslValidator(definition, { checkPaths: true, checkArn: true });

      // Assess
      expect(result.errors.map((e) => e.Message)).toEqual([]);
      expect(result.isValid).toBe(true);
    });

    it('routes only on States.*, Lambda transient, exported ErrorNames and TRANSIENT_AWS_ERRORS names', () => {
      // Prepare
      const definition = readDefinition(file);

      // Act
      const problems = unknownErrorNames(definition);

      // Assess
      expect(problems).toEqual([]);
    });

    it('gives every Lambda Task the standard Retry for Lambda transient errors', () => {
      // Prepare
      const definition = readDefinition(file);

      // Act
      const problems = lambdaTasksWithoutStandardRetry(definition);

      // Assess
      expect(problems).toEqual([]);
    });

    it('names only functions defined in serverless.yml', () => {
      // Prepare
      const definition = readDefinition(file);
      const functions = serverlessFunctionNames();

      // Act
      const problems = undefinedFunctions(definition, functions);

      // Assess
      expect(problems).toEqual([]);
    });

    it('bounds every Wait: it leads to a Task with a Catch that loops back to it', () => {
      // Prepare
      const definition = readDefinition(file);

      // Act
      const problems = unboundedWaits(definition);

      // Assess
      expect(problems).toEqual([]);
    });

    it('reaches every state from StartAt, and every transition has a target', () => {
      // Prepare
      const definition = readDefinition(file);

      // Act
      const problems = brokenTransitions(definition);

      // Assess
      expect(problems).toEqual([]);
    });

    it('uses only JSONPath or null in InputPath, OutputPath and ResultPath', () => {
      // Prepare
      const definition = readDefinition(file);

      // Act
      const problems = invalidPaths(definition);

      // Assess
      expect(problems).toEqual([]);
    });
  });
});

describe('State machine checks', () => {
  const lambda = { 'Fn::GetAtt': ['rolloverCheckDrain', 'Arn'] };
  const standardRetry = [{ ErrorEquals: LAMBDA_TRANSIENT_ERRORS }];

  function machine(states: Record<string, State>, startAt = Object.keys(states)[0]): Machine {
    return { StartAt: startAt, States: states };
  }

  it('reports an ErrorEquals name that nothing throws, nested in a Parallel branch too', () => {
    // Prepare
    const branch = machine({ Inner: { Type: 'Task', Resource: lambda, Next: 'Done', Catch: [{ ErrorEquals: ['States.Timout'], Next: 'Done' }] }, Done: { Type: 'Succeed' } });
    const definition = machine({ Outer: { Type: 'Parallel', Branches: [branch], Retry: [{ ErrorEquals: ['DrainTimedOut'] }], Next: 'End' }, End: { Type: 'Succeed' } });

    // Act
    const problems = unknownErrorNames(definition);

    // Assess
    expect(problems).toEqual(['Outer.Retry: DrainTimedOut', 'Inner.Catch: States.Timout']);
  });

  it('reports a Lambda Task whose Retry misses one of the transient errors', () => {
    // Prepare
    const partial = [{ ErrorEquals: LAMBDA_TRANSIENT_ERRORS.slice(1) }];
    const definition = machine({ Check: { Type: 'Task', Resource: lambda, Retry: partial, Next: 'End' }, End: { Type: 'Succeed' } });

    // Act
    const problems = lambdaTasksWithoutStandardRetry(definition);

    // Assess
    expect(problems).toEqual(['Check']);
  });

  it('reports a Fn::GetAtt of a function serverless.yml does not define', () => {
    // Prepare
    const definition = machine({ Check: { Type: 'Task', Resource: { 'Fn::GetAtt': ['rolloverCheckDrainn', 'Arn'] }, Next: 'End' }, End: { Type: 'Succeed' } });

    // Act
    const problems = undefinedFunctions(definition, serverlessFunctionNames());

    // Assess
    expect(problems).toEqual(['Check: Fn::GetAtt rolloverCheckDrainn.Arn']);
  });

  it('reports a looping Wait whose check has no Catch, and lets a one-shot Wait be', () => {
    // Prepare
    const definition = machine({
      WaitA: { Type: 'Wait', Next: 'CheckA' },
      CheckA: { Type: 'Task', Resource: lambda, Retry: standardRetry, Next: 'DoneA' },
      DoneA: { Type: 'Choice', Choices: [{ Next: 'WaitB' }], Default: 'WaitA' },
      WaitB: { Type: 'Wait', Next: 'CheckB' },
      CheckB: { Type: 'Task', Resource: lambda, Retry: standardRetry, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'End' }], Next: 'End' },
      End: { Type: 'Succeed' },
    });

    // Act
    const problems = unboundedWaits(definition);

    // Assess
    expect(problems).toEqual(['WaitA: CheckA has no Catch']);
  });

  it('reports an unreachable state and a transition to a missing state', () => {
    // Prepare
    const definition = machine({ Start: { Type: 'Pass', Next: 'Missing' }, Orphan: { Type: 'Succeed' } });

    // Act
    const problems = brokenTransitions(definition);

    // Assess
    expect(problems).toEqual(['Start -> Missing does not exist', 'Orphan is unreachable from Start']);
  });

  it('reports the string "null" where a path or null belongs', () => {
    // Prepare
    const definition = machine({ Start: { Type: 'Task', Resource: lambda, ResultPath: 'null', Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: 'null', Next: 'End' }], Next: 'End' }, End: { Type: 'Succeed' } });

    // Act
    const problems = invalidPaths(definition);

    // Assess
    expect(problems).toEqual(['Start.ResultPath: "null"', 'Start.Catch[0].ResultPath: "null"']);
  });
});
