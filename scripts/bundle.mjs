// Bundles the two programs a live capture starts — the capture helper and the CLI — each into
// a few files, over the modules tsc wrote for them (run after `tsc -p tsconfig.json`).
//
// Why: a capture of a few packets is what users run most, and most of its CPU is start-up.
// Loading ~40 small CommonJS files costs each Node process path resolution, stat and read calls
// and a compile per file; one bundle from the TypeScript sources also takes only the parts of
// valibot the schema uses. Measured in bench/capture (start-up table) and bench/README.md.
//
// The outputs keep their places and depths, so paths built from __dirname (the native addon,
// the renderer, the helper's entry) resolve as they do for tsc's files:
//   dist/app/helper/main.js      the helper, one file (what the launcher and the CLI run)
//   dist/app/cli/main.js         the CLI's entry; each `await import()` of a command becomes a
//   dist/app/cli/bundle-*.js     chunk loaded only when that command runs
// `tsc` alone (without this step) writes back plain per-module files that work the same way.
import { build } from 'rolldown';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

const common = {
  cwd: root,
  platform: 'node',
  // The addon is loaded by an absolute path computed at run time; Electron only exists inside the app.
  external: [/\.node$/, 'electron'],
  logLevel: 'warn',
  // Compiled as tsc compiles them (tsconfig.json: ES2022, CommonJS).
  transform: { target: 'es2022' },
};

async function bundle(name, input, outDir, chunkPrefix) {
  if (!fs.existsSync(path.join(outDir, 'main.js'))) {
    throw new Error(`${path.relative(root, outDir)}/main.js is missing: run tsc -p tsconfig.json first`);
  }
  // Chunks of an earlier bundle: their names change with their contents.
  for (const f of fs.readdirSync(outDir)) if (f.startsWith(chunkPrefix)) fs.rmSync(path.join(outDir, f));
  await build({
    ...common,
    input: { main: path.join(root, input) },
    output: {
      dir: outDir,
      format: 'cjs',
      sourcemap: true,
      entryFileNames: '[name].js',
      chunkFileNames: `${chunkPrefix}[name]-[hash].js`,
    },
  });
  // Node looks up the package.json nearest to every file it loads (for its "type"): one beside the
  // bundle ends that walk up the tree at once (measured: ~8 ms less CPU for an idle capture).
  fs.writeFileSync(path.join(outDir, 'package.json'), '{ "type": "commonjs" }\n');
  const files = fs.readdirSync(outDir).filter((f) => f === 'main.js' || f.startsWith(chunkPrefix)).filter((f) => f.endsWith('.js'));
  const bytes = files.reduce((n, f) => n + fs.statSync(path.join(outDir, f)).size, 0);
  console.log(`bundled ${name}: ${files.length} file(s), ${(bytes / 1024).toFixed(0)} KiB in ${path.relative(root, outDir)}`);
}

await bundle('the capture helper', 'app/helper/main.ts', path.join(dist, 'app', 'helper'), 'bundle-');
await bundle('the CLI', 'app/cli/main.ts', path.join(dist, 'app', 'cli'), 'bundle-');

// The manual page sievecap(1), made from the option table `sievecap --help` prints
// (app/cli/help-table.ts, as tsc wrote it): dist/man/sievecap.1, installed by the packages.
{
  const require = createRequire(import.meta.url);
  const { renderMan } = require(path.join(dist, 'app', 'cli', 'help-table.js'));
  const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  // The build's date, or SOURCE_DATE_EPOCH's for a reproducible build.
  const epoch = process.env.SOURCE_DATE_EPOCH ? Number(process.env.SOURCE_DATE_EPOCH) * 1000 : Date.now();
  fs.mkdirSync(path.join(dist, 'man'), { recursive: true });
  fs.writeFileSync(path.join(dist, 'man', 'sievecap.1'), renderMan(version, new Date(epoch).toISOString().slice(0, 10)));
  console.log('wrote the manual page: dist/man/sievecap.1');
}
