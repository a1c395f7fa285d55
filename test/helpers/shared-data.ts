// Tests read the Planetoid raw files of the machine's shared data folder (as .ci/run does) when
// NFDE_DATA_DIR is not set: ../shared/data beside the clone, else /work/shared/data.
import * as fs from "node:fs";
import * as path from "node:path";

const CANDIDATES = [path.resolve(__dirname, "..", "..", "..", "shared", "data"), "/work/shared/data"];

export function useSharedData(): void {
  if (process.env.NFDE_DATA_DIR) return;
  const found = CANDIDATES.find((d) => fs.existsSync(path.join(d, "planetoid")));
  if (found) process.env.NFDE_DATA_DIR = found;
}
