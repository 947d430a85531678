import { parseLimitedYaml } from "./parse_limited_yaml.ts";
import { isValuesMap, type ValuesMap } from "./parse_values_yaml.ts";
import { isImageReference } from "./image_reference.ts";
import { chartValuesLimits } from "./values_limits.ts";

/** The Artifact Hub annotation that lists a chart's images: a YAML list of `{ name, image }`. */
export const imagesAnnotation = "artifacthub.io/images";

/** Options of {@link chartImages}. */
export interface ChartImagesOptions {
  /** Fills an empty `tag`, as charts made by `helm create` do (`.Values.image.tag | default .Chart.AppVersion`). */
  appVersion?: string;
}

/**
 * The images a chart version runs, each once, sorted: the `artifacthub.io/images` annotation's
 * entries, plus from the values every map with a string `repository` that has a `tag` or `digest`
 * or sits under a key named like `image` (`registry/repository:tag@digest`), and every string
 * under such a key that reads as an image reference (`image: nginx:1.27`). An annotation that is
 * not a YAML list of entries gives no images, as Artifact Hub then shows none.
 */
export function chartImages(annotations: unknown, values: ValuesMap, options: ChartImagesOptions = {}): string[] {
  const images = new Set<string>();
  for (const image of annotatedImages(annotations)) images.add(image);
  const stack: { key: string; value: unknown }[] = [{ key: "", value: values }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { key, value } = next;
    if (typeof value === "string") {
      if (isImageKey(key) && isImageReference(value)) images.add(value);
    } else if (Array.isArray(value)) {
      for (const item of value) stack.push({ key, value: item });
    } else if (isValuesMap(value)) {
      const image = imageOfMap(key, value, options.appVersion);
      if (image !== undefined) images.add(image);
      for (const [childKey, child] of Object.entries(value)) stack.push({ key: childKey, value: child });
    }
  }
  return [...images].sort();
}

/** `image`, `initImage`, `sidecar_image`: keys whose value is an image. */
function isImageKey(key: string): boolean {
  return /image$/i.test(key);
}

/** The reference an image map describes (`{ registry, repository, tag, digest }`), if it is one. */
function imageOfMap(key: string, map: ValuesMap, appVersion: string | undefined): string | undefined {
  const repository = map["repository"];
  if (typeof repository !== "string" || repository === "") return undefined;
  const hasVersionKey = Object.hasOwn(map, "tag") || Object.hasOwn(map, "digest");
  if (!hasVersionKey && !isImageKey(key)) return undefined;
  const registry = typeof map["registry"] === "string" && map["registry"] !== "" ? `${map["registry"]}/` : "";
  const tagValue = map["tag"];
  let tag = typeof tagValue === "string" || typeof tagValue === "number" ? String(tagValue) : "";
  if (tag === "" && appVersion !== undefined) tag = appVersion;
  const digest = typeof map["digest"] === "string" ? map["digest"] : "";
  const reference = `${registry}${repository}${tag === "" ? "" : `:${tag}`}${digest === "" ? "" : `@${digest}`}`;
  return isImageReference(reference) ? reference : undefined;
}

/** The images of the `artifacthub.io/images` annotation, or none when it is absent or malformed. */
function annotatedImages(annotations: unknown): string[] {
  if (!isValuesMap(annotations)) return [];
  const text = annotations[imagesAnnotation];
  if (typeof text !== "string") return [];
  let entries: unknown;
  try {
    entries = parseLimitedYaml(text, { what: `the ${imagesAnnotation} annotation`, limits: chartValuesLimits });
  } catch {
    // Documented above: a malformed annotation lists no images; the values still do.
    return [];
  }
  if (!Array.isArray(entries)) return [];
  const images: string[] = [];
  for (const entry of entries) {
    const image = isValuesMap(entry) ? entry["image"] : undefined;
    if (typeof image === "string" && isImageReference(image.trim())) images.push(image.trim());
  }
  return images;
}
