/**
 * CodeMirror 6 set up for flows (YAML, completion from the flow schema and in expressions,
 * problems from the API as lint diagnostics) and for plain files. Imported only by the
 * editor's lazy chunk.
 */
import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
  type Completion,
  type CompletionContext,
  type CompletionResult,
} from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { yaml } from "@codemirror/lang-yaml";
import {
  bracketMatching,
  foldGutter,
  HighlightStyle,
  foldKeymap,
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
} from "@codemirror/language";
import { linter, lintGutter, lintKeymap, type Diagnostic } from "@codemirror/lint";
import { highlightSelectionMatches, search, searchKeymap } from "@codemirror/search";
import { EditorState, Prec, type Extension, type Text } from "@codemirror/state";
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
  MatchDecorator,
  ViewPlugin,
  type DecorationSet,
  Decoration,
  type ViewUpdate,
} from "@codemirror/view";
import { tags } from "@lezer/highlight";
import { completeExpression, flowSymbols, type FlowSymbols } from "../../lib/expressionCompletion.ts";
import { problemsOf, type Problem } from "../../lib/problems.ts";
import { schemaCompletions, type CompletionItem } from "../../lib/schemaCompletion.ts";
import { yamlContextAt } from "../../lib/yamlContext.ts";
import { expressionContextAt } from "../../lib/expressionCompletion.ts";
import { flowSchemaIndex, knownOutputs, loadOutputs, validateFlow } from "./editorApi.ts";

const ICONS: Record<CompletionItem["kind"], string> = {
  type: "class",
  property: "property",
  enum: "enum",
  variable: "variable",
  function: "function",
  filter: "method",
};

function toCodeMirror(item: CompletionItem): Completion {
  return {
    label: item.label,
    type: ICONS[item.kind],
    ...(item.detail ? { detail: item.detail } : {}),
    ...(item.info ? { info: item.info } : {}),
    ...(item.apply ? { apply: item.apply } : {}),
    ...(item.boost ? { boost: item.boost } : {}),
  };
}

const theme = EditorView.theme({
  "&": { color: "var(--text)", backgroundColor: "var(--panel)", height: "100%", fontSize: "13px" },
  ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "1.5" },
  ".cm-content": { caretColor: "var(--text)" },
  ".cm-gutters": { backgroundColor: "var(--code-bg)", color: "var(--muted)", borderRight: "1px solid var(--border)" },
  ".cm-activeLine": { backgroundColor: "color-mix(in srgb, var(--accent) 6%, transparent)" },
  ".cm-activeLineGutter": { backgroundColor: "color-mix(in srgb, var(--accent) 12%, transparent)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection": {
    backgroundColor: "color-mix(in srgb, var(--accent) 25%, transparent) !important",
  },
  ".cm-tooltip": { backgroundColor: "var(--panel)", border: "1px solid var(--border)", color: "var(--text)" },
  ".cm-tooltip-autocomplete > ul > li[aria-selected]": {
    backgroundColor: "var(--accent)",
    color: "var(--accent-text)",
  },
  ".cm-completionDetail": { marginLeft: "1em", opacity: "0.7", fontStyle: "normal" },
  ".cm-completionInfo": { maxWidth: "360px", whiteSpace: "pre-wrap" },
  ".cm-panels": { backgroundColor: "var(--code-bg)", color: "var(--text)" },
  ".cm-searchMatch": { backgroundColor: "color-mix(in srgb, var(--state-warning) 30%, transparent)" },
});

/** Colours from CSS variables (editor.css), so that they follow the light and dark themes. */
const highlight = HighlightStyle.define([
  { tag: [tags.propertyName, tags.definition(tags.propertyName)], color: "var(--cm-key)" },
  { tag: [tags.string, tags.special(tags.string), tags.content], color: "var(--cm-string)" },
  { tag: [tags.number, tags.bool, tags.null, tags.atom], color: "var(--cm-number)" },
  { tag: [tags.keyword, tags.definitionKeyword, tags.meta, tags.typeName, tags.labelName], color: "var(--cm-keyword)" },
  { tag: tags.comment, color: "var(--cm-comment)", fontStyle: "italic" },
  { tag: [tags.punctuation, tags.separator, tags.squareBracket, tags.brace], color: "var(--muted)" },
]);

/** `{{ … }}` and `{% … %}` marked, so that expressions stand out in strings. */
const expressionMatcher = new MatchDecorator({
  regexp: /\{\{[^\n]*?\}\}|\{%[^\n]*?%\}/g,
  decoration: Decoration.mark({ class: "cm-expression" }),
});
const expressions = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = expressionMatcher.createDeco(view);
    }
    update(update: ViewUpdate) {
      this.decorations = expressionMatcher.updateDeco(update, this.decorations);
    }
  },
  { decorations: (v) => v.decorations },
);

/** The editing basics shared by the flow and file editors. */
function basics(onChange: (update: ViewUpdate) => void, save: () => void): Extension[] {
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    foldGutter(),
    history(),
    drawSelection(),
    indentOnInput(),
    indentUnit.of("  "),
    EditorState.tabSize.of(2),
    bracketMatching(),
    closeBrackets(),
    highlightActiveLine(),
    highlightSelectionMatches(),
    search({ top: true }),
    syntaxHighlighting(highlight),
    Prec.highest(
      keymap.of([
        {
          key: "Mod-s",
          preventDefault: true,
          run: () => {
            save();
            return true;
          },
        },
      ]),
    ),
    keymap.of([
      ...closeBracketsKeymap,
      ...defaultKeymap,
      ...searchKeymap,
      ...historyKeymap,
      ...foldKeymap,
      ...completionKeymap,
      ...lintKeymap,
      indentWithTab,
    ]),
    theme,
    EditorView.updateListener.of(onChange),
  ];
}

/** The completion source of the flow editor. */
function flowCompletion(lastSymbols: { current: FlowSymbols | undefined }) {
  return async (ctx: CompletionContext): Promise<CompletionResult | null> => {
    const text = ctx.state.doc.toString();
    const pos = ctx.pos;
    const expression = expressionContextAt(text, pos);
    if (expression) {
      const symbols = flowSymbols(text, pos) ?? lastSymbols.current;
      if (!symbols) return null;
      lastSymbols.current = symbols;
      const [root, taskId] = expression.parents;
      if (root === "outputs" && taskId && expression.parents.length === 2) {
        const task = symbols.tasks.find((t) => t.id === taskId);
        if (task) await loadOutputs(task.type);
      }
      const result = completeExpression(text, pos, symbols, knownOutputs);
      if (!result || result.options.length === 0) return null;
      if (!ctx.explicit && expression.prefix === "" && !/[.{|%]\s*$|\{\{\s*$/.test(text.slice(0, pos))) return null;
      return { from: result.from, options: result.options.map(toCodeMirror), validFor: /^[\w-]*$/ };
    }
    const context = yamlContextAt(text, pos);
    if (!context || context.kind === "scalar") return null;
    // a key: only once something is typed (or asked for with Ctrl-Space)
    if (context.kind === "key" && context.prefix === "" && !ctx.explicit) return null;
    let index;
    try {
      index = await flowSchemaIndex();
    } catch {
      return null;
    }
    const result = schemaCompletions(index, context);
    if (!result || result.options.length === 0) return null;
    return { from: result.from, options: result.options.map(toCodeMirror), validFor: /^[\w.$-]*$/ };
  };
}

function diagnostic(doc: Text, problem: Problem): Diagnostic {
  const line = doc.line(Math.min(Math.max(problem.line, 1), doc.lines));
  const indent = line.text.length - line.text.trimStart().length;
  const from = problem.column ? Math.min(line.from + problem.column - 1, line.to) : line.from + indent;
  return {
    from,
    to: Math.max(from, line.to),
    severity: problem.severity,
    message: problem.path ? `${problem.path}: ${problem.message}` : problem.message,
    source: "validate",
  };
}

export interface FlowEditorOptions {
  doc: string;
  parent: HTMLElement;
  onUpdate(update: ViewUpdate): void;
  onSave(): void;
  /** The problems of the last validation (undefined: it could not be done). */
  onProblems(problems: Problem[] | undefined): void;
}

/** The flow editor's view. */
export function createFlowEditor(options: FlowEditorOptions): EditorView {
  const lastSymbols: { current: FlowSymbols | undefined } = { current: flowSymbols(options.doc) };
  const validation = linter(
    async (view) => {
      const text = view.state.doc.toString();
      if (text.trim() === "") {
        options.onProblems([]);
        return [];
      }
      try {
        const problems = problemsOf(text, await validateFlow(text));
        options.onProblems(problems);
        // the document may have changed while waiting: place on the one validated
        return problems.map((p) => diagnostic(view.state.doc, p));
      } catch {
        options.onProblems(undefined);
        return [];
      }
    },
    { delay: 400 },
  );
  return new EditorView({
    parent: options.parent,
    state: EditorState.create({
      doc: options.doc,
      extensions: [
        basics(options.onUpdate, options.onSave),
        yaml(),
        expressions,
        autocompletion({ override: [flowCompletion(lastSymbols)], icons: true, activateOnTypingDelay: 50 }),
        validation,
        lintGutter(),
        EditorView.contentAttributes.of({ "aria-label": "Flow source" }),
      ],
    }),
  });
}

/** A plain editor for a namespace file (YAML highlighting for .yml/.yaml files). */
export function createFileEditor(
  parent: HTMLElement,
  doc: string,
  fileName: string,
  onUpdate: (update: ViewUpdate) => void,
  onSave: () => void,
): EditorView {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        basics(onUpdate, onSave),
        /\.ya?ml$/i.test(fileName) ? yaml() : [],
        EditorView.contentAttributes.of({ "aria-label": `File ${fileName}` }),
      ],
    }),
  });
}

/** Moves the cursor to line `line` (1-based) and shows it. */
export function revealLine(view: EditorView, line: number): void {
  const target = view.state.doc.line(Math.min(Math.max(line, 1), view.state.doc.lines));
  const indent = target.text.length - target.text.trimStart().length;
  view.dispatch({ selection: { anchor: target.from + indent }, scrollIntoView: true });
  view.focus();
}
