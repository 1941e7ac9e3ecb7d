/**
 * Resolving a flow's inputs for a new execution: values or defaults, `dependsOn` (inputs enabled
 * by other inputs and a condition), parsing by type, constraints. Every problem is reported at
 * once, as Kestra does.
 */
import { SakerError, errorMessage } from "@saker/sdk";
import { inputLeaves, type InputDefinition } from "./flow.ts";
import { isDataLimitError, parseJsonData } from "./dataLimits.ts";
import { checkConstraints, parseTypedValue, TypedValueError } from "./typedValues.ts";
import { nestDotted } from "./nestDotted.ts";

export interface InputResolution {
  /** Renders a template to its native value, with `inputs` set to the resolved dependencies. */
  renderTyped(template: string, inputs: Record<string, unknown>): Promise<unknown>;
  encrypt?: (plain: string) => string;
  /** Stores an uploaded file for FILE input `id`; returns its `kestra://` URI. */
  storeFile?: (id: string, value: unknown) => Promise<string>;
  /** Checks a FILE input given as a URI (`kestra://`, `nsfile://`); returns the `kestra://` URI to keep. */
  fileUri?: (id: string, uri: string) => Promise<string>;
  /** A required input without a value is left out instead of refused (Flow-triggered executions). */
  allowMissingRequired?: boolean;
}

interface Resolved {
  enabled: boolean;
  value?: unknown;
  error?: string;
}

/** A text holding an expression or a tag, which Kestra renders. */
function isTemplate(value: unknown): value is string {
  return typeof value === "string" && (value.includes("{{") || value.includes("{%"));
}

function display(value: unknown): string {
  return value === null || value === undefined ? "null" : typeof value === "string" ? value : JSON.stringify(value);
}

/** Parsed inputs (nested by dots) or a SakerError listing every invalid input. */
export async function resolveInputs(
  definitions: readonly InputDefinition[] | undefined,
  provided: Record<string, unknown>,
  resolution: InputResolution,
): Promise<Record<string, unknown>> {
  const results = await resolveAll(definitions, provided, resolution);
  const errors = [...results.values()].filter((r) => r.error).map((r) => r.error!);
  if (errors.length) throw new SakerError("INPUT_INVALID", errors.join("; "), { details: { errors } });
  const flat: Record<string, unknown> = {};
  for (const [id, r] of results) if (r.enabled && r.value !== undefined) flat[id] = r.value;
  return nestDotted(flat);
}

/** One input as checked without starting anything (Kestra's `InputAndValue`). */
export interface InputCheck {
  definition: InputDefinition;
  /** The typed value (or the default); absent when disabled or invalid. */
  value?: unknown;
  enabled: boolean;
  errors: string[];
}

/** Every input resolved as `resolveInputs` does, each with its problems instead of one error for all. */
export async function checkInputs(
  definitions: readonly InputDefinition[] | undefined,
  provided: Record<string, unknown>,
  resolution: InputResolution,
): Promise<InputCheck[]> {
  const results = await resolveAll(definitions, provided, resolution);
  return inputLeaves(definitions).map((definition) => {
    const r = results.get(definition.id)!;
    return {
      definition,
      ...(r.value !== undefined && !r.error ? { value: r.value } : {}),
      enabled: r.enabled,
      errors: r.error ? [r.error] : [],
    };
  });
}

async function resolveAll(
  definitions: readonly InputDefinition[] | undefined,
  provided: Record<string, unknown>,
  resolution: InputResolution,
): Promise<Map<string, Resolved>> {
  const byId = new Map(inputLeaves(definitions).map((d) => [d.id, d]));
  const given = flattenForms(definitions, provided);
  const results = new Map<string, Resolved>();
  const resolving = new Set<string>();

  const resolveOne = async (id: string): Promise<Resolved> => {
    const done = results.get(id);
    if (done) return done;
    const definition = byId.get(id)!;
    if (resolving.has(id))
      return { enabled: false, error: `Invalid input for \`${id}\`, circular dependency, but received \`null\`` };
    resolving.add(id);
    const result = await resolveDefinition(definition, given[id], resolution, resolveOne);
    results.set(id, result);
    return result;
  };

  for (const id of byId.keys()) await resolveOne(id);
  return results;
}

async function resolveDefinition(
  definition: InputDefinition,
  given: unknown,
  resolution: InputResolution,
  resolveOne: (id: string) => Promise<Resolved>,
): Promise<Resolved> {
  const id = definition.id;
  const dependencies: Record<string, unknown> = {};
  let enabled = true;
  for (const dep of definition.dependsOn?.inputs ?? []) {
    const r = await resolveOne(dep);
    enabled &&= r.enabled;
    if (r.value !== undefined) dependencies[dep] = r.value;
  }
  if (enabled && definition.dependsOn?.condition) {
    try {
      enabled = (await resolution.renderTyped(definition.dependsOn.condition, nestDotted(dependencies))) === true;
    } catch (error) {
      return {
        enabled: false,
        error: `Invalid input for \`${id}\`, Invalid condition: ${errorMessage(error)}, but received \`null\``,
      };
    }
  }
  if (!enabled) return { enabled: false };
  // `prefill` only fills forms in: a value that was not given stays missing (null when optional).
  const missing = given === undefined || given === null || (given === "" && definition.type !== "STRING");
  const raw = missing ? definition.defaults : given;
  let rendered: unknown = raw;
  // Kestra renders `defaults` (since 0.24), with the inputs it depends on
  if (missing && isTemplate(raw)) {
    try {
      rendered = await resolution.renderTyped(raw, nestDotted(dependencies));
    } catch (error) {
      return {
        enabled: true,
        error: `Invalid input for \`${id}\`, Invalid defaults: ${errorMessage(error)}, but received \`${display(raw)}\``,
      };
    }
  }
  const value = rendered;
  if (value === undefined || value === null) {
    // Kestra keeps an enabled optional input without a value in `inputs` as null, so
    // `{{ inputs.x }}` renders "" instead of failing as an unknown variable.
    if (definition.required === false) return { enabled: true, value: null };
    if (resolution.allowMissingRequired) return { enabled: true };
    return { enabled: true, error: `Invalid input for \`${id}\`, missing required input, but received \`null\`` };
  }
  try {
    const { storeFile, fileUri } = resolution;
    const givenUri = typeof value === "string" && (value.startsWith("kestra://") || value.startsWith("nsfile://"));
    let parsed: unknown;
    if (definition.type === "FILE" && fileUri && givenUri) {
      parsed = await fileUri(id, value);
    } else if (definition.type === "FILE" && storeFile && !givenUri) {
      parsed = await storeFile(id, value);
    } else {
      parsed = parseTypedValue(definition.type, value, {
        ...(definition.itemType ? { itemType: String(definition.itemType) } : {}),
        ...(resolution.encrypt ? { encrypt: resolution.encrypt } : {}),
      });
    }
    const values =
      definition.expression === undefined ? undefined : await choicesOf(definition, dependencies, resolution);
    checkConstraints(
      values ? { ...definition, values } : definition,
      definition.type === "SECRET" ? String(value) : parsed,
    );
    if (definition.type === "FILE") checkFileExtension(definition, String(parsed));
    return { enabled: true, value: parsed };
  } catch (error) {
    const message = error instanceof TypedValueError ? error.message : errorMessage(error);
    return {
      enabled: true,
      error: `Invalid input for \`${id}\`, ${message}, but received \`${display(definition.type === "SECRET" ? "******" : value)}\``,
    };
  }
}

/**
 * The provided values with a FORM's values given as a map (`{form: {input: v}}`) also found
 * under their dotted ids; a value given with the dotted id wins.
 */
function flattenForms(
  definitions: readonly InputDefinition[] | undefined,
  provided: Record<string, unknown>,
): Record<string, unknown> {
  const given: Record<string, unknown> = { ...provided };
  for (const form of (definitions ?? []).filter((d) => d.type === "FORM")) {
    const group = provided[form.id];
    if (typeof group !== "object" || group === null || Array.isArray(group)) continue;
    for (const [key, value] of Object.entries(group))
      if (!(`${form.id}.${key}` in given)) given[`${form.id}.${key}`] = value;
  }
  return given;
}

/** The values of a SELECT or MULTISELECT given by `expression`, rendered with the inputs it depends on. */
async function choicesOf(
  definition: InputDefinition,
  dependencies: Record<string, unknown>,
  resolution: InputResolution,
): Promise<unknown[]> {
  let rendered: unknown;
  try {
    rendered = await resolution.renderTyped(String(definition.expression), nestDotted(dependencies));
  } catch (error) {
    throw new TypedValueError(`Invalid expression: ${errorMessage(error)}`);
  }
  if (typeof rendered === "string") {
    try {
      rendered = parseJsonData(rendered, "the values of the expression");
    } catch (error) {
      if (isDataLimitError(error)) throw error;
      // not a JSON list: reported below
    }
  }
  if (!Array.isArray(rendered))
    throw new TypedValueError(`its expression must render a list of values, not \`${display(rendered)}\``);
  return rendered;
}

function checkFileExtension(definition: InputDefinition, uri: string): void {
  const allowed = definition.allowedFileExtensions;
  if (!Array.isArray(allowed) || allowed.length === 0) return;
  const name = uri.slice(uri.lastIndexOf("/") + 1).toLowerCase();
  const ok = allowed.some((ext) => {
    const wanted = String(ext).toLowerCase();
    return name.endsWith(wanted.startsWith(".") ? wanted : `.${wanted}`);
  });
  if (!ok)
    throw new TypedValueError(`the file type is not allowed, accepted extensions: ${allowed.map(String).join(", ")}`);
}
