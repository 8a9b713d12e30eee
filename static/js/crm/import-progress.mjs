// Live progress for a background import: poll the JSON endpoint and move the bar; when the import
// finishes, load the page again to show the result. Without JavaScript the page has a "Check
// progress" link that does the same by hand.
const POLL_MS = 1500;

function start(box) {
  const url = box.dataset.importProgress;
  const bar = box.querySelector("progress");
  const text = box.querySelector("[data-import-progress-text]");
  const status = box.querySelector("[data-import-status]");

  async function poll() {
    let data;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      data = await response.json();
    } catch {
      window.setTimeout(poll, POLL_MS * 2);
      return;
    }
    bar.value = data.percent;
    bar.textContent = `${data.percent}%`;
    text.textContent = `${data.percent}% of ${data.total_rows} rows done.`;
    status.textContent = data.status_label;
    if (data.finished) {
      window.location.assign(data.detail_url);
      return;
    }
    window.setTimeout(poll, POLL_MS);
  }
  window.setTimeout(poll, POLL_MS);
}

document.querySelectorAll("[data-import-progress]").forEach(start);
