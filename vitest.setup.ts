// Every test file starts the backend the library would pick (tensorflow → wasm → cpu), silently.
import { initBackend } from '@rxrnn/core';

await initBackend({ log: null });
