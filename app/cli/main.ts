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
// Exit now rather than when the event loop drains: after a natural end Node closes its signal
// handlers while it tears down, and a copy of the Ctrl-C that stopped a command (npm forwards the
// terminal's) arriving then would turn a clean stop into a death by SIGINT.
process.exit();
