/**
 * An error as the SDK v3 surfaces one from AWS: `name` is the AWS error code callers branch on,
 * `$fault` and `$metadata.httpStatusCode` as a real response would set them.
 */
export class AwsError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode: number; requestId: string; attempts: number; totalRetryDelay: number };

  constructor(name: string, message: string, status = 400) {
    super(message);
    this.name = name;
    this.$fault = status >= 500 ? 'server' : 'client';
    this.$metadata = { httpStatusCode: status, requestId: 'sim', attempts: 1, totalRetryDelay: 0 };
  }
}

export function awsError(name: string, message: string, status = 400): AwsError {
  return new AwsError(name, message, status);
}
