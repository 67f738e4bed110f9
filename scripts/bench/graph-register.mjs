// Preloaded with `node --import` by row 7 (not timed): registers graph-hooks.mjs, which writes
// every module URL the process resolves to the file named by BENCH_GRAPH_OUT.
import { register } from 'node:module';

register('./graph-hooks.mjs', import.meta.url);
