// A reporter for `node --test` that counts leaf tests (a test with subtests is not counted itself; a file that
// fails to load counts as one failure) and writes {passed, failed, skipped, failures} as JSON at the end.
//   node --test --test-reporter=spec --test-reporter-destination=stdout \
//        --test-reporter=./test/harness/node-test-counter.mjs --test-reporter-destination=counts.json FILES
export default async function* countingReporter(source) {
  const counts = { passed: 0, failed: 0, skipped: 0, failures: [] };
  const childSeen = new Map(); // file -> array indexed by nesting: a test at that nesting finished since its parent
  const failSeen = new Map(); // file -> array indexed by nesting: a failure counted below that nesting
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { data } = event;
    const key = data.file ?? '';
    const seen = childSeen.get(key) ?? [];
    const fails = failSeen.get(key) ?? [];
    childSeen.set(key, seen);
    failSeen.set(key, fails);
    const n = data.nesting ?? 0;
    const hadChildren = Boolean(seen[n + 1]);
    const childFailed = Boolean(fails[n + 1]);
    seen[n + 1] = false;
    fails[n + 1] = false;
    seen[n] = true;
    const isLeaf = !hadChildren && data.details?.type !== 'suite';
    let failedHere = false;
    if (isLeaf) {
      if (data.skip || data.todo) counts.skipped++;
      else if (event.type === 'test:pass') counts.passed++;
      else failedHere = true;
    } else if (event.type === 'test:fail' && !childFailed) {
      failedHere = true; // a suite or parent that failed by itself (a hook, say) with no failed child
    }
    if (failedHere) {
      counts.failed++;
      counts.failures.push(`${data.name}${data.file ? ` (${data.file})` : ''}`);
    }
    if (failedHere || childFailed) fails[n] = true;
  }
  yield `${JSON.stringify(counts)}\n`;
}
