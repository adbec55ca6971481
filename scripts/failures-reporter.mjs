// failures-reporter.mjs — a vitest reporter (beside the default one) that writes what failed in a package's
// run to .test-failures/ at the repository root, one file per package: one line per failed test, per test file
// or suite that failed outside its tests (an import, a hook), and per error that escaped every test (an
// unhandled rejection, a worker that died) — the last kind fails the run although every test passed, and
// vitest's JSON report says success. Each line starts with the package's directory. scripts/test.mjs prints
// these lines at the end of a red `pnpm test`. A green run leaves no file.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const FAILURES_DIR = path.join(repoRoot, '.test-failures');

/** The first non-empty line of an error message, cut to fit one line of a log. */
const firstLine = (error) => String(error?.message ?? error ?? '').split('\n').find((l) => l.trim() !== '')?.trim().slice(0, 200) ?? '';

export default class FailuresReporter {
  onInit(vitest) {
    this.root = vitest.config.root;
    this.pkg = path.relative(repoRoot, this.root) || '.';
    this.file = path.join(FAILURES_DIR, `${this.pkg.replaceAll('/', '-')}.txt`);
    rmSync(this.file, { force: true });
  }

  onTestRunEnd(testModules, unhandledErrors) {
    const lines = [];
    for (const mod of testModules) {
      const where = path.relative(this.root, mod.moduleId);
      // errors() of a module or suite: what threw outside its tests (an import, a beforeAll or afterAll hook)
      for (const suite of [mod, ...mod.children.allSuites()]) {
        const name = suite === mod ? where : `${where} > ${suite.fullName}`;
        for (const error of suite.errors()) lines.push(`${name}: ${firstLine(error)}`);
      }
      for (const test of mod.children.allTests('failed')) lines.push(`${where} > ${test.fullName}: ${firstLine(test.result().errors?.[0])}`);
    }
    for (const error of unhandledErrors) lines.push(`unhandled ${error.name ?? 'error'}: ${firstLine(error)}`);
    if (lines.length === 0) return;
    mkdirSync(FAILURES_DIR, { recursive: true });
    writeFileSync(this.file, lines.map((l) => `${this.pkg}: ${l}\n`).join(''));
  }
}
