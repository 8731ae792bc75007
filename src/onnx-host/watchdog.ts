import { Worker } from 'node:worker_threads';

/** How often the watchdog looks for the parent: the longest a host outlives it. */
const CHECK_MS = 500;

/**
 * The watchdog's thread. A parent that died leaves this process to another (POSIX reparents it, so `ppid` changes);
 * on Windows `ppid` stays, and a signal 0 to the old parent fails instead. SIGKILL ends the whole process from this
 * thread: the main thread may be inside a forward pass that no JS can interrupt.
 */
const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const { parent, checkMs } = workerData;
const gone = () => {
  if (process.ppid !== parent) return true;
  try {
    process.kill(parent, 0);
    return false;
  } catch (err) {
    return err.code === 'ESRCH';
  }
};
setInterval(() => {
  if (gone()) process.kill(process.pid, 'SIGKILL');
}, checkMs);
`;

/**
 * Ends this process within CHECK_MS of its parent's death. The IPC 'disconnect' event does that while the event
 * loop turns, but onnxruntime's run() is synchronous and holds the main thread for a whole forward pass (minutes
 * on a long input), so the check runs on a thread of its own.
 */
export function exitWithParent(): void {
  const worker = new Worker(WATCHDOG, { eval: true, workerData: { parent: process.ppid, checkMs: CHECK_MS } });
  // The host's life is its IPC channel's; the watchdog never keeps it running.
  worker.unref();
}
