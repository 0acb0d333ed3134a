/**
 * Checks a request against the AWS API model that ships inside each SDK v3 client (its compiled
 * schemas): unknown member names, missing required members and scalars of the wrong type (a
 * string where the model says integer, as a JSON API would refuse to deserialise) are rejected
 * here, where the real SDK would silently drop a misspelt member and AWS would answer about
 * something else.
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
/** A named scalar with traits (e.g. a sensitive string): [0, namespace, name, traits, schema]. */
function isSimple(s: Schema): s is [number, string, string, unknown, Schema] {
  return Array.isArray(s) && s[0] === 0 && typeof s[1] === 'string';
}

const LIST_OF = 64;
const MAP_OF = 128;

/** What a scalar schema accepts, as the SDK's serialisers and AWS's deserialisers see it. */
function scalarMismatch(value: unknown, s: number): string | undefined {
  const kind = s & ~(LIST_OF | MAP_OF);
  const got = value instanceof Date ? 'a Date' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  switch (kind) {
    case 0: // string, enum
      return typeof value === 'string' ? undefined : `expected a string, got ${got}`;
    case 1: // byte … double, intEnum
      return typeof value === 'number' && Number.isFinite(value) ? undefined : `expected a number, got ${got}`;
    case 2:
      return typeof value === 'boolean' ? undefined : `expected a boolean, got ${got}`;
    case 4:
    case 5:
    case 6:
    case 7: // timestamps
      return value instanceof Date && !Number.isNaN(value.getTime()) ? undefined : `expected a Date, got ${got}`;
    case 15: // document: anything JSON
      return undefined;
    case 17:
    case 19: // bigInteger, bigDecimal
      return ['number', 'bigint', 'string'].includes(typeof value) ? undefined : `expected a number, got ${got}`;
    case 21:
    case 42: // blobs
      return typeof value === 'string' || value instanceof Uint8Array ? undefined : `expected a blob, got ${got}`;
    default:
      return undefined;
  }
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
  if (isSimple(s)) {
    checkAgainstModel(value, s[4], path);
    return;
  }
  if (typeof s === 'number') {
    if (s & LIST_OF) {
      if (!Array.isArray(value)) throw new ModelValidationError(`${path}: expected a list, got ${typeof value}`);
      value.forEach((item, i) => checkAgainstModel(item, s & ~LIST_OF, `${path}[${i}]`));
      return;
    }
    if (s & MAP_OF) {
      if (typeof value !== 'object' || Array.isArray(value) || value instanceof Date) throw new ModelValidationError(`${path}: expected a map`);
      for (const [k, v] of Object.entries(value)) checkAgainstModel(v, s & ~MAP_OF, `${path}.${k}`);
      return;
    }
    const mismatch = scalarMismatch(value, s);
    if (mismatch) throw new ModelValidationError(`${path}: ${mismatch}`);
  }
}

/** The input schema of an SDK v3 command instance (`command.schema` = [9, ns, op, traits, input, output]). */
export function inputSchemaOf(command: unknown): Schema | undefined {
  const schema = (command as { schema?: unknown }).schema;
  if (Array.isArray(schema) && schema[0] === 9) return schema[4];
  return undefined;
}
