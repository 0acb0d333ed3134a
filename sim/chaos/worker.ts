import '../polyfills';
import { chaosRun } from './run';

// Runs seeds [from, from + count) and prints one JSON line per run.
async function main(): Promise<void> {
  const [from, count] = process.argv.slice(2).map(Number);
  for (let seed = from; seed < from + count; seed++) process.stdout.write(`${JSON.stringify(await chaosRun(seed))}\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
