// requires.ts — explicit gating for tests that need root or a kernel feature.
// A skipped privileged test must never look like a pass: under CI=true (CI runs as root) a missing
// requirement throws at collection time so the run goes red; elsewhere the skip is printed with its reason.
export const isRoot = process.getuid?.() === 0;

/**
 * Returns true when the suite must be skipped, for `describe.skipIf(skipUnless(...))`.
 * @param what   what the suite proves, for the message
 * @param needs  requirement name → whether it is met, e.g. `{ root: isRoot }`
 */
export function skipUnless(what: string, needs: Record<string, boolean>): boolean {
  const missing = Object.entries(needs)
    .filter(([, met]) => !met)
    .map(([name]) => name);
  if (missing.length === 0) return false;
  const reason = `${what}: needs ${missing.join(', ')}`;
  if (process.env.CI === 'true') throw new Error(`${reason} — CI must run these tests (run as root)`);
  console.warn(`skipped ${reason}`);
  return true;
}
