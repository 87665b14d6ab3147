import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges cdk-nag findings on a construct, each with the reason it is acceptable (finding id
 * → reason). A finding left unacknowledged fails the synth.
 */
export function acknowledge(scope: IConstruct | undefined, reasons: Readonly<Record<string, string>>): void {
  if (scope === undefined) return;
  for (const [id, reason] of Object.entries(reasons)) Validations.of(scope).acknowledge({ id, reason });
}
