import * as vscode from 'vscode';
import { adoptCacheFolder } from '../core/critics/cacheFolder';
import {
  CacheSummary,
  cacheSummary,
  DAY_MS,
  formatBytes,
  pruneCache,
  PruneRules,
} from '../core/critics/cacheMaintenance';
import { errorMessage } from '../core/util/errors';
import { criticCacheDir } from './criticPool';

/** What Clear Cache removes: every entry, the entries of one critic, or those not used for some days. */
type ClearChoice = { all: true } | { critic: string } | { olderThanDays: number };

/** The command's argument, for tests and keybindings: "all", {critic: "id"} or {olderThanDays: n}. */
function choiceOf(arg: unknown): ClearChoice | undefined {
  if (arg === 'all') return { all: true };
  if (typeof arg !== 'object' || arg === null) return undefined;
  const { critic, olderThanDays } = arg as Record<string, unknown>;
  if (typeof critic === 'string') return { critic };
  if (typeof olderThanDays === 'number' && olderThanDays >= 0) return { olderThanDays };
  return undefined;
}

function rulesOf(choice: ClearChoice): PruneRules {
  if ('all' in choice) return { all: true };
  if ('critic' in choice) return { critics: [choice.critic] };
  return { usedBefore: Date.now() - choice.olderThanDays * DAY_MS };
}

const results = (n: number) => `${n} cached result${n === 1 ? '' : 's'}`;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The quick picks: all, one critic (from the summary, with its share), or an age. */
async function pick(summary: CacheSummary): Promise<ClearChoice | undefined> {
  const title = `PRM Lens: clear the result cache (${results(summary.entries)}, ${formatBytes(summary.bytes)})`;
  const named = summary.critics.filter((c): c is typeof c & { id: string } => c.id !== null);
  const kinds = [
    { label: '$(trash) All cached results', choice: 'all' as const },
    {
      label: '$(person) The results of one critic…',
      description: `${named.length} critics`,
      choice: 'critic' as const,
    },
    { label: '$(history) Results not used for some days…', choice: 'age' as const },
  ];
  const kind = (await vscode.window.showQuickPick(kinds, { title }))?.choice;
  if (kind === 'all') return { all: true };
  if (kind === 'critic') {
    const items = named.map((c) => ({
      label: c.id,
      description: `${c.type ?? ''} · ${results(c.entries)} · ${formatBytes(c.bytes)} · last used ${day(c.lastUsed)}`,
    }));
    const critic = (await vscode.window.showQuickPick(items, { title, placeHolder: 'Whose results?' }))?.label;
    return critic === undefined ? undefined : { critic };
  }
  if (kind === 'age') {
    const days = await vscode.window.showInputBox({
      title,
      prompt: 'Remove the cached results not used for this many days',
      value: '30',
      validateInput: (v) => (v.trim() !== '' && Number(v) >= 0 ? undefined : 'A number of days, 0 or more'),
    });
    return days === undefined ? undefined : { olderThanDays: Number(days) };
  }
  return undefined;
}

/**
 * "PRM Lens: Clear Cache": removes all of the result cache, one critic's results, or those not used for some days,
 * through the same core functions (and the same refusal of a folder that is not PRM Lens's) as `prm-lens cache
 * prune` and `clear-cache`. Resolves to true when it removed what was chosen.
 */
export function registerCacheCommands(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
): vscode.Disposable {
  return vscode.commands.registerCommand('prmLens.clearCache', async (arg?: unknown) => {
    const dir = criticCacheDir(context);
    if (!dir) {
      void vscode.window.showInformationMessage('PRM Lens: this window keeps no result cache.');
      return false;
    }
    try {
      await adoptCacheFolder(dir);
      const summary = await cacheSummary(dir);
      if (arg === undefined && summary.entries === 0) {
        void vscode.window.showInformationMessage('PRM Lens: the result cache is empty.');
        return false;
      }
      const choice = choiceOf(arg) ?? (await pick(summary));
      if (!choice) return false;
      const report = await pruneCache(dir, rulesOf(choice));
      const removed = report?.removed ?? 0;
      const freed = formatBytes(report?.freedBytes ?? 0);
      log.info(`result cache ${dir}: removed ${removed} entries (${freed}); ${JSON.stringify(choice)}`);
      void vscode.window.showInformationMessage(`PRM Lens: removed ${results(removed)} (${freed}).`);
      return true;
    } catch (err) {
      log.error(`result cache ${dir}: ${errorMessage(err)}`);
      void vscode.window.showErrorMessage(`PRM Lens: the result cache was not cleared: ${errorMessage(err)}`);
      return false;
    }
  });
}
