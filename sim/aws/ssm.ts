import type { World } from '../world';
import { awsError } from './errors';

interface SimParameter {
  value: string;
  type: 'String' | 'StringList' | 'SecureString';
  version: number;
  lastModified: number;
}

/** SSM Parameter Store: AWS's public ECS AMI parameters, and plain parameters (used for locks). */
export class SsmSim {
  readonly parameters = new Map<string, SimParameter>();

  constructor(private readonly world: World) {}

  /** Publishes a new recommended ECS AMI the way AWS updates its public parameter. */
  publishEcsAmi(path: string, imageId: string, imageName: string): void {
    const value = JSON.stringify({
      ecs_agent_version: '1.88.0',
      ecs_runtime_version: 'Docker version 25.0.6',
      image_id: imageId,
      image_name: imageName,
      image_version: imageName.replace(/^.*?(\d{4}\.\d+\.\d+).*$/, '$1'),
      os: 'Amazon Linux 2023',
      schema_version: 1,
      source_image_name: imageName,
    });
    this.put(path, value);
    this.put(`${path}/image_id`, imageId);
  }

  put(name: string, value: string): void {
    const previous = this.parameters.get(name);
    this.parameters.set(name, { value, type: 'String', version: (previous?.version ?? 0) + 1, lastModified: this.world.clock.now() });
  }

  private describe(name: string, p: SimParameter) {
    return {
      Name: name,
      Type: p.type,
      Value: p.value,
      Version: p.version,
      LastModifiedDate: new Date(p.lastModified),
      ARN: name.startsWith('/aws/service/')
        ? `arn:aws:ssm:${this.world.region}::parameter${name}`
        : `arn:aws:ssm:${this.world.region}:${this.world.account}:parameter${name}`,
      DataType: 'text',
    };
  }

  readonly operations = {
    GetParameter: (input: { Name: string }) => {
      const p = this.parameters.get(input.Name);
      if (!p) throw awsError('ParameterNotFound', '');
      return { Parameter: this.describe(input.Name, p) };
    },
    GetParameters: (input: { Names: string[] }) => {
      if (input.Names.length > 10) throw awsError('ValidationException', 'Names has more than 10 items');
      const found = input.Names.filter((n) => this.parameters.has(n));
      return { Parameters: found.map((n) => this.describe(n, this.parameters.get(n)!)), InvalidParameters: input.Names.filter((n) => !this.parameters.has(n)) };
    },
    GetParametersByPath: (input: { Path: string; Recursive?: boolean; MaxResults?: number; NextToken?: string }) => {
      if (!input.Path.startsWith('/')) throw awsError('ValidationException', 'The parameter path must begin with a forward slash (/)');
      if (input.MaxResults !== undefined && (input.MaxResults < 1 || input.MaxResults > 10)) throw awsError('ValidationException', 'MaxResults must be between 1 and 10');
      const base = input.Path.endsWith('/') ? input.Path : `${input.Path}/`;
      const names = [...this.parameters.keys()].filter((n) => n.startsWith(base) && (input.Recursive || !n.slice(base.length).includes('/'))).sort();
      const start = input.NextToken ? Number(input.NextToken) : 0;
      const size = input.MaxResults ?? 10;
      const page = names.slice(start, start + size);
      return { Parameters: page.map((n) => this.describe(n, this.parameters.get(n)!)), ...(start + size < names.length ? { NextToken: String(start + size) } : {}) };
    },
    PutParameter: (input: { Name: string; Value: string; Type?: SimParameter['type']; Overwrite?: boolean }) => {
      if (input.Name.startsWith('/aws/')) throw awsError('AccessDeniedException', 'No access to reserved parameter name: /aws/', 400);
      const existing = this.parameters.get(input.Name);
      if (existing && !input.Overwrite) throw awsError('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
      if (input.Value.length > 4096) throw awsError('ValidationException', 'Standard tier parameters support a maximum parameter value of 4096 characters');
      this.parameters.set(input.Name, { value: input.Value, type: input.Type ?? existing?.type ?? 'String', version: (existing?.version ?? 0) + 1, lastModified: this.world.clock.now() });
      return { Version: (existing?.version ?? 0) + 1, Tier: 'Standard' };
    },
    DeleteParameter: (input: { Name: string }) => {
      if (!this.parameters.delete(input.Name)) throw awsError('ParameterNotFound', '');
      return {};
    },
  };
}
