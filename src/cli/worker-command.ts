import { parseArgs } from 'node:util';
import { busIngestTarget } from '../bus/bus-ingest-target.js';
import { NatsTradeBus, parseNatsUrl } from '../bus/nats-trade-bus.js';
import { partitionsOfWorker } from '../bus/symbol-partition.js';
import { ingestFile } from '../ingest/index.js';
import { createLogger } from '../logging/logger.js';
import { DEFAULT_WORKER_BATCH, FlowWorker } from '../worker/flow-worker.js';
import { commandHelp, HELP_OPTION, type CommandSpec } from './command-spec.js';
import type { CliIo } from './main.js';
import { openFlowStore } from './scale-out-adapters.js';

const WORKER_OPTIONS = {
  store: { type: 'string', value: 'postgres://…', description: "the fleet's PostgreSQL store" },
  bus: { type: 'string', value: 'nats://…', description: "the fleet's NATS JetStream bus" },
  partitions: { type: 'string', value: 'N', description: 'partitions of the stream, the same in every process (default 16, or the bus URL\'s)' },
  workers: { type: 'string', value: 'W', description: 'how many workers share the partitions (default 1)' },
  'worker-id': { type: 'string', value: 'I', description: 'this worker\'s number, 0 to W-1 (default 0)' },
  batch: { type: 'string', value: 'B', description: `most trades stored per transaction (default ${DEFAULT_WORKER_BATCH.toLocaleString('en-US')})` },
  help: HELP_OPTION,
} as const;

/** Trades `capflow publish` reads before grouping them: a whole market's interleaved symbols still fill messages. */
const DEFAULT_PUBLISH_BATCH = 500_000;

const PUBLISH_OPTIONS = {
  bus: { type: 'string', value: 'nats://…', description: "the fleet's NATS JetStream bus" },
  'batch-size': {
    type: 'string',
    value: 'N',
    description: `trades read before they are grouped into messages, one symbol's trades a message (default ${DEFAULT_PUBLISH_BATCH.toLocaleString('en-US')})`,
  },
  partitions: { type: 'string', value: 'N', description: 'partitions of the stream (default 16, or the bus URL\'s)' },
  help: HELP_OPTION,
} as const;

export const WORKER_COMMAND: CommandSpec = {
  name: 'worker',
  summary: 'store trades from the bus into PostgreSQL, exactly once, and announce changed lines (scaling out)',
  usage: ['--store postgres://… --bus nats://… [--partitions N] [--workers W] [--worker-id I] [--batch B]'],
  description: 'The stream\'s N partitions are split between W workers: worker I takes the partitions p with p mod W = I. SIGINT or SIGTERM stops it after the batches in hand. Logs go to stderr as JSON lines (level: CAPFLOW_LOG_LEVEL, default info).',
  options: WORKER_OPTIONS,
};

export const PUBLISH_COMMAND: CommandSpec = {
  name: 'publish',
  summary: 'publish the trades of CSV / NDJSON files (optionally .gz) to the bus, for the workers to store',
  usage: ['FILE... --bus nats://… [--partitions N] [--batch-size N]'],
  description:
    "Each symbol's trades of a batch travel in messages of up to 500 trades (about 64 KB); bigger batches make fuller messages when a file interleaves many symbols.",
  options: PUBLISH_OPTIONS,
};
const WORKER_USAGE = commandHelp(WORKER_COMMAND);
const PUBLISH_USAGE = commandHelp(PUBLISH_COMMAND);

function positiveInt(text: string | undefined, flag: string, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min) throw new Error(`${flag} must be an integer >= ${min}, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** `capflow worker`: runs until SIGINT / SIGTERM, then stops after the batches in hand. */
export async function runWorkerCommand(argv: string[], io: CliIo): Promise<number> {
  let worker: FlowWorker;
  let close: () => Promise<void>;
  let description: string;
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: WORKER_OPTIONS,
    });
    if (values.help) {
      io.stdout.write(WORKER_USAGE);
      return 0;
    }
    if (!values.store?.startsWith('postgres')) throw new Error('--store postgres://… is required');
    if (!values.bus) throw new Error('--bus nats://… is required');
    const location = parseNatsUrl(values.bus);
    const partitionCount = positiveInt(values.partitions, '--partitions', location.partitions);
    const workers = positiveInt(values.workers, '--workers', 1);
    const workerId = positiveInt(values['worker-id'], '--worker-id', 0, 0);
    const batchSize = positiveInt(values.batch, '--batch', DEFAULT_WORKER_BATCH);
    const partitions = partitionsOfWorker(partitionCount, workers, workerId);
    const store = await openFlowStore(values.store, undefined);
    // Structured JSON logs on stderr (stdout keeps the banner and the summary), level from CAPFLOW_LOG_LEVEL.
    const logger = createLogger({ destination: io.stderr }).child({ workerId });
    let bus: NatsTradeBus;
    try {
      bus = await NatsTradeBus.connect({ ...location, partitions: partitionCount }, { name: `capflow-worker-${workerId}`, logger: logger.child({ module: 'bus' }) });
    } catch (error) {
      await store.close();
      throw error;
    }
    worker = new FlowWorker({ store, bus, partitions, batchSize, logger: logger.child({ module: 'worker' }) });
    close = async () => {
      await worker.stop();
      await bus.flush().catch(() => undefined);
      await bus.close();
      await store.close();
    };
    description = `worker ${workerId} of ${workers}: partitions ${partitions.join(', ') || '(none)'} of ${partitionCount} on stream ${location.stream}`;
  } catch (error) {
    io.stderr.write(`capflow worker: ${(error as Error).message}\n\n${WORKER_USAGE}`);
    return 2;
  }
  worker.start();
  io.stdout.write(`capflow ${description}\n`);
  await new Promise<void>((resolveStop) => {
    const shutdown = (): void => {
      process.off('SIGINT', shutdown);
      process.off('SIGTERM', shutdown);
      resolveStop();
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  });
  await close();
  io.stdout.write(
    `capflow worker stopped after storing ${worker.applied} trades (${worker.duplicates} duplicates of stored trade ids dropped, ${worker.retries} partition retries, ${worker.streamResets} partitions read again from a recreated stream, ${worker.rejected} bus messages that were not trades skipped)\n`,
  );
  return 0;
}

/** `capflow publish FILE... --bus nats://…`. */
export async function runPublishCommand(argv: string[], io: CliIo): Promise<number> {
  let files: string[];
  let bus: NatsTradeBus;
  let batchSize: number;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: PUBLISH_OPTIONS,
    });
    if (values.help) {
      io.stdout.write(PUBLISH_USAGE);
      return 0;
    }
    if (!values.bus) throw new Error('--bus nats://… is required');
    if (positionals.length === 0) throw new Error('no FILE given');
    files = positionals;
    batchSize = positiveInt(values['batch-size'], '--batch-size', DEFAULT_PUBLISH_BATCH);
    const location = parseNatsUrl(values.bus);
    // A server storing a backlog on a busy machine can take seconds to acknowledge a full window,
    // and a failed publish starts the file over: wait up to a minute.
    bus = await NatsTradeBus.connect(
      { ...location, partitions: positiveInt(values.partitions, '--partitions', location.partitions) },
      { name: 'capflow-publish', publishAckTimeoutMs: 60_000 },
    );
  } catch (error) {
    io.stderr.write(`capflow publish: ${(error as Error).message}\n\n${PUBLISH_USAGE}`);
    return 2;
  }
  try {
    for (const file of files) {
      const summary = await ingestFile(busIngestTarget(bus), file, { batchSize });
      // Trades outside the sessions are published and stored too (they feed the tick rule).
      io.stdout.write(`${file}: ${summary.accepted + summary.outsideSessions} trades published (${summary.outsideSessions} outside the sessions), ${summary.rejected} rejected\n`);
    }
    return 0;
  } catch (error) {
    io.stderr.write(`capflow publish: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await bus.close();
  }
}
