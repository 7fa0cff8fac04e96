// Lints source texts with the repository's own ESLint configuration, for lint-rules.spec.ts.
//
// eslint.config.mjs is an ES module that ESLint loads with import(), which Jest allows in-process
// only with --experimental-vm-modules; so the spec runs this file with `node`: a JSON array of
// {filePath, code} on stdin (paths relative to the repository; the files need not exist), one line
// of JSON on stdout: {results: [{filePath, messages: [{ruleId, message, line}]}], pending: {...}}.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { ESLint } from 'eslint';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cases = JSON.parse(readFileSync(0, 'utf8'));
const eslint = new ESLint({ cwd: repoRoot });
const results = [];
for (const { filePath, code } of cases) {
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, filePath) });
  results.push({
    filePath,
    messages: (result?.messages ?? []).map(({ ruleId, message, line }) => ({ ruleId, message, line })),
  });
}
const config = await import(pathToFileURL(path.join(repoRoot, 'eslint.config.mjs')).href);
const pending = {
  repositoryMoves: config.PENDING_REPOSITORY_MOVES,
  boundaryFixes: config.PENDING_BOUNDARY_FIXES,
  repositoriesOnly: config.REPOSITORIES_ONLY,
};
process.stdout.write(`\n${JSON.stringify({ results, pending })}\n`);
