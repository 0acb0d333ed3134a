/**
 * Checks a request against the AWS API model that ships inside each SDK v3 client (its compiled
 * schemas): unknown member names and missing required members are rejected here, where the real
 * SDK would silently drop a misspelt member and AWS would answer about something else.
 *
 * Schema encoding (SDK v3 compact schemas): a structure is [3, namespace, name, traits,
 * memberNames, memberSchemas, requiredCount]; a list is [1, ns, name, traits, member]; a map is
 * [2, ns, name, traits, key, value]; a member with traits is [schema, traits]; lazy refs are
 * functions; plain numbers are scalars (64 | x = list of scalars, 128 | x = map of scalars).
 */

export class ModelValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValidationException';
  }
}

type Schema = unknown;

function resolve(schema: Schema): Schema {
  let s = schema;
  for (let guard = 0; guard < 10; guard++) {
    if (typeof s === 'function') {
      s = (s as () => Schema)();
      continue;
    }
    if (
      Array.isArray(s) &&
      s.length === 2 &&
      (typeof s[0] === 'function' || Array.isArray(s[0]) || typeof s[0] === 'number') &&
      typeof s[1] === 'object' &&
      s[1] !== null &&
      !Array.isArray(s[1])
    ) {
      s = s[0];
      continue;
    }
    return s;
  }
  return s;
}

function isStructure(s: Schema): s is [number, string, string, unknown, string[], Schema[], number?] {
  return Array.isArray(s) && (s[0] === 3 || s[0] === -3) && typeof s[1] === 'string' && Array.isArray(s[4]);
}
function isList(s: Schema): s is [number, string, string, unknown, Schema] {
  return Array.isArray(s) && s[0] === 1 && typeof s[1] === 'string';
}
function isMap(s: Schema): s is [number, string, string, unknown, Schema, Schema] {
  return Array.isArray(s) && s[0] === 2 && typeof s[1] === 'string';
}

export function checkAgainstModel(value: unknown, schema: Schema, path: string): void {
  const s = resolve(schema);
  if (value === undefined || value === null) return;
  if (isStructure(s)) {
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new ModelValidationError(`${path}: expected a structure ${s[2]}, got ${Array.isArray(value) ? 'a list' : typeof value}`);
    }
    const names = s[4];
    const members = s[5];
    const required = typeof s[6] === 'number' ? s[6] : 0;
    for (const key of Object.keys(value)) {
      const index = names.indexOf(key);
      if (index < 0) {
        throw new ModelValidationError(
          `${path}: ${s[2]} has no member '${key}' (members: ${names.join(', ')}); the SDK would drop it silently`,
        );
      }
      checkAgainstModel((value as Record<string, unknown>)[key], members[index], `${path}.${key}`);
    }
    for (let i = 0; i < required; i++) {
      const v = (value as Record<string, unknown>)[names[i]];
      if (v === undefined || v === null) {
        throw new ModelValidationError(`${path}: required member '${names[i]}' of ${s[2]} is missing`);
      }
    }
    return;
  }
  if (isList(s)) {
    if (!Array.isArray(value)) throw new ModelValidationError(`${path}: expected a list ${s[2]}, got ${typeof value}`);
    value.forEach((item, i) => checkAgainstModel(item, s[4], `${path}[${i}]`));
    return;
  }
  if (isMap(s)) {
    if (typeof value !== 'object' || Array.isArray(value)) throw new ModelValidationError(`${path}: expected a map ${s[2]}`);
    for (const [k, v] of Object.entries(value)) checkAgainstModel(v, s[5], `${path}.${k}`);
    return;
  }
  if (typeof s === 'number') {
    if (s & 64 && !Array.isArray(value)) throw new ModelValidationError(`${path}: expected a list, got ${typeof value}`);
    if (!(s & 64) && !(s & 128) && typeof value === 'object' && !(value instanceof Date) && !(value instanceof Uint8Array)) {
      throw new ModelValidationError(`${path}: expected a scalar, got ${Array.isArray(value) ? 'a list' : 'an object'}`);
    }
  }
}

/** The input schema of an SDK v3 command instance (`command.schema` = [9, ns, op, traits, input, output]). */
export function inputSchemaOf(command: unknown): Schema | undefined {
  const schema = (command as { schema?: unknown }).schema;
  if (Array.isArray(schema) && schema[0] === 9) return schema[4];
  return undefined;
}
