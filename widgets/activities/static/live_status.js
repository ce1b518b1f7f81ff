// One live region per status widget; only its text changes, so screen readers announce it.
const ICONS = { ok: "\u2714 ", error: "\u26a0 ", info: "" };

function render({ model, el }) {
  const region = document.createElement("div");
  region.className = "course-status";
  region.setAttribute("role", "status");
  region.setAttribute("aria-live", "polite");
  el.appendChild(region);
  const update = () => {
    const tone = model.get("tone");
    region.dataset.tone = tone;
    const message = model.get("message");
    region.textContent = message ? ICONS[tone] + message : "";
  };
  model.on("change:message", update);
  model.on("change:tone", update);
  update();
}

export default { render };
