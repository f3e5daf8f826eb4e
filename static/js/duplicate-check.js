// The duplicate check answers 429 once the hourly budget of name checks is spent: show
// that answer in place of the check's result (htmx leaves error responses unswapped).
document.addEventListener("htmx:beforeSwap", (event) => {
  const target = event.detail.target;
  if (target && target.id === "duplicate-check" && event.detail.xhr.status === 429) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
