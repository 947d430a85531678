// Installs the helm v4 CLI into .cache/helm/helm unless it is there; prints its path.
import { helmVersionOf, installHelm } from "@charthouse/testing";

const path = await installHelm();
console.error(`helm ${(await helmVersionOf(path)) ?? "(version unknown)"}`);
console.log(path);
