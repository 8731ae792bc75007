import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { folderFileProblem, locateInFolder, notJson, readPrmSpec, resolveSpecTokens } from './folder';
import { layoutProblems } from './layout';
import { readOnnxFile } from './onnxFile';
import { planFeeds } from './signature';
import { PrmSpec } from './spec';
import { PieceTokenizer } from './tokens';
import { errorMessage } from '../../util/errors';

/** What "Add Local Model…" reports about a folder: every problem found, each naming its file and what is wrong. */
export interface ValidationReport {
  folder: string;
  spec?: PrmSpec;
  problems: string[];
}

/** Loads a tokenizer.json (natively in the ONNX host); throws when it cannot be parsed. */
export type TokenizerLoader = (file: string) => Promise<PieceTokenizer & { vocabSize: number }>;

/**
 * Checks a model folder without running it: prm.json, the files it names, each graph's inputs and outputs against the
 * family (read from the .onnx structure, weights untouched), external weight files, and the tokens prm.json names.
 */
export async function validateModelFolder(folder: string, loadTokenizer: TokenizerLoader): Promise<ValidationReport> {
  const report: ValidationReport = { folder, problems: [] };
  const dir = await stat(folder).catch(() => undefined);
  if (!dir?.isDirectory()) {
    report.problems.push(`${folder}: not a folder`);
    return report;
  }
  let spec: PrmSpec;
  try {
    spec = await readPrmSpec(folder);
  } catch (err) {
    report.problems.push(errorMessage(err));
    return report;
  }
  report.spec = spec;

  const tokenizerAt = await locateInFolder(folder, spec.tokenizer);
  const tokenizerFile = tokenizerAt.file;
  let tokenizer: (PieceTokenizer & { vocabSize: number }) | undefined;
  if ('problem' in tokenizerAt) {
    report.problems.push(
      tokenizerAt.problem === 'missing'
        ? `${tokenizerFile}: missing (prm.json "tokenizer" names it; ` +
            "export it with the model's tokenizer.save_pretrained)"
        : `${tokenizerFile}: ${folderFileProblem(tokenizerAt.problem)}`,
    );
  } else {
    try {
      tokenizer = await loadTokenizer(tokenizerFile);
    } catch (err) {
      // A parse error would quote the file's first characters: the file is not what it claims, say no more. The
      // tokenizer library's own parse errors are not SyntaxErrors, so a failed load checks the JSON itself.
      let why = err instanceof SyntaxError ? notJson(err) : errorMessage(err);
      if (!(err instanceof SyntaxError) && !(await isJsonFile(tokenizerFile))) why = notJson(undefined);
      report.problems.push(`${tokenizerFile}: not a Hugging Face tokenizer.json: ${why}`);
    }
  }
  let needTokens: number[] = [];
  if (tokenizer) {
    try {
      const tokens = await resolveSpecTokens(spec, tokenizer, tokenizer.vocabSize);
      needTokens = [tokens.positive, tokens.negative].filter((t): t is number => t !== undefined);
      report.problems.push(...(await layoutProblems(folder, spec, tokens)));
    } catch (err) {
      report.problems.push(`${path.join(folder, 'prm.json')}: ${errorMessage(err)} (in ${tokenizerFile})`);
    }
  }

  const graphs: [string, string][] = [['model', spec.model]];
  if (spec.referenceModel) graphs.push(['referenceModel', spec.referenceModel]);
  for (const [field, relative] of graphs) {
    const graph = await locateInFolder(folder, relative);
    const { file } = graph;
    if ('problem' in graph) {
      const why = graph.problem === 'missing' ? 'missing' : folderFileProblem(graph.problem);
      report.problems.push(`${file}: ${why} (prm.json "${field}" names it)`);
      continue;
    }
    let info;
    try {
      info = readOnnxFile(file);
    } catch (err) {
      report.problems.push(errorMessage(err));
      continue;
    }
    for (const ext of info.external) {
      const data = await locateInFolder(folder, path.join(path.dirname(relative), ext.location));
      const dataFile = data.file;
      if ('problem' in data) {
        const why = data.problem === 'missing' ? 'missing' : folderFileProblem(data.problem);
        report.problems.push(`${dataFile}: ${why} (${path.basename(file)} keeps its weights there)`);
      } else if (data.size < ext.needs) {
        const reads = `${path.basename(file)} reads up to byte ${ext.needs}`;
        report.problems.push(`${dataFile}: ${data.size} bytes, but ${reads} (incomplete download?)`);
      }
    }
    report.problems.push(...planFeeds(spec, info, file, needTokens).problems);
  }
  return report;
}

async function isJsonFile(file: string): Promise<boolean> {
  try {
    JSON.parse(await readFile(file, 'utf8'));
    return true;
  } catch {
    return false;
  }
}
