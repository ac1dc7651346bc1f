"""Golden fixtures for @rxrnn/memory's continuous stack, queue and deque (Grefenstette, Hermann,
Suleyman & Blunsom 2015, Learning to Transduce with Unbounded Memory, §3), transcribed from the
paper's equations in PyTorch, float64 from float32 inputs, with the paper's GROWING lists (a row
appended per push) and explicit loops over the sums, so the fixed-capacity, vectorised buffers of
structures.ts are checked against the plain reading of the equations.

Stack (eqs. 1–3): pop on the old strengths, s[i] = max(0, s[i] − max(0, u − Σ_{j>i} s[j])); push v with
strength d; read r = Σ_i min(s[i], max(0, 1 − Σ_{j>i} s[j])) V[i]. Queue (§3.2): the same with the sums
over j < i. Deque (§3.3): both pops measured on the old strengths,
s[i] = max(0, s[i] − max(0, u_top − Σ_{j>i} s[j]) − max(0, u_bot − Σ_{j<i} s[j])); then v_bot is pushed
below and v_top above; r_top sums over j > i, r_bot over j < i.

The cell (@rxrnn/memory's neural-stack-step.ts): an LSTM controller (gate order i, f, g, o; row-vector
layout x @ kernel) on [x; previous reads]; ξ = h K_ξ + b_ξ, per end [d̂ | û | v̂] (top first), d = σ(d̂),
u = σ(û), v = tanh(v̂); pop, push, read; y = h K_y + b_y; start: h = c = 0, empty structure, r_0 = 0.

Run:   /usr/bin/python3 tools/goldens/neural_stack.py
Writes packages/memory/fixtures/neural-stack/<case>.safetensors (+ .json).
"""
import json
import os

import torch

from safetensors_io import write_safetensors

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'memory', 'fixtures', 'neural-stack')
DT = torch.float64


def rnd(*shape, scale=1.0):
    """float32 values held in float64."""
    return (torch.randn(*shape) * scale).to(torch.float32).to(DT)


def unit(*shape):
    return torch.rand(*shape).to(torch.float32).to(DT)


def save(case, meta, tensors):
    os.makedirs(OUT, exist_ok=True)
    write_safetensors(os.path.join(OUT, f'{case}.safetensors'), tensors)
    with open(os.path.join(OUT, f'{case}.json'), 'w') as f:
        json.dump({'generator': 'tools/goldens/neural_stack.py', 'case': case, **meta}, f, indent=2)
        f.write('\n')
    print(f'{case}: {", ".join(f"{k} {tuple(v.shape)}" for k, v in tensors.items())}')


def relu(a):
    return max(0.0, a)


def pop(s, u_top, u_bot):
    """The strengths after popping u_top from the top (end of the list) and u_bot from the bottom
    (start); either may be None. Each sum runs over the OLD strengths."""
    out = []
    for i in range(len(s)):
        left = s[i]
        if u_top is not None:
            left -= relu(u_top - sum(s[j] for j in range(i + 1, len(s))))
        if u_bot is not None:
            left -= relu(u_bot - sum(s[j] for j in range(0, i)))
        out.append(relu(left))
    return out


def read(V, s, from_top):
    """r = Σ_i min(s[i], max(0, 1 − Σ_{rows between i and the read end} s[j])) V[i]."""
    r = torch.zeros(V[0].shape[0] if V else 0, dtype=DT)
    for i in range(len(s)):
        between = sum(s[j] for j in range(i + 1, len(s))) if from_top else sum(s[j] for j in range(0, i))
        r = r + min(s[i], relu(1.0 - between)) * V[i]
    return r


class Structure:
    """One batch row's structure: rows V (bottom first) and strengths s, growing with each push."""

    def __init__(self, kind):
        self.kind, self.V, self.s = kind, [], []

    def step(self, ends):
        """ends: [(u, d, v)] for the top (and the bottom for a deque). Returns the reads (top first)."""
        if self.kind == 'stack':
            (u, d, v), = ends
            self.s = pop(self.s, u, None) + [d]                                  # eq. 2
            self.V = self.V + [v]                                                # eq. 1
            return [read(self.V, self.s, True)]                                  # eq. 3
        if self.kind == 'queue':
            (u, d, v), = ends
            self.s = pop(self.s, None, u) + [d]
            self.V = self.V + [v]
            return [read(self.V, self.s, False)]
        (ut, dt, vt), (ub, db, vb) = ends
        self.s = [db] + pop(self.s, ut, ub) + [dt]
        self.V = [vb] + self.V + [vt]
        return [read(self.V, self.s, True), read(self.V, self.s, False)]


def structures_case(kind, B=2, m=3, T=7, seed=0):
    torch.manual_seed(seed)
    E = 2 if kind == 'deque' else 1
    us, ds, vs = unit(T, B, E), unit(T, B, E), rnd(T, B, E, m)
    reads = torch.zeros(T, B, E, m, dtype=DT)
    structs = [Structure(kind) for _ in range(B)]
    for t in range(T):
        for b in range(B):
            ends = [(us[t, b, e].item(), ds[t, b, e].item(), vs[t, b, e]) for e in range(E)]
            for e, r in enumerate(structs[b].step(ends)):
                reads[t, b, e] = r
    strengths = torch.tensor([st.s for st in structs], dtype=DT)          # [B, rows]
    values = torch.stack([torch.stack(st.V) for st in structs])           # [B, rows, m]
    save(f'{kind}-structure', {'kind': kind, 'B': B, 'm': m, 'T': T, 'ends': E},
         {'u': us, 'd': ds, 'v': vs, 'reads': reads, 'strengths': strengths, 'values': values})


def cell_case(kind, X=3, Y=2, H=4, m=3, capacity=8, B=2, T=5, seed=1):
    torch.manual_seed(seed)
    E = 2 if kind == 'deque' else 1
    P = E * (2 + m)
    w = {
        'controller.kernel': rnd(X + E * m, 4 * H, scale=0.5),
        'controller.recurrentKernel': rnd(H, 4 * H, scale=0.5),
        'controller.bias': rnd(4 * H, scale=0.1),
        'interface.kernel': rnd(H, P, scale=1.0),
        'interface.bias': rnd(P, scale=0.5),
        'output.kernel': rnd(H, Y, scale=0.5),
        'output.bias': rnd(Y, scale=0.1),
    }
    xs = rnd(T, B, X)
    h = torch.zeros(B, H, dtype=DT)
    c = torch.zeros(B, H, dtype=DT)
    r = torch.zeros(B, E * m, dtype=DT)
    structs = [Structure(kind) for _ in range(B)]
    ys = []
    for t in range(T):
        z = torch.cat([xs[t], r], 1) @ w['controller.kernel'] + h @ w['controller.recurrentKernel'] + w['controller.bias']
        zi, zf, zg, zo = z.split(H, 1)
        c = torch.sigmoid(zf) * c + torch.sigmoid(zi) * torch.tanh(zg)
        h = torch.sigmoid(zo) * torch.tanh(c)
        xi = h @ w['interface.kernel'] + w['interface.bias']
        rows = []
        for b in range(B):
            ends = []
            for e in range(E):
                part = xi[b, e * (2 + m):(e + 1) * (2 + m)]
                ends.append((torch.sigmoid(part[1]).item(), torch.sigmoid(part[0]).item(), torch.tanh(part[2:])))  # (u, d, v)
            rows.append(torch.cat(structs[b].step(ends)))
        r = torch.stack(rows)
        ys.append(h @ w['output.kernel'] + w['output.bias'])
    tensors = {f'weights.{k}': v for k, v in w.items()}
    tensors.update({'xs': xs, 'ys': torch.stack(ys), 'h': h, 'c': c, 'reads': r,
                    'strengths': torch.tensor([st.s for st in structs], dtype=DT)})
    options = {'structure': kind, 'inputSize': X, 'outputSize': Y, 'controllerSize': H, 'valueSize': m, 'capacity': capacity}
    save(f'{kind}-cell', {'options': options, 'weights': list(w.keys()), 'T': T, 'B': B}, tensors)


if __name__ == '__main__':
    for i, kind in enumerate(['stack', 'queue', 'deque']):
        structures_case(kind, seed=10 + i)
        cell_case(kind, seed=20 + i)
