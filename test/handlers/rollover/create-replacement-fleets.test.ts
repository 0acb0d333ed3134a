import { useClients } from '../../../functions/lib/clients';
import { logger } from '../../../functions/lib/log';
import { handler } from '../../../functions/rollover/create-replacement-fleets';
import { TAGS, type RolloverState } from '../../../functions/rollover/state';
import { NEW_AMI, baseAccount, buildCluster, defaultClusterSpec, type BuiltCluster } from '../../../sim/scenarios/cluster';
import { World } from '../../../sim/world';
import { EXECUTION, rolloverState } from './fixtures';

/** A simulated account with the default cluster settled on its Spot Fleet, and the handler's clients pointed at it. */
function setUp(options: { useLaunchTemplate?: boolean } = {}): { world: World; built: BuiltCluster; state: RolloverState } {
  const world = new World({ seed: 11 });
  baseAccount(world);
  const built = buildCluster(world, { ...defaultClusterSpec(), ...options });
  useClients(world.clients);
  const state = rolloverState({}, { targetAmi: { imageId: NEW_AMI, source: 'input' } });
  state.plan!.replace = [built.fleetId];
  return { world, built, state };
}

const requests = (world: World) => world.router.calls.filter((c) => c.service === 'ec2' && c.operation === 'RequestSpotFleet');

describe('Function: create-replacement-fleets handler (CreateReplacementFleets)', () => {
  beforeEach(() => {
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
    useClients(undefined);
  });

  it('requests a clone of each old fleet on the target AMI, tagged with what it replaces and this execution', async () => {
    // Prepare
    const { world, built, state } = setUp();
    const before = requests(world).length;

    // Act
    const replacement = await handler(state);

    // Assess
    expect(requests(world).length - before).toBe(1);
    const [pair] = replacement.fleets;
    expect(pair.oldFleetId).toBe(built.fleetId);
    const fleet = world.ec2.fleets.get(pair.newFleetId)!;
    const old = world.ec2.fleets.get(built.fleetId)!;
    expect(fleet.config.LaunchSpecifications.map((s: { ImageId: string }) => s.ImageId)).toEqual([NEW_AMI, NEW_AMI, NEW_AMI]);
    expect(fleet.config.LaunchSpecifications.map((s: { UserData: string }) => s.UserData)).toEqual(old.config.LaunchSpecifications.map((s: { UserData: string }) => s.UserData));
    expect(fleet.config.TargetCapacity).toBe(old.config.TargetCapacity);
    expect(fleet.tags).toEqual(
      expect.arrayContaining([
        { Key: 'team', Value: 'platform' },
        { Key: TAGS.replaces, Value: built.fleetId },
        { Key: TAGS.execution, Value: EXECUTION.name },
        { Key: TAGS.ami, Value: NEW_AMI },
        { Key: TAGS.cluster, Value: 'demo' },
      ]),
    );
    expect(replacement).toMatchObject({ status: 'waiting', polls: 0, waitSeconds: 90, progress: { targetCapacity: 6, fulfilledCapacity: 0 } });
  });

  it('reuses the fleet already tagged for this execution when the step is retried, requesting none', async () => {
    // Prepare
    const { world, state } = setUp();
    const first = await handler(state);
    const before = requests(world).length;

    // Act
    const second = await handler(state);

    // Assess
    expect(requests(world).length).toBe(before);
    expect(second.fleets).toEqual(first.fleets);
    expect(world.ec2.fleets.size).toBe(2);
  });

  it('fails with AccessDenied and a message saying why when ec2:RequestSpotFleet is denied', async () => {
    // Prepare
    const { world, built, state } = setUp();
    world.ec2.behaviour.denyRequestSpotFleet = true;

    // Act
    const result = handler(state);

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(result).rejects.toThrow(/^ec2:RequestSpotFleet was denied \(.*explicit deny.*\)\. AWS calls RequestSpotFleet a legacy API/);
    await expect(result).rejects.toThrow(`the replacement for ${built.fleetId} could not be created`);
    expect(world.ec2.fleets.size).toBe(1);
  });

  it('rolls a launch-template fleet through a new template version pinned in the clone', async () => {
    // Prepare
    const { world, built, state } = setUp({ useLaunchTemplate: true });
    const [template] = world.ec2.launchTemplates.values();

    // Act
    const replacement = await handler(state);

    // Assess
    expect(template.versions).toHaveLength(2);
    expect(template.versions[1].data.ImageId).toBe(NEW_AMI);
    expect(template.versions[1].data.UserData).toBe(template.versions[0].data.UserData);
    const fleet = world.ec2.fleets.get(replacement.fleets[0].newFleetId)!;
    const old = world.ec2.fleets.get(built.fleetId)!;
    expect(fleet.config.LaunchTemplateConfigs).toEqual([
      { LaunchTemplateSpecification: { LaunchTemplateId: template.id, Version: '2' }, Overrides: old.config.LaunchTemplateConfigs[0].Overrides },
    ]);
  });
});
