#!/usr/bin/env node
// The clusterdns executable. It takes every signal and guards stdout/stderr first, then loads the program: ESM
// evaluates no module until the whole static import graph is loaded (fastify, pino, the synthesizer: ~0.2 s, more
// on a busy machine), and until then a SIGHUP would kill the process and a SIGUSR1 open the inspector.
import './early.js';

await import('./run.js');
