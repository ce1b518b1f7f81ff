// Mirrors the kernel's idea of "where am I" into the address bar, and back.
function render({ model, el }) {
  el.style.display = "none";
  const apply = () => {
    const query = model.get("query");
    const wanted = query ? "?" + query : window.location.pathname;
    if (window.location.search !== (query ? "?" + query : "")) {
      window.history.pushState({ query }, "", wanted);
    }
  };
  model.on("change:query", apply);
  model.on("change:title", () => { document.title = model.get("title"); });
  model.on("change:navigation", () => {
    window.scrollTo(0, 0);
    // Move focus to the new view's main heading so keyboard and screen-reader users start there.
    setTimeout(() => {
      const h = document.querySelector(".course-view h1");
      if (h) { h.setAttribute("tabindex", "-1"); h.focus({ preventScroll: true }); }
    }, 60);
  });
  window.addEventListener("popstate", () => {
    model.set("query", window.location.search.replace(/^\?/, ""));
    model.save_changes();
  });
  if (model.get("title")) document.title = model.get("title");
  apply();
}

export default { render };
