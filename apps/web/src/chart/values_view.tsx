import hljs from "highlight.js/lib/core";
import yaml from "highlight.js/lib/languages/yaml";
import { useMemo, type ReactNode } from "react";
import { CopyButton } from "./copy_button.tsx";

hljs.registerLanguage("yaml", yaml);

// Highlighting a multi-megabyte values.yaml would stall the page; past this it is shown plain.
const highlightLimit = 400_000;

/** values.yaml with YAML syntax highlighting (highlight.js escapes the text) and a copy button. */
export function ValuesView({ text }: { text: string }): ReactNode {
  const html = useMemo(
    () => (text.length <= highlightLimit ? hljs.highlight(text, { language: "yaml", ignoreIllegals: true }).value : null),
    [text],
  );
  return (
    <div className="values" data-testid="values">
      <div className="toolbar">
        <CopyButton text={text} label="Copy values.yaml" />
        <span className="muted">{text.split("\n").length} lines</span>
      </div>
      <pre className="code" tabIndex={0} aria-label="values.yaml">
        {html === null ? <code>{text}</code> : <code className="hljs language-yaml" dangerouslySetInnerHTML={{ __html: html }} />}
      </pre>
    </div>
  );
}
