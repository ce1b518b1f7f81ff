// Brings one widget class's front-end code (and CSS) to the page once; the class's
// instances run it from here (widgets/front_end_code.py).
const registry = (globalThis.courseFrontEndCode ??= { modules: new Map(), waiting: new Map() });

async function initialize({ model }) {
  const key = model.get("key");
  if (registry.modules.has(key)) return;
  const css = model.get("css");
  if (css && !document.getElementById(`course-css-${key}`)) {
    const style = document.createElement("style");
    style.id = `course-css-${key}`;
    style.textContent = css;
    document.head.appendChild(style);
  }
  const url = URL.createObjectURL(new Blob([model.get("code")], { type: "text/javascript" }));
  try {
    const module = await import(/* webpackIgnore: true */ url);
    const widget = module.default ?? module;
    registry.modules.set(key, widget);
    for (const resolve of registry.waiting.get(key) ?? []) resolve(widget);
    registry.waiting.delete(key);
  } finally {
    URL.revokeObjectURL(url);
  }
}

export default { initialize, render() {} };
