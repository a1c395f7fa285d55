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

function resetPeak(): boolean {
  try {
    fs.writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch { /* not Linux, or not allowed: fall back to the lifetime peak */
    return false;
  }
}

export function watchRss(): RssWatch {
  const reset = resetPeak();
  const startKB = statusKB("VmRSS") ?? process.memoryUsage().rss / 1024;
  return {
    peakAboveStartMB: () => {
      const peakKB = (reset ? statusKB("VmHWM") : null) ?? process.resourceUsage().maxRSS;
      return (peakKB - startKB) / 1024;
    },
  };
}

export interface PhaseRss {
  /** Ends the current phase (keeping its peak) and begins `phase`; the first call fixes the baseline. */
  enter(phase: string): void;
  /** Ends the current phase: the RSS at the baseline and each phase's peak above it, in MB (NaN when unknown). */
  finish(): { baselineMB: number; peaksMB: Record<string, number> };
}

/** Peak RSS per phase (e.g. training passes and evaluations, alternating) above one baseline. */
export function phaseRss(): PhaseRss {
  let baselineKB = NaN, current: string | null = null, reset = false;
  const peaks: Record<string, number> = {};
  const close = () => {
    if (current === null) return;
    const peakKB = (reset ? statusKB("VmHWM") : null) ?? process.resourceUsage().maxRSS;
    peaks[current] = Math.max(peaks[current] ?? -Infinity, (peakKB - baselineKB) / 1024);
  };
  return {
    enter: (phase) => {
      close();
      if (Number.isNaN(baselineKB)) baselineKB = statusKB("VmRSS") ?? process.memoryUsage().rss / 1024;
      reset = resetPeak();
      current = phase;
    },
    finish: () => {
      close();
      current = null;
      return { baselineMB: baselineKB / 1024, peaksMB: { ...peaks } };
    },
  };
}
