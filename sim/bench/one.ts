import '../polyfills';
import { measureRollover } from './measure';

// One size per process: its peak memory is its own.
const size = Number(process.argv[2]);
const seed = Number(process.argv[3] ?? 1);
measureRollover(size, seed).then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
