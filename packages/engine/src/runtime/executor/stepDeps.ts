/**
 * What one step's transition reaches (`ExecutorDeps`): the instance's renders, the secret guard,
 * the clock and ids. One object per step, its calls on its prototype (a step makes none of most).
 */
import type { ExecutorDeps } from "../../executor/transition.ts";
import type { VariableSources } from "../../executor/variables.ts";
import type { Execution } from "../../model/execution.ts";
import type { Flow } from "../../model/flow.ts";
import { friendlyId } from "../../model/ids.ts";
import type { SecretMasker } from "../../secrets/masker.ts";
import type { RoleContext } from "../roleContext.ts";

export class StepDeps implements ExecutorDeps {
  /** The execution's masker, built when the step first seals a value. */
  private masker: SecretMasker | undefined;

  /** `running`: the flow's RUNNING and PAUSED executions but this one, read before the step when it has a concurrency limit. */
  constructor(
    private readonly ctx: RoleContext,
    private readonly execution: Execution,
    private readonly flow: Flow,
    private readonly running: number,
  ) {}

  now(): Date {
    return new Date();
  }

  newId(): string {
    return friendlyId();
  }

  // variables a flowable built itself (a Subflow's child execution) may hold sealed values too
  render(template: string, variables: Record<string, unknown>, typed: boolean): Promise<unknown> {
    const { renderer, renders, secretGuard } = this.ctx;
    return renderer.render(template, secretGuard.reveal(variables), typed, renders.executorServices(this.execution));
  }

  renderValue(value: unknown, variables: Record<string, unknown>): Promise<unknown> {
    const { renderer, renders, secretGuard } = this.ctx;
    return renderer.renderValue(value, secretGuard.reveal(variables), renders.executorServices(this.execution));
  }

  variables(sources: VariableSources, decrypt: boolean): Record<string, unknown> {
    return this.ctx.renders.variables(sources, decrypt);
  }

  countRunning(): number {
    return this.running;
  }

  seal<T>(value: T): T {
    const { secretGuard } = this.ctx;
    return secretGuard.seal(value, (this.masker ??= secretGuard.executionMasker(this.flow, this.execution)));
  }
}
