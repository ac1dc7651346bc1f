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
"""
import json
import sys
import time

import torch
import torch.nn as nn

models = {}


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
