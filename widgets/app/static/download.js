// A download button: asks the kernel for the file, then saves the text it sends as a Blob.
function render({ model, el }) {
  const wrap = document.createElement("div");
  wrap.className = "course-download";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "course-download-button jupyter-button mod-primary";
  button.textContent = model.get("label");
  const live = document.createElement("p");
  live.className = "course-download-status";
  live.setAttribute("role", "status");
  live.setAttribute("aria-live", "polite");
  wrap.append(button, live);
  el.appendChild(wrap);

  button.addEventListener("click", () => {
    button.disabled = true;
    live.textContent = "Preparing your file\u2026";
    model.send({ action: "download" });
  });
  model.on("msg:custom", (msg) => {
    button.disabled = false;
    if (!msg || msg.action !== "file") {
      live.textContent = "\u26a0 " + ((msg && msg.text) || "The file could not be prepared.");
      return;
    }
    const blob = new Blob([msg.text], { type: model.get("mime") + ";charset=utf-8" });
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = msg.filename || model.get("filename");
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 30000);
    live.textContent = `\u2714 Downloaded ${a.download}. Open it in your browser to read or print it.`;
    button.focus();
  });
}

export default { render };
