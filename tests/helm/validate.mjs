// Validates rendered Kubernetes manifests (multi-document YAML files) with
// npm kubernetes-models: types, required fields and enums through each
// model's validate(), plus a check of every field name against the
// properties of the model's type (validate() accepts unknown fields, so a
// typo such as `terminationMessagePolicyy` would pass it).
//
//   node validate.mjs FILE...      (run from the directory holding node_modules)
//
// Prints one line per object; exit 1 with every problem when one is invalid.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

const modules = join(process.cwd(), "node_modules");

// Global type name (IIoK8sApiBatchV1JobSpec) -> { prop: type text }, read
// from the .d.ts declarations of kubernetes-models and its apimachinery.
function loadTypes() {
  const types = {};
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const file = join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (name.endsWith(".d.ts")) readDeclarations(readFileSync(file, "utf8"), types);
    }
  };
  walk(join(modules, "kubernetes-models"));
  walk(join(modules, "@kubernetes-models", "apimachinery"));
  return types;
}

function readDeclarations(text, types) {
  const body = text.replace(/\/\*\*[\s\S]*?\*\//g, "");
  const local = {};
  const iface = /export interface (\w+)(?: extends (\w+))? \{([\s\S]*?)\n\}/g;
  for (let m; (m = iface.exec(body)); ) {
    const props = {};
    if (m[2] === "TypeMeta") Object.assign(props, { apiVersion: "string", kind: "string" });
    for (const p of m[3].matchAll(/^ {4}"([^"]+)"\??: ([^;]*(?:\{[\s\S]*?\})?[^;]*);/gm)) {
      props[p[1]] = p[2];
    }
    local[m[1]] = props;
  }
  for (const m of body.matchAll(/export type \{ (\w+) as (\w+)/g)) {
    if (local[m[1]]) types[m[2]] = local[m[1]];
  }
}

// The object type a property holds: IIoK8s... or Array<IIoK8s...>.
function nestedType(typeText) {
  const m = /^(?:Array<)?(IIoK8s\w+)>?$/.exec(typeText.trim());
  return m ? m[1] : null;
}

function checkFields(value, typeName, where, types, problems) {
  const props = types[typeName];
  if (!props || value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkFields(v, typeName, `${where}[${i}]`, types, problems));
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    if (!(key in props)) {
      problems.push(`${where}.${key}: unknown field (known: ${Object.keys(props).join(", ")})`);
      continue;
    }
    const nested = nestedType(props[key]);
    if (nested) checkFields(v, nested, `${where}.${key}`, types, problems);
  }
}

function typeNameOf(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["core", apiVersion];
  const camel = (s) => s.charAt(0).toUpperCase() + s.slice(1);
  return `IIoK8sApi${camel(group.split(".")[0])}${camel(version)}${kind}`;
}

async function validateObject(obj, types) {
  const problems = [];
  if (!obj || typeof obj.apiVersion !== "string" || typeof obj.kind !== "string") {
    return ["not a Kubernetes object (apiVersion and kind missing)"];
  }
  let Model;
  try {
    Model = (await import(`kubernetes-models/${obj.apiVersion}/${obj.kind}`))[obj.kind];
  } catch (e) {
    return [`no model for ${obj.apiVersion} ${obj.kind}`];
  }
  try {
    new Model(obj).validate();
  } catch (e) {
    problems.push(String(e.message));
  }
  const typeName = typeNameOf(obj.apiVersion, obj.kind);
  if (!types[typeName]) problems.push(`no field list for ${typeName}`);
  checkFields(obj, typeName, obj.kind, types, problems);
  return problems;
}

const types = loadTypes();
let failed = false;
for (const file of process.argv.slice(2)) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"), { uniqueKeys: true });
  for (const doc of docs) {
    if (doc.errors.length) {
      console.log(`${file}: YAML error: ${doc.errors.map((e) => e.message).join("; ")}`);
      failed = true;
      continue;
    }
    const obj = doc.toJS();
    if (obj === null || obj === undefined) continue;
    const problems = await validateObject(obj, types);
    const name = `${obj.kind}/${obj.metadata?.name}`;
    if (problems.length) {
      failed = true;
      console.log(`${file}: ${name}: INVALID\n  ${problems.join("\n  ")}`);
    } else {
      console.log(`${file}: ${name}: valid`);
    }
  }
}
process.exit(failed ? 1 : 0);
