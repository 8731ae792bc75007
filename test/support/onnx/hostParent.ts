// A parent of an ONNX host, for the lifecycle test: `node hostParent.js FOLDER STEPS` starts a forward pass over one
// solution of STEPS long steps and prints the host's pid once the pass runs; the test then SIGKILLs this process.
import { OnnxRunner, defaultHostScript } from '../../../src/core/critics/onnx/runner';

const [folder, count] = process.argv.slice(2);
const step = 'we add the numbers together and multiply the result by two, '.repeat(40);
const steps = Array.from({ length: Number(count) }, (_, i) => `Step ${i + 1}: ${step}`);
const runner = new OnnxRunner({ folder, hostScript: defaultHostScript(), threads: () => 1, idleMs: () => 0 });
runner
  .score([{ problem: 'What is the total?', steps }], undefined, (p) => {
    if (p.stage === 'running') process.stdout.write(`${runner.pid}\n`);
  })
  .then(
    () => process.stdout.write('finished\n'),
    (err: unknown) => process.stdout.write(`failed: ${String(err)}\n`),
  );
