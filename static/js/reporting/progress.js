// Polls a report build's progress and moves the <progress> bar; reloads the list when it is done.
// Loaded as a module file so the strict CSP needs no 'unsafe-inline'.
const POLL_MS = 1500;

function watch(box) {
  const url = box.dataset.progressUrl;
  const bar = box.querySelector("progress");
  const note = box.querySelector("[data-progress-note]");
  const status = box.querySelector("[data-progress-status]");
  const tick = async () => {
    let data;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      data = await response.json();
    } catch {
      status.textContent = "Could not check progress; retrying.";
      window.setTimeout(tick, POLL_MS * 2);
      return;
    }
    bar.value = data.progress;
    bar.textContent = `${data.progress}%`;
    note.textContent = data.note || data.status_label;
    if (data.status === "ready") {
      status.textContent = "Ready. Opening the list again…";
      window.location.reload();
    } else if (data.status === "failed") {
      status.textContent = `The build failed: ${data.error || "see the server log"}.`;
    } else {
      window.setTimeout(tick, POLL_MS);
    }
  };
  tick();
}

document.querySelectorAll('[data-module="reporting-progress"]').forEach(watch);
