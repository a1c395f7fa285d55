// Peak resident set size of this process since a reset (Linux: /proc/self/clear_refs "5" resets VmHWM).
import * as fs from "node:fs";

function statusKB(field: "VmHWM" | "VmRSS"): number | null {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync("/proc/self/status", "utf8"));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export interface RssWatch {
  /** Peak RSS since the watch began, above the RSS at its start, in MB (NaN when unknown). */
  peakAboveStartMB(): number;
}

export function watchRss(): RssWatch {
  let reset = false;
  try {
    fs.writeFileSync("/proc/self/clear_refs", "5");
    reset = true;
  } catch { /* not Linux, or not allowed: fall back to the lifetime peak */ }
  const startKB = statusKB("VmRSS") ?? process.memoryUsage().rss / 1024;
  return {
    peakAboveStartMB: () => {
      const peakKB = (reset ? statusKB("VmHWM") : null) ?? process.resourceUsage().maxRSS;
      return (peakKB - startKB) / 1024;
    },
  };
}
