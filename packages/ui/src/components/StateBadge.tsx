import type { StateType } from "../api/types.ts";

/** A state as a coloured pill (`SUCCESS`, `FAILED`…); the colour comes from `--state-<name>`. */
export function StateBadge({ state }: { state: StateType | string | undefined }) {
  if (!state) return null;
  return (
    <span className={`state state-${state.toLowerCase()}`} data-state={state}>
      {state}
    </span>
  );
}
