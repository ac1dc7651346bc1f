"""Golden fixtures for @rxrnn/memory's stack-augmented RNN (Joulin & Mikolov 2015, §3.1, eqs. 1–5),
transcribed in PyTorch, float64 from float32 inputs, with the stack updates written cell by cell as
the paper's eqs. 4–5 (an explicit loop over i, the empty value −1 below the deepest cell).

    h_t = σ(x U + h_{t−1} R + [top k of every stack] P + b)            eq. 1 (R dropped when recurrent is false)
    a^j = softmax(h A_j + b_A) over (PUSH, POP, NO-OP)                  eq. 3
    s^j[0] = a_PUSH σ(h D_j + b_D) + a_POP s^j[1] + a_NOOP s^j[0]       eq. 4
    s^j[i] = a_PUSH s^j[i−1] + a_POP s^j[i+1] + a_NOOP s^j[i]           eq. 5
    y = h V + b_V                                                       eq. 2 (logits)

Run:   /usr/bin/python3 tools/goldens/stack_rnn.py
Writes packages/memory/fixtures/stack-rnn/<case>.safetensors (+ .json).
"""
import json
import os

import torch

from safetensors_io import write_safetensors

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'memory', 'fixtures', 'stack-rnn')
DT = torch.float64
EMPTY = -1.0


def rnd(*shape, scale=1.0):
    return (torch.randn(*shape) * scale).to(torch.float32).to(DT)


def case(name, X=3, Y=2, H=5, K=2, D=4, k=2, recurrent=True, B=2, T=7, seed=0):
    torch.manual_seed(seed)
    w = {
        'hidden.kernel': rnd(X, H), 'hidden.recurrentKernel': rnd(H, H), 'hidden.stackKernel': rnd(K * k, H),
        'hidden.bias': rnd(H, scale=0.1), 'action.kernel': rnd(H, 3 * K, scale=2.0), 'action.bias': rnd(3 * K, scale=0.5),
        'push.kernel': rnd(H, K), 'push.bias': rnd(K, scale=0.1), 'output.kernel': rnd(H, Y), 'output.bias': rnd(Y, scale=0.1),
    }
    xs = rnd(T, B, X)
    h = torch.zeros(B, H, dtype=DT)
    s = torch.full((B, K, D), EMPTY, dtype=DT)
    ys, acts = [], []
    for t in range(T):
        pre = xs[t] @ w['hidden.kernel'] + s[:, :, :k].reshape(B, K * k) @ w['hidden.stackKernel'] + w['hidden.bias']
        if recurrent:
            pre = pre + h @ w['hidden.recurrentKernel']
        h = torch.sigmoid(pre)
        a = torch.softmax((h @ w['action.kernel'] + w['action.bias']).reshape(B, K, 3), -1)
        push = torch.sigmoid(h @ w['push.kernel'] + w['push.bias'])
        new = torch.empty_like(s)
        for b in range(B):
            for j in range(K):
                ap, ao, an = a[b, j]
                for i in range(D):
                    above = push[b, j] if i == 0 else s[b, j, i - 1]
                    below = s[b, j, i + 1] if i + 1 < D else EMPTY
                    new[b, j, i] = ap * above + ao * below + an * s[b, j, i]
        s = new
        ys.append(h @ w['output.kernel'] + w['output.bias'])
        acts.append(a)
    tensors = {f'weights.{n}': v for n, v in w.items()}
    tensors.update({'xs': xs, 'ys': torch.stack(ys), 'h': h, 'stacks': s, 'actions': acts[-1]})
    options = {'inputSize': X, 'outputSize': Y, 'hiddenSize': H, 'stacks': K, 'depth': D, 'readDepth': k, 'recurrent': recurrent}
    os.makedirs(OUT, exist_ok=True)
    write_safetensors(os.path.join(OUT, f'{name}.safetensors'), tensors)
    with open(os.path.join(OUT, f'{name}.json'), 'w') as f:
        json.dump({'generator': 'tools/goldens/stack_rnn.py', 'case': name, 'options': options, 'weights': list(w.keys()), 'T': T, 'B': B}, f, indent=2)
        f.write('\n')
    print(name, ', '.join(f'{n} {tuple(v.shape)}' for n, v in tensors.items() if not n.startswith('weights.')))


if __name__ == '__main__':
    case('stack-rnn', seed=1)            # T = 7 > D = 4: pops bring up the empty value, pushes drop the deepest cell
    case('stack-rnn-no-recurrence', recurrent=False, K=1, k=1, seed=2)
