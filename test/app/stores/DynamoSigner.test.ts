import type { AwsCredentialIdentity } from '@smithy/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DynamoSigner } from '../../../app/stores/DynamoSigner';
import { referenceSigner } from '../../helpers/referenceSigner';

/** The SDK's own signer over the same request: the reference DynamoSigner is held to. */
async function referenceAuthorization(
  url: URL,
  target: string,
  body: string,
  region: string,
  credentials: AwsCredentialIdentity,
  signingDate: Date,
): Promise<string | undefined> {
  const signed = await referenceSigner(credentials, region).sign(
    {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      path: url.pathname,
      query: {},
      headers: { host: url.host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
      body,
    },
    { signingDate },
  );
  return signed.headers.authorization;
}

const credentialsArbitrary = fc.record(
  {
    accessKeyId: fc.stringMatching(/^[A-Z0-9]{16,20}$/),
    secretAccessKey: fc.string({ minLength: 1, maxLength: 40 }),
    sessionToken: fc.string({ minLength: 1, maxLength: 60 }),
  },
  { requiredKeys: ['accessKeyId', 'secretAccessKey'] },
);

describe('DynamoSigner', () => {
  it('signs as the SDK signer does, for any body, region, endpoint, day and credentials', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          'https://dynamodb.eu-west-1.amazonaws.com/',
          'https://dynamodb.cn-north-1.amazonaws.com.cn/',
          'http://127.0.0.1:4567/',
          'http://localhost:8000/ddb',
        ),
        fc.constantFrom('eu-west-1', 'us-east-1', 'cn-north-1'),
        fc.constantFrom('DynamoDB_20120810.PutItem', 'DynamoDB_20120810.BatchWriteItem'),
        fc.string({ maxLength: 300 }),
        credentialsArbitrary,
        fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }),
        async (endpoint, region, target, body, credentials, when) => {
          const url = new URL(endpoint);
          const now = new Date(Math.floor(when.getTime() / 1000) * 1000);
          const signer = new DynamoSigner(region);

          const headers = signer.sign({ url, target, body }, credentials, now);

          expect(headers.authorization).toBe(
            await referenceAuthorization(url, target, body, region, credentials, now),
          );
          expect(headers['x-amz-security-token']).toBe(credentials.sessionToken);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('derives a new signing key when the day or the secret changes', async () => {
    const url = new URL('https://dynamodb.eu-west-1.amazonaws.com/');
    const signer = new DynamoSigner('eu-west-1');
    const target = 'DynamoDB_20120810.PutItem';
    const first = { accessKeyId: 'AKIDFIRST', secretAccessKey: 'one' };
    const rotated = { accessKeyId: 'AKIDSECOND', secretAccessKey: 'two', sessionToken: 'token' };
    const sequence: [AwsCredentialIdentity, Date][] = [
      [first, new Date('2026-11-23T23:59:59Z')],
      [first, new Date('2026-11-24T00:00:00Z')],
      [rotated, new Date('2026-11-24T00:00:01Z')],
      [first, new Date('2026-11-24T00:00:02Z')],
    ];
    for (const [credentials, now] of sequence) {
      expect(signer.sign({ url, target, body: '{}' }, credentials, now).authorization).toBe(
        await referenceAuthorization(url, target, '{}', 'eu-west-1', credentials, now),
      );
    }
  });
});
