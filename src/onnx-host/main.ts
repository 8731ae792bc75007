/**
 * The ONNX host: a child process (forked by OnnxRunner, bundled as dist/onnx-host.js) that loads one local PRM with
 * onnxruntime-node and scores solutions on request. Requests are handled one at a time; the parent kills this
 * process to cancel a run, and it exits by itself when the parent goes away: at once when idle (the IPC channel
 * closes), within half a second in the middle of a forward pass (the watchdog).
 */
import { HostMessage, HostRequest } from '../core/critics/onnx/protocol';
import { validateModelFolder } from '../core/critics/onnx/validate';
import { PrmEngine } from './engine';
import { NativePieceTokenizer } from './tokenizer';
import { exitWithParent } from './watchdog';
import { errorMessage } from '../core/util/errors';

let engine: PrmEngine | undefined;
let loaded: { folder: string; threads: number } | undefined;
let chain: Promise<void> = Promise.resolve();

function send(message: HostMessage): void {
  process.send?.(message);
}

async function handle(request: HostRequest): Promise<unknown> {
  switch (request.kind) {
    case 'load': {
      if (!engine || loaded?.folder !== request.folder || loaded.threads !== request.threads) {
        const previous = engine;
        engine = undefined;
        loaded = undefined;
        await previous?.release();
        engine = await PrmEngine.load(request.folder, { threads: request.threads });
        loaded = { folder: request.folder, threads: request.threads };
      }
      return engine.info();
    }
    case 'validate':
      return validateModelFolder(request.folder, async (file) => NativePieceTokenizer.fromFile(file));
    case 'score':
      if (!engine) throw new Error('no model is loaded');
      return engine.score(request.solutions, (progress) => send({ id: request.id, kind: 'progress', progress }));
    default:
      throw new Error(`unknown request ${JSON.stringify((request as { kind?: unknown }).kind)}`);
  }
}

process.on('message', (request: HostRequest) => {
  chain = chain.then(async () => {
    try {
      send({ id: request.id, kind: 'result', value: await handle(request) });
    } catch (err) {
      send({ id: request.id, kind: 'error', message: errorMessage(err) });
    }
  });
});

process.on('disconnect', () => process.exit(0));
exitWithParent();
