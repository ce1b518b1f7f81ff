// The scene player: an optional <video> with captions, and the transcript played as a dialogue.
//
// Python holds the state `shown` (how many lines are on screen); this view sets it from the
// buttons and draws it. Playing is a timer here: while it runs, one more line every few
// seconds (longer lines stay longer). Each new line is announced in a polite live region.
//
// Keys: Tab to Play/Pause, Next line, Show all, Start again (Enter or Space press them).
// While focus is in the player: N or Right arrow = next line, K = play or pause.

let playerCount = 0;

function make(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function lineDelay(text) {
  // time to read it aloud at a calm pace: 1.2 s plus ~55 ms a character, 2.5-8 s
  return Math.min(8000, Math.max(2500, 1200 + 55 * text.length));
}

function render({ model, el }) {
  const uid = `scene-${++playerCount}-${Math.random().toString(36).slice(2, 8)}`;
  const reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const root = make("section", { class: "scene-player", "aria-label": `Scene: ${model.get("label")}` });
  el.appendChild(root);

  const lines = model.get("lines") || [];
  const total = lines.length;
  let timer = null;

  if (model.get("src")) {
    const video = make("video", {
      class: "scene-video",
      controls: true,
      preload: "metadata",
      src: model.get("src"),
      "aria-label": `Video: ${model.get("label")}`,
    });
    if (model.get("captions")) {
      video.append(
        make("track", { kind: "captions", src: model.get("captions"), srclang: "en", label: "English", default: true }),
      );
    }
    video.append("Your browser cannot play this video; the transcript below has every line.");
    root.append(video, make("h4", { class: "scene-heading", text: "Transcript" }));
  }

  const hintId = `${uid}-keys`;
  root.append(
    make("p", { class: "scene-hint", id: hintId }, [
      make("span", { class: "scene-hint-keys", text: "Keys:" }),
      " Tab to the buttons; N shows the next line, K plays or pauses.",
    ]),
  );
  const controls = make("div", { class: "scene-controls", role: "group", "aria-label": "Scene controls" });
  const playButton = make("button", { type: "button", class: "scene-button scene-play", "aria-describedby": hintId });
  const nextButton = make("button", { type: "button", class: "scene-button scene-next", text: "Next line" });
  const allButton = make("button", { type: "button", class: "scene-button scene-all", text: "Show all" });
  const againButton = make("button", { type: "button", class: "scene-button scene-again", text: "Start again" });
  controls.append(playButton, nextButton, allButton, againButton);
  const progress = make("p", { class: "scene-progress", "aria-hidden": "true" });
  const dialogue = make("div", { class: "scene-dialogue", id: `${uid}-dialogue` });
  const live = make("div", { class: "scene-live scene-visually-hidden", role: "status", "aria-live": "polite" });
  root.append(controls, progress, dialogue, live);

  const shown = () => Math.max(0, Math.min(total, model.get("shown") || 0));
  const setShown = (n) => {
    model.set("shown", Math.max(0, Math.min(total, n)));
    model.save_changes();
  };

  function say(text) {
    live.textContent = "";
    setTimeout(() => { live.textContent = text; }, 30);
  }

  function stop() {
    if (timer) clearTimeout(timer);
    timer = null;
    drawControls();
  }

  function tick() {
    if (shown() >= total) { stop(); return; }
    setShown(shown() + 1);
    if (shown() >= total) { stop(); return; }
    timer = setTimeout(tick, lineDelay(lines[shown() - 1].line));
    drawControls();
  }

  function play() {
    if (timer) { stop(); say("Paused."); return; }
    if (shown() >= total) setShown(0);
    timer = setTimeout(tick, 0);
    drawControls();
  }

  function drawControls() {
    const n = shown();
    const focused = document.activeElement;
    playButton.textContent = timer ? "\u275a\u275a Pause" : n === 0 ? "\u25b6 Play scene" : n >= total ? "\u25b6 Play again" : "\u25b6 Resume";
    nextButton.disabled = n >= total;
    allButton.disabled = n >= total;
    againButton.disabled = n === 0;
    progress.textContent = `Line ${n} of ${total}`;
    // a focused button that just became disabled would drop focus to the page: keep it here
    if (focused && focused.disabled && (focused === nextButton || focused === allButton)) {
      againButton.focus();
    }
  }

  let drawn = 0;
  function drawLines(announce) {
    const n = shown();
    if (n < drawn) {
      dialogue.replaceChildren();
      drawn = 0;
    }
    const added = [];
    for (let i = drawn; i < n; i++) {
      const entry = lines[i];
      if (entry.scene) dialogue.append(make("h4", { class: "scene-title", text: entry.scene }));
      const speaker = make("span", { class: "scene-speaker", text: `${entry.name}:` });
      if (entry.role) speaker.title = entry.role;
      const p = make("p", { class: `scene-line scene-voice-${entry.voice}` }, [speaker, " ", make("span", { class: "scene-text", text: entry.line })]);
      p.dataset.speaker = entry.speaker;
      if (!reduced && n - drawn === 1) p.classList.add("scene-line-enter");
      dialogue.append(p);
      added.push(entry);
    }
    drawn = n;
    if (announce) {
      if (added.length === 1) {
        const e = added[0];
        say(`${e.scene ? e.scene + ". " : ""}${e.name}: ${e.line}${n >= total ? " (End of the scene.)" : ""}`);
      } else if (added.length > 1) {
        say(`All ${total} lines are showing. Read them below.`);
      } else if (n === 0) {
        say("Back to the start of the scene.");
      }
    }
    if (n === 0) dialogue.append(make("p", { class: "scene-empty", text: `The scene has ${total} lines. Press Play scene, or Next line to go at your own pace.` }));
    else dialogue.querySelector(".scene-empty")?.remove();
    drawControls();
  }

  playButton.addEventListener("click", play);
  nextButton.addEventListener("click", () => { stop(); setShown(shown() + 1); });
  allButton.addEventListener("click", () => { stop(); setShown(total); });
  againButton.addEventListener("click", () => { stop(); setShown(0); playButton.focus(); });
  root.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.target.tagName === "VIDEO") return; // the video's own keys
    const key = event.key;
    if (key === "n" || key === "N" || (key === "ArrowRight" && event.target.tagName === "BUTTON")) {
      event.preventDefault();
      stop();
      setShown(shown() + 1);
    } else if (key === "k" || key === "K") {
      event.preventDefault();
      play();
    }
  });
  model.on("change:shown", () => drawLines(true));
  drawLines(false);
  return () => { if (timer) clearTimeout(timer); };
}

export default { render };
