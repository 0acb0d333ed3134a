import type { World } from '../world';
import { awsError } from './errors';

export interface PublishedMessage {
  topicArn: string;
  subject?: string;
  message: string;
  at: number;
}

/** SNS: topics the scenario creates, and every message published to them. */
export class SnsSim {
  readonly topics = new Set<string>();
  readonly published: PublishedMessage[] = [];

  constructor(private readonly world: World) {}

  createTopic(name: string): string {
    const arn = `arn:aws:sns:${this.world.region}:${this.world.account}:${name}`;
    this.topics.add(arn);
    return arn;
  }

  readonly operations = {
    Publish: (input: { TopicArn?: string; Message: string; Subject?: string }) => {
      if (!input.TopicArn || !this.topics.has(input.TopicArn)) throw awsError('NotFound', 'Topic does not exist', 404);
      if (Buffer.byteLength(input.Message) > 262_144) throw awsError('InvalidParameter', 'Invalid parameter: Message too long');
      if (input.Subject !== undefined && (input.Subject.length > 100 || /[\r\n]/.test(input.Subject))) {
        throw awsError('InvalidParameter', 'Invalid parameter: Subject');
      }
      this.published.push({ topicArn: input.TopicArn, subject: input.Subject, message: input.Message, at: this.world.clock.now() });
      return { MessageId: this.world.rng.uuid() };
    },
  };
}
