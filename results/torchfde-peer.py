# torchfde on the configurations of `nfde bench` B1/B2/B3, for side-by-side figures measured in the same hour.
# One configuration and mode per process; prints one results line ({"kind": "reference", ...}) as
# results/torchfde-*.jsonl hold them (src/bench/peers.ts reads that format).
#
#   python results/torchfde-peer.py --torchfde DIR --data DIR CONFIG MODE [--threads 2] [--repeats 7] [--steps N]
#
# DIR of --torchfde: a checkout of github.com/kangqiyu/torchfde (its torchfde/ package is imported from there);
# --data: the folder whose planetoid/ holds the raw Cora files (as NFDE_DATA_DIR). CONFIG: B1-H64, B1-H256, B2,
# B3-N10 ... B3-N320, long/tiny (with --steps N); MODE: direct (method "predictor") or adjoint (fdeint_adjoint,
# method "predictor-f").
# Needs torch, numpy and scipy (the raw Planetoid files are pickled scipy matrices).
# The protocol (docs/design.md, "Benchmarks"): B1 F-GRAND-l on Cora (constant GCN Â with self loops, sparse
# row-normalised features, encoder and decoder linear, σ(a)(ÂX − X) + b·X0, predictor, β 0.85, T 40, h 1,
# cross-entropy on the 140 training nodes, Adam lr 0.01); B2 the MLP field 64-256-64 (tanh) on a [256, 64] state,
# β 0.6, T 2, h 0.05, MSE of y(T) to a random target, Adam lr 1e-3; B3 B2 with N steps over T 2. One warm-up
# step, then the median of the timed steps; long/tiny (nfde bench --suite horizon's H-tiny state): f = tanh(y W),
# W 8x8 ~ 0.3 N(0, 1), y0 [4, 8] ~ N(0, 1), beta 0.6, h 0.01, N steps, loss mean(y(T)^2): the seconds of one
# forward and backward, the first call included. rssPeakMB is the peak RSS above the RSS after set-up (VmHWM reset
# through /proc/self/clear_refs), as nfde bench measures its own.
import argparse, datetime, json, os, pickle, re, statistics, subprocess, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("config")
ap.add_argument("mode", choices=["direct", "adjoint"])
ap.add_argument("--torchfde", required=True)
ap.add_argument("--data", default=os.environ.get("NFDE_DATA_DIR", "data"))
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--repeats", type=int, default=7)
ap.add_argument("--steps", type=int, default=0)
a = ap.parse_args()
sys.path.insert(0, a.torchfde)
import numpy as np, scipy.sparse as sp, torch, torch.nn as nn
from torchfde import fdeint, fdeint_adjoint

torch.set_num_threads(a.threads)
torch.manual_seed(7)


def status_kb(field):
    return int(re.search(field + r":\s+(\d+)", open("/proc/self/status").read()).group(1))


def cora(root):
    def load(name):
        with open(os.path.join(root, "planetoid", f"ind.cora.{name}"), "rb") as f:
            return pickle.load(f, encoding="latin1")
    x, tx, allx, y, ty, ally, graph = (load(n) for n in ["x", "tx", "allx", "y", "ty", "ally", "graph"])
    test = [int(l) for l in open(os.path.join(root, "planetoid", "ind.cora.test.index"))]
    feats = sp.vstack((allx, tx)).tolil()
    labels = np.vstack((ally, ty))
    order = np.sort(test)
    feats[test, :] = feats[order, :]
    labels[test, :] = labels[order, :]
    feats = sp.csr_matrix(feats)
    rows = np.asarray(feats.sum(1)).ravel()
    feats = sp.diags(np.where(rows > 0, 1 / np.maximum(rows, 1e-30), 0)) @ feats
    n = feats.shape[0]
    edges = np.asarray([(s, d) for s, ns in graph.items() for d in ns if s != d]).T
    return feats.tocoo(), edges[0], edges[1], labels.argmax(1), n, len(y)


if a.config.startswith("B1-H"):
    H = int(a.config[4:])
    F, src, dst, labels, n, ntrain = cora(a.data)
    X = torch.sparse_coo_tensor(torch.tensor(np.vstack([F.row, F.col]), dtype=torch.long), torch.tensor(F.data, dtype=torch.float32), F.shape).coalesce()
    pairs = torch.unique(torch.tensor(np.vstack([np.concatenate([dst, src]), np.concatenate([src, dst])]), dtype=torch.long), dim=1)
    loops = torch.arange(n).repeat(2, 1)
    idx = torch.cat([pairs, loops], 1)
    deg = torch.zeros(n).index_add_(0, idx[0], torch.ones(idx.shape[1]))
    s = deg.rsqrt()
    A = torch.sparse_coo_tensor(idx, s[idx[0]] * s[idx[1]], (n, n)).coalesce().to_sparse_csr()
    labels, train = torch.tensor(labels), torch.arange(ntrain)

    class Field(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b, self.x0 = nn.Parameter(torch.zeros(())), nn.Parameter(torch.zeros(())), None

        def forward(self, t, x):
            return torch.sigmoid(self.a) * (A @ x - x) + self.b * self.x0

    enc, dec, field = nn.Linear(F.shape[1], H), nn.Linear(H, int(labels.max()) + 1), Field()
    params, beta, T, h, lr, steps = [*enc.parameters(), *dec.parameters(), *field.parameters()], 0.85, 40.0, 1.0, 0.01, 40

    def loss():
        x0 = torch.sparse.mm(X, enc.weight.t()) + enc.bias
        field.x0 = x0
        solve = fdeint if a.mode == "direct" else fdeint_adjoint
        y = solve(field, x0, torch.tensor(beta), T, h, "predictor" if a.mode == "direct" else "predictor-f")
        return nn.functional.cross_entropy(dec(torch.relu(y))[train], labels[train])
elif a.config == "B2" or a.config.startswith("B3-N"):
    steps = 40 if a.config == "B2" else int(a.config[4:])

    class Mlp(nn.Module):
        def __init__(self):
            super().__init__()
            self.l1, self.l2 = nn.Linear(64, 256), nn.Linear(256, 64)

        def forward(self, t, y):
            return self.l2(torch.tanh(self.l1(y)))

    field = Mlp()
    params, y0, target = list(field.parameters()), torch.randn(256, 64), torch.randn(256, 64)
    beta, T, h, lr = 0.6, 2.0, 2.0 / steps, 1e-3

    def loss():
        solve = fdeint if a.mode == "direct" else fdeint_adjoint
        y = solve(field, y0, torch.tensor(beta), T, h, "predictor" if a.mode == "direct" else "predictor-f")
        return ((y - target) ** 2).mean()
elif a.config == "long/tiny":
    if a.steps <= 0:
        sys.exit(f"torchfde-peer: --steps is {a.steps}; long/tiny needs a positive number of steps")
    steps = a.steps
    W = nn.Parameter(0.3 * torch.randn(8, 8))
    params, y0, beta, T, h, lr = [W], torch.randn(4, 8), 0.6, 0.01 * steps, 0.01, 1e-3

    class Tanh(nn.Module):
        def __init__(self):
            super().__init__()
            self.W = W

        def forward(self, t, y):
            return torch.tanh(y @ self.W)

    field = Tanh()

    def loss():
        solve = fdeint if a.mode == "direct" else fdeint_adjoint
        y = solve(field, y0, torch.tensor(beta), T, h, "predictor" if a.mode == "direct" else "predictor-f")
        return (y ** 2).mean()
else:
    sys.exit(f"torchfde-peer: config is {a.config!r}; allowed: B1-H64, B1-H256, B2, B3-N<steps>, long/tiny")

opt = torch.optim.Adam(params, lr=lr)


def step():
    t0 = time.perf_counter()
    opt.zero_grad()
    loss().backward()
    opt.step()
    return time.perf_counter() - t0


base = status_kb("VmRSS")
open("/proc/self/clear_refs", "w").write("5")
first = step()
times = [] if a.config == "long/tiny" else [step() for _ in range(a.repeats)]
rss = (status_kb("VmHWM") - base) / 1024
try:
    commit = subprocess.run(["git", "-C", a.torchfde, "rev-parse", "--short=8", "HEAD"], capture_output=True, text=True).stdout.strip() or "unknown"
except OSError:
    commit = "unknown"
now = datetime.datetime.now(datetime.timezone.utc)
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown")
print(json.dumps({
    "kind": "reference", "tool": "torchfde", "toolVersion": commit, "run": now.strftime("%Y-%m-%dT%H:%MZ"), "date": now.strftime("%Y-%m-%d"),
    "command": f"python results/torchfde-peer.py {a.config} {a.mode} --threads {a.threads} " + (f"--steps {steps}" if a.config == "long/tiny" else f"--repeats {a.repeats}"),
    "machine": {"cpu": cpu, "cores": os.cpu_count(), "pytorch": torch.__version__, "threads": str(a.threads), "load1": os.getloadavg()[0]},
    "source": "output", "provenance": "printed by results/torchfde-peer.py (one process per configuration and mode)",
    "output": {"config": a.config, "mode": a.mode, "n": steps, "seconds": round(first, 3), "rssPeakMB": round(rss, 1)} if a.config == "long/tiny" else
              {"config": a.config, "mode": a.mode, "n": steps, "stepMsMedian": round(1000 * statistics.median(times), 2),
               "stepMs": [round(1000 * t, 1) for t in times], "rssPeakMB": round(rss, 1), "liveMB": None},
}))
