import { useLayoutEffect, useRef, type ReactNode } from "react";
import { readmeFragment } from "./readme_html.tsx";

/** A chart README rendered as sanitised HTML (see readmeFragment). */
export function ReadmeView({ markdown }: { markdown: string }): ReactNode {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    ref.current?.replaceChildren(readmeFragment(markdown));
  }, [markdown]);
  return <div ref={ref} className="markdown" data-testid="readme" />;
}
