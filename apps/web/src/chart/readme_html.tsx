import DOMPurify from "dompurify";
import { marked } from "marked";

const purifier = DOMPurify(window);

// Tags a README has no business rendering: active content, frames, forms, and page-wide styles.
const forbiddenTags = [
  "script",
  "style",
  "iframe",
  "frame",
  "frameset",
  "object",
  "embed",
  "applet",
  "form",
  "input",
  "button",
  "textarea",
  "select",
  "option",
  "link",
  "meta",
  "base",
  "template",
  "noscript",
];

/**
 * Renders a chart README (Markdown with raw HTML, as GitHub allows it) into a sanitised DOM
 * fragment: DOMPurify strips scripts, event handlers, javascript: and other unsafe URLs,
 * frames and forms; links open in a new tab without a referrer; images with relative paths (which
 * pointed into the chart's source repository, not served here) become their alt text.
 */
export function readmeFragment(markdown: string): DocumentFragment {
  const html = marked.parse(markdown, { async: false, gfm: true });
  const fragment = purifier.sanitize(html, {
    RETURN_DOM_FRAGMENT: true,
    FORBID_TAGS: forbiddenTags,
    FORBID_ATTR: ["style", "srcset", "action", "formaction", "ping", "background"],
    ALLOW_DATA_ATTR: false,
  });
  for (const link of fragment.querySelectorAll("a")) fixLink(link);
  for (const image of fragment.querySelectorAll("img")) fixImage(image);
  return fragment;
}

function fixLink(link: HTMLAnchorElement): void {
  const href = link.getAttribute("href");
  if (href === null) return;
  if (href.startsWith("#")) return;
  if (/^(https?:|mailto:)/i.test(href)) {
    link.setAttribute("target", "_blank");
    link.setAttribute("rel", "noopener noreferrer nofollow");
    return;
  }
  // A path relative to the chart's source repository: nothing here to link to.
  link.removeAttribute("href");
  link.setAttribute("title", `Relative link in the README: ${href}`);
  link.classList.add("dead-link");
}

function fixImage(image: HTMLImageElement): void {
  const src = image.getAttribute("src") ?? "";
  if (/^(https:|data:image\/(png|gif|jpeg|webp);)/i.test(src)) {
    image.setAttribute("loading", "lazy");
    image.setAttribute("decoding", "async");
    image.setAttribute("referrerpolicy", "no-referrer");
    return;
  }
  const placeholder = image.ownerDocument.createElement("span");
  placeholder.className = "image-placeholder";
  const alt = image.getAttribute("alt")?.trim();
  placeholder.textContent = `[image${alt ? `: ${alt}` : ""}]`;
  placeholder.title = src === "" ? "Image without an address" : `Image not available here: ${src}`;
  image.replaceWith(placeholder);
}
