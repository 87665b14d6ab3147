import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';

const sha256 = new DynamoDBClient({ region: 'eu-west-1' }).config.sha256;

/**
 * The SDK's own SigV4 signer for DynamoDB, the reference DynamoSigner is held to. Without the
 * body-hash header, which is optional outside S3 and which DynamoSigner does not send.
 */
export function referenceSigner(credentials: AwsCredentialIdentity, region: string): SignatureV4 {
  return new SignatureV4({ credentials, region, service: 'dynamodb', sha256, applyChecksum: false });
}
