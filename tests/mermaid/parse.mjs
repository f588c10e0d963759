import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';
const dom = new JSDOM('<!DOCTYPE html><body></body>');
globalThis.window = dom.window; globalThis.document = dom.window.document;
for (const k of ['DOMParser','Element','HTMLElement','Node','navigator']) { if (!(k in globalThis)) try { globalThis[k] = dom.window[k]; } catch {} }
const mermaid = (await import('mermaid')).default;
mermaid.initialize({ startOnLoad: false });
let failed = 0;
for (const f of process.argv.slice(2)) {
  const text = readFileSync(f, 'utf8');
  try { const r = await mermaid.parse(text); console.log('OK', f, JSON.stringify(r)); }
  catch (e) { failed++; console.log('FAIL', f, String(e.message || e).slice(0, 400)); }
}
process.exit(failed ? 1 : 0);
