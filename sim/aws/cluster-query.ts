import { awsError } from './errors';

/**
 * The ECS cluster query language, as far as the project uses it:
 *   ec2InstanceId in [i-1, i-2]     attribute:ecs.ami-id == ami-…     attribute:ecs.ami-id != ami-…
 *   runningTasksCount > 0           agentConnected == true            attribute:x exists
 *   ec2InstanceId not_in [i-1]      (or !in; ECS has no two-word "not in")
 * combined with and / or / not and parentheses. Operators also have their word forms
 * (equals, not_equals, greater_than, greater_than_equal, less_than, less_than_equal, not_exists).
 */
export type Lookup = (key: string) => string | number | boolean | undefined;
type Node = (lookup: Lookup) => boolean;

const TOKEN = /\s*(\(|\)|\[|\]|,|==|!=|>=|<=|>|<|!in\b|!exists\b|[^\s()[\],=!<>]+)/y;

const WORD_OPERATORS: Record<string, string> = {
  equals: '==',
  not_equals: '!=',
  greater_than: '>',
  greater_than_equal: '>=',
  less_than: '<',
  less_than_equal: '<=',
  not_in: '!in',
  not_exists: '!exists',
};

function tokenize(expression: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let match: RegExpExecArray | null;
  while (TOKEN.lastIndex < expression.length && (match = TOKEN.exec(expression))) tokens.push(match[1]);
  if (expression.slice(TOKEN.lastIndex).trim()) throw awsError('InvalidParameterException', `Invalid filter expression near '${expression.slice(TOKEN.lastIndex)}'`);
  return tokens;
}

export function compileClusterQuery(expression: string): Node {
  const tokens = tokenize(expression);
  let pos = 0;
  const peek = () => tokens[pos];
  const take = (expected?: string) => {
    const t = tokens[pos++];
    if (t === undefined || (expected && t.toLowerCase() !== expected)) throw awsError('InvalidParameterException', `Invalid filter expression: expected ${expected ?? 'a term'} in '${expression}'`);
    return t;
  };

  const compare = (actual: unknown, op: string, value: string): boolean => {
    if (actual === undefined) return op === '!=';
    if (typeof actual === 'number') {
      const v = Number(value);
      return op === '==' ? actual === v : op === '!=' ? actual !== v : op === '>' ? actual > v : op === '>=' ? actual >= v : op === '<' ? actual < v : actual <= v;
    }
    const a = String(actual);
    return op === '==' ? a === value : op === '!=' ? a !== value : false;
  };

  const atom = (): Node => {
    if (peek() === '(') {
      take('(');
      const inner = or();
      take(')');
      return inner;
    }
    if (peek()?.toLowerCase() === 'not') {
      take();
      const inner = atom();
      return (l) => !inner(l);
    }
    const key = take();
    const word = take().toLowerCase();
    const op = WORD_OPERATORS[word] ?? word;
    if (op === 'exists') return (l) => l(key) !== undefined;
    if (op === '!exists') return (l) => l(key) === undefined;
    if (op === 'in' || op === '!in') {
      const negate = op === '!in';
      take('[');
      const values: string[] = [];
      while (peek() !== ']') {
        values.push(take());
        if (peek() === ',') take(',');
      }
      take(']');
      const set = new Set(values);
      return (l) => set.has(String(l(key))) !== negate;
    }
    if (!['==', '!=', '>', '>=', '<', '<='].includes(op)) throw awsError('InvalidParameterException', `Invalid operator '${op}' in filter '${expression}'`);
    const value = take();
    return (l) => compare(l(key), op, value);
  };

  const and = (): Node => {
    let left = atom();
    while (peek()?.toLowerCase() === 'and') {
      take();
      const right = atom();
      const l0 = left;
      left = (l) => l0(l) && right(l);
    }
    return left;
  };

  const or = (): Node => {
    let left = and();
    while (peek()?.toLowerCase() === 'or') {
      take();
      const right = and();
      const l0 = left;
      left = (l) => l0(l) || right(l);
    }
    return left;
  };

  const node = or();
  if (pos !== tokens.length) throw awsError('InvalidParameterException', `Invalid filter expression '${expression}'`);
  return node;
}
