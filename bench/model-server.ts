import { spawn, ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface, Interface } from 'node:readline';

/**
 * A model loaded in a child process that answers one JSON line per JSON line it reads (scripts/reference's PyTorch
 * reference, bench/ort-server.ts): the benchmark interleaves runs of several such processes, each with its own load
 * time and peak memory.
 */
export class ModelServer<Loaded> {
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: AsyncIterator<string>,
    private readonly rl: Interface,
    private readonly stderr: string[],
    /** The first line the process prints, once the model is loaded. */
    readonly loaded: Loaded,
  ) {}

  static async start<Loaded>(
    command: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv = process.env,
  ): Promise<ModelServer<Loaded>> {
    const child = spawn(command, args, { env });
    const stderr: string[] = [];
    child.stderr.setEncoding('utf8').on('data', (d: string) => stderr.push(d));
    const rl = createInterface({ input: child.stdout });
    const lines = rl[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.done) throw new Error(`${command} ${args.join(' ')} failed to load: ${stderr.join('').trim()}`);
    return new ModelServer(child, lines, rl, stderr, JSON.parse(first.value) as Loaded);
  }

  async request<Reply>(message: unknown): Promise<Reply> {
    this.child.stdin.write(JSON.stringify(message) + '\n');
    const line = await this.lines.next();
    if (line.done) throw new Error(`model process exited: ${this.stderr.join('').trim()}`);
    return JSON.parse(line.value) as Reply;
  }

  /** Ends the input and waits for the process to exit; returns what it printed after its last answer. */
  async close(): Promise<string[]> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    const rest: string[] = [];
    for (let line = await this.lines.next(); !line.done; line = await this.lines.next()) rest.push(line.value);
    this.rl.close();
    await exited;
    return rest;
  }
}
