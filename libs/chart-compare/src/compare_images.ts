import { splitImageReference } from "./image_reference.ts";

/** How the images of two chart versions differ; a new version of the same repository is `changed`. */
export interface ImagesDiff {
  from: string[];
  to: string[];
  added: string[];
  removed: string[];
  changed: { repository: string; old: string; new: string }[];
}

/**
 * Compares two image lists (from chartImages). Images in both are unchanged; of the rest, an
 * old and a new image of one repository pair up as `changed` (in sorted order, when a repository
 * has several), and what is left is `added` or `removed`.
 */
export function compareImages(fromImages: readonly string[], toImages: readonly string[]): ImagesDiff {
  const fromSet = new Set(fromImages);
  const toSet = new Set(toImages);
  const removedByRepository = groupByRepository([...fromSet].filter((image) => !toSet.has(image)).sort());
  const addedByRepository = groupByRepository([...toSet].filter((image) => !fromSet.has(image)).sort());
  const diff: ImagesDiff = { from: [...fromSet].sort(), to: [...toSet].sort(), added: [], removed: [], changed: [] };
  for (const [repository, removed] of removedByRepository) {
    const added = addedByRepository.get(repository) ?? [];
    const pairs = Math.min(removed.length, added.length);
    for (let i = 0; i < pairs; i += 1) {
      diff.changed.push({ repository, old: versionOf(removed[i]), new: versionOf(added[i]) });
    }
    diff.removed.push(...removed.slice(pairs));
    addedByRepository.set(repository, added.slice(pairs));
  }
  for (const added of addedByRepository.values()) diff.added.push(...added);
  diff.added.sort();
  diff.removed.sort();
  return diff;
}

function groupByRepository(images: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const image of images) {
    const { repository } = splitImageReference(image);
    const group = groups.get(repository) ?? [];
    group.push(image);
    groups.set(repository, group);
  }
  return groups;
}

function versionOf(image: string | undefined): string {
  return image === undefined ? "" : splitImageReference(image).version;
}
