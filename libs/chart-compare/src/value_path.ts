/** Keys written bare in a dotted path; any other key is written `["..."]` so paths stay unambiguous. */
const bareKey = /^[^.[\]"'\\\s]+$/;

/**
 * Appends a map key to a dotted values path: `image` + `tag` is `image.tag`, and a key holding a
 * dot, a bracket, a quote or a space is written in brackets, `annotations["app.kubernetes.io/name"]`.
 */
export function appendValuePath(path: string, key: string): string {
  if (!bareKey.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === "" ? key : `${path}.${key}`;
}
