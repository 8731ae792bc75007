import * as vscode from 'vscode';
import { errorMessage } from '../core/util/errors';
import { registerAddCritic } from './addCritic';
import { AnalysisSnapshot, AnalysisStore } from './analysisStore';
import { registerCacheCommands } from './cacheCommands';
import { registerCommands } from './commands';
import { registerRemoteCriticCommands } from './compare';
import { Config } from './config';
import { CriticPool } from './criticPool';
import { StepHoverProvider } from './hover';
import { LiveSettings } from './liveSettings';
import { registerLocalModels } from './localModels';
import type { CriticProvider, ShowInspector } from './ports';
import { AnalysisRenderer, MarksSnapshot } from './renderer';
import { AnalysisDocumentProvider, COMPARISON, REPORT } from './report';
import { RunScheduler } from './scheduler';
import { DocumentScorer } from './scorer';
import { Segmentations } from './segmentations';
import { registerTraceNavigation } from './traceNavigation';
import { itemSegmentation } from './webviews/datasets';
import { registerWebviews } from './webviews';
import type { InspectorSnapshot } from './webviews/inspectorPanel';

const SOLUTION_LANGUAGES: vscode.DocumentSelector = [{ language: 'markdown' }, { language: 'plaintext' }];

/** The API returned by `activate()`, for tests and other extensions. */
export interface PrmLensApi {
  getAnalysis(uri: string): AnalysisSnapshot | undefined;
  /** How the editor marks a scored document's first error (severity, gutter icon). */
  getMarks(uri: string): MarksSnapshot | undefined;
  /** The open step inspector: the document it shows and its tab's icon. */
  getInspector(): InspectorSnapshot | undefined;
  /** The extension's workspace-state keys and how many entries each holds (nothing may grow per dataset item). */
  getWorkspaceStateSizes(): Record<string, number>;
}

/** Wires the parts together: every dependency is passed from here, none is reached through a module global. */
export function activate(context: vscode.ExtensionContext): PrmLensApi {
  const log = vscode.window.createOutputChannel('PRM Lens', { log: true });
  const config = new Config(log);
  const settings = new LiveSettings(config);
  const pool = new CriticPool(context, () => settings.current, log);
  const critics: CriticProvider = { getCritics: (ids) => pool.get(settings.current.critics, ids) };
  const store = new AnalysisStore();
  const scheduler = new RunScheduler();
  // Made before anything else listens to the store, so diagnostics are in place when other listeners run.
  const renderer = new AnalysisRenderer(context.extensionUri, store, scheduler, settings);
  const segmentations = new Segmentations(context.workspaceState, settings, itemSegmentation);
  void segmentations.pruneStored().catch((err: unknown) => log.warn(`segmentation choices: ${errorMessage(err)}`));
  const scorer = new DocumentScorer({ store, scheduler, critics, segmentations, settings, log });
  context.subscriptions.push(
    log,
    config,
    settings,
    pool,
    store,
    { dispose: () => scheduler.dispose() },
    renderer,
    scorer,
  );

  const webviews = registerWebviews({ context, log, analyses: store, scorer, critics, settings });
  const showInspector: ShowInspector = (uri, column) => webviews.inspector.show(uri, column);
  // The markdown forms of an analysis: the details report and the critics' comparison.
  for (const kind of [REPORT, COMPARISON]) {
    const provider = new AnalysisDocumentProvider(store, kind);
    context.subscriptions.push(provider, vscode.workspace.registerTextDocumentContentProvider(kind.scheme, provider));
  }
  context.subscriptions.push(
    ...webviews.disposables,
    vscode.languages.registerHoverProvider(SOLUTION_LANGUAGES, new StepHoverProvider(store)),
    ...registerCommands({ scorer, analyses: store, segmentations, showInspector }),
    ...registerTraceNavigation(store, segmentations),
    ...registerRemoteCriticCommands(context, { scorer, showInspector, settings, log }),
    registerCacheCommands(context, log),
    registerAddCritic(config, log),
    ...registerLocalModels(config, log),
  );
  return {
    getAnalysis: (uri) => store.snapshot(uri),
    getMarks: (uri) => renderer.snapshot(uri),
    getInspector: () => webviews.inspector.snapshot(),
    getWorkspaceStateSizes: () => {
      const state = context.workspaceState;
      return Object.fromEntries(state.keys().map((key) => [key, entryCount(state.get(key))]));
    },
  };
}

function entryCount(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  return typeof value === 'object' && value !== null ? Object.keys(value).length : 1;
}
