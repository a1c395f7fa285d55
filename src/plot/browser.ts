// Debian's chromium driven by playwright-core (never a browser download of playwright's own).
import * as fs from "node:fs";
import type { Browser } from "playwright-core";

export const CHROMIUM_FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--no-first-run",
];

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

/** The chromium binary: $NFDE_CHROMIUM if set, else Debian's; undefined when none is installed. */
export function findChromium(): string | undefined {
  const env = process.env.NFDE_CHROMIUM;
  if (env) return fs.existsSync(env) ? env : undefined;
  return CANDIDATES.find((c) => fs.existsSync(c));
}

export function missingChromiumMessage(): string {
  const env = process.env.NFDE_CHROMIUM;
  const where = env ? `NFDE_CHROMIUM=${env} does not exist` : `no chromium at ${CANDIDATES.join(" or ")}`;
  return `chromium is needed to render plots (${where}). Install Debian's: sudo apt-get install -y chromium ` +
    `(about 1 minute), or set NFDE_CHROMIUM to a chromium binary. Do not use 'npx playwright install'.`;
}

/** Launches headless chromium; throws an Error saying how to install it when it is missing. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(missingChromiumMessage());
  // Loaded lazily: importing neural-fde must not pull in playwright.
  const { chromium } = require("playwright-core") as typeof import("playwright-core");
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS });
}

/** Runs `fn` with a fresh browser and closes it afterwards. */
export async function withChromium<T>(fn: (browser: Browser) => Promise<T>): Promise<T> {
  const browser = await launchChromium();
  try {
    return await fn(browser);
  } finally {
    await browser.close();
  }
}
