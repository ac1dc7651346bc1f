"""PyTorch side of the rxrnn benchmark harness (tools/bench/main.ts spawns this script).

Run with Debian's interpreter (`/usr/bin/python3`, python3-torch + libopenblas0-openmp). It reads
one JSON request per line on stdin and answers one JSON line on stdout, so the harness can
interleave PyTorch and rxrnn measurements of the same row in one invocation:

    {"op": "hello", "threads": 1}                       -> {"torch": "1.13...", "threads": 1}
    {"op": "run", "row": {...}, "iters": 20}            -> {"times": [seconds per call, ...]}

Rows (the same shapes as the rxrnn side):
    {"kind": "step", "cell": "rnn"|"lstm"|"gru", "B", "X", "H"}      nn.RNNCell/LSTMCell/GRUCell, no_grad
    {"kind": "seq", "cell": "lstm", "T", "B", "X", "H"}              nn.LSTM forward, no_grad
    {"kind": "train", "V", "E", "H", "T", "B"}                        char-LSTM + Adam, one step per call
    {"kind": "attention-step", "B", "S", "H"}                         one step of AttnDecoder (below), no_grad
    {"kind": "beam", "K", "L", "S", "H", "V"}                         beam search of L steps with AttnDecoder, no_grad

AttnDecoder is the architecture of @rxrnn/attention's `attentionDecoder` as the bench builds it: an
LSTM cell with Luong's input feeding, additive (Bahdanau) attention v.tanh(W h + U k + b) over S
encoder states (U k + b precomputed once per source), Luong's attentional layer tanh(W_c [c; h]) and
the coverage sum; random weights.
"""
import json
import sys
import time

import torch
import torch.nn as nn

models = {}


class AttnDecoder(nn.Module):
    def __init__(self, H):
        super().__init__()
        self.cell = nn.LSTMCell(2 * H, H)
        self.query = nn.Linear(H, H, bias=False)  # W
        self.memory = nn.Linear(H, H)  # U, b
        self.v = nn.Parameter(torch.randn(H) / H ** 0.5)
        self.out = nn.Linear(2 * H, H, bias=False)  # W_c

    def initial(self, B, S, H):
        return (torch.zeros(B, H), torch.zeros(B, H), torch.zeros(B, H), torch.zeros(B, S))

    def step(self, x, state, keys, projected):
        att, h, c, cov = state
        h, c = self.cell(torch.cat([x, att], 1), (h, c))  # input feeding
        e = torch.tanh(projected + self.query(h).unsqueeze(1)) @ self.v  # [B, S]
        a = torch.softmax(e, -1)
        ctx = torch.bmm(a.unsqueeze(1), keys).squeeze(1)  # [B, D]
        att = torch.tanh(self.out(torch.cat([ctx, h], 1)))  # [B, H]
        return (att, h, c, cov + a), a


def key(row):
    return json.dumps(row, sort_keys=True)


def build(row):
    torch.manual_seed(0)
    kind = row["kind"]
    if kind == "step":
        B, X, H = row["B"], row["X"], row["H"]
        cls = {"rnn": nn.RNNCell, "lstm": nn.LSTMCell, "gru": nn.GRUCell}[row["cell"]]
        cell = cls(X, H)
        x = torch.randn(B, X)
        state = {"s": (torch.zeros(B, H), torch.zeros(B, H)) if row["cell"] == "lstm" else torch.zeros(B, H)}

        def step():
            with torch.no_grad():
                state["s"] = cell(x, state["s"])

        return step
    if kind == "seq":
        T, B, X, H = row["T"], row["B"], row["X"], row["H"]
        lstm = nn.LSTM(X, H)
        x = torch.randn(T, B, X)

        def seq():
            with torch.no_grad():
                lstm(x)

        return seq
    if kind == "train":
        V, E, H, T, B = row["V"], row["E"], row["H"], row["T"], row["B"]
        emb = nn.Embedding(V, E)
        lstm = nn.LSTM(E, H)
        head = nn.Linear(H, V)
        params = list(emb.parameters()) + list(lstm.parameters()) + list(head.parameters())
        opt = torch.optim.Adam(params, lr=2e-3)
        g = torch.Generator().manual_seed(1)
        xs = torch.randint(0, V, (T, B), generator=g)
        ys = torch.randint(0, V, (T, B), generator=g)
        loss_fn = nn.CrossEntropyLoss()

        def train():
            opt.zero_grad()
            out, _ = lstm(emb(xs))
            loss = loss_fn(head(out).reshape(T * B, V), ys.reshape(T * B))
            loss.backward()
            opt.step()

        return train
    if kind == "attention-step":
        B, S, H = row["B"], row["S"], row["H"]
        dec = AttnDecoder(H)
        keys = torch.randn(B, S, H) * 0.5
        with torch.no_grad():
            projected = dec.memory(keys)
        x = torch.randn(B, H)
        st = {"s": dec.initial(B, S, H)}

        def attention_step():
            with torch.no_grad():
                st["s"], _ = dec.step(x, st["s"], keys, projected)

        return attention_step
    if kind == "beam":
        K, L, S, H, V = row["K"], row["L"], row["S"], row["H"], row["V"]
        dec = AttnDecoder(H)
        keys = torch.randn(1, S, H) * 0.5
        emb = torch.randn(V, H)
        w_out = torch.randn(H, V) / H ** 0.5
        b_out = torch.zeros(V)
        b_out[1] = -1e9  # eos (1) never wins: every search runs L steps
        with torch.no_grad():
            projected = dec.memory(keys)
        tiled = {k: (keys.expand(k, S, H).contiguous(), projected.expand(k, S, H).contiguous()) for k in (1, K)}

        def beam():
            with torch.no_grad():
                state = dec.initial(1, S, H)
                tokens = torch.zeros(1, dtype=torch.long)  # bos
                cum = torch.zeros(1)
                hyps, aligns = [[]], [[]]
                for _ in range(L):
                    k = cum.shape[0]
                    state, a = dec.step(emb[tokens], state, *tiled[k])
                    logp = torch.log_softmax(state[0] @ w_out + b_out, -1)  # [k, V]
                    top, idx = (cum.unsqueeze(1) + logp).reshape(-1).topk(K)
                    rows, tokens = idx // V, idx % V
                    state = tuple(t.index_select(0, rows) for t in state)
                    cum = top
                    a = a.index_select(0, rows)
                    r, tk = rows.tolist(), tokens.tolist()
                    hyps = [hyps[i] + [t] for i, t in zip(r, tk)]
                    aligns = [aligns[i] + [a[j]] for j, i in enumerate(r)]
                return hyps[0]

        return beam
    raise ValueError(f"unknown row kind {kind!r}")


def main():
    for line in sys.stdin:
        req = json.loads(line)
        if req["op"] == "hello":
            torch.set_num_threads(int(req.get("threads", 1)))
            reply = {"torch": torch.__version__, "threads": torch.get_num_threads()}
        elif req["op"] == "run":
            k = key(req["row"])
            if k not in models:
                models[k] = build(req["row"])
            fn = models[k]
            times = []
            for _ in range(int(req["iters"])):
                t0 = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t0)
            reply = {"times": times}
        else:
            reply = {"error": f"unknown op {req['op']!r}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
