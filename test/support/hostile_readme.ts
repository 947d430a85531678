/**
 * A README that tries every way Markdown-with-HTML has to run script or frame content. Each
 * attempt sets window.__pwned (or opens a dialog) if it ever runs; the UI must render it inert.
 */
export const hostileReadme = `# evil

Innocent text first.

<script>window.__pwned = "script tag";</script>

<img src="x" onerror="window.__pwned = 'img onerror'">

<svg onload="window.__pwned = 'svg onload'"><circle r="4"></circle></svg>

<div id="hover-trap" onmouseover="window.__pwned = 'onmouseover'">Hover me</div>

[markdown javascript link](javascript:window.__pwned='markdown link')

<a href="javascript:window.__pwned='html link'" id="html-js-link">html javascript link</a>

<a href="  JaVaScRiPt:window.__pwned='mixed case'">mixed case link</a>

<a href="data:text/html,<script>alert('data url')</script>">data url link</a>

<iframe src="javascript:window.top.__pwned='iframe src'"></iframe>

<iframe srcdoc="<script>parent.__pwned='iframe srcdoc'</script>"></iframe>

<object data="javascript:window.__pwned='object'"></object>

<embed src="javascript:window.__pwned='embed'">

<form action="javascript:window.__pwned='form'"><button id="form-button">Submit</button></form>

<meta http-equiv="refresh" content="0;url=javascript:window.__pwned='meta refresh'">

<style>body { display: none !important; }</style>

<details open ontoggle="window.__pwned='ontoggle'"><summary>Details</summary>inside</details>

![architecture diagram](docs/architecture.png)

<img src="../images/logo.svg" alt="relative logo">

Last line is still here.
`;
