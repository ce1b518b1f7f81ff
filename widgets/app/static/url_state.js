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
  // A new view starts at its top: the window and every scrolling box around the view (Voilà's
  // page scrolls #rendered_cells, not the window, so the map's offset carried over).
  const toTop = () => {
    window.scrollTo(0, 0);
    for (let n = document.querySelector(".course-view"); n; n = n.parentElement) {
      if (n.scrollTop) n.scrollTop = 0;
    }
  };
  model.on("change:navigation", () => {
    toTop();
    // Move focus to the new view's main heading so keyboard and screen-reader users start there.
    setTimeout(() => {
      toTop();
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
