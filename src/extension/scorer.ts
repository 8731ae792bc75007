import * as vscode from 'vscode';
import { Analysis, analyzeText, CriticFailure, judgeSteps, traceContext } from '../core/analysis/analyze';
import { CancelledError, Critic, CriticResult } from '../core/critics/types';
import { errorMessage } from '../core/util/errors';
import type { AnalysisStore } from './analysisStore';
import type { CriticProvider, Scorer, ScoreOptions, SettingsSource } from './ports';
import type { RunScheduler, ScheduledRun } from './scheduler';
import type { Segmentations } from './segmentations';

/** Scoring shows a cancellable notification only when it takes longer than this (the checker never does). */
const PROGRESS_NOTIFICATION_DELAY_MS = 800;

export interface ScorerDeps {
  store: AnalysisStore;
  scheduler: RunScheduler;
  critics: CriticProvider;
  segmentations: Segmentations;
  settings: SettingsSource;
  log: vscode.LogOutputChannel;
}

/**
 * Runs critics on documents and puts the analyses in the store: on request, after a pause in editing, and again
 * when the settings change. Drawing them is the renderer's job; when runs start and stop is the scheduler's.
 */
export class DocumentScorer implements Scorer, vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[];
  private reportedSettingErrors = '';

  constructor(private readonly deps: ScorerDeps) {
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((e) => e.contentChanges.length > 0 && this.onEdit(e.document)),
      vscode.workspace.onDidCloseTextDocument((doc) => this.clear(doc.uri)),
      deps.settings.onDidChange(() => this.onSettingsChanged()),
    ];
  }

  async score(doc: vscode.TextDocument, options: ScoreOptions = {}): Promise<Analysis | undefined> {
    const { store, scheduler, settings } = this.deps;
    store.follow(doc.uri, options.criticIds);
    const run = scheduler.start(doc.uri.toString(), options.signal);
    const version = doc.version;
    let analysis: Analysis | undefined;
    try {
      this.reportSettingErrors();
      const built = await this.deps.critics.getCritics(options.criticIds ?? settings.current.activeCritics);
      const done = options.onCriticDone;
      const critics = done ? built.map((c) => reportingDone(c, done)) : built;
      const segmentation = this.deps.segmentations.for(doc.uri);
      const work = analyzeText(doc.getText(), segmentation, critics, run.signal, { keepFinished: true });
      analysis = await (options.signal ? work : this.withDelayedProgress(work, run)).catch((err: unknown) => {
        if (err instanceof CancelledError) return undefined;
        throw err;
      });
    } finally {
      run.finish();
    }
    if (!analysis || !run.isCurrent() || doc.version !== version) return undefined;

    for (const f of analysis.failures) this.logFailure(doc, f);
    const steps = analysis.segmentation.steps.length;
    for (const r of analysis.results) {
      const ms = Math.round(r.timing.durationMs);
      this.deps.log.info(`${doc.uri.fsPath}: ${r.criticId} scored ${steps} steps in ${ms} ms`);
    }
    store.set(doc.uri, version, analysis);
    // A caller with its own cancel button (Compare Critics) reports the cancellation itself.
    if (analysis.cancelled && !options.signal) {
      void vscode.window.showInformationMessage(cancelledMessage('scoring', analysis));
    }
    return analysis;
  }

  /**
   * Re-runs one critic on the document's current steps and replaces its result (or adds it), keeping the other
   * critics' results; scores the whole document when it has no current analysis. Resolves to undefined when the
   * document changed meanwhile.
   */
  async rescoreCritic(doc: vscode.TextDocument, criticId: string): Promise<Analysis | undefined> {
    const { store, scheduler } = this.deps;
    const current = store.current(doc.uri);
    if (!current || current.version !== doc.version || scheduler.isRunning(doc.uri.toString())) return this.score(doc);
    const { analysis, version } = current;
    const critics = await this.deps.critics.getCritics([criticId]);
    const steps = analysis.segmentation.steps.map((s) => s.text);
    // The trace's sections and thinking steps, as the whole-document run gave them (analyzeText).
    const shape = traceContext(analysis.trace, analysis.segmentation.steps);
    const { results, failures } = await judgeSteps(critics, analysis.document.problem, steps, undefined, shape);
    if (store.analysis(doc.uri) !== analysis || doc.version !== version) return undefined;
    const merged = withCriticResult(analysis, criticId, results[0], failures);
    for (const f of failures) this.logFailure(doc, f);
    store.set(doc.uri, version, merged);
    return merged;
  }

  clear(uri: vscode.Uri): void {
    this.deps.scheduler.cancel(uri.toString());
    this.deps.store.forget(uri);
  }

  private onEdit(doc: vscode.TextDocument): void {
    const { store, scheduler, settings } = this.deps;
    if (!store.isFollowed(doc.uri)) return;
    // Marks of an older version point at the wrong text: remove them now, re-score after a pause.
    const key = doc.uri.toString();
    scheduler.cancel(key);
    store.invalidate(doc.uri);
    if (!settings.current.autoRescore) return;
    const criticIds = store.criticIds(doc.uri);
    scheduler.debounce(key, settings.current.rescoreDelayMs, () => {
      this.score(doc, { criticIds }).catch((err: unknown) => {
        this.deps.log.error(`re-scoring ${doc.uri.fsPath}: ${errorMessage(err)}`);
      });
    });
  }

  private onSettingsChanged(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      const uri = editor.document.uri;
      if (!this.deps.store.analysis(uri)) continue;
      const criticIds = this.deps.store.criticIds(uri);
      this.score(editor.document, { criticIds }).catch((err: unknown) => this.deps.log.error(errorMessage(err)));
    }
  }

  private logFailure(doc: vscode.TextDocument, f: CriticFailure): void {
    if (f.cancelled) this.deps.log.info(`${doc.uri.fsPath}: critic ${f.criticId} was cancelled before it finished`);
    else this.deps.log.error(`${doc.uri.fsPath}: critic ${f.criticId} failed: ${f.message}`);
  }

  private reportSettingErrors(): void {
    const { criticErrors } = this.deps.settings.current;
    const errors = criticErrors.join('\n');
    if (errors && errors !== this.reportedSettingErrors) {
      this.deps.log.warn(errors);
      void vscode.window.showWarningMessage(`PRM Lens: ignoring invalid critics in settings. ${criticErrors[0]}`);
    }
    this.reportedSettingErrors = errors;
  }

  private withDelayedProgress<T>(work: Promise<T>, run: ScheduledRun): Promise<T> {
    const timer = setTimeout(() => {
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'PRM Lens: scoring steps', cancellable: true },
        (_progress, token) => {
          token.onCancellationRequested(() => run.cancel());
          return work.catch(() => undefined);
        },
      );
    }, PROGRESS_NOTIFICATION_DELAY_MS);
    return work.finally(() => clearTimeout(timer));
  }

  dispose(): void {
    this.subscriptions.forEach((d) => d.dispose());
  }
}

/** The critic, calling `done` with its id when its scoring settles (for progress). */
function reportingDone(critic: Critic, done: (criticId: string) => void): Critic {
  const score: Critic['score'] = (input) => critic.score(input).finally(() => done(critic.id));
  return { id: critic.id, type: critic.type, label: critic.label, score };
}

/** The analysis with one critic's result and failures replaced (a new critic's result goes last). */
function withCriticResult(
  analysis: Analysis,
  criticId: string,
  result: CriticResult | undefined,
  failures: CriticFailure[],
): Analysis {
  const merged = analysis.results.filter((r) => r.criticId !== criticId);
  const at = analysis.results.findIndex((r) => r.criticId === criticId);
  if (result) merged.splice(at < 0 ? merged.length : at, 0, result);
  const otherFailures = analysis.failures.filter((f) => f.criticId !== criticId);
  return { ...analysis, results: merged, failures: [...otherFailures, ...failures] };
}

/** "PRM Lens: scoring cancelled. Showing checker; not finished: judge." */
export function cancelledMessage(what: string, analysis: Analysis): string {
  const finished = analysis.results.map((r) => r.criticId).join(', ');
  const unfinished = analysis.failures
    .filter((f) => f.cancelled)
    .map((f) => f.criticId)
    .join(', ');
  return `PRM Lens: ${what} cancelled. Showing ${finished}${unfinished ? `; not finished: ${unfinished}` : ''}.`;
}
