import path from 'node:path';
import { validateAgainstTorch, validateStories260kImport } from './validate-import';
import { validateGenaiExport, validateStories260k } from './validate-stories260k';

/**
 * `npm run validate:models [path/to/shared/models]`: the validations on real models from ../shared/models (each
 * skipped with a message when its files are absent) and the import's comparison with PyTorch (skipped without torch).
 * Every part runs and reports even when an earlier one fails.
 */
const models = path.resolve(process.argv[2] ?? path.join(__dirname, '..', '..', '..', 'shared', 'models'));
(async () => {
  const oks = [
    await validateStories260k(path.join(models, 'stories260k')),
    await validateGenaiExport(path.join(models, 'tiny-random-llama')),
    await validateStories260kImport(path.join(models, 'stories260k')),
    (await validateAgainstTorch()).ok,
  ];
  return oks.every(Boolean);
})().then(
  (ok) => process.exit(ok ? 0 : 1),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
