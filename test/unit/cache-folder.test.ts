import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DirectoryStore, type EntryCritic } from '../../src/core/critics/cache';
import { CACHE_MARKER, checkCacheFolder, NotACacheFolderError } from '../../src/core/critics/cacheFolder';
import {
  BackgroundPruner,
  cacheSummary,
  clearCache,
  limitRules,
  pruneCache,
  type PruneReport,
} from '../../src/core/critics/cacheMaintenance';
import type { CriticResult } from '../../src/core/critics/types';

const root = path.resolve(__dirname, '..', '..', '..');
const DAY = 24 * 60 * 60 * 1000;

const result = (n = 1): CriticResult => ({
  criticId: 'c',
  steps: Array.from({ length: n }, () => ({ score: 0.9, verdict: 'correct' as const })),
  firstError: -1,
  timing: { startedAt: 0, durationMs: 1 },
});
const critic = (id: string, identity = `${id}-identity`): EntryCritic => ({ id, type: 'chat-prm', identity });
const key = (i: number) =>
  i
    .toString(16)
    .padStart(64, '0')
    .replace(/^00/, ['ab', 'cd', 'ef'][i % 3]);

/** Every name under a folder (links not followed), with the sizes of files: what must stay as it was. */
function snapshot(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .map(
      (e) => `${e.name}${e.isFile() ? `:${fs.lstatSync(path.join(dir, e.name)).size}` : e.isDirectory() ? '/' : '@'}`,
    )
    .sort();
}

/**
 * Every function that writes, renames or removes anything on disk fails the test if called: a refusal must come
 * before any write. Reads stay real.
 */
function forbidWrites(t: TestContext): string[] {
  const attempts: string[] = [];
  const promiseWrites = [
    'unlink',
    'rm',
    'rmdir',
    'rename',
    'writeFile',
    'appendFile',
    'mkdir',
    'utimes',
    'copyFile',
    'truncate',
  ] as const;
  for (const name of promiseWrites) {
    t.mock.method(fsp, name, async (target: unknown) => {
      attempts.push(`${name} ${String(target)}`);
      throw new Error(`test: ${name} is forbidden`);
    });
  }
  const syncWrites = [
    'unlinkSync',
    'rmSync',
    'rmdirSync',
    'renameSync',
    'writeFileSync',
    'mkdirSync',
    'utimesSync',
  ] as const;
  for (const name of syncWrites) {
    t.mock.method(fs, name, (target: unknown) => {
      attempts.push(`${name} ${String(target)}`);
      throw new Error(`test: ${name} is forbidden`);
    });
  }
  return attempts;
}

describe('cache folders: only a folder PRM Lens created is ever cleared', () => {
  let dir = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prm-lens-cachedir-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('creating the cache folder tags it; an empty one is taken; a non-empty untagged one never is', async () => {
    const fresh = new DirectoryStore(path.join(dir, 'fresh', 'cache'));
    await fresh.set(key(1), result(), critic('a'));
    assert.match(
      fs.readFileSync(path.join(fresh.dir, CACHE_MARKER), 'utf8'),
      /^Signature: 8a477f597d28d172789f06886806bc55\n/,
    );
    assert.equal(await checkCacheFolder(fresh.dir), 'cache');

    fs.mkdirSync(path.join(dir, 'empty'));
    await new DirectoryStore(path.join(dir, 'empty')).set(key(1), result(), critic('a'));
    assert.equal(await checkCacheFolder(path.join(dir, 'empty')), 'cache');

    const project = path.join(dir, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'main.py'), 'print(1)');
    const before = snapshot(project);
    const store = new DirectoryStore(project);
    await assert.rejects(store.set(key(1), result(), critic('a')), NotACacheFolderError);
    await assert.rejects(store.set(key(2), result(), critic('a')), /has no CACHEDIR\.TAG of PRM Lens/);
    assert.deepEqual(snapshot(project), before);
    // The extension's own folder, left untagged by an earlier version, is taken.
    await new DirectoryStore(project, { adopt: true }).set(key(1), result(), critic('a'));
    assert.equal(await checkCacheFolder(project), 'cache');
  });

  const targets: [string, () => string][] = [
    ['the real /', () => '/'],
    ['the real $HOME', () => os.homedir()],
    ['the project root', () => root],
    ['.', () => '.'],
  ];
  for (const [what, target] of targets) {
    test(`${what} and a link to it are refused before anything is written`, async (t) => {
      const link = path.join(dir, `link-${what.replace(/\W+/g, '-')}`);
      fs.symlinkSync(path.resolve(target()), link);
      const before = [snapshot(target()), snapshot(link)];
      const attempts = forbidWrites(t);
      for (const folder of [target(), link]) {
        await assert.rejects(clearCache(folder), NotACacheFolderError, folder);
        await assert.rejects(pruneCache(folder, { all: true }), NotACacheFolderError, folder);
        await assert.rejects(
          pruneCache(folder, limitRules({ maxSizeMB: 0.001, maxAgeDays: 0.001 })),
          NotACacheFolderError,
        );
        await assert.rejects(cacheSummary(folder), NotACacheFolderError);
      }
      await assert.rejects(clearCache(link), /is a symbolic link; PRM Lens never follows one/);
      t.mock.restoreAll();
      assert.deepEqual(attempts, [], 'nothing may be written, renamed or removed');
      assert.deepEqual([snapshot(target()), snapshot(link)], before);
    });
  }

  test('a link to a real cache folder is refused too: links are never followed', async () => {
    const store = new DirectoryStore(path.join(dir, 'linked-cache'));
    await store.set(key(1), result(), critic('a'));
    const link = path.join(dir, 'link-to-cache');
    fs.symlinkSync(store.dir, link);
    await assert.rejects(clearCache(link), /symbolic link/);
    assert.equal((await cacheSummary(store.dir)).entries, 1);
  });

  test("a file, a tag that is not PRM Lens's, a missing folder", async () => {
    fs.writeFileSync(path.join(dir, 'a-file'), 'x');
    await assert.rejects(clearCache(path.join(dir, 'a-file')), /is a file, not a cache folder/);
    const other = path.join(dir, 'other-tool');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, CACHE_MARKER), 'Signature: 8a477f597d28d172789f06886806bc55\n# cargo\n');
    await assert.rejects(clearCache(other), /was not created by PRM Lens/);
    assert.equal(await clearCache(path.join(dir, 'never-made')), undefined);
    assert.equal(fs.existsSync(path.join(dir, 'never-made')), false);
  });

  test("clearing removes only PRM Lens's entries: foreign files, links and their targets, the tag stay", async () => {
    const store = new DirectoryStore(path.join(dir, 'mixed'));
    for (let i = 0; i < 6; i++) await store.set(key(i), result(), critic('a'));
    const outside = path.join(dir, 'outside');
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, `${key(9)}.json`), 'precious');
    fs.writeFileSync(path.join(store.dir, 'notes.txt'), 'mine');
    fs.writeFileSync(path.join(store.dir, 'ab', 'notes.txt'), 'mine too');
    fs.mkdirSync(path.join(store.dir, 'results'));
    fs.symlinkSync(outside, path.join(store.dir, '12')); // a shard-named link
    fs.symlinkSync(path.join(outside, `${key(9)}.json`), path.join(store.dir, 'cd', `cd${key(10).slice(2)}.json`));

    const report = await clearCache(store.dir);
    assert.equal(report?.removed, 6);
    assert.deepEqual(fs.readdirSync(store.dir).sort(), ['12', CACHE_MARKER, 'ab', 'cd', 'notes.txt', 'results'].sort());
    assert.deepEqual(fs.readdirSync(path.join(store.dir, 'ab')), ['notes.txt'], 'a shard with a foreign file stays');
    assert.equal(fs.readdirSync(path.join(store.dir, 'cd')).length, 1, 'the entry-named link stays');
    assert.equal(fs.readFileSync(path.join(outside, `${key(9)}.json`), 'utf8'), 'precious');
    assert.equal(await checkCacheFolder(store.dir), 'cache');
    // The store goes on using the folder.
    await store.set(key(1), result(), critic('a'));
    assert.equal((await cacheSummary(store.dir)).entries, 1);
  });

  test('clearing while a run is still writing: every write lands; clearing again leaves only the tag', async () => {
    const store = new DirectoryStore(path.join(dir, 'racing'));
    for (let round = 0; round < 20; round++) {
      const writes = Array.from({ length: 50 }, (_, i) =>
        store.set(`${(round * 50 + i).toString(16).padStart(4, '0')}${'0'.repeat(60)}`, result(), critic('a')),
      );
      await clearCache(store.dir);
      await Promise.all(writes); // a shard removed under a write is made again
      await clearCache(store.dir);
    }
    assert.deepEqual(fs.readdirSync(store.dir), [CACHE_MARKER]);
  });
});

describe('cache summary and pruning', () => {
  let dir = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prm-lens-prune-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A cache with entries of critics a (3, two configurations), b (2), and one of an earlier version; ages in days. */
  async function filled(name: string, now: number): Promise<DirectoryStore> {
    const store = new DirectoryStore(path.join(dir, name));
    const entries: [number, EntryCritic, number][] = [
      [0, critic('a', 'a1'), 1],
      [1, critic('a', 'a1'), 10],
      [2, critic('a', 'a2'), 40],
      [3, critic('b'), 2],
      [4, critic('b'), 100],
    ];
    for (const [i, c, days] of entries) {
      await store.set(key(i), result(i + 1), c);
      const at = new Date(now - days * DAY);
      fs.utimesSync(path.join(store.dir, key(i).slice(0, 2), `${key(i)}.json`), at, at);
    }
    const legacy = path.join(store.dir, key(5).slice(0, 2), `${key(5)}.json`);
    fs.writeFileSync(legacy, JSON.stringify({ key: key(5), result: result() }));
    fs.utimesSync(legacy, new Date(now - 200 * DAY), new Date(now - 200 * DAY));
    return store;
  }
  const sizeOf = (store: DirectoryStore, i: number) =>
    fs.statSync(path.join(store.dir, key(i).slice(0, 2), `${key(i)}.json`)).size;
  const left = (store: DirectoryStore) =>
    [0, 1, 2, 3, 4, 5].filter((i) => fs.existsSync(path.join(store.dir, key(i).slice(0, 2), `${key(i)}.json`)));

  test('the summary counts entries, bytes and configurations per critic', async () => {
    const now = Date.now();
    const store = await filled('summary', now);
    const summary = await cacheSummary(store.dir);
    assert.equal(summary.entries, 6);
    const byId = Object.fromEntries(summary.critics.map((c) => [String(c.id), c]));
    assert.deepEqual(
      { entries: byId.a.entries, identities: byId.a.identities, type: byId.a.type },
      { entries: 3, identities: 2, type: 'chat-prm' },
    );
    assert.equal(byId.a.bytes, sizeOf(store, 0) + sizeOf(store, 1) + sizeOf(store, 2));
    assert.equal(byId.b.entries, 2);
    assert.equal(byId.null.entries, 1, 'an entry of an earlier version names no critic');
    assert.equal(
      summary.bytes,
      summary.critics.reduce((s, c) => s + c.bytes, 0),
    );
    assert.ok(Math.abs(summary.oldestUse! - (now - 200 * DAY)) < 1000);
    const none = path.join(dir, 'none');
    const empty = { dir: none, exists: false, entries: 0, bytes: 0, oldestUse: null, newestUse: null, critics: [] };
    assert.deepEqual(await cacheSummary(none), empty);
  });

  test('by age, by critic, both, and the least recently used beyond a size', async () => {
    const now = Date.now();
    const byAge = await filled('age', now);
    assert.equal((await pruneCache(byAge.dir, { usedBefore: now - 30 * DAY }, now))?.removed, 3);
    assert.deepEqual(left(byAge), [0, 1, 3]);

    const byCritic = await filled('critic', now);
    await pruneCache(byCritic.dir, { critics: ['a'] }, now);
    assert.deepEqual(left(byCritic), [3, 4, 5]);

    const both = await filled('both', now);
    await pruneCache(both.dir, { critics: ['a', 'b'], usedBefore: now - 5 * DAY }, now);
    assert.deepEqual(left(both), [0, 3, 5]);

    const bySize = await filled('size', now);
    const budget = sizeOf(bySize, 0) + sizeOf(bySize, 3);
    const report = await pruneCache(bySize.dir, { maxBytes: budget }, now);
    assert.deepEqual(left(bySize), [0, 3], 'the most recently used entries that fit stay');
    assert.deepEqual(report, {
      removed: 4,
      freedBytes: report!.freedBytes,
      kept: 2,
      keptBytes: budget,
    } satisfies PruneReport);
  });

  test('a hit marks an entry used, so the entries in use survive the size limit', async () => {
    const now = Date.now();
    const store = await filled('lru', now);
    await store.get(key(4)); // 100 days old, read now
    await pruneCache(store.dir, { maxBytes: sizeOf(store, 4) + sizeOf(store, 0) });
    assert.deepEqual(left(store), [0, 4]);
  });

  test("the settings' limits: 0 is no limit; stale temporary files go, fresh ones stay", async () => {
    const now = Date.now();
    assert.deepEqual(limitRules({ maxSizeMB: 0, maxAgeDays: 0 }, now), { usedBefore: undefined, maxBytes: undefined });
    assert.deepEqual(limitRules({ maxSizeMB: 2, maxAgeDays: 30 }, now), {
      usedBefore: now - 30 * DAY,
      maxBytes: 2 * 1024 * 1024,
    });
    const store = await filled('limits', now);
    const stale = path.join(store.dir, 'ab', `${key(0)}.json.123.0badf00d.tmp`);
    const fresh = path.join(store.dir, 'ab', `${key(0)}.json.124.0badf00d.tmp`);
    fs.writeFileSync(stale, '{');
    fs.writeFileSync(fresh, '{');
    fs.utimesSync(stale, new Date(now - 2 * 3600_000), new Date(now - 2 * 3600_000));
    await pruneCache(store.dir, limitRules({ maxSizeMB: 0, maxAgeDays: 0 }, now), now);
    assert.deepEqual(left(store), [0, 1, 2, 3, 4, 5], 'no limits: no entry goes');
    assert.equal(fs.existsSync(stale), false);
    assert.equal(fs.existsSync(fresh), true);
    await pruneCache(store.dir, limitRules({ maxSizeMB: 0, maxAgeDays: 30 }, now), now);
    assert.deepEqual(left(store), [0, 1, 3]);
  });

  test('background pruning: after the delay, once per interval however many runs', async (t) => {
    const now = Date.now();
    const store = await filled('background', now);
    let clock = now;
    const done: PruneReport[] = [];
    let settled: () => void = () => undefined;
    const pruner = new BackgroundPruner({
      dir: () => store.dir,
      limits: () => ({ maxSizeMB: 0, maxAgeDays: 30 }),
      delayMs: 5,
      intervalMs: 60_000,
      now: () => clock,
      onDone: ({ report, error }) => {
        assert.equal(error, undefined);
        done.push(report!);
        settled();
      },
    });
    const next = () => new Promise<void>((resolve) => (settled = resolve));
    // The pruner's timer does not hold the process open (an editor closing must not wait for it): the test does.
    const alive = setInterval(() => undefined, 1000);
    t.after(() => clearInterval(alive));
    let pruned = next();
    for (let i = 0; i < 5; i++) pruner.afterRun();
    assert.deepEqual(left(store), [0, 1, 2, 3, 4, 5], 'nothing happens at once');
    await pruned;
    assert.equal(done.length, 1);
    assert.deepEqual(left(store), [0, 1, 3]);
    pruner.afterRun();
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(done.length, 1, 'within the interval: no second pruning');
    clock += 61_000;
    pruned = next();
    pruner.afterRun();
    await pruned;
    assert.equal(done.length, 2);
    pruner.dispose();
  });
});
