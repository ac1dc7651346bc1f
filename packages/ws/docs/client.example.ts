// Host a model behind WebSockets and stream to it with the client: both ends of @rxrnn/ws in one script.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { from, firstValueFrom, toArray } from 'rxjs';
import { initBackend } from '@rxrnn/core';
import { lstmCell } from '@rxrnn/cells';
import { createStreamServer, connect } from '@rxrnn/ws';

await initBackend({ log: null });

// Server: one model, a token, attached to any Node HTTP server.
const cell = lstmCell({ inputSize: 2, hiddenSize: 3, seed: 1 });
const streams = createStreamServer([{ name: 'tiny', cell }], { token: 'secret' });
const http = createServer();
http.on('upgrade', (req, socket, head) => streams.handleUpgrade(req, socket, head));
await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/ws`;

// Client: `stream(model)` is an operator; each value is one step, each emission one step's output.
const conn = connect(url, { token: 'secret' });
const outputs = await firstValueFrom(
  from([[1, 0], [0, 1], [1, 1]]).pipe(conn.stream('tiny', { extras: ['c'] }), toArray()),
);
for (const o of outputs) console.log(o.seq, o.y, o.extras?.c);

// The same stream as a Subject-like pair, with snapshot/restore.
const s = conn.open('tiny');
s.output$.subscribe((o) => console.log('pair', o.seq, o.y));
s.next([1, 0]);
const snap = await s.snapshot(); // state after the first step
s.next([0, 1]);
await s.restore(snap); // back to it
s.next([0, 1]); // the same output as the step before
await s.reset();
s.close();

conn.close();
await streams.close();
http.close();
cell.dispose();
