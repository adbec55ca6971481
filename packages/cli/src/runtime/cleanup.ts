// cleanup.ts — a LIFO stack of undo steps. Every resource the runtime creates pushes its release here the
// moment it exists, so one `run()` of the stack releases exactly what was made, on success, error and signal
// paths alike. Failures of later steps never stop earlier ones from running and never replace the original
// error: they are collected and reported beside it (youki's paired create/cleanup error).
export class Cleanup {
  private readonly steps: { what: string; undo: () => void | Promise<void> }[] = [];

  push(what: string, undo: () => void | Promise<void>): void {
    this.steps.push({ what, undo });
  }

  /** Runs every step, newest first; returns the errors of the steps that failed. */
  async run(): Promise<Error[]> {
    const errors: Error[] = [];
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      try {
        await step.undo();
      } catch (err) {
        errors.push(new Error(`cleanup of ${step.what} failed: ${(err as Error).message}`, { cause: err }));
      }
    }
    return errors;
  }
}
