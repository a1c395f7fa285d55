// `npm start`: JupyterLab from .venv on notebooks/, with the tslab kernel. Prints the URL with its token.
//   NFDE_LAB_PORT (default: the first free port from 8888), NFDE_LAB_TOKEN (default: random), NFDE_LAB_IP (127.0.0.1)
import { ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { ensurePackageLink, JUPYTER, ROOT } from "./env";

export interface LabOptions {
  /** Folder the Lab serves (its file browser root). */
  rootDir: string;
  port: number;
  token: string;
  ip?: string;
  openBrowser?: boolean;
  /** Where the server's own log goes (default: inherited stdio). */
  stdio?: "inherit" | "ignore" | "pipe";
  /** More `jupyter lab` arguments. */
  extraArgs?: string[];
  /** More environment variables for the server and so for its kernels (e.g. NFDE_QUICK=1). */
  env?: Record<string, string>;
}

/** The first port >= `from` that is free on `ip`. */
export async function freePort(from = 8888, ip = "127.0.0.1"): Promise<number> {
  for (let port = from; port < from + 100; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once("error", () => resolve(false));
      srv.listen(port, ip, () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port in ${from}..${from + 99} on ${ip}`);
}

export function labUrl(o: LabOptions, pathInLab = "lab"): string {
  return `http://${o.ip ?? "127.0.0.1"}:${o.port}/${pathInLab}?token=${o.token}`;
}

/** Starts `jupyter lab` from .venv; throws with the fix when .venv is missing. */
export function launchLab(o: LabOptions): ChildProcess {
  if (!fs.existsSync(JUPYTER)) throw new Error(`${JUPYTER} not found: the Jupyter venv is missing. Run npm run setup (it creates .venv with JupyterLab and the tslab kernel).`);
  ensurePackageLink();
  const args = ["lab", `--notebook-dir=${o.rootDir}`, `--ServerApp.ip=${o.ip ?? "127.0.0.1"}`, `--ServerApp.port=${o.port}`,
    "--ServerApp.port_retries=0", `--IdentityProvider.token=${o.token}`];
  if (!o.openBrowser) args.push("--no-browser");
  args.push(...(o.extraArgs ?? []));
  if (process.getuid?.() === 0) args.push("--allow-root"); // containers and CI run as root
  const env = { ...process.env, TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL ?? "2", ...o.env };
  return spawn(JUPYTER, args, { cwd: ROOT, env, stdio: o.stdio ?? "inherit" });
}

/** Resolves once the server answers its status API (or rejects after timeoutMs). */
export async function waitForLab(o: LabOptions, timeoutMs = 60000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    try {
      const r = await fetch(`http://${o.ip ?? "127.0.0.1"}:${o.port}/api/status?token=${o.token}`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`JupyterLab did not answer on port ${o.port} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function main(): Promise<void> {
  const rootDir = path.join(ROOT, "notebooks");
  fs.mkdirSync(rootDir, { recursive: true });
  const ip = process.env.NFDE_LAB_IP ?? "127.0.0.1";
  const port = process.env.NFDE_LAB_PORT ? Number(process.env.NFDE_LAB_PORT) : await freePort(8888, ip);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`NFDE_LAB_PORT must be a port number 1..65535; got ${process.env.NFDE_LAB_PORT}`);
  const token = process.env.NFDE_LAB_TOKEN ?? randomBytes(16).toString("hex");
  const hasDisplay = process.platform === "darwin" || process.platform === "win32" || !!(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
  const opts: LabOptions = { rootDir, port, token, ip, openBrowser: hasDisplay };
  const child = launchLab(opts);
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
  await waitForLab(opts, 120000);
  console.log(`\n[nfde] JupyterLab on ${rootDir} (tslab kernel "TypeScript"):\n[nfde]   ${labUrl(opts)}\n` +
    `[nfde] ${hasDisplay ? "opening a browser" : "no DISPLAY: open the URL in a browser"}; Ctrl-C stops the server.\n`);
}

if (require.main === module) {
  main().catch((e: Error) => {
    console.error(`[nfde] ${e.message}`);
    process.exit(1);
  });
}
