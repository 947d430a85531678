/** README names Helm looks for, best first, compared case-insensitively (`readme.MD` counts). */
const readmeNames = ["readme.md", "readme.txt", "readme"];

/**
 * How good a top-level file name is as the chart's README: 0 for README.md, 1 for README.txt,
 * 2 for README, null for anything else (README.md.gotmpl and README-AWS.md are not READMEs).
 */
export function readmeRank(fileName: string): number | null {
  const rank = readmeNames.indexOf(fileName.toLowerCase());
  return rank === -1 ? null : rank;
}
