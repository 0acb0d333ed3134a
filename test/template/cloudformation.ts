import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Reading the CloudFormation template `osls package` writes: the Lambda functions with their
 * roles, and each role's statements as CloudFormation will apply them (Fn::If decided from the
 * template's Conditions, AWS::NoValue dropped).
 */

export const ROOT = path.join(__dirname, '..', '..');

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Resource {
  Type: string;
  Properties?: Record<string, Json>;
  Condition?: string;
}

export interface Template {
  Conditions?: Record<string, Json>;
  Resources: Record<string, Resource>;
}

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: Json;
  NotResource?: Json;
  Condition?: Record<string, Record<string, Json>>;
}

export interface LambdaFunction {
  /** The key under `functions:` in serverless.yml. */
  name: string;
  logicalId: string;
  properties: Record<string, Json>;
  roleLogicalId: string;
}

/**
 * Runs `npm run package` (osls, offline, no credentials) with extra CLI arguments, writing to
 * `packageDir` (osls' default `.serverless/` when not given), and returns that directory. An
 * error carries the tail of osls' output.
 */
export function packageService(extraArgs: string[] = [], packageDir?: string): string {
  const args = [...extraArgs, ...(packageDir ? ['--package', packageDir] : [])];
  try {
    execFileSync('npm', ['run', '--silent', 'package', '--', ...args], {
      cwd: ROOT,
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
      stdio: 'pipe',
      timeout: 110_000,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`npm run package ${args.join(' ')} failed:\n${String(stdout ?? '').slice(-2000)}\n${String(stderr ?? '').slice(-2000)}`);
  }
  return packageDir ?? path.join(ROOT, '.serverless');
}

export function readTemplate(packageDir: string): Template {
  const raw = JSON.parse(fs.readFileSync(path.join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
  return decideConditions(raw);
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function conditionHolds(name: string, conditions: Record<string, Json>): boolean {
  const evaluate = (expression: Json): boolean => {
    if (!isObject(expression)) throw new Error(`Cannot evaluate condition ${JSON.stringify(expression)}`);
    const [[fn, args]] = Object.entries(expression);
    const list = Array.isArray(args) ? args : [args];
    switch (fn) {
      case 'Fn::Equals':
        if (list.some((arg) => typeof arg !== 'string')) throw new Error(`Condition ${name} compares values only known at deploy time`);
        return list[0] === list[1];
      case 'Fn::Not':
        return !evaluate(list[0]);
      case 'Fn::And':
        return list.every(evaluate);
      case 'Fn::Or':
        return list.some(evaluate);
      case 'Condition':
        return conditionHolds(String(args), conditions);
      default:
        throw new Error(`Cannot evaluate ${fn} in condition ${name}`);
    }
  };
  return evaluate(conditions[name]);
}

const NO_VALUE = Symbol('AWS::NoValue');

/** The template with each Fn::If replaced by its chosen branch and AWS::NoValue removed. */
function decideConditions(template: Template): Template {
  const conditions = template.Conditions ?? {};
  const decide = (value: Json): Json | typeof NO_VALUE => {
    if (Array.isArray(value)) return value.map(decide).filter((item): item is Json => item !== NO_VALUE);
    if (!isObject(value)) return value;
    if (value.Ref === 'AWS::NoValue') return NO_VALUE;
    const fnIf = value['Fn::If'];
    if (Array.isArray(fnIf)) return decide(conditionHolds(String(fnIf[0]), conditions) ? fnIf[1] : fnIf[2]);
    const entries = Object.entries(value).map(([key, inner]) => [key, decide(inner)] as const);
    return Object.fromEntries(entries.filter((entry): entry is readonly [string, Json] => entry[1] !== NO_VALUE));
  };
  const resources = Object.fromEntries(
    Object.entries(template.Resources)
      .filter(([, resource]) => resource.Condition === undefined || conditionHolds(resource.Condition, conditions))
      .map(([id, resource]) => [id, decide(resource as unknown as Json) as unknown as Resource]),
  );
  return { ...template, Resources: resources };
}

export function resourcesOfType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

export function lambdaFunctions(template: Template, functionNamePrefix: string): LambdaFunction[] {
  return resourcesOfType(template, 'AWS::Lambda::Function').map(([logicalId, resource]) => {
    const properties = resource.Properties ?? {};
    const functionName = String(properties.FunctionName);
    if (!functionName.startsWith(functionNamePrefix)) throw new Error(`${logicalId} is named ${functionName}, not ${functionNamePrefix}…`);
    const role = properties.Role;
    const getAtt = isObject(role) ? role['Fn::GetAtt'] : undefined;
    if (!Array.isArray(getAtt) || getAtt[1] !== 'Arn') throw new Error(`${logicalId} has no role of this template: ${JSON.stringify(role)}`);
    return { name: functionName.slice(functionNamePrefix.length), logicalId, properties, roleLogicalId: String(getAtt[0]) };
  });
}

/** Every statement of a role's inline policies (a role of this stack has no managed policy). */
export function roleStatements(template: Template, roleLogicalId: string): Statement[] {
  const role = template.Resources[roleLogicalId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${roleLogicalId} is not an IAM role of the template`);
  const policies = (role.Properties?.Policies ?? []) as unknown as { PolicyDocument: { Statement: Statement | Statement[] } }[];
  return policies.flatMap((policy) => asList(policy.PolicyDocument.Statement));
}

/** Every IAM statement anywhere in the template: roles, managed and inline policy resources. */
export function allStatements(template: Template): { where: string; statement: Statement }[] {
  const out: { where: string; statement: Statement }[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const properties = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Role') {
      for (const statement of roleStatements(template, id)) out.push({ where: id, statement });
      const trust = properties.AssumeRolePolicyDocument as unknown as { Statement: Statement | Statement[] } | undefined;
      for (const statement of asList(trust?.Statement)) out.push({ where: `${id} (trust)`, statement });
    }
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      const document = properties.PolicyDocument as unknown as { Statement: Statement | Statement[] };
      for (const statement of asList(document.Statement)) out.push({ where: id, statement });
    }
  }
  return out;
}

export function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function actionsOf(statement: Statement): string[] {
  return asList(statement.Action);
}

/** A Resource or condition value as text: plain strings as they are, `Fn::Sub` templates unsubstituted. */
export function arnText(value: Json): string {
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value['Fn::Sub'] === 'string') return value['Fn::Sub'];
  return JSON.stringify(value);
}

export function resourcesOf(statement: Statement): string[] {
  return asList(statement.Resource).map(arnText);
}

/** Resolves serverless.yml as `osls print` does (no packaging): how a bad param is refused. */
export function printConfiguration(extraArgs: string[]): { status: number | null; output: string } {
  const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'osls'), ['print', '--stage', 'dev', ...extraArgs], {
    cwd: ROOT,
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}
