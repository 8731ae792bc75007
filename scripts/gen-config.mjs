// Writes package.json's settings (contributes.configuration and the settings an untrusted workspace cannot set)
// from the tables in src/core/config. A unit test fails while the committed package.json differs.
import * as esbuild from 'esbuild';
import { readFile, writeFile } from 'node:fs/promises';

const { outputFiles } = await esbuild.build({
  entryPoints: ['src/core/config/contribution.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  write: false,
  logLevel: 'warning',
});
const { configurationContribution, restrictedConfigurations } = await import(
  `data:text/javascript;base64,${Buffer.from(outputFiles[0].text).toString('base64')}`
);

const file = new URL('../package.json', import.meta.url);
const before = await readFile(file, 'utf8');
const pkg = JSON.parse(before);
pkg.contributes.configuration = configurationContribution();
pkg.capabilities.untrustedWorkspaces.restrictedConfigurations = restrictedConfigurations();
const after = `${JSON.stringify(pkg, null, 2)}\n`;
if (after === before) {
  console.log('package.json: settings already up to date');
} else {
  await writeFile(file, after);
  console.log('package.json: settings written from src/core/config');
}
