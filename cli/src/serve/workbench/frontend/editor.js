// The editor of patron's policy workbench: CodeMirror 6 with rhai highlighting (a small
// stream tokenizer below), TOML (legacy mode), line numbers, a lint gutter fed with the
// server's `check` diagnostics, and completion of facts, functions and params paths.
// Bundled by scripts/workbench-bundle.sh into ../assets/editor.bundle.js.

import { EditorState, Compartment } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, highlightSpecialChars,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  StreamLanguage, syntaxHighlighting, defaultHighlightStyle, bracketMatching, indentOnInput,
} from "@codemirror/language";
import { toml } from "@codemirror/legacy-modes/mode/toml";
import { linter, lintGutter, setDiagnostics, lintKeymap } from "@codemirror/lint";
import { autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";

const KEYWORDS = new Set([
  "fn", "let", "const", "if", "else", "return", "for", "in", "while", "loop", "break",
  "continue", "switch", "do", "until", "throw", "try", "catch", "private", "global",
  "import", "export", "as",
]);
const ATOMS = new Set(["true", "false", "this", "()"]);

/// The rest of a string (or of its line) up to its closing quote.
function readString(stream, state) {
  const quote = state.inString;
  let escaped = false, ch;
  while ((ch = stream.next()) != null) {
    if (ch === quote && !escaped) { state.inString = null; break; }
    escaped = !escaped && ch === "\\";
  }
  return "string";
}

/// rhai, as a stream tokenizer: comments, strings, numbers, keywords, names.
const rhai = {
  name: "rhai",
  startState: () => ({ inComment: false, inString: null }),
  token(stream, state) {
    if (state.inComment) {
      if (stream.skipTo("*/")) { stream.next(); stream.next(); state.inComment = false; }
      else stream.skipToEnd();
      return "comment";
    }
    if (state.inString) return readString(stream, state);
    if (stream.eatSpace()) return null;
    if (stream.match("//")) { stream.skipToEnd(); return "comment"; }
    if (stream.match("/*")) { state.inComment = true; return "comment"; }
    const ch = stream.peek();
    if (ch === '"' || ch === "`") {
      stream.next(); state.inString = ch;
      return readString(stream, state);
    }
    if (ch === "'") {
      stream.next(); stream.match(/^(\\.|[^'])'/);
      return "string";
    }
    if (stream.match(/^[0-9][0-9_]*(\.[0-9_]+)?([eE][+-]?[0-9]+)?/)) return "number";
    if (stream.match(/^[A-Za-z_][A-Za-z0-9_]*/)) {
      const word = stream.current();
      if (KEYWORDS.has(word)) return "keyword";
      if (ATOMS.has(word)) return "atom";
      if (word === "params" || word === "c") return "variableName.special";
      if (stream.match(/^\s*\(/, false)) return "function";
      return "variableName";
    }
    if (stream.match(/^[+\-*\/%=<>!&|^~?:.]+/)) return "operator";
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: "//", block: { open: "/*", close: "*/" } } },
};

const rhaiLanguage = StreamLanguage.define(rhai);
const tomlLanguage = StreamLanguage.define(toml);

function languageFor(name) {
  if (name.endsWith(".rhai")) return [rhaiLanguage];
  if (name.endsWith(".toml")) return [tomlLanguage];
  return [];
}

/// Completion source over `api()`: { facts, portfolio, functions, params, grades, stages }.
function completionSource(api) {
  return (context) => {
    const data = api();
    if (!data) return null;
    const portfolio = context.matchBefore(/c\.portfolio\.[A-Za-z0-9_]*/);
    if (portfolio) {
      return {
        from: portfolio.from + "c.portfolio.".length,
        options: data.portfolio.map((f) => ({ label: f, type: "property", detail: "portfolio fact" }))
          .concat([{ label: "owner_count", type: "method", detail: "owner_count(grade)" }]),
      };
    }
    const fact = context.matchBefore(/\bc\.[A-Za-z0-9_]*/);
    if (fact) {
      return {
        from: fact.from + 2,
        options: data.facts.map((f) => ({ label: f, type: "property", detail: "customer fact" }))
          .concat([{ label: "portfolio", type: "property", detail: "portfolio facts" }]),
      };
    }
    const param = context.matchBefore(/\bparams\.[A-Za-z0-9_.]*/);
    if (param) {
      return {
        from: param.from + "params.".length,
        options: data.params.map((p) => ({ label: p.path, type: "variable", detail: p.value })),
        validFor: /^[A-Za-z0-9_.]*$/,
      };
    }
    const quoted = context.matchBefore(/"[A-Za-z_]*/);
    if (quoted && context.state.sliceDoc(Math.max(0, quoted.from - 12), quoted.from).match(/(grade|stage)[a-z_]*\($/)) {
      return {
        from: quoted.from + 1,
        options: data.grades.map((g) => ({ label: g, type: "constant", detail: "grade" }))
          .concat(data.stages.map((s) => ({ label: s, type: "constant", detail: "stage" }))),
      };
    }
    const word = context.matchBefore(/[A-Za-z_][A-Za-z0-9_]*/);
    if (!word && !context.explicit) return null;
    return {
      from: word ? word.from : context.pos,
      options: data.functions.map((f) => ({
        label: f.name, type: "function", detail: f.signature, info: f.doc,
      })).concat(
        [{ label: "params", type: "variable", detail: "the policy's parameters" },
         { label: "c", type: "variable", detail: "the customer" }],
      ),
    };
  };
}

/// Creates an editor in `parent`. `options`: { name, doc, onChange(text), api() }.
export function createEditor(parent, options) {
  const language = new Compartment();
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: options.doc,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        closeBrackets(),
        highlightActiveLine(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        language.of(languageFor(options.name)),
        lintGutter(),
        linter(null),
        autocompletion({ override: [completionSource(options.api)] }),
        keymap.of([
          ...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap,
          ...lintKeymap,
          // Tab indents; Escape then Tab leaves the editor (keyboard users are not trapped).
          indentWithTab,
        ]),
        EditorView.updateListener.of((update) => {
          if (update.docChanged && options.onChange) options.onChange(update.state.doc.toString());
        }),
        EditorView.contentAttributes.of({ "aria-label": `Editor of ${options.name}` }),
      ],
    }),
  });
  return {
    view,
    /// Replaces the text and the language (another file).
    load(name, doc) {
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: doc },
        effects: language.reconfigure(languageFor(name)),
      });
      view.contentDOM.setAttribute("aria-label", `Editor of ${name}`);
    },
    text() { return view.state.doc.toString(); },
    /// Shows `list` ([{ line, column, severity, message }], 1-based) in the gutter and text.
    diagnostics(list) {
      const doc = view.state.doc;
      const marks = list.map((d) => {
        const line = doc.line(Math.min(Math.max(d.line || 1, 1), doc.lines));
        const from = Math.min(line.from + Math.max((d.column || 1) - 1, 0), line.to);
        const to = Math.min(Math.max(from + 1, line.to), doc.length);
        return { from, to: Math.max(to, from), severity: d.severity, message: d.message };
      });
      view.dispatch(setDiagnostics(view.state, marks));
    },
    /// Puts the cursor at the start of `line` (1-based), scrolled into view, focused.
    gotoLine(line) {
      const doc = view.state.doc;
      const target = doc.line(Math.min(Math.max(line, 1), doc.lines));
      view.dispatch({ selection: { anchor: target.from }, scrollIntoView: true });
      view.focus();
    },
  };
}
