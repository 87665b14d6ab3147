import { Command } from 'commander';
import { ConfigError } from '../config/ConfigError';
import { backtestCommand } from './backtestCommand';
import { cacheCommand } from './cacheCommand';
import { consumeCommand } from './consumeCommand';
import { deadLettersCommand } from './deadLettersCommand';
import { ingestCommand } from './ingestCommand';
import { priceCommand } from './priceCommand';
import { produceCommand } from './produceCommand';
import { reshardCommand } from './reshardCommand';
import { serveCommand } from './serveCommand';
import { stackCommand } from './stackCommand';
import { startCommand } from './startCommand';

const program = new Command('pricestream')
  .description('demand-aware prices from a Kinesis stream of inventory and order events')
  .showHelpAfterError()
  .addCommand(startCommand())
  .addCommand(produceCommand())
  .addCommand(ingestCommand())
  .addCommand(consumeCommand())
  .addCommand(priceCommand())
  .addCommand(cacheCommand())
  .addCommand(deadLettersCommand())
  .addCommand(reshardCommand())
  .addCommand(backtestCommand())
  .addCommand(serveCommand())
  .addCommand(stackCommand());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const message = error instanceof ConfigError ? `invalid ${error.message}` : (error as Error).message;
  process.stderr.write(`pricestream: ${message}\n`);
  process.exitCode = 2;
}
