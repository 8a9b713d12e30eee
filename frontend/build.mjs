// Builds build/static/ from the govuk-frontend npm package: compiles frontend/app.scss with
// GOV.UK Frontend's Sass and copies its JavaScript and images (not its fonts, which are for GOV.UK).
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "build", "static");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "css"), { recursive: true });
mkdirSync(join(out, "js", "govuk"), { recursive: true });

const result = sass.compile(join(root, "frontend", "app.scss"), {
  style: "compressed",
  importers: [new sass.NodePackageImporter()],
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "css", "app.css"), result.css);

cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "js", "govuk", "govuk-frontend.min.js"));
cpSync(join(root, "frontend", "app.mjs"), join(out, "js", "app.mjs"));
cpSync(join(govuk, "assets", "images"), join(out, "govuk", "assets", "images"), { recursive: true });
console.log(`built ${out}`);
