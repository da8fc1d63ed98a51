/**
 * What `gt up` undoes on the way out, last started first. Each step is named, so a shutdown
 * that overruns GT_SHUTDOWN_DEADLINE_MS says which step it was at; a step that fails is logged
 * and the next one still runs.
 */
export class ShutdownSteps {
  private readonly steps: { name: string; run: () => Promise<void> | void }[] = [];
  private current = 'not stopping';

  add(name: string, run: () => Promise<void> | void): void {
    this.steps.push({ name, run });
  }

  /** The step running now (`stopped` once all ran). */
  get at(): string {
    return this.current;
  }

  async runAll(onError: (err: unknown, step: string) => void): Promise<void> {
    for (const step of this.steps.reverse().splice(0)) {
      this.current = step.name;
      try {
        await step.run();
      } catch (err) {
        onError(err, step.name);
      }
    }
    this.current = 'stopped';
  }
}
