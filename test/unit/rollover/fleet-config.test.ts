import {
  CreateLaunchTemplateVersionCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  type DescribeLaunchTemplateVersionsCommandInput,
  type SpotFleetRequestConfigData,
  type Tag,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { UnsupportedFleetError } from '../../../functions/lib/errors';
import { clientToken, configuredImages, replacementConfig } from '../../../functions/rollover/fleet-config';

const OLD_AMI = 'ami-0a1b2c3d4e5f60718';
const NEW_AMI = 'ami-0281c9a5cd9de63bd';
const NOW = Date.parse('2026-11-01T10:00:00.000Z');
const TOKEN = clientToken('arn:aws:states:us-east-1:123456789012:execution:ami-rollover:demo-1', 'sfr-12345678-1234-1234-1234-123456789012');
const OUR_TAGS: Tag[] = [
  { Key: 'ecs-fleet-ops:replaces', Value: 'sfr-12345678-1234-1234-1234-123456789012' },
  { Key: 'ecs-fleet-ops:execution', Value: 'demo-1' },
];
const USER_DATA = Buffer.from('#!/bin/bash\necho ECS_CLUSTER=demo >> /etc/ecs/ecs.config').toString('base64');

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'us-east-1' });

/** A fleet as DescribeSpotFleetRequests returns it, launch specifications flavour. */
function describedSpecFleet(): SpotFleetRequestConfigData {
  const spec = {
    ImageId: OLD_AMI,
    UserData: USER_DATA,
    IamInstanceProfile: { Arn: 'arn:aws:iam::123456789012:instance-profile/ecsInstanceRole' },
    SubnetId: 'subnet-0aaa1111, subnet-0bbb2222',
    TagSpecifications: [{ ResourceType: 'instance' as const, Tags: [{ Key: 'Name', Value: 'demo-ecs' }] }],
  };
  return {
    IamFleetRole: 'arn:aws:iam::123456789012:role/aws-ec2-spot-fleet-tagging-role',
    TargetCapacity: 6,
    OnDemandTargetCapacity: 0,
    AllocationStrategy: 'diversified',
    Type: 'maintain',
    ExcessCapacityTerminationPolicy: 'default',
    FulfilledCapacity: 6,
    OnDemandFulfilledCapacity: 0,
    ClientToken: 'the-old-fleets-token',
    ValidFrom: new Date(NOW - 86_400_000),
    ValidUntil: new Date(NOW - 1000),
    TerminateInstancesWithExpiration: true,
    LaunchSpecifications: [
      { ...spec, InstanceType: 'm5.large', WeightedCapacity: 1 },
      { ...spec, InstanceType: 'm5.xlarge', WeightedCapacity: 2, SubnetId: 'subnet-0ccc3333' },
    ],
    TagSpecifications: [{ ResourceType: 'spot-fleet-request', Tags: [{ Key: 'team', Value: 'platform' }] }],
  };
}

/** A fleet on launch templates: two configs on one template version, one on another template (by name). */
function describedTemplateFleet(): SpotFleetRequestConfigData {
  return {
    IamFleetRole: 'arn:aws:iam::123456789012:role/aws-ec2-spot-fleet-tagging-role',
    TargetCapacity: 4,
    AllocationStrategy: 'capacityOptimized',
    FulfilledCapacity: 4,
    LaunchTemplateConfigs: [
      {
        LaunchTemplateSpecification: { LaunchTemplateId: 'lt-0aaaaaaaaaaaaaaaa', Version: '$Latest' },
        Overrides: [{ InstanceType: 'm5.large', WeightedCapacity: 1, SubnetId: 'subnet-0aaa1111' }],
      },
      {
        LaunchTemplateSpecification: { LaunchTemplateId: 'lt-0aaaaaaaaaaaaaaaa', Version: '3' },
        Overrides: [{ InstanceType: 'm5.xlarge', WeightedCapacity: 2, SubnetId: 'subnet-0bbb2222', Priority: 1 }],
      },
      {
        LaunchTemplateSpecification: { LaunchTemplateName: 'gpu-nodes', Version: '$Default' },
        Overrides: [{ InstanceType: 'g4dn.xlarge', WeightedCapacity: 4 }],
      },
    ],
  };
}

/** Launch template versions: lt-0aaa… version 3 is $Latest; gpu-nodes (lt-0bbb…) has default version 7. */
function mockTemplates(): void {
  ec2Mock.on(DescribeLaunchTemplateVersionsCommand).callsFake((input: DescribeLaunchTemplateVersionsCommandInput) => {
    const version = input.Versions?.[0];
    if (input.LaunchTemplateId === 'lt-0aaaaaaaaaaaaaaaa' && (version === '$Latest' || version === '3')) {
      return { LaunchTemplateVersions: [{ LaunchTemplateId: 'lt-0aaaaaaaaaaaaaaaa', VersionNumber: 3, LaunchTemplateData: { ImageId: OLD_AMI } }] };
    }
    if (input.LaunchTemplateName === 'gpu-nodes' && version === '$Default') {
      return { LaunchTemplateVersions: [{ LaunchTemplateId: 'lt-0bbbbbbbbbbbbbbbb', VersionNumber: 7, LaunchTemplateData: { ImageId: 'ami-0ffffffffffffffff' } }] };
    }
    return { LaunchTemplateVersions: [] };
  });
  ec2Mock
    .on(CreateLaunchTemplateVersionCommand, { LaunchTemplateId: 'lt-0aaaaaaaaaaaaaaaa' })
    .resolves({ LaunchTemplateVersion: { LaunchTemplateId: 'lt-0aaaaaaaaaaaaaaaa', VersionNumber: 4 } })
    .on(CreateLaunchTemplateVersionCommand, { LaunchTemplateId: 'lt-0bbbbbbbbbbbbbbbb' })
    .resolves({ LaunchTemplateVersion: { LaunchTemplateId: 'lt-0bbbbbbbbbbbbbbbb', VersionNumber: 8 } });
}

describe('Function: clientToken', () => {
  it('gives the same token for the same parts, every time', () => {
    // Prepare
    const parts = ['arn:aws:states:us-east-1:123456789012:execution:ami-rollover:demo-1', 'sfr-12345678-1234-1234-1234-123456789012'];

    // Act
    const first = clientToken(...parts);
    const second = clientToken(...parts);

    // Assess
    expect(second).toBe(first);
    expect(first).toBe(TOKEN);
  });

  it('gives different tokens for different parts, and for the same parts in another order', () => {
    // Prepare
    const execution = 'arn:aws:states:us-east-1:123456789012:execution:ami-rollover:demo-1';

    // Act
    const tokens = [
      clientToken(execution, 'sfr-12345678-1234-1234-1234-123456789012'),
      clientToken(execution, 'sfr-12345678-1234-1234-1234-123456789013'),
      clientToken('sfr-12345678-1234-1234-1234-123456789012', execution),
      clientToken(`${execution}-2`, 'sfr-12345678-1234-1234-1234-123456789012'),
    ];

    // Assess
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('stays within 64 printable ASCII characters, however long the parts', () => {
    // Prepare
    const long = 'x'.repeat(5000);

    // Act
    const tokens = [clientToken(), clientToken(long), clientToken(long, 'é✓'), TOKEN];

    // Assess
    for (const token of tokens) {
      expect(token.length).toBeLessThanOrEqual(64);
      expect(token).toMatch(/^[\x20-\x7e]+$/);
    }
  });
});

describe('Function: replacementConfig', () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  describe('with launch specifications', () => {
    it('swaps the AMI in every specification and keeps user data, types, weights, subnets and role', async () => {
      // Prepare
      const old = describedSpecFleet();

      // Act
      const config = await replacementConfig(ec2, old, [], { imageId: NEW_AMI, token: TOKEN, tags: OUR_TAGS, now: NOW });

      // Assess
      expect(config.LaunchSpecifications).toEqual(old.LaunchSpecifications!.map((spec) => ({ ...spec, ImageId: NEW_AMI })));
      expect(config.LaunchSpecifications!.map((s) => s.ImageId)).toEqual([NEW_AMI, NEW_AMI]);
      expect(config).toMatchObject({
        IamFleetRole: old.IamFleetRole,
        TargetCapacity: 6,
        OnDemandTargetCapacity: 0,
        AllocationStrategy: 'diversified',
        Type: 'maintain',
        ExcessCapacityTerminationPolicy: 'default',
        TerminateInstancesWithExpiration: true,
      });
      expect(ec2Mock.calls()).toHaveLength(0);
    });

    it('drops the output-only and one-shot members and sets its own ClientToken', async () => {
      // Prepare
      const old = describedSpecFleet();

      // Act
      const config = await replacementConfig(ec2, old, [], { imageId: NEW_AMI, token: TOKEN, tags: OUR_TAGS, now: NOW });

      // Assess
      expect(config).not.toHaveProperty('FulfilledCapacity');
      expect(config).not.toHaveProperty('OnDemandFulfilledCapacity');
      expect(config).not.toHaveProperty('ValidFrom');
      expect(config.ClientToken).toBe(TOKEN);
      expect(config.ClientToken!.length).toBeLessThanOrEqual(64);
    });

    it('drops a ValidUntil already past and keeps one still ahead', async () => {
      // Prepare
      const expired = describedSpecFleet();
      const ahead = { ...describedSpecFleet(), ValidUntil: new Date(NOW + 3_600_000) };

      // Act
      const fromExpired = await replacementConfig(ec2, expired, [], { imageId: NEW_AMI, token: TOKEN, tags: OUR_TAGS, now: NOW });
      const fromAhead = await replacementConfig(ec2, ahead, [], { imageId: NEW_AMI, token: TOKEN, tags: OUR_TAGS, now: NOW });

      // Assess
      expect(fromExpired).not.toHaveProperty('ValidUntil');
      expect(fromAhead.ValidUntil).toEqual(new Date(NOW + 3_600_000));
    });

    it('keeps the user tags of the old fleet, drops aws:* tags and adds ours (replacing stale ones of ours)', async () => {
      // Prepare
      const old = describedSpecFleet();
      const oldTags: Tag[] = [
        { Key: 'team', Value: 'platform' },
        { Key: 'aws:cloudformation:stack-name', Value: 'ecs-demo' },
        { Key: 'aws:ec2spot:fleet-request-id', Value: 'sfr-12345678-1234-1234-1234-123456789012' },
        { Key: 'ecs-fleet-ops:execution', Value: 'an-earlier-rollover' },
        { Key: 'cost-centre', Value: '42' },
      ];

      // Act
      const config = await replacementConfig(ec2, old, oldTags, { imageId: NEW_AMI, token: TOKEN, tags: OUR_TAGS, now: NOW });

      // Assess
      expect(config.TagSpecifications).toEqual([
        {
          ResourceType: 'spot-fleet-request',
          Tags: [{ Key: 'team', Value: 'platform' }, { Key: 'cost-centre', Value: '42' }, ...OUR_TAGS],
        },
      ]);
    });

    it('leaves the described fleet it was given unchanged', async () => {
      // Prepare
      const old = describedSpecFleet();
      const before = structuredClone(old);

      // Act
      await replacementConfig(ec2, old, [{ Key: 'team', Value: 'platform' }], { imageId: NEW_AMI, token: TOKEN, tags: OUR_TAGS, now: NOW });

      // Assess
      expect(old).toEqual(before);
    });
  });

  describe('with launch template configs', () => {
    it('creates one new version per distinct template and version, from that version, with the new AMI', async () => {
      // Prepare
      mockTemplates();
      const old = describedTemplateFleet();

      // Act
      await replacementConfig(ec2, old, [], { imageId: NEW_AMI, token: TOKEN, tags: OUR_TAGS, now: NOW });

      // Assess: $Latest and 3 are the same version of lt-0aaa…: one new version for both
      expect(ec2Mock).toHaveReceivedCommandTimes(CreateLaunchTemplateVersionCommand, 2);
      const created = ec2Mock.commandCalls(CreateLaunchTemplateVersionCommand).map((c) => c.args[0].input);
      expect(created).toEqual([
        expect.objectContaining({ LaunchTemplateId: 'lt-0aaaaaaaaaaaaaaaa', SourceVersion: '3', LaunchTemplateData: { ImageId: NEW_AMI } }),
        expect.objectContaining({ LaunchTemplateId: 'lt-0bbbbbbbbbbbbbbbb', SourceVersion: '7', LaunchTemplateData: { ImageId: NEW_AMI } }),
      ]);
      for (const input of created) {
        expect(input.ClientToken).toMatch(/^[\x20-\x7e]{1,64}$/);
        expect(input.VersionDescription).toContain(NEW_AMI);
      }
      expect(created[0].ClientToken).not.toBe(created[1].ClientToken);
    });

    it('gives the same version tokens on a retry, so a retried step creates no second version', async () => {
      // Prepare
      mockTemplates();

      // Act
      await replacementConfig(ec2, describedTemplateFleet(), [], { imageId: NEW_AMI, token: TOKEN, tags: OUR_TAGS, now: NOW });
      await replacementConfig(ec2, describedTemplateFleet(), [], { imageId: NEW_AMI, token: TOKEN, tags: OUR_TAGS, now: NOW });

      // Assess
      const tokens = ec2Mock.commandCalls(CreateLaunchTemplateVersionCommand).map((c) => c.args[0].input.ClientToken);
      expect(tokens).toHaveLength(4);
      expect(tokens.slice(2)).toEqual(tokens.slice(0, 2));
    });

    it('pins each config to the new version number by template id and keeps its overrides', async () => {
      // Prepare
      mockTemplates();
      const old = describedTemplateFleet();

      // Act
      const config = await replacementConfig(ec2, old, [], { imageId: NEW_AMI, token: TOKEN, tags: OUR_TAGS, now: NOW });

      // Assess
      expect(config.LaunchTemplateConfigs).toEqual([
        { LaunchTemplateSpecification: { LaunchTemplateId: 'lt-0aaaaaaaaaaaaaaaa', Version: '4' }, Overrides: old.LaunchTemplateConfigs![0].Overrides },
        { LaunchTemplateSpecification: { LaunchTemplateId: 'lt-0aaaaaaaaaaaaaaaa', Version: '4' }, Overrides: old.LaunchTemplateConfigs![1].Overrides },
        { LaunchTemplateSpecification: { LaunchTemplateId: 'lt-0bbbbbbbbbbbbbbbb', Version: '8' }, Overrides: old.LaunchTemplateConfigs![2].Overrides },
      ]);
      expect(config).not.toHaveProperty('LaunchSpecifications');
      expect(config).not.toHaveProperty('FulfilledCapacity');
      expect(config.ClientToken).toBe(TOKEN);
    });

    it('fails with UnsupportedFleet when a template version cannot be found', async () => {
      // Prepare
      mockTemplates();
      const old = describedTemplateFleet();
      old.LaunchTemplateConfigs![0].LaunchTemplateSpecification!.Version = '99';

      // Act
      const result = replacementConfig(ec2, old, [], { imageId: NEW_AMI, token: TOKEN, tags: OUR_TAGS, now: NOW });

      // Assess
      await expect(result).rejects.toThrow(UnsupportedFleetError);
      await expect(result).rejects.toThrow('Launch template lt-0aaaaaaaaaaaaaaaa version 99 not found');
    });

    it('fails with UnsupportedFleet when a config names no template', async () => {
      // Prepare
      mockTemplates();
      const old = describedTemplateFleet();
      old.LaunchTemplateConfigs![0].LaunchTemplateSpecification = {};

      // Act
      const result = replacementConfig(ec2, old, [], { imageId: NEW_AMI, token: TOKEN, tags: OUR_TAGS, now: NOW });

      // Assess
      await expect(result).rejects.toThrow('A launch template config names no launch template');
      expect(ec2Mock).not.toHaveReceivedCommand(CreateLaunchTemplateVersionCommand);
    });
  });
});

describe('Function: configuredImages', () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  it('lists the distinct AMIs of the launch specifications', async () => {
    // Prepare
    const config = describedSpecFleet();

    // Act
    const images = await configuredImages(ec2, config);

    // Assess
    expect(images).toEqual([OLD_AMI]);
  });

  it('reads the AMIs of the launch template versions the fleet uses', async () => {
    // Prepare
    mockTemplates();

    // Act
    const images = await configuredImages(ec2, describedTemplateFleet());

    // Assess
    expect(images.sort()).toEqual([OLD_AMI, 'ami-0ffffffffffffffff'].sort());
  });
});
