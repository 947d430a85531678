// ACCOUNT.dkr.ecr.REGION.amazonaws.com, ACCOUNT.dkr.ecr-fips.REGION.amazonaws.com, and the China
// partition's .amazonaws.com.cn.
const ecrHost = /^\d{12}\.dkr\.ecr(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/;

/** The AWS region of an ECR registry host (`123456789012.dkr.ecr.eu-west-1.amazonaws.com`), or undefined. */
export function ecrRegionOf(host: string): string | undefined {
  return ecrHost.exec(host.toLowerCase().replace(/:\d+$/, ""))?.[1];
}
