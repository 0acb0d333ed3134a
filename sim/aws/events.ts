import type { World } from '../world';

export interface SimEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export type EventPattern = { source?: string[]; 'detail-type'?: string[] };
type Subscriber = { pattern: EventPattern; deliver: (event: SimEvent) => void };

/** EventBridge's default bus: the simulated services emit AWS-shaped events; rules deliver them. */
export class EventBusSim {
  readonly emitted: SimEvent[] = [];
  private readonly rules: Subscriber[] = [];

  constructor(private readonly world: World) {}

  emit(source: string, detailType: string, resources: string[], detail: Record<string, unknown>): SimEvent {
    const event: SimEvent = {
      version: '0',
      id: this.world.rng.uuid(),
      'detail-type': detailType,
      source,
      account: this.world.account,
      time: new Date(this.world.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.world.region,
      resources,
      detail,
    };
    if (this.world.recordEvents) this.emitted.push(event);
    for (const rule of this.rules) {
      if (matches(rule.pattern, event)) rule.deliver(structuredClone(event));
    }
    return event;
  }

  /** A rule: events matching the pattern go to `deliver` (a state machine start, a Lambda). */
  rule(pattern: EventPattern, deliver: (event: SimEvent) => void): void {
    this.rules.push({ pattern, deliver });
  }
}

function matches(pattern: EventPattern, event: SimEvent): boolean {
  return (!pattern.source || pattern.source.includes(event.source)) && (!pattern['detail-type'] || pattern['detail-type'].includes(event['detail-type']));
}
