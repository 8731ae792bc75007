import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

/**
 * "Add Local Model…" on a Hugging Face model folder: the CLI's `prm-lens import` converts it in a child process (a
 * 7B checkpoint takes minutes of synchronous work that must not hold up the extension host), with the progress in a
 * notification whose Cancel interrupts the import; the import then removes the files it wrote.
 */

/** A Hugging Face download: config.json and safetensors weights, no ONNX graph. */
export function isHuggingFaceFolder(folder: string): boolean {
  const has = (f: string) => existsSync(path.join(folder, f));
  return (
    has('config.json') &&
    (has('model.safetensors') || has('model.safetensors.index.json')) &&
    !has('model.onnx') &&
    !has('prm.json')
  );
}

/** The bundled CLI beside the bundled extension (dist/cli.js): the extension only ever runs from its bundle. */
const CLI_SCRIPT = path.join(__dirname, 'cli.js');

/** `<folder>-onnx`, or `<folder>-onnx-2`, … : a new folder next to the download. */
function defaultOutput(folder: string): string {
  let out = `${folder}-onnx`;
  for (let n = 2; existsSync(out); n++) out = `${folder}-onnx-${n}`;
  return out;
}

export type ImportOutcome = { out: string } | { problems: string[] } | undefined;

/**
 * Asks where to write (unless `out` is given), imports, and returns the new model folder; undefined when the user
 * declines or cancels.
 */
export async function importHuggingFaceFolder(
  folder: string,
  log: vscode.LogOutputChannel,
  out?: string,
): Promise<ImportOutcome> {
  let target = out;
  if (!target) {
    const proposed = defaultOutput(folder);
    const choice = await vscode.window.showInformationMessage(
      `PRM Lens: ${path.basename(folder)} is a Hugging Face model folder. Import it as an ONNX model into ${proposed}? (weights chosen for this CPU)`,
      { modal: true },
      'Import',
      'Choose Folder…',
    );
    if (choice === 'Import') target = proposed;
    else if (choice === 'Choose Folder…') {
      const picked = await vscode.window.showOpenDialog({
        canSelectFolders: true,
        canSelectFiles: false,
        openLabel: 'Import Here',
        title: 'PRM Lens: an empty folder for the imported model',
      });
      target = picked?.[0]?.fsPath;
    }
    if (!target) return undefined;
  }
  const dest = target;
  log.info(`Add Local Model: importing ${folder} into ${dest}`);
  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `PRM Lens: importing ${path.basename(folder)}`,
      cancellable: true,
    },
    (progress, token) =>
      new Promise<ImportOutcome>((resolve) => {
        const child = fork(CLI_SCRIPT, ['import', folder, '--out', dest, '--json', '--quiet'], { silent: true });
        let stdout = '';
        let stderr = '';
        let done = 0;
        child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('message', (m: { progress?: { tensors: number; totalTensors: number; bytesWritten: number } }) => {
          const p = m.progress;
          if (!p) return;
          const pct = (100 * p.tensors) / p.totalTensors;
          const mb = (p.bytesWritten / 1e6).toFixed(0);
          progress.report({ message: `${p.tensors}/${p.totalTensors} tensors, ${mb} MB`, increment: pct - done });
          done = pct;
        });
        const cancel = token.onCancellationRequested(() => child.kill('SIGINT'));
        child.on('exit', (code) => {
          cancel.dispose();
          if (code === 0) {
            log.info(`Add Local Model: imported ${folder}: ${stdout.trim()}`);
            resolve({ out: dest });
          } else if (token.isCancellationRequested) {
            log.info(`Add Local Model: import of ${folder} cancelled`);
            resolve(undefined);
          } else {
            const problems = stderr
              .split('\n')
              .filter((l) => l.startsWith('prm-lens: '))
              .map((l) => l.slice('prm-lens: '.length));
            resolve({ problems: problems.length > 0 ? problems : [`${folder}: the import failed (exit ${code})`] });
          }
        });
      }),
  );
}
